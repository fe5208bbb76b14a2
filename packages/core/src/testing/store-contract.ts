import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClientRecord, NewChange, SigningKeyRecord } from '../model.js';
import { DuplicateError, type Store } from '../ports/store.js';
import { auditStoreContract } from './audit-store-contract.js';
import { assertExclusiveSerialises, assertReaderNeverSkips } from './change-log-stress.js';
import { loginStoreContract } from './login-store-contract.js';

function sampleClient(id: string, createdAt = 1_000): ClientRecord {
  return {
    id,
    name: `client ${id}`,
    authMethod: 'client_secret_basic',
    secrets: [{ hash: 'aGFzaA', createdAt, expiresAt: null }],
    jwks: null,
    jwksUri: null,
    grantTypes: ['client_credentials'],
    scopes: ['read', 'write'],
    defaultScopes: ['read'],
    audiences: ['https://api.example'],
    redirectUris: [],
    tokenTtl: null,
    signingAlg: null,
    firstParty: false,
    disabled: false,
    createdAt,
    updatedAt: createdAt,
  };
}

function sampleKey(kid: string, createdAt: number): SigningKeyRecord {
  return {
    kid,
    alg: 'ES256',
    state: 'active',
    publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid },
    encryptedPrivateJwk: 'v1.ciphertext',
    createdAt,
    activatedAt: createdAt,
    retiredAt: null,
    removeAfter: null,
    revokedAt: null,
  };
}

const change = (target: string, kind: NewChange['kind'] = 'revoke.token', expiresAt = 10_000): NewChange => ({
  kind,
  target,
  createdAt: 1_000,
  expiresAt,
});

/**
 * The Store contract: every implementation must pass it. `open` returns a fresh, empty, migrated store.
 * Runs inside node:test; call it at the top level of a test file.
 */
export function runStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.close();
    });

    it('inserts, reads and lists clients as independent copies', async () => {
      await store.insertClient(sampleClient('c1', 1_000), []);
      await store.insertClient(sampleClient('c0', 2_000), []);
      const read = await store.getClient('c1');
      assert.deepEqual(read, sampleClient('c1', 1_000));
      read!.name = 'mutated';
      assert.equal((await store.getClient('c1'))!.name, 'client c1');
      assert.deepEqual((await store.listClients()).map((c) => c.id).slice(0, 2), ['c1', 'c0']);
      assert.equal(await store.getClient('missing'), undefined);
    });

    it('refuses a duplicate client id and writes nothing for it', async () => {
      const before = await store.latestCursor();
      await assert.rejects(store.insertClient(sampleClient('c1'), [change('dup')]), DuplicateError);
      assert.equal(await store.latestCursor(), before);
    });

    it('updates and deletes clients with their changes in one step', async () => {
      const updated = { ...sampleClient('c1'), disabled: true, secrets: [] };
      assert.equal(await store.updateClient(updated, [change('c1', 'client.changed')]), true);
      assert.deepEqual(await store.getClient('c1'), updated);
      assert.equal(await store.updateClient(sampleClient('nope'), [change('nope', 'client.changed')]), false);
      const cursor = await store.latestCursor();
      assert.equal(await store.deleteClient('c1', [change('c1', 'revoke.client')]), true);
      assert.equal(await store.getClient('c1'), undefined);
      assert.equal(await store.deleteClient('c1', []), false);
      const entries = await store.changesSince(cursor, 10);
      assert.deepEqual(entries.map((e) => [e.kind, e.target]), [['revoke.client', 'c1']]);
    });

    it('saves signing keys, replacing by kid', async () => {
      await store.saveSigningKeys([sampleKey('k1', 5), sampleKey('k2', 6)], [change('*', 'keys.changed')]);
      await store.saveSigningKeys([{ ...sampleKey('k1', 5), state: 'retired', retiredAt: 7, removeAfter: 8 }], []);
      const keys = await store.listSigningKeys();
      assert.deepEqual(keys.map((k) => [k.kid, k.state]), [['k1', 'retired'], ['k2', 'active']]);
      assert.deepEqual(keys[0]!.publicJwk, sampleKey('k1', 5).publicJwk);
      assert.equal(keys[0]!.removeAfter, 8);
    });

    it('assigns increasing cursors and pages through changes', async () => {
      const start = await store.latestCursor();
      const appended = await store.appendChanges([change('a'), change('b'), change('c')]);
      assert.equal(appended.length, 3);
      assert.ok(appended[0]!.seq > start);
      assert.ok(appended[0]!.seq < appended[1]!.seq && appended[1]!.seq < appended[2]!.seq);
      assert.equal(await store.latestCursor(), appended[2]!.seq);
      const page = await store.changesSince(start, 2);
      assert.deepEqual(page.map((e) => e.target), ['a', 'b']);
      const rest = await store.changesSince(page[1]!.seq, 10);
      assert.deepEqual(rest, [appended[2]]);
      assert.deepEqual(await store.changesSince(appended[2]!.seq, 10), []);
    });

    it('lists unexpired changes of the given kinds only', async () => {
      await store.appendChanges([change('old', 'revoke.token', 50), change('live', 'revoke.subject', 99_999), change('cl', 'client.changed', 99_999)]);
      const live = await store.unexpiredChanges(['revoke.token', 'revoke.subject'], 60);
      assert.ok(live.some((e) => e.target === 'live'));
      assert.ok(!live.some((e) => e.target === 'old' || e.target === 'cl'));
    });

    it('records one-time values atomically', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => store.useOnce('assertion', 'jti-1', 5_000)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.useOnce('other', 'jti-1', 5_000), true);
    });

    it('prunes expired changes and one-time values but keeps the cursor', async () => {
      await store.useOnce('assertion', 'short', 100);
      const cursor = await store.latestCursor();
      const removed = await store.pruneExpired(200);
      assert.ok(removed >= 2);
      assert.equal(await store.useOnce('assertion', 'short', 300), true);
      assert.equal(await store.latestCursor(), cursor);
      const next = await store.appendChanges([change('after-prune')]);
      assert.ok(next[0]!.seq > cursor);
    });

    it('keeps meta values and answers ping', async () => {
      assert.equal(await store.getMeta('k'), undefined);
      await store.setMeta('k', 'v1');
      await store.setMeta('k', 'v2');
      assert.equal(await store.getMeta('k'), 'v2');
      await store.ping();
    });

    it('never lets a change-log reader skip an entry committed concurrently (cursor order = commit order)', async () => {
      await assertReaderNeverSkips(store);
    });

    it('serialises holders of the same exclusive lock, where the store has one', async () => {
      await assertExclusiveSerialises(store);
    });

    loginStoreContract(() => store);
    auditStoreContract(() => store);
  });
}
