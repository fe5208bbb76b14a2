import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FailureLog, startSyncPoll } from '../dist/store-watch.js';

// During a database outage the 10 ms sync poll fails on every tick: the log gets the first failure at
// once, one summary line per 10 s with the count, and one "recovered after N ms" line (issue 7).
// Time is injected; the cluster-outage test counts the same lines of real instances.

function recorder(): { lines: { fields: Record<string, unknown>; msg: string }[]; logger: { warn: (fields: Record<string, unknown>, msg: string) => void } } {
  const lines: { fields: Record<string, unknown>; msg: string }[] = [];
  return { lines, logger: { warn: (fields, msg) => lines.push({ fields, msg }) } };
}

test('an outage of 35 s at one failure per 10 ms: 1 first line, 3 summaries with counts, 1 recovery line', () => {
  let now = 1_000;
  const { lines, logger } = recorder();
  const log = new FailureLog({ logger, what: 'could not apply changes from the store', meanwhile: 'requests that need the database answer 503 meanwhile', now: () => now });
  for (let i = 0; i < 10; i++) log.succeeded(); // all well: nothing logged
  assert.equal(lines.length, 0);
  const failures = 3_500;
  for (let i = 0; i < failures; i++) {
    log.failed(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    now += 10;
  }
  log.succeeded();
  log.succeeded();
  assert.deepEqual(
    lines.map((l) => l.msg),
    [
      'could not apply changes from the store; retrying (requests that need the database answer 503 meanwhile)',
      'could not apply changes from the store: still failing (1000 failures in the last 10 s)',
      'could not apply changes from the store: still failing (1000 failures in the last 10 s)',
      'could not apply changes from the store: still failing (1000 failures in the last 10 s)',
      'could not apply changes from the store: recovered after 35000 ms (3500 failures)',
    ],
  );
  assert.equal(lines[1]!.fields['failures'], 1000);
  assert.equal(lines[4]!.fields['failingForMs'], 35_000);
  assert.ok(lines[0]!.fields['err'] instanceof Error, 'the first line carries the error');

  // A second outage starts a new cycle: reported at once again.
  log.failed(new Error('again'));
  assert.equal(lines.length, 6);
  assert.match(lines[5]!.msg, /; retrying/);
});

test('a short blip: one line when it starts, one when it ends, no summary', () => {
  let now = 0;
  const { lines, logger } = recorder();
  const log = new FailureLog({ logger, what: 'x', now: () => now });
  log.failed(new Error('blip'));
  now += 30;
  log.failed(new Error('blip'));
  now += 30;
  log.succeeded();
  assert.deepEqual(lines.map((l) => l.msg), ['x; retrying', 'x: recovered after 60 ms (2 failures)']);
});

test('startSyncPoll reports through the FailureLog and stops', async () => {
  const { lines, logger } = recorder();
  let fail = true;
  let calls = 0;
  const auth = {
    sync: (): Promise<number> => {
      calls += 1;
      return fail ? Promise.reject(new Error('down')) : Promise.resolve(0);
    },
  };
  const stop = startSyncPoll(auth, logger, 1);
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (calls >= 20 && fail) fail = false;
      if (lines.some((l) => /recovered/.test(l.msg))) {
        clearInterval(check);
        resolve();
      }
    }, 1);
  });
  stop();
  assert.equal(lines.filter((l) => /retrying/.test(l.msg)).length, 1);
  assert.equal(lines.filter((l) => /recovered/.test(l.msg)).length, 1);
});
