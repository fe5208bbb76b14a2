// private_key_jwt (RFC 7523 §2.2, §3): the assertion's header and claims, a fresh jti per request, a
// signature that verifies with the public key for each algorithm, and keys given as KeyObject, PEM or JWK.
// Key/algorithm mismatches fail when the manager is created, with messages that show no key material.
import assert from 'node:assert/strict';
import { generateKeyPairSync, verify, constants, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { createTokenManager, type AssertionAlgorithm } from '@tessera/client';
import { useFakeIssuer } from './support/fake-issuer.js';
import { managerFor } from './support/setup.js';

const issuer = useFakeIssuer();

const pairs = {
  ES256: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  ES384: () => generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  EdDSA: () => generateKeyPairSync('ed25519'),
  RS256: () => generateKeyPairSync('rsa', { modulusLength: 2048 }),
} as const;

function decode(assertion: string): { header: Record<string, unknown>; claims: Record<string, unknown>; input: Buffer; signature: Buffer } {
  const [h = '', p = '', s = ''] = assertion.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>,
    input: Buffer.from(`${h}.${p}`),
    signature: Buffer.from(s, 'base64url'),
  };
}

function checkSignature(alg: AssertionAlgorithm, publicKey: KeyObject, input: Buffer, signature: Buffer): boolean {
  if (alg === 'EdDSA') return verify(null, input, publicKey, signature);
  if (alg === 'PS256') return verify('sha256', input, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
  if (alg === 'RS256') return verify('sha256', input, publicKey, signature);
  return verify(alg === 'ES384' ? 'sha384' : 'sha256', input, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
}

describe('private_key_jwt', () => {
  for (const [alg, make] of Object.entries(pairs) as [keyof typeof pairs, () => { publicKey: KeyObject; privateKey: KeyObject }][]) {
    it(`signs a one-time ${alg} assertion: iss = sub = client id, aud = issuer, short exp`, async () => {
      const { publicKey, privateKey } = make();
      const { manager, clock } = managerFor(issuer, { clientSecret: undefined, privateKey, kid: 'k1' });
      await manager.getToken();
      await manager.getToken({ forceRefresh: true });
      const [first, second] = issuer.calls.map((c) => c.params);
      assert.equal(issuer.calls[0]?.authorization, undefined);
      assert.equal(first?.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      assert.equal(first?.get('client_id'), null);
      const a = decode(first?.get('client_assertion') ?? '');
      const b = decode(second?.get('client_assertion') ?? '');
      assert.deepEqual(a.header, { alg, typ: 'JWT', kid: 'k1' });
      const now = Math.floor(clock.time / 1000);
      assert.deepEqual({ ...a.claims, jti: 'x' }, { iss: 'svc', sub: 'svc', aud: issuer.url, jti: 'x', iat: now, exp: now + 60 });
      assert.match(String(a.claims['jti']), /^[0-9a-f-]{36}$/);
      assert.notEqual(a.claims['jti'], b.claims['jti']);
      assert.ok(checkSignature(alg, publicKey, a.input, a.signature), 'signature verifies');
    });
  }

  it('takes PEM and JWK keys; a JWK kid is used unless kid is given; PS256 on request', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'from-jwk' };
    await managerFor(issuer, { clientSecret: undefined, privateKey: pem, alg: 'PS256', assertionAudience: 'https://aud.example' }).manager.getToken();
    await managerFor(issuer, { clientSecret: undefined, privateKey: jwk }).manager.getToken();
    const ps = decode(issuer.calls[0]?.params.get('client_assertion') ?? '');
    const rs = decode(issuer.calls[1]?.params.get('client_assertion') ?? '');
    assert.equal(ps.header['alg'], 'PS256');
    assert.equal(ps.header['kid'], undefined);
    assert.equal(ps.claims['aud'], 'https://aud.example');
    assert.ok(checkSignature('PS256', publicKey, ps.input, ps.signature));
    assert.deepEqual(rs.header, { alg: 'RS256', typ: 'JWT', kid: 'from-jwk' });
    assert.ok(checkSignature('RS256', publicKey, rs.input, rs.signature));
  });

  it('refuses unusable keys at creation with a TypeError that shows no key material', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = ec.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const base = { issuer: issuer.url, clientId: 'svc' };
    const bad: [string, () => unknown][] = [
      ['alg mismatch', () => createTokenManager({ ...base, privateKey: pem, alg: 'EdDSA' })],
      ['public key', () => createTokenManager({ ...base, privateKey: ec.publicKey })],
      ['not a key', () => createTokenManager({ ...base, privateKey: 'not a pem' })],
      ['weak RSA', () => createTokenManager({ ...base, privateKey: weak })],
      ['HMAC', () => createTokenManager({ ...base, privateKey: pem, alg: 'HS256' as 'ES256' })],
    ];
    for (const [what, create] of bad) {
      assert.throws(create, (error: unknown) => {
        assert.ok(error instanceof TypeError, what);
        assert.ok(!error.message.includes(pem.slice(40, 80)), `${what}: message shows the key`);
        return true;
      });
    }
  });
});
