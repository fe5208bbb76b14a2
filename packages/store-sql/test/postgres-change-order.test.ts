import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openPostgresStore, type PostgresStore } from '@tessera/store-sql';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '@tessera/store-sql/testing';
import { waitsForLock } from './support/lock-wait.js';

const skip = await postgresSkipReason();

const entry = (target: string) => ({ kind: 'revoke.token' as const, target, createdAt: 1, expiresAt: 10_000 });

// A skipped suite counts no tests; one skipped test makes the skip visible in the summary.
if (skip) it('PostgreSQL change log: cursor order is commit order', { skip }, () => undefined);
else describe('PostgreSQL change log: cursor order is commit order', () => {
  let database: TestDatabase;
  let store: PostgresStore;
  before(async () => {
    database = await createTestDatabase();
    store = await openPostgresStore({ url: database.url });
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });

  it('holds back a later append until an earlier, lower-seq append has committed', async () => {
    const driver = store.driver;
    const start = await store.latestCursor();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const firstInserted = new Promise<void>((resolve) => (inserted = resolve));
    // Transaction 1 takes a seq and stays open, exactly as a slow appender would.
    const first = driver.transaction(async (tx) => {
      await driver.lockChangeLog(tx, true);
      await tx.run('INSERT INTO changes (kind, target, created_at, expires_at) VALUES (?, ?, ?, ?)', ['revoke.token', 'first', 1, 10_000]);
      inserted();
      await gate;
    });
    await firstInserted;
    const second = store.appendChanges([entry('second')]);
    const blocked = await waitsForLock(store, second, { advisoryOnly: true });
    // A reader polling now must not see 'second' while the lower seq of 'first' is still uncommitted.
    const visible = await store.changesSince(start, 10);
    assert.deepEqual(visible.map((e) => e.target), [], 'an entry became visible ahead of a lower, uncommitted seq');
    assert.equal(blocked, true);
    release();
    await first;
    const [appended] = await second;
    const all = await store.changesSince(start, 10);
    assert.deepEqual(all.map((e) => e.target), ['first', 'second']);
    assert.equal(all[1]!.seq, appended!.seq);
  });

  it('latestCursor waits for an in-flight append instead of returning its uncommitted seq', async () => {
    const driver = store.driver;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const firstInserted = new Promise<void>((resolve) => (inserted = resolve));
    const first = driver.transaction(async (tx) => {
      await driver.lockChangeLog(tx, true);
      await tx.run('INSERT INTO changes (kind, target, created_at, expires_at) VALUES (?, ?, ?, ?)', ['revoke.token', 'pending', 1, 10_000]);
      inserted();
      await gate;
    });
    await firstInserted;
    const cursor = store.latestCursor();
    assert.equal(await waitsForLock(store, cursor, { advisoryOnly: true }), true);
    release();
    await first;
    const latest = await cursor;
    const [last] = (await store.changesSince(latest - 1, 10)).slice(-1);
    assert.equal(last?.target, 'pending');
  });
});
