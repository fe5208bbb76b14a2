import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deleteClient, disableClient, enableClient, MasterKey, reencryptAllKeys, rotateKeysNow, WrongMasterKeyError } from '@tessera/core';
import { MemoryStore } from '@tessera/core/testing';
import { addClient, basic, harness, isActive, issue, parts, rejectsWith, req, sibling } from './support/harness.js';

/** A store whose next changesSince reads the log at once but answers only when released. */
class GatedStore extends MemoryStore {
  #gate: Promise<void> | undefined;
  #open: () => void = () => undefined;
  #signalReading: () => void = () => undefined;
  reading: Promise<void> = Promise.resolve();
  gate(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
    this.reading = new Promise((resolve) => (this.#signalReading = resolve));
  }
  release(): void {
    this.#open();
  }
  override async changesSince(cursor: number, limit: number): ReturnType<MemoryStore['changesSince']> {
    const result = await super.changesSince(cursor, limit);
    const gate = this.#gate;
    this.#gate = undefined;
    if (gate) {
      this.#signalReading();
      await gate;
    }
    return result;
  }
}

describe('sync(): changes written by another engine or by admin functions on the same store', () => {
  it('applies a revocation made through another engine', async () => {
    const a = await harness();
    const b = await sibling(a);
    const client = await addClient(a);
    const token = await issue(a.server, client);
    await b.server.revoke(req({ token }, basic(client.id, client.secret)));
    assert.equal(await isActive(a.server, client, token), true, 'not applied before sync');
    assert.ok((await a.server.sync()) >= 1);
    assert.equal(await isActive(a.server, client, token), false);
  });

  it('disableClient: the client tokens turn inactive and the client can no longer authenticate', async () => {
    const h = await harness();
    const client = await addClient(h);
    const watcher = await addClient(h);
    const token = await issue(h.server, client);
    assert.equal(await isActive(h.server, watcher, token), true);
    await disableClient(h.admin, client.id);
    assert.equal(await isActive(h.server, watcher, token), true, 'not applied before sync');
    await h.server.sync();
    assert.equal(await isActive(h.server, watcher, token), false);
    await rejectsWith(issue(h.server, client), 'invalid_client', 401);
    await rejectsWith(h.server.introspect(req({ token }, basic(client.id, client.secret))), 'invalid_client', 401);
  });

  it('enableClient: the client works again, tokens revoked while disabled stay revoked', async () => {
    const h = await harness();
    const client = await addClient(h);
    const old = await issue(h.server, client);
    await disableClient(h.admin, client.id);
    h.clock.advance(1_000);
    await enableClient(h.admin, client.id);
    await h.server.sync();
    const fresh = await issue(h.server, client);
    assert.equal(await isActive(h.server, client, old), false);
    assert.equal(await isActive(h.server, client, fresh), true);
  });

  it('deleteClient: tokens inactive and the client unknown after sync', async () => {
    const h = await harness();
    const client = await addClient(h);
    const watcher = await addClient(h);
    const token = await issue(h.server, client);
    await deleteClient(h.admin, client.id);
    await h.server.sync();
    assert.equal(await isActive(h.server, watcher, token), false);
    await rejectsWith(issue(h.server, client), 'invalid_client', 401);
  });

  it('a client disabled before an engine starts is refused by that engine from the start', async () => {
    const h = await harness();
    const client = await addClient(h);
    const watcher = await addClient(h);
    const token = await issue(h.server, client);
    await disableClient(h.admin, client.id);
    const later = await sibling(h);
    assert.equal(await isActive(later.server, watcher, token), false);
    await rejectsWith(issue(later.server, client), 'invalid_client', 401);
  });

  it('is idempotent and advances the cursor', async () => {
    const a = await harness();
    await addClient(a);
    const before = a.server.stats().cursor;
    assert.ok((await a.server.sync()) >= 1);
    assert.equal(a.server.stats().cursor, await a.store.latestCursor());
    assert.ok(a.server.stats().cursor > before);
    assert.equal(await a.server.sync(), 0);
  });

  it('a sync() called while another is under way still sees what was committed before the call', async () => {
    const store = new GatedStore();
    const a = await harness({ store });
    const client = await addClient(a);
    const token = await issue(a.server, client);
    await a.server.sync();
    await addClient(a);
    store.gate();
    const first = a.server.sync();
    await store.reading;
    const { jti, exp } = parts(token).payload as { jti: string; exp: number };
    await store.appendChanges([{ kind: 'revoke.token', target: jti, createdAt: a.clock.now(), expiresAt: exp * 1000 }]);
    const second = a.server.sync();
    store.release();
    await Promise.all([first, second]);
    assert.equal(await isActive(a.server, client, token), false);
  });

  it('reloads keys another engine created, so its tokens verify here', async () => {
    const a = await harness({ config: { signingAlgorithms: ['ES256'] } });
    const b = await sibling(a, { signingAlgorithms: ['EdDSA', 'ES256'] });
    const client = await addClient(a);
    const token = await issue(b.server, client);
    assert.equal(parts(token).header['alg'], 'EdDSA');
    assert.equal(await isActive(a.server, client, token), false, 'unknown key before sync');
    await a.server.sync();
    assert.ok(a.server.jwksJson().includes(String(parts(token).header['kid'])));
    assert.equal(await isActive(a.server, client, token), true);
  });

  it('ready() reports a reachable store with loaded keys, and false once the store is closed', async () => {
    const h = await harness();
    assert.equal(await h.server.ready(), true);
    await h.store.close();
    assert.equal(await h.server.ready(), false);
  });

  it('ready() is false while a configured algorithm has no active key', async () => {
    const h = await harness({ config: { signingAlgorithms: ['ES256', 'EdDSA'] } });
    assert.equal(await h.server.ready(), true);
    const keys = await h.store.listSigningKeys();
    const eddsa = keys.find((k) => k.alg === 'EdDSA' && k.state === 'active');
    assert.ok(eddsa);
    const now = h.clock.now();
    await h.store.saveSigningKeys([{ ...eddsa, state: 'retired', retiredAt: now, removeAfter: now + 3_600_000 }], [
      { kind: 'keys.changed', target: '*', createdAt: now, expiresAt: now + 86_400_000 },
    ]);
    await h.server.sync();
    assert.equal(await h.server.ready(), false, 'EdDSA cannot sign');
  });
});

describe('sync(): signing keys changed by a process holding another master key', () => {
  it('a master-key rotation alone needs no decryption: the engine stays ready and keeps its keys', async () => {
    const h = await harness();
    const client = await addClient(h);
    const before = await issue(h.server, client);
    await reencryptAllKeys(h.store, h.masterKey, MasterKey.generate(), h.events, h.clock.now());
    await h.server.sync();
    assert.equal(await h.server.ready(), true);
    const after = await issue(h.server, client);
    assert.equal(parts(after).header['kid'], parts(before).header['kid']);
    assert.equal(await isActive(h.server, client, before), true);
  });

  it('a new key it cannot open keeps it not ready and is retried on every sync; the loaded keys keep working', async () => {
    const h = await harness();
    const client = await addClient(h);
    const rotated = MasterKey.generate();
    await reencryptAllKeys(h.store, h.masterKey, rotated, h.events, h.clock.now());
    // An instance restarted with the new master key rotates the signing key.
    const lifecycle = { store: h.store, masterKey: rotated, clock: h.clock, events: h.events, policy: h.server.config.rotationPolicy, algorithms: h.server.config.signingAlgorithms };
    await rotateKeysNow(lifecycle, 'ES256');
    await assert.rejects(h.server.sync(), WrongMasterKeyError);
    assert.equal(await h.server.ready(), false, 'a stale keyring is not ready');
    await assert.rejects(h.server.sync(), WrongMasterKeyError, 'the next sync tries again, although no new change arrived');
    const token = await issue(h.server, client);
    assert.equal(await isActive(h.server, client, token), true, 'the keys already loaded still sign and verify');
    await reencryptAllKeys(h.store, rotated, h.masterKey, h.events, h.clock.now());
    await h.server.sync();
    assert.equal(await h.server.ready(), true);
    assert.notEqual(parts(await issue(h.server, client)).header['kid'], parts(token).header['kid'], 'the new key signs once loaded');
  });
});
