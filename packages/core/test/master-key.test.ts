import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MasterKey, WrongMasterKeyError, createAuthServer, createSigningKey, reencryptSigningKey, type Store } from '@tessera/core';
import { FrozenClock, MemoryStore } from '@tessera/core/testing';
import { decryptPrivateKey } from '../dist/keys/signing-key.js';
import { ISSUER, START, addClient, harness, issue } from './support/harness.js';

async function snapshot(store: Store): Promise<string> {
  return JSON.stringify({
    keys: await store.listSigningKeys(),
    clients: await store.listClients(),
    changes: await store.changesSince(0, 10_000),
    cursor: await store.latestCursor(),
    check: await store.getMeta('master_key_check'),
  });
}

describe('MasterKey (AES-256-GCM at rest)', () => {
  it('round-trips plaintext under the same key and context', () => {
    const key = MasterKey.generate();
    assert.equal(key.decrypt(key.encrypt('secret jwk', 'ctx'), 'ctx'), 'secret jwk');
  });

  it('encrypts the same plaintext differently each time (random IV)', () => {
    const key = MasterKey.generate();
    assert.notEqual(key.encrypt('x', 'ctx'), key.encrypt('x', 'ctx'));
  });

  it('a wrong key fails with WrongMasterKeyError', () => {
    const ciphertext = MasterKey.generate().encrypt('secret', 'ctx');
    assert.throws(() => MasterKey.generate().decrypt(ciphertext, 'ctx'), WrongMasterKeyError);
  });

  it('binds the ciphertext to its context: a key for kid A does not decrypt as kid B', () => {
    const masterKey = MasterKey.generate();
    const a = createSigningKey('ES256', masterKey, START);
    const b = createSigningKey('ES256', masterKey, START);
    assert.ok(decryptPrivateKey(a, masterKey));
    assert.throws(() => decryptPrivateKey({ ...b, encryptedPrivateJwk: a.encryptedPrivateJwk }, masterKey), WrongMasterKeyError);
    assert.throws(() => masterKey.decrypt(masterKey.encrypt('x', 'tessera:signing-key:A'), 'tessera:signing-key:B'), WrongMasterKeyError);
  });

  it('refuses tampered, truncated and foreign-format ciphertexts with WrongMasterKeyError', () => {
    const key = MasterKey.generate();
    const ciphertext = key.encrypt('secret', 'ctx');
    const body = Buffer.from(ciphertext.slice(3), 'base64url');
    body[13] = (body[13] ?? 0) ^ 1;
    for (const bad of [`v1.${body.toString('base64url')}`, ciphertext.slice(0, 20), 'v2.' + ciphertext.slice(3), 'plaintext', '']) {
      assert.throws(() => key.decrypt(bad, 'ctx'), WrongMasterKeyError);
    }
  });

  it('parses its own text form and refuses anything that is not 32 bytes', () => {
    const key = MasterKey.generate();
    const text = key.toString();
    assert.equal(text.length, 43);
    const parsed = MasterKey.parse(` ${text}\n`);
    assert.equal(parsed.decrypt(key.encrypt('x', 'c'), 'c'), 'x');
    for (const bad of ['', 'short', Buffer.alloc(31).toString('base64url'), Buffer.alloc(33).toString('base64url')]) {
      assert.throws(() => MasterKey.parse(bad));
    }
  });

  it('reencryptSigningKey moves a key to a new master key', () => {
    const from = MasterKey.generate();
    const to = MasterKey.generate();
    const record = createSigningKey('EdDSA', from, START);
    const moved = reencryptSigningKey(record, from, to);
    assert.ok(decryptPrivateKey(moved, to));
    assert.throws(() => decryptPrivateKey(moved, from), WrongMasterKeyError);
  });
});

describe('createAuthServer with the wrong master key', () => {
  it('rejects with WrongMasterKeyError and writes nothing to a store initialised with another key', async () => {
    const h = await harness({ config: { signingAlgorithms: ['ES256', 'EdDSA'] } });
    await issue(h.server, await addClient(h));
    const before = await snapshot(h.store);
    await assert.rejects(
      createAuthServer({ config: { issuer: ISSUER, signingAlgorithms: ['ES256', 'EdDSA', 'RS256'] }, store: h.store, masterKey: MasterKey.generate(), clock: h.clock }),
      WrongMasterKeyError,
    );
    assert.equal(await snapshot(h.store), before);
  });

  it('rejects over a store with keys but no check value yet, without recording one', async () => {
    const store = new MemoryStore();
    const right = MasterKey.generate();
    await store.saveSigningKeys([{ ...createSigningKey('ES256', right, START), state: 'active', activatedAt: START }], []);
    const before = await snapshot(store);
    await assert.rejects(
      createAuthServer({ config: { issuer: ISSUER }, store, masterKey: MasterKey.generate(), clock: new FrozenClock(START) }),
      WrongMasterKeyError,
    );
    assert.equal(await snapshot(store), before);
    assert.ok(await createAuthServer({ config: { issuer: ISSUER }, store, masterKey: right, clock: new FrozenClock(START) }));
  });

  it('starts again with the right key over the same store', async () => {
    const h = await harness();
    const client = await addClient(h);
    const again = await createAuthServer({ config: { issuer: ISSUER }, store: h.store, masterKey: h.masterKey, clock: h.clock });
    assert.ok(await issue(again, client));
  });
});
