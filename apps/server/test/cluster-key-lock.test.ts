import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  MasterKey,
  WrongMasterKeyError,
  applyKeySchedule,
  checkMasterKey,
  discardEvents,
  reencryptAllKeys,
  revokeSigningKey,
  rotateKeysNow,
  systemClock,
  type Clock,
  type KeyLifecycleDeps,
  type RotationPolicy,
  type SigningKeyRecord,
  type Store,
} from '@tessera/core';
import { openPostgresStore, type PostgresStore } from '@tessera/store-sql';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '@tessera/store-sql/testing';
import { pollUntil } from './support/cli-harness.js';
import { query } from './support/cluster.js';
import { assertAllOpenWith, assertConsistent, inState, keyRows } from './support/signing-key-rows.js';

// Every read-decide-write step on signing keys (the schedule, `keys rotate`, `keys revoke`, master-key
// re-encryption) runs under one cluster-wide lock (Store.exclusive, a PostgreSQL advisory lock).
// Two stores with connections of their own stand for two processes; their steps are forced to overlap.
const skip = await postgresSkipReason();

if (skip) it('key steps under the cluster-wide lock', { skip }, () => undefined);
else {
// Two processes' steps, forced to overlap: the first is held inside its step (after it read the keys);
// the second must then be waiting on the lock in PostgreSQL (pg_locks), never inside its own step.
describe('a key step held open: another process’s step waits for it (forced interleaving)', () => {
  let database: TestDatabase;
  let first: PostgresStore;
  let second: PostgresStore;
  const masterKey = MasterKey.generate();
  let currentKey = masterKey;
  const policy: RotationPolicy = { rotationInterval: 30 * 86_400_000, prePublication: 86_400_000, retirementMargin: 300_000, maxTokenLifetime: 3_600_000 };
  const deps = (store: Store, key = masterKey, clock: Clock = systemClock): KeyLifecycleDeps => ({ store, masterKey: key, clock, events: discardEvents, policy, algorithms: ['ES256'] });

  before(async () => {
    database = await createTestDatabase();
    first = await openPostgresStore({ url: database.url, poolSize: 2 });
    second = await openPostgresStore({ url: database.url, poolSize: 2 });
    await checkMasterKey(first, masterKey);
    await applyKeySchedule(deps(first)); // the first active key
    await rotateKeysNow(deps(first)); // and a published next key
  });
  after(async () => {
    await first?.close();
    await second?.close();
    await database?.drop();
  });

  /** `store` with some members replaced; every other method stays bound to the real store. */
  function storeWith(store: Store, overrides: Partial<Record<keyof Store, unknown>>): Store {
    return new Proxy(store, {
      get(target, property) {
        if (property in overrides) return overrides[property as keyof Store];
        const value = Reflect.get(target, property) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
  /** `store` whose next listSigningKeys (inside a step) signals `entered` and returns only after `release()`. */
  function held(store: Store): { store: Store; entered: Promise<void>; release: () => void } {
    let signal!: () => void;
    let release!: () => void;
    const entered = new Promise<void>((resolve) => (signal = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    let armed = true;
    const listSigningKeys = async (): Promise<SigningKeyRecord[]> => {
      const keys = await store.listSigningKeys();
      if (armed) {
        armed = false;
        signal();
        await gate;
      }
      return keys;
    };
    return { store: storeWith(store, { listSigningKeys }), entered, release };
  }
  /** `store` that notes whether a step read the keys. */
  function watched(store: Store): { store: Store; inside: () => boolean } {
    let inside = false;
    const listSigningKeys = (): Promise<SigningKeyRecord[]> => {
      inside = true;
      return store.listSigningKeys();
    };
    return { store: storeWith(store, { listSigningKeys }), inside: () => inside };
  }
  const waitingOnAdvisoryLock = async (): Promise<boolean> =>
    (await query(database.url, "SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND NOT l.granted AND d.datname = current_database()")).length > 0;

  const withoutLock = (store: Store): Store => storeWith(store, { exclusive: undefined });

  async function overlap<T>(
    firstStep: (s: Store) => Promise<unknown>,
    secondStep: (s: Store) => Promise<T>,
    control = false,
  ): Promise<{ second: PromiseSettledResult<T> }> {
    const hold = held(control ? withoutLock(first) : first);
    const watch = watched(control ? withoutLock(second) : second);
    const one = firstStep(hold.store);
    await hold.entered;
    const two = Promise.allSettled([secondStep(watch.store)]);
    await pollUntil('the second step inside or waiting on the lock', async () => watch.inside() || (await waitingOnAdvisoryLock()), { timeoutMs: 30_000, intervalMs: 5 });
    const interleaved = watch.inside();
    hold.release();
    await one;
    const [settled] = await two;
    assert.equal(interleaved, control, control ? 'without the lock the harness sees the overlap' : 'the second step ran while the first was inside its own');
    return { second: settled! };
  }
  const counts = async (): Promise<{ active: number; next: number; retired: number; revoked: number }> => {
    const rows = await keyRows(database.url);
    return { active: inState(rows, 'active').length, next: inState(rows, 'next').length, retired: inState(rows, 'retired').length, revoked: inState(rows, 'revoked').length };
  };

  it('the scheduled step (due) held open; `keys rotate` meanwhile waits, then makes its own whole step', { timeout: 60_000 }, async () => {
    const before = await counts();
    // 40 days on, the 30-day-old active key is due and the next key has been published long enough.
    const due: Clock = { now: () => Date.now() + 40 * 86_400_000 };
    const { second: result } = await overlap((s) => applyKeySchedule(deps(s, masterKey, due)), (s) => rotateKeysNow(deps(s)));
    assert.equal(result.status, 'fulfilled');
    const after = await counts();
    assert.equal(after.active, 1);
    assert.equal(after.next, 1);
    assert.equal(after.retired - before.retired, 2, 'two retirements: the schedule’s and the manual rotation’s');
  });

  it('`keys rotate` held open; `keys revoke` of the active key meanwhile waits, then revokes the key that is active by then', { timeout: 60_000 }, async () => {
    const activeBefore = inState(await keyRows(database.url), 'active')[0]!.kid;
    const { second: result } = await overlap((s) => rotateKeysNow(deps(s)), (s) => revokeSigningKey(deps(s), activeBefore));
    assert.equal(result.status, 'fulfilled');
    const rows = await keyRows(database.url);
    assert.equal(rows.find((r) => r.kid === activeBefore)?.state, 'revoked', 'retired by the rotation, then revoked');
    assertConsistent(rows, 'after rotate then revoke');
    assert.equal(inState(rows, 'next').length, 1);
  });

  it('master-key re-encryption held open; a step with the old master key meanwhile waits, then is refused', { timeout: 60_000 }, async () => {
    const newKey = MasterKey.generate();
    const { second: result } = await overlap((s) => reencryptAllKeys(s, masterKey, newKey, discardEvents, Date.now()), (s) => rotateKeysNow(deps(s)));
    assert.equal(result.status, 'rejected');
    assert.ok((result as PromiseRejectedResult).reason instanceof WrongMasterKeyError, String((result as PromiseRejectedResult).reason));
    assertAllOpenWith(await keyRows(database.url), newKey);
    // With the new key, the same step goes through.
    await rotateKeysNow(deps(second, newKey));
    assertConsistent(await keyRows(database.url), 'after a rotation under the new key');
    currentKey = newKey;
  });

  it('control: the same harness without the lock sees two rotations interleave and leave two next keys', { timeout: 60_000 }, async () => {
    const before = await counts();
    await overlap((s) => rotateKeysNow(deps(s, currentKey)), (s) => rotateKeysNow(deps(s, currentKey)), true);
    const after = await counts();
    // Both activated the same next key and retired the same active key: one retirement, two new next keys.
    assert.equal(after.retired - before.retired, 1);
    assert.equal(after.next, 2);
  });
});
}
