// Every token here must be answered {"active":false}. Most are signed with the engine's genuine key,
// so each proves one check of verifyAccessToken rather than a failing signature; the first test proves
// the forging helper makes tokens the engine accepts when nothing is wrong.
import assert from 'node:assert/strict';
import { createHmac, createPublicKey } from 'node:crypto';
import { describe, it } from 'node:test';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { API, OTHER_API, addClient, harness, isActive, issue, type Harness, type TestClient } from './support/harness.js';
import { b64, forge, freshKeyPair, genuineKey, goodClaims, signSegments, type GenuineKey } from './support/forge.js';

async function setup(): Promise<{ h: Harness; client: TestClient; key: GenuineKey; claims: Record<string, unknown> }> {
  const h = await harness();
  const client = await addClient(h);
  return { h, client, key: await genuineKey(h), claims: goodClaims(client.id, h.clock.now()) };
}

async function inactive(h: Harness, client: TestClient, token: string): Promise<void> {
  assert.equal(await isActive(h.server, client, token), false, `accepted: ${token.slice(0, 60)}…`);
}

describe('forged access tokens (RFC 8725 §3.1–3.2, RFC 9068 §4)', () => {
  it('control: a hand-made token with the genuine key and correct claims is active', async () => {
    const { h, client, key, claims } = await setup();
    assert.equal(await isActive(h.server, client, forge(key, claims)), true);
    assert.equal(await isActive(h.server, client, forge(key, goodClaims(client.id, h.clock.now()), { typ: 'application/at+jwt' })), true);
  });

  it('alg none, with and without a signature', async () => {
    const { h, client, key, claims } = await setup();
    for (const alg of ['none', 'None', 'NONE']) {
      const input = `${b64({ alg, typ: 'at+jwt', kid: key.kid })}.${b64(claims)}`;
      await inactive(h, client, `${input}.`);
      await inactive(h, client, forge(key, claims).replace(/^[^.]+\.[^.]+/, input));
    }
  });

  it('HS256 keyed with the public key (JWK JSON, thumbprint, PEM, DER)', async () => {
    const { h, client, key, claims } = await setup();
    const jwks = JSON.parse(h.server.jwksJson()) as { keys: (JWK & { kid: string })[] };
    const jwk = jwks.keys.find((k) => k.kid === key.kid)!;
    const publicKey = createPublicKey(key.privateKey);
    const secrets: (string | Buffer)[] = [
      JSON.stringify(jwk),
      await calculateJwkThumbprint(jwk),
      publicKey.export({ format: 'pem', type: 'spki' }),
      publicKey.export({ format: 'der', type: 'spki' }),
    ];
    for (const secret of secrets) {
      const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })}.${b64(claims)}`;
      await inactive(h, client, `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`);
    }
  });

  it('a payload changed after signing, with the original signature', async () => {
    const { h, client, key, claims } = await setup();
    const token = forge(key, claims);
    const [header, , signature] = token.split('.');
    await inactive(h, client, `${header}.${b64({ ...claims, scope: 'read write admin' })}.${signature}`);
    await inactive(h, client, `${header}.${b64({ ...claims, exp: (claims['exp'] as number) + 3600 })}.${signature}`);
  });

  it('a kid this server never published, and a missing kid', async () => {
    const { h, client, key, claims } = await setup();
    await inactive(h, client, forge(key, claims, { kid: 'not-a-kid' }));
    await inactive(h, client, forge(key, claims, { kid: 42 }));
    await inactive(h, client, signSegments(key, b64({ alg: 'ES256', typ: 'at+jwt' }), b64(claims)));
  });

  it('a token signed by a foreign key that names its own jwk, jku or x5u in the header', async () => {
    const { h, client, key, claims } = await setup();
    const foreign = { alg: 'ES256' as const, kid: 'attacker', privateKey: freshKeyPair('ec').privateKey };
    const jwk = createPublicKey(foreign.privateKey).export({ format: 'jwk' });
    for (const extra of [{ jwk }, { jku: 'https://attacker.example/jwks' }, { x5u: 'https://attacker.example/cert' }]) {
      await inactive(h, client, forge(foreign, claims, extra));
      await inactive(h, client, forge({ ...foreign, kid: key.kid }, claims, extra));
    }
  });

  it('any header member beyond alg, typ and kid, even with the genuine key (crit, jwk, b64)', async () => {
    const { h, client, key, claims } = await setup();
    await inactive(h, client, forge(key, claims, { crit: ['exp'], exp: 1 }));
    await inactive(h, client, forge(key, claims, { b64: false, crit: ['b64'] }));
    await inactive(h, client, forge(key, claims, { jku: 'https://issuer.example/jwks' }));
  });

  it('typ missing or not at+jwt (RFC 9068 §4 item 1)', async () => {
    const { h, client, key, claims } = await setup();
    await inactive(h, client, signSegments(key, b64({ alg: 'ES256', kid: key.kid }), b64(claims)));
    for (const typ of ['JWT', 'jwt', 'at+jwt+x', 'application/jwt', 'dpop+jwt', '', 1]) {
      await inactive(h, client, forge(key, claims, { typ }));
    }
  });

  it('an alg other than the key algorithm, with a kid of that key', async () => {
    const { h, client, key, claims } = await setup();
    for (const alg of ['ES384', 'RS256', 'EdDSA', 'PS256']) await inactive(h, client, forge(key, claims, { alg }));
  });

  it('expired, not yet valid, or issued in the future', async () => {
    const { h, client, key } = await setup();
    const now = Math.floor(h.clock.now() / 1000);
    await inactive(h, client, forge(key, goodClaims(client.id, h.clock.now(), { exp: now })));
    await inactive(h, client, forge(key, goodClaims(client.id, h.clock.now(), { exp: now - 3600, iat: now - 4200 })));
    await inactive(h, client, forge(key, goodClaims(client.id, h.clock.now(), { nbf: now + 120 })));
    await inactive(h, client, forge(key, goodClaims(client.id, h.clock.now(), { iat: now + 120, exp: now + 720 })));
  });

  it('a wrong issuer (another server, a trailing slash, another case)', async () => {
    const { h, client, key } = await setup();
    for (const iss of ['https://evil.example', 'https://issuer.example/', 'https://ISSUER.example', undefined]) {
      await inactive(h, client, forge(key, goodClaims(client.id, h.clock.now(), { iss })));
    }
  });

  it('claims of the wrong types or missing (sub, jti, client_id, aud, exp, scope)', async () => {
    const { h, client, key } = await setup();
    const now = h.clock.now();
    const bad = [{ sub: undefined }, { jti: 42 }, { client_id: undefined }, { aud: 7 }, { aud: [API, 1] }, { exp: '9999999999' }, { exp: undefined }, { iat: undefined }, { scope: ['read'] }, { nbf: 'soon' }];
    for (const override of bad) await inactive(h, client, forge(key, goodClaims(client.id, now, override)));
  });

  it('a wrong audience is inactive for a caller not permitted to see it', async () => {
    const { h, client, key } = await setup();
    const stranger = await addClient(h, { audiences: [OTHER_API] });
    const token = forge(key, goodClaims(client.id, h.clock.now(), { aud: 'https://elsewhere.example' }));
    await inactive(h, stranger, token);
    assert.equal(await isActive(h.server, client, token), true, 'the owner still sees it');
  });

  it('a genuine token from another server that happens to share the issuer', async () => {
    const { h, client } = await setup();
    const other = await harness();
    const token = await issue(other.server, await addClient(other));
    await inactive(h, client, token);
  });
});
