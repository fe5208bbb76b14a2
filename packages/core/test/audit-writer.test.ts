import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuditWriter, type AuditEvent, type AuditWriterOptions } from '@tessera/core';
import { MemoryStore } from '@tessera/core/testing';

const event = (i: number): AuditEvent => ({ type: 'client.created', time: 1_000 + i, clientId: `c${i}`, outcome: 'success' });

/** A writer whose timer and deferred flushes run only when the test says so. */
function manualWriter(store: AuditWriterOptions['store'], options: Partial<AuditWriterOptions> = {}) {
  const ticks: (() => void)[] = [];
  const deferred: (() => void)[] = [];
  let timerStopped = false;
  const writer = new AuditWriter({
    store,
    flushIntervalMs: 1000,
    timer: (_ms, tick) => {
      ticks.push(tick);
      return () => {
        timerStopped = true;
      };
    },
    defer: (work) => deferred.push(work),
    ...options,
  });
  return {
    writer,
    tick: () => ticks.forEach((t) => t()),
    runDeferred: () => deferred.splice(0).forEach((w) => w()),
    timerStopped: () => timerStopped,
  };
}

const count = async (store: MemoryStore): Promise<number> => (await store.queryAuditEvents({ limit: 1_000_000 })).length;

test('audit writer: emit only queues (no write on the request path); the timer writes the queue in batches', async () => {
  const store = new MemoryStore();
  const batches: number[] = [];
  const spy = { appendAuditEvents: (events: readonly AuditEvent[]) => (batches.push(events.length), store.appendAuditEvents(events)) };
  const { writer, tick } = manualWriter(spy, { maxBatchSize: 4 });
  for (let i = 0; i < 3; i++) writer.emit(event(i));
  assert.equal(writer.depth(), 3);
  assert.deepEqual(batches, []);
  tick();
  await writer.flush();
  assert.deepEqual(batches, [3]);
  assert.equal(writer.depth(), 0);
  assert.equal(writer.written(), 3);
  assert.deepEqual((await store.queryAuditEvents({ limit: 10 })).map((r) => r.event), [event(0), event(1), event(2)]);
});

test('audit writer: a full batch is written without waiting for the timer, off the current call stack', async () => {
  const store = new MemoryStore();
  const { writer, runDeferred } = manualWriter(store, { maxBatchSize: 5 });
  for (let i = 0; i < 12; i++) writer.emit(event(i));
  assert.equal(await count(store), 0, 'nothing written synchronously inside emit');
  runDeferred();
  await writer.flush();
  assert.equal(await count(store), 12);
  assert.equal(writer.depth(), 0);
});

test('audit writer: close() stops the timer and writes everything queued (a clean stop loses nothing)', async () => {
  const store = new MemoryStore();
  const { writer, timerStopped } = manualWriter(store, { maxBatchSize: 100 });
  for (let i = 0; i < 250; i++) writer.emit(event(i));
  await writer.close();
  assert.ok(timerStopped());
  assert.equal(await count(store), 250);
  const seqs = (await store.queryAuditEvents({ limit: 1000 })).map((r) => r.event.time);
  assert.deepEqual(seqs, Array.from({ length: 250 }, (_, i) => 1_000 + i), 'in emit order');
});

test('audit writer: a failed write keeps the batch queued, reports it, and the next flush writes it', async () => {
  const store = new MemoryStore();
  let failNext = true;
  const errors: number[] = [];
  const flaky = {
    appendAuditEvents: async (events: readonly AuditEvent[]) => {
      if (failNext) {
        failNext = false;
        throw new Error('database unavailable');
      }
      await store.appendAuditEvents(events);
    },
  };
  const { writer } = manualWriter(flaky, { onError: (_e, queued) => errors.push(queued) });
  writer.emit(event(1));
  writer.emit(event(2));
  await writer.flush();
  assert.deepEqual(errors, [2]);
  assert.equal(writer.depth(), 2);
  await writer.flush();
  assert.equal(writer.depth(), 0);
  assert.deepEqual((await store.queryAuditEvents({ limit: 10 })).map((r) => r.event), [event(1), event(2)]);
});

test('audit writer: beyond the queue bound events are dropped, counted and reported once per flush, never silently', async () => {
  const store = new MemoryStore();
  const reports: [number, number][] = [];
  const { writer } = manualWriter(store, { maxBatchSize: 10, maxQueue: 10, onDrop: (n, total) => reports.push([n, total]) });
  for (let i = 0; i < 15; i++) writer.emit(event(i));
  assert.equal(writer.depth(), 10);
  assert.equal(writer.dropped(), 5);
  assert.deepEqual(reports, [[1, 1]], 'the first drop is reported at once');
  await writer.flush();
  assert.deepEqual(reports, [[1, 1], [4, 5]], 'the rest with the next flush');
  assert.equal(await count(store), 10);
  writer.emit(event(99));
  await writer.flush();
  assert.deepEqual(reports.length, 2, 'no report without new drops');
});

test('audit writer: concurrent flushes share one run and write each event once', async () => {
  const store = new MemoryStore();
  const { writer } = manualWriter(store);
  for (let i = 0; i < 20; i++) writer.emit(event(i));
  await Promise.all([writer.flush(), writer.flush(), writer.flush()]);
  assert.equal(await count(store), 20);
});
