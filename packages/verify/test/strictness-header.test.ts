// Forged tokens refused before or at the signature (RFC 8725 §3.1–3.2, RFC 7515, RFC 9068 §4), each signed
// with a genuine key unless the case is about the key, so each proves one check; asserts the error code.
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MAX_TOKEN_LENGTH } from '@tessera/verify';
import { accepted, refused } from './support/assert-code.js';
import { b64, forge, makeKey, signSegments } from './support/issuer.js';
import { fixture, type Fixture } from './support/setup.js';

let f: Fixture;
before(async () => {
  f = await fixture();
});
after(() => f.close());

const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => f.issuer.claims(f.clock.nowMs, overrides);

describe('token structure and header (RFC 7515, RFC 8725)', () => {
  it('control: genuine ES256, EdDSA and RS256 tokens, typ at+jwt or application/at+jwt, are accepted', async () => {
    for (const key of [f.es256, f.eddsa, f.rs256]) {
      const c = await accepted(f.verifier, forge(key, claims({ scope: 'read write' })));
      assert.deepEqual(c.scopes, ['read', 'write']);
    }
    await accepted(f.verifier, forge(f.es256, claims(), { typ: 'application/at+jwt' }));
    await accepted(f.verifier, forge(f.es256, claims(), { typ: 'AT+JWT' }));
  });

  it('not three segments, empty segments, not a string', async () => {
    const good = forge(f.es256, claims());
    const [h, p, s] = good.split('.') as [string, string, string];
    for (const token of ['', 'abc', `${h}.${p}`, `${good}.`, `${good}.${s}`, `.${p}.${s}`, `${h}..${s}`, '..']) {
      await refused(f.verifier, token, 'token_malformed');
    }
    await refused(f.verifier, 42 as unknown as string, 'token_malformed');
  });

  it(`oversize tokens (> ${MAX_TOKEN_LENGTH} characters) are refused before parsing, even when genuine`, async () => {
    const big = forge(f.es256, claims({ filler: 'x'.repeat(MAX_TOKEN_LENGTH) }));
    await refused(f.verifier, big, 'token_malformed');
  });

  it('alg none, with and without a signature', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const input = `${b64({ alg, typ: 'at+jwt', kid: f.es256.kid })}.${b64(claims())}`;
      await refused(f.verifier, `${input}.`, 'token_unsupported_alg');
      await refused(f.verifier, forge(f.es256, claims()).replace(/^[^.]+\.[^.]+/, input), 'token_unsupported_alg');
    }
  });

  it('HS256 keyed with the public key (JWK JSON, PEM, DER)', async () => {
    const secrets = [JSON.stringify(f.es256.jwk), f.es256.publicKey.export({ format: 'pem', type: 'spki' }), f.es256.publicKey.export({ format: 'der', type: 'spki' })];
    for (const secret of secrets) {
      const input = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: f.es256.kid })}.${b64(claims())}`;
      await refused(f.verifier, `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`, 'token_unsupported_alg');
    }
  });

  it('an algorithm outside the allowlist, or other than the key’s own alg', async () => {
    const strict = await fixture({ algorithms: ['EdDSA'] });
    try {
      await refused(strict.verifier, forge(strict.es256, claims()), 'token_unsupported_alg');
    } finally {
      await strict.close();
    }
    for (const alg of ['ES384', 'PS256', 'RS512']) await refused(f.verifier, forge(f.es256, claims(), { alg }), 'token_unsupported_alg');
    for (const alg of ['RS256', 'EdDSA']) await refused(f.verifier, forge(f.es256, claims(), { alg }), 'token_unknown_key');
    await refused(f.verifier, forge({ ...f.eddsa, kid: f.es256.kid }, claims()), 'token_unknown_key');
  });

  it('a payload changed after signing, with the original signature', async () => {
    const [h, , s] = forge(f.es256, claims()).split('.') as [string, string, string];
    await refused(f.verifier, `${h}.${b64(claims({ scope: 'read write admin' }))}.${s}`, 'token_signature_invalid');
    const edToken = forge(f.eddsa, claims()).split('.');
    await refused(f.verifier, `${edToken[0]}.${b64(claims({ sub: 'admin' }))}.${edToken[2]}`, 'token_signature_invalid');
  });

  it('a signature of the wrong length or by another key', async () => {
    const [h, p] = forge(f.es256, claims()).split('.') as [string, string];
    await refused(f.verifier, `${h}.${p}.${Buffer.alloc(63).toString('base64url')}`, 'token_signature_invalid');
    const stranger = { ...makeKey('ES256'), kid: f.es256.kid };
    await refused(f.verifier, forge(stranger, claims()), 'token_signature_invalid');
  });

  it('a kid never published, a missing kid, a kid that is not a string', async () => {
    await refused(f.verifier, forge(f.es256, claims(), { kid: 'not-a-kid' }), 'token_unknown_key');
    await refused(f.verifier, forge(f.es256, claims(), { kid: 42 }), 'token_header_invalid');
    await refused(f.verifier, signSegments(f.es256, b64({ alg: 'ES256', typ: 'at+jwt' }), b64(claims())), 'token_header_invalid');
  });

  it('a foreign key named by jwk, jku, x5u or x5c in the header is never honoured', async () => {
    const foreign = makeKey('ES256', 'attacker');
    const jwk = foreign.publicKey.export({ format: 'jwk' });
    for (const extra of [{ jwk }, { jku: 'https://attacker.example/jwks' }, { x5u: 'https://attacker.example/cert' }, { x5c: ['MIIB'] }]) {
      await refused(f.verifier, forge(foreign, claims(), extra), 'token_header_invalid');
      await refused(f.verifier, forge(f.es256, claims(), extra), 'token_header_invalid');
    }
  });

  it('crit, b64:false and any other header member are refused, even with the genuine key', async () => {
    await refused(f.verifier, forge(f.es256, claims(), { crit: ['exp'], exp: 1 }), 'token_header_invalid');
    await refused(f.verifier, forge(f.es256, claims(), { b64: false, crit: ['b64'] }), 'token_header_invalid');
    await refused(f.verifier, forge(f.es256, claims(), { b64: false }), 'token_header_invalid');
    await refused(f.verifier, forge(f.es256, claims(), { cty: 'JWT' }), 'token_header_invalid');
  });

  it('typ missing or not at+jwt (RFC 9068 §4 item 1)', async () => {
    await refused(f.verifier, signSegments(f.es256, b64({ alg: 'ES256', kid: f.es256.kid }), b64(claims())), 'token_wrong_type');
    for (const typ of ['JWT', 'jwt', 'at+jwt+x', 'application/jwt', 'dpop+jwt', '', 1]) {
      await refused(f.verifier, forge(f.es256, claims(), { typ }), 'token_wrong_type');
    }
  });

  it('duplicate member names in the header, plain or escaped', async () => {
    const kid = f.es256.kid;
    await refused(f.verifier, signSegments(f.es256, b64(`{"alg":"ES256","typ":"at+jwt","kid":"x","kid":"${kid}"}`), b64(claims())), 'token_malformed');
    await refused(f.verifier, signSegments(f.es256, b64(`{"alg":"ES256","typ":"at+jwt","kid":"${kid}","\\u0061lg":"ES256"}`), b64(claims())), 'token_malformed');
  });

  it('header that is not a JSON object, or not UTF-8', async () => {
    for (const header of [b64('[1]'), b64('"x"'), b64('{"alg":'), Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString('base64url')]) {
      await refused(f.verifier, signSegments(f.es256, header, b64(claims())), 'token_malformed');
    }
  });

  it('non-canonical base64url in any segment: padding, +/, foreign or non-ASCII characters, trailing bits', async () => {
    const good = forge(f.es256, claims());
    const [h, p, s] = good.split('.') as [string, string, string];
    const flipLast = (seg: string): string => seg.slice(0, -1) + String.fromCharCode(seg.charCodeAt(seg.length - 1) + 1);
    // The signature is 64 bytes: its last character carries 4 unused bits, so these decode to the same bytes.
    await refused(f.verifier, `${h}.${p}.${flipLast(s)}`, 'token_malformed');
    await refused(f.verifier, `${h}.${p}.${s.slice(0, -1)}Ł`, 'token_malformed');
    await refused(f.verifier, `${h}.${p}.${s}==`, 'token_malformed');
    await refused(f.verifier, `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}${/[-_]/.test(s) ? '' : '+'}`, 'token_malformed');
    await refused(f.verifier, `${h}=.${p}.${s}`, 'token_malformed');
    // Payload variants signed with the genuine key, so only the encoding is wrong.
    const payload = b64(claims());
    for (const bad of [`${payload}=`, ` ${payload}`, `${payload.slice(0, 10)}*${payload.slice(10)}`, `${payload.slice(0, 10)}é${payload.slice(10)}`]) {
      await refused(f.verifier, signSegments(f.es256, h, bad), 'token_malformed');
    }
    const padded = b64(`${JSON.stringify(claims())} `); // 3n+1 bytes → trailing bits exist
    if (padded.length % 4 !== 0) await refused(f.verifier, signSegments(f.es256, h, flipLast(padded)), 'token_malformed');
  });

  it('a kid that two JWKS keys share is ambiguous; private and symmetric JWKs are never imported', async () => {
    const g = await fixture();
    try {
      const twin = makeKey('ES256', g.es256.kid);
      const leaked = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      const privateJwk = { ...leaked.export({ format: 'jwk' }), kid: 'leak', alg: 'ES256' };
      const octJwk = { kty: 'oct', k: b64('secret'), kid: 'oct', alg: 'ES256' };
      g.issuer.jwks = () => ({ status: 200, body: { keys: [...g.issuer.keys.map((k) => k.jwk), twin.jwk, privateJwk, octJwk] } });
      g.clock.advance(301_000); // past max-age: the next verify loads the new set
      const c = (): Record<string, unknown> => g.issuer.claims(g.clock.nowMs);
      await accepted(g.verifier, forge(g.eddsa, c()));
      await refused(g.verifier, forge(g.es256, c()), 'token_unknown_key');
      await refused(g.verifier, forge(twin, c()), 'token_unknown_key');
      await refused(g.verifier, forge({ ...g.es256, kid: 'leak', privateKey: leaked }, c()), 'token_unknown_key');
      await refused(g.verifier, forge({ ...g.es256, kid: 'oct' }, c()), 'token_unknown_key');
    } finally {
      await g.close();
    }
  });
});
