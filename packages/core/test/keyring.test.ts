import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MasterKey, WrongMasterKeyError, createSigningKey, reencryptSigningKey, type SigningAlgorithm, type SigningKeyRecord } from '@tessera/core';
import { Keyring, isPublished, signBytes, verifyBytes } from '../dist/keys/keyring.js';
import { START } from './support/harness.js';

const masterKey = MasterKey.generate();
const make = (alg: SigningAlgorithm, patch: Partial<SigningKeyRecord> = {}): SigningKeyRecord => ({
  ...createSigningKey(alg, masterKey, START),
  state: 'active',
  activatedAt: START,
  ...patch,
});

describe('Keyring', () => {
  it('publishes active, next and not-yet-removed retired keys; never revoked or removed ones', () => {
    const active = make('ES256');
    const next = make('ES256', { state: 'next', activatedAt: null });
    const retired = make('ES256', { state: 'retired', retiredAt: START, removeAfter: START + 1_000 });
    const removed = make('ES256', { state: 'retired', retiredAt: START - 10, removeAfter: START });
    const revoked = make('ES256', { state: 'revoked', revokedAt: START });
    const ring = Keyring.load([active, next, retired, removed, revoked], masterKey, START);
    const kids = (JSON.parse(ring.jwksJson) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    assert.deepEqual(kids, [active.kid, next.kid, retired.kid]);
    assert.ok(ring.verificationKey(retired.kid));
    assert.equal(ring.verificationKey(removed.kid), undefined);
    assert.equal(ring.verificationKey(revoked.kid), undefined);
    assert.equal(isPublished(retired, START + 999), true);
    assert.equal(isPublished(retired, START + 1_000), false);
  });

  it('signs only with the active key of each algorithm', () => {
    const es = make('ES256');
    const ed = make('EdDSA');
    const next = make('ES256', { state: 'next', activatedAt: null });
    const ring = Keyring.load([es, ed, next], masterKey, START);
    assert.equal(ring.activeKey('ES256')?.kid, es.kid);
    assert.equal(ring.activeKey('EdDSA')?.kid, ed.kid);
    assert.equal(ring.activeKey('RS256'), undefined);
    assert.deepEqual(ring.activeAlgorithms().sort(), ['ES256', 'EdDSA']);
    assert.throws(() => signBytes(ring.verificationKey(next.kid)!, 'data'));
  });

  it('the JWKS holds public members only, with kid, alg and use', () => {
    const ring = Keyring.load([make('ES256'), make('EdDSA'), make('RS256')], masterKey, START);
    const { keys } = JSON.parse(ring.jwksJson) as { keys: Record<string, unknown>[] };
    assert.equal(keys.length, 3);
    for (const key of keys) {
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.equal(key[secret], undefined, secret);
      assert.equal(key['use'], 'sig');
      assert.equal(typeof key['kid'], 'string');
      assert.ok(['ES256', 'EdDSA', 'RS256'].includes(key['alg'] as string));
    }
  });

  it('a reload takes over the private keys it already holds (same kid and public key), decrypting only new ones', () => {
    const es = make('ES256');
    const first = Keyring.load([es], masterKey, START);
    const otherMasterKey = MasterKey.generate();
    const reencrypted = { ...es, encryptedPrivateJwk: reencryptSigningKey(es, masterKey, otherMasterKey).encryptedPrivateJwk };
    const reloaded = Keyring.load([reencrypted], masterKey, START, first);
    assert.equal(reloaded.activeKey('ES256')?.threadSigner, first.activeKey('ES256')?.threadSigner, 'not registered with the signing thread again');
    assert.equal(reloaded.activeKey('ES256')?.privateKey, first.activeKey('ES256')?.privateKey);
    assert.throws(() => Keyring.load([reencrypted, make('EdDSA', { encryptedPrivateJwk: reencrypted.encryptedPrivateJwk })], masterKey, START, first), WrongMasterKeyError, 'a key it does not hold is decrypted');
    const impostor = { ...reencrypted, publicJwk: make('ES256').publicJwk };
    assert.throws(() => Keyring.load([impostor], masterKey, START, first), WrongMasterKeyError, 'same kid, other key pair: decrypted, not taken over');
  });

  it('decrypts only active keys: a wrong master key fails on an active key, not on a retired one', () => {
    const retired = make('ES256', { state: 'retired', retiredAt: START, removeAfter: START + 1_000 });
    assert.ok(Keyring.load([retired], MasterKey.generate(), START).verificationKey(retired.kid));
    assert.throws(() => Keyring.load([make('ES256')], MasterKey.generate(), START), WrongMasterKeyError);
  });

  for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
    it(`${alg}: signatures verify with the key and fail when the data changes`, () => {
      const ring = Keyring.load([make(alg)], masterKey, START);
      const key = ring.activeKey(alg)!;
      const signature = signBytes(key, 'header.payload');
      assert.equal(verifyBytes(key, 'header.payload', signature), true);
      assert.equal(verifyBytes(key, 'header.payloaD', signature), false);
      if (alg === 'ES256') assert.equal(signature.length, 64, 'JOSE raw r||s, not DER');
    });
  }

  it('pre-encodes the RFC 9068 header {alg, typ: at+jwt, kid}', () => {
    const record = make('RS256');
    const key = Keyring.load([record], masterKey, START).activeKey('RS256')!;
    assert.ok(key.accessTokenHeader.endsWith('.'));
    const header = JSON.parse(Buffer.from(key.accessTokenHeader.slice(0, -1), 'base64url').toString()) as unknown;
    assert.deepEqual(header, { alg: 'RS256', typ: 'at+jwt', kid: record.kid });
  });
});
