import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AUDIT_PRUNED_AT_META, pruneAuditLogOnce, type AuditEvent } from '@tessera/core';
import { openPostgresStore, type PostgresStore } from '@tessera/store-sql';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '@tessera/store-sql/testing';

const skip = await postgresSkipReason();
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
const event = (time: number, i: number): AuditEvent => ({ type: 'client.created', time, clientId: `c${i}`, outcome: 'success' });

if (skip) it('PostgreSQL audit retention', { skip }, () => undefined);
else describe('PostgreSQL audit retention across instances', () => {
  let database: TestDatabase;
  const stores: PostgresStore[] = [];
  before(async () => {
    database = await createTestDatabase();
    for (let i = 0; i < 3; i++) stores.push(await openPostgresStore({ url: database.url, poolSize: 3 }));
  });
  after(async () => {
    for (const store of stores) await store.close();
    await database?.drop();
  });

  it('three instances pruning at once: exactly one prunes (advisory lock + last-run mark), the others skip', async () => {
    const [first] = stores;
    await first!.appendAuditEvents([...Array.from({ length: 300 }, (_, i) => event(NOW - 100 * DAY, i)), event(NOW - DAY, 999)]);
    const options = { retentionMs: 90 * DAY, intervalMs: 3_600_000 };
    const results = await Promise.all(stores.map((store) => pruneAuditLogOnce(store, NOW, options)));
    assert.deepEqual(results.filter((r) => r !== undefined), [300]);
    assert.equal(await first!.getMeta(AUDIT_PRUNED_AT_META), String(NOW));
    assert.deepEqual((await first!.queryAuditEvents({ limit: 1000 })).map((r) => r.event.clientId), ['c999']);
  });

  it('concurrent appends from several instances: a follower with a cursor sees every event exactly once, in seq order', async () => {
    const seen: number[] = [];
    let cursor = (await stores[0]!.queryAuditEvents({ limit: 1, newest: true })).at(-1)?.seq ?? 0;
    const writers = stores.map((store, s) =>
      (async () => {
        for (let b = 0; b < 10; b++) await store.appendAuditEvents(Array.from({ length: 20 }, (_, i) => event(NOW, s * 1000 + b * 20 + i)));
      })(),
    );
    let done = false;
    const all = Promise.all(writers).then(() => (done = true));
    while (!done || seen.length < 600) {
      // Read before the query: an empty page proves the end only if every writer had committed before
      // the query's snapshot, not if the last commit landed while the query ran.
      const writersFinished = done;
      const page = await stores[0]!.queryAuditEvents({ after: cursor, limit: 100 });
      for (const r of page) seen.push(r.seq);
      cursor = page.at(-1)?.seq ?? cursor;
      if (writersFinished && page.length === 0) break;
    }
    await all;
    assert.equal(seen.length, 600);
    assert.equal(new Set(seen).size, 600);
    assert.deepEqual(seen, [...seen].sort((a, b) => a - b));
  });
});
