import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AUDIT_RETENTION_LOCK, pruneAuditLogOnce, type AuditEvent, type Store } from '@tessera/core';
import { FrozenClock, MemoryStore } from '@tessera/core/testing';

const DAY = 86_400_000;
const event = (time: number, clientId: string): AuditEvent => ({ type: 'client.created', time, clientId, outcome: 'success' });

test('retention: events older than the retention are pruned, newer ones kept', async () => {
  const clock = new FrozenClock();
  const store = new MemoryStore();
  const now = clock.now();
  await store.appendAuditEvents([event(now - 91 * DAY, 'old'), event(now - 89 * DAY, 'kept'), event(now, 'new')]);
  const removed = await pruneAuditLogOnce(store, now, { retentionMs: 90 * DAY, intervalMs: 3_600_000 });
  assert.equal(removed, 1);
  assert.deepEqual((await store.queryAuditEvents({ limit: 10 })).map((r) => r.event.clientId), ['kept', 'new']);
});

test('retention: runs under the cluster-wide lock and once per interval however many instances call it', async () => {
  const clock = new FrozenClock();
  const store = new MemoryStore();
  const locks: string[] = [];
  let held = false;
  let overlapped = false;
  // The store's exclusive(): serialises like PostgreSQL's advisory lock does, and records the lock names.
  let chain = Promise.resolve();
  (store as Store).exclusive = <T>(name: string, work: () => Promise<T>): Promise<T> => {
    locks.push(name);
    const run = chain.then(async () => {
      if (held) overlapped = true;
      held = true;
      try {
        return await work();
      } finally {
        held = false;
      }
    });
    chain = run.then(() => undefined, () => undefined);
    return run;
  };
  const options = { retentionMs: DAY, intervalMs: 3_600_000 };
  await store.appendAuditEvents([event(clock.now() - 2 * DAY, 'old')]);
  // Three instances' timers fire together.
  const results = await Promise.all([1, 2, 3].map(() => pruneAuditLogOnce(store, clock.now(), options)));
  assert.deepEqual(results.filter((r) => r !== undefined), [1], 'one instance pruned, the others found it done');
  assert.deepEqual(locks, [AUDIT_RETENTION_LOCK, AUDIT_RETENTION_LOCK, AUDIT_RETENTION_LOCK]);
  assert.equal(overlapped, false);
  clock.advance(3_600_000);
  await store.appendAuditEvents([event(clock.now() - 2 * DAY, 'old again')]);
  assert.equal(await pruneAuditLogOnce(store, clock.now(), options), 1, 'due again after the interval');
});
