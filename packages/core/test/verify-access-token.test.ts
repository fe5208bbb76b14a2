// Unit tests of verifyAccessToken's rejection reasons (operators and audit events see them) and of its
// clock-skew tolerance, independent of the introspection endpoint's own expiry check.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MasterKey, createSigningKey } from '@tessera/core';
import { Keyring } from '../dist/keys/keyring.js';
import { decryptPrivateKey } from '../dist/keys/signing-key.js';
import { mintAccessToken, verifyAccessToken } from '../dist/tokens/jwt-access-token.js';
import { ISSUER, START } from './support/harness.js';
import { b64, forge, goodClaims, signSegments } from './support/forge.js';

const masterKey = MasterKey.generate();
const record = { ...createSigningKey('ES256', masterKey, START), state: 'active' as const, activatedAt: START };
const ring = Keyring.load([record], masterKey, START);
const key = { kid: record.kid, alg: record.alg, privateKey: decryptPrivateKey(record, masterKey) };
const SKEW = 30;
const verify = (token: string, now = START) => verifyAccessToken(token, ring, ISSUER, now, SKEW);
const reason = (token: string, now = START): string => {
  const result = verify(token, now);
  return result.ok ? 'ok' : result.reason;
};

describe('verifyAccessToken (RFC 9068 §4)', () => {
  it('accepts a minted token and returns its claims and key', async () => {
    const { token, claims } = await mintAccessToken(ring.activeKey('ES256')!, {
      issuer: ISSUER, subject: 'c1', audience: ['https://api.example'], clientId: 'c1', scope: 'read', lifetimeSeconds: 600, now: START,
    });
    const result = verify(token);
    assert.ok(result.ok);
    assert.deepEqual(result.claims, claims);
    assert.equal(result.key.kid, record.kid);
  });

  it('names the reason for each rejection', () => {
    const claims = goodClaims('c1', START);
    assert.equal(reason('a.b'), 'malformed');
    assert.equal(reason(`${'a'.repeat(9000)}.b.c`), 'malformed');
    assert.equal(reason(forge(key, claims, { typ: 'JWT' })), 'bad_header');
    assert.equal(reason(forge(key, claims, { crit: ['x'] })), 'bad_header');
    assert.equal(reason(forge(key, claims, { alg: 'RS256' })), 'bad_header');
    assert.equal(reason(forge(key, claims, { kid: 'nope' })), 'unknown_key');
    assert.equal(reason(`${forge(key, claims).slice(0, -4)}AAAA`), 'bad_signature');
    assert.equal(reason(signSegments(key, b64({ alg: 'ES256', typ: 'at+jwt', kid: key.kid }), b64([claims]))), 'bad_claims');
    assert.equal(reason(forge(key, { ...claims, iss: 'https://evil.example' })), 'wrong_issuer');
    assert.equal(reason(forge(key, { ...claims, nbf: START / 1000 + 31 })), 'not_yet_valid');
  });

  it('tolerates clockSkew seconds after exp, and not one more', () => {
    const token = forge(key, goodClaims('c1', START));
    const exp = START / 1000 + 600;
    assert.equal(reason(token, (exp + SKEW) * 1000 - 1), 'ok');
    assert.equal(reason(token, (exp + SKEW) * 1000), 'expired');
  });

  it('tolerates clockSkew seconds of iat in the future, and not one more', () => {
    const iat = START / 1000 + SKEW;
    assert.equal(reason(forge(key, { ...goodClaims('c1', START), iat, exp: iat + 600 })), 'ok');
    assert.equal(reason(forge(key, { ...goodClaims('c1', START), iat: iat + 1, exp: iat + 601 })), 'not_yet_valid');
  });
});
