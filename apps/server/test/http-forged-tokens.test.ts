// RFC 7662 §2.2 / RFC 9068 §4 / RFC 8725: forged, altered and foreign tokens introspect as exactly
// {"active":false} over real HTTP. Each case also checks, through the audit event the server logs,
// that the token was refused for the intended reason (so a test cannot pass by accident).
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, mock, test } from 'node:test';
import type { JWK } from 'jose';
import type { RunningServer } from 'tessera';
import { basic, jsonOf, postForm, send, startSibling, tokenFor } from './support/http-client.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const INACTIVE = '{"active":false}';
const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const parts = (token: string): [string, string, string] => token.split('.') as [string, string, string];
const decode = (segment: string): Record<string, unknown> => JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;

let t: TestServer;
let other: TestServer;
let sibling: RunningServer;
let jwks: Server;
let jwksHits = 0;
let caller: { id: string; secret: string };
let genuine: string;
let serverJwk: JWK & { kid: string };
let attacker: { privateKey: KeyObject; publicJwk: JWK };

before(async () => {
  t = await startTestServer();
  other = await startTestServer();
  sibling = await startSibling(t, 'https://impostor.example');
  caller = await t.addClient();
  genuine = await tokenFor(t.url, caller);
  serverJwk = (jsonOf(await send(`${t.url}/jwks`)) as { keys: (JWK & { kid: string })[] }).keys[0] as JWK & { kid: string };
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  attacker = { privateKey: pair.privateKey, publicJwk: pair.publicKey.export({ format: 'jwk' }) };
  jwks = createServer((_req, res) => {
    jwksHits += 1;
    res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [{ ...attacker.publicJwk, kid: serverJwk.kid }] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  mock.timers.reset();
  await sibling?.close();
  await new Promise((resolve) => jwks?.close(resolve));
  await other?.close();
  await t?.close();
});

const introspectedEvents = (): Record<string, unknown>[] =>
  t.logLines
    .filter((line) => line.includes('"token.introspected"'))
    .map((line) => (JSON.parse(line) as { event: Record<string, unknown> }).event);

/** Introspects as a legitimate client, returns the raw answer and the reason the server recorded. */
async function introspect(token: string, as = caller): Promise<{ status: number; text: string; reason: unknown }> {
  const seen = introspectedEvents().length;
  const result = await postForm(`${t.url}/introspect`, new URLSearchParams({ token }).toString(), { authorization: basic(as.id, as.secret) });
  assert.equal(result.headers['cache-control'], 'no-store');
  const events = introspectedEvents();
  return { status: result.status, text: result.text, reason: events.length > seen ? events[events.length - 1]?.['reason'] : 'no event' };
}

async function assertInactive(token: string, reason: string, as = caller): Promise<void> {
  const answer = await introspect(token, as);
  assert.equal(answer.status, 200);
  assert.equal(answer.text, INACTIVE);
  assert.equal(answer.reason, reason);
}

/** A valid ES256 JWS by the attacker's own key, with whatever header (crit included) the attack needs. */
function signed(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${b64({ alg: 'ES256', ...header })}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: attacker.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

const claims = (): Record<string, unknown> => decode(parts(genuine)[1]);
const header = (): Record<string, unknown> => decode(parts(genuine)[0]);

describe('RFC 7662 §2.2 control', () => {
  test('the genuine token is active for the same caller (so every false below means refused)', async () => {
    const answer = await introspect(genuine);
    assert.equal(JSON.parse(answer.text).active, true);
    assert.equal(header()['kid'], serverJwk.kid);
  });
});

describe('RFC 8725 §2.1/§3.1 algorithm attacks', () => {
  test('alg "none" with an empty signature, with and without our kid', async () => {
    const noneHeaders: Record<string, unknown>[] = [{ ...header(), alg: 'none' }, { alg: 'none', typ: 'at+jwt' }, { ...header(), alg: 'NONE' }];
    for (const h of noneHeaders) {
      await assertInactive(`${b64(h)}.${b64(claims())}.`, h['kid'] === undefined ? 'unknown_key' : 'bad_header');
    }
    await assertInactive(`${b64({ ...header(), alg: 'none' })}.${b64(claims())}.${parts(genuine)[2]}`, 'bad_header');
  });

  test('HS256 keyed with the public key material (JWK JSON, JWKS text, PEM, x coordinate)', async () => {
    const pem = createPublicKey({ key: serverJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
    const jwksText = (await send(`${t.url}/jwks`)).text;
    for (const secret of [JSON.stringify(serverJwk), jwksText, pem, pem.trim(), String(serverJwk.x)]) {
      const input = `${b64({ ...header(), alg: 'HS256' })}.${b64(claims())}`;
      await assertInactive(`${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`, 'bad_header');
    }
  });

  test('a valid ES256 signature by another key under our kid', async () => {
    await assertInactive(signed(header(), claims()), 'bad_signature');
  });
});

describe('RFC 7515 §5.2 integrity', () => {
  test('tampered payload (scope, sub, exp, aud) with the original signature', async () => {
    const [h, , s] = parts(genuine);
    const changes = [{ scope: 'admin' }, { sub: 'someone-else' }, { exp: Number(claims()['exp']) + 86_400 }, { aud: 'https://evil.example.com' }];
    for (const change of changes) await assertInactive(`${h}.${b64({ ...claims(), ...change })}.${s}`, 'bad_signature');
  });

  test('non-canonical base64url: same signature bytes with spare bits set, padding, or base64 alphabet', async () => {
    const [h, p, s] = parts(genuine);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    assert.equal(s.length % 4, 2, 'an ES256 signature leaves 4 spare bits in its last character');
    const spare = s.slice(0, -1) + alphabet[alphabet.indexOf(s.slice(-1)) | 1];
    assert.notEqual(spare, s);
    assert.deepEqual(Buffer.from(spare, 'base64url'), Buffer.from(s, 'base64url'), 'a lenient decoder would accept it');
    await assertInactive(`${h}.${p}.${spare}`, 'bad_signature');
    await assertInactive(`${h}.${p}.${s}==`, 'bad_signature');
    await assertInactive(`${h}.${p}.${Buffer.from(s, 'base64url').toString('base64')}`, 'bad_signature');
    await assertInactive(`${h}=.${p}.${s}`, 'bad_header');
  });
});

describe('RFC 8725 §3.10 header parameters are never honoured', () => {
  test('embedded jwk, jku, x5u pointing at an attacker JWKS, and crit: refused without any fetch', async () => {
    const jku = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/jwks`;
    const headers = [
      { typ: 'at+jwt', kid: serverJwk.kid, jwk: attacker.publicJwk },
      { typ: 'at+jwt', jwk: { ...attacker.publicJwk, kid: 'attacker' }, kid: 'attacker' },
      { typ: 'at+jwt', kid: serverJwk.kid, jku },
      { typ: 'at+jwt', kid: 'attacker', jku },
      { typ: 'at+jwt', kid: serverJwk.kid, x5u: jku },
      { typ: 'at+jwt', kid: serverJwk.kid, crit: ['exp'] },
      { typ: 'at+jwt', kid: serverJwk.kid, crit: ['tessera-admin'], 'tessera-admin': true },
    ];
    for (const h of headers) await assertInactive(signed(h, claims()), 'bad_header');
    assert.equal(jwksHits, 0, 'the server must never fetch a key named by the token');
    // The attacker's JWKS really serves a key under our kid (the trap was armed).
    assert.equal((jsonOf(await send(jku)) as { keys: JWK[] }).keys[0]?.kid, serverJwk.kid);
  });

  test('typ other than at+jwt (RFC 9068 §4) and an unknown kid', async () => {
    await assertInactive(signed({ ...header(), typ: 'JWT' }, claims()), 'bad_header');
    await assertInactive(signed({ typ: 'at+jwt', kid: randomUUID() }, claims()), 'unknown_key');
  });
});

describe('RFC 9068 §4 claims: issuer, audience, time', () => {
  test('a token from another Tessera instance (other keys, other issuer): unknown kid', async () => {
    const foreign = await tokenFor(other.url, await other.addClient());
    await assertInactive(foreign, 'unknown_key');
  });

  test('a token from an instance on the same data directory with another issuer: our key, wrong iss', async () => {
    const foreign = await tokenFor(sibling.url, caller);
    assert.equal(decode(parts(foreign)[0])['kid'], serverJwk.kid, 'same signing key');
    assert.equal(decode(parts(foreign)[1])['iss'], 'https://impostor.example');
    await assertInactive(foreign, 'wrong_issuer');
  });

  test('RFC 7662 §4: a caller not entitled to the token (other client, other audience) is told active false', async () => {
    const outsider = await t.addClient({ audiences: ['https://other.example.com'] });
    await assertInactive(genuine, 'not_permitted', outsider);
  });

  test('expired (server clock moved past exp), and iat in the future (clock set back)', async () => {
    const fresh = await tokenFor(t.url, caller);
    const unseen = await tokenFor(t.url, caller);
    const { exp, iat } = decode(parts(fresh)[1]) as { exp: number; iat: number };
    // The server runs in this process, so moving Date moves its clock: no sleep, fully deterministic.
    mock.timers.enable({ apis: ['Date'], now: exp * 1000 + 3_600_000 });
    try {
      await assertInactive(genuine, 'expired');
      await assertInactive(fresh, 'expired');
      mock.timers.setTime(iat * 1000 - 3_600_000);
      await assertInactive(unseen, 'not_yet_valid');
    } finally {
      mock.timers.reset();
    }
    assert.equal(JSON.parse((await introspect(unseen)).text).active, true, 'the real clock makes it valid again');
  });
});

describe('RFC 7662 §2.1 malformed token values', () => {
  test('oversize tokens (above the 8 KiB token limit, below the body limit)', async () => {
    await assertInactive(genuine + 'A'.repeat(9000), 'malformed');
    const [h, p, s] = parts(genuine);
    await assertInactive(`${h}.${b64({ ...claims(), pad: 'x'.repeat(20_000) })}.${s}`, 'malformed');
    await assertInactive(`${h}.${p}.${s}${'A'.repeat(50_000)}`, 'malformed');
  });

  test('garbage: not a JWT, too many or too few parts, bad JSON, unicode, JWE shape', async () => {
    const [h, p, s] = parts(genuine);
    const cases: [string, string][] = [
      ['not-a-jwt', 'malformed'],
      ['a.b', 'malformed'],
      ['.', 'malformed'],
      ['..', 'malformed'],
      ['a.b.c', 'bad_header'],
      [`${h}.${p}.${s}.x`, 'malformed'],
      [`${h}.${p}.${s}.x.y`, 'malformed'],
      [`${h}..${s}`, 'bad_signature'],
      [`${b64('[1,2]')}.${p}.${s}`, 'bad_header'],
      [`${b64('{"alg":')}.${p}.${s}`, 'bad_header'],
      ['☃.☃.☃', 'bad_header'],
      [' ', 'malformed'],
      [`${h} .${p}.${s}`, 'bad_header'],
      [genuine.replace(/\./g, '%2E'), 'malformed'],
    ];
    for (const [token, reason] of cases) await assertInactive(token, reason);
  });

  test('an empty token parameter is invalid_request (400), not active:false', async () => {
    for (const body of ['token=', 'token', '']) {
      const result = await postForm(`${t.url}/introspect`, body, { authorization: basic(caller.id, caller.secret) });
      assert.equal(result.status, 400, body);
      assert.equal(jsonOf(result)['error'], 'invalid_request');
    }
  });

  test('after all of the above a newly issued token is active', async () => {
    assert.equal(JSON.parse((await introspect(await tokenFor(t.url, caller))).text).active, true);
  });
});
