import assert from 'node:assert/strict';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { NewChange } from '../model.js';
import type { Store } from '../ports/store.js';

const entry = (target: string): NewChange => ({ kind: 'revoke.token', target, createdAt: 1_000, expiresAt: 10_000 });

/**
 * Several writers append to the change log at once while a reader follows it the way sync() does
 * (`changesSince(cursor)`, cursor = last seq seen). The reader must see every appended entry: with a
 * database sequence, a lower seq that commits after a higher one is skipped unless the store makes
 * cursor order equal commit order. Deterministic in its verdict; how often the race is provoked
 * depends on the store's concurrency (a single-connection store never interleaves).
 */
export async function assertReaderNeverSkips(store: Store, { writers = 8, transactionsPerWriter = 40, perTransaction = 2 } = {}): Promise<void> {
  const start = await store.latestCursor();
  const appended: number[] = [];
  let writing = true;

  const writer = async (w: number): Promise<void> => {
    for (let i = 0; i < transactionsPerWriter; i++) {
      const batch = Array.from({ length: perTransaction }, (_, j) => entry(`stress-${w}-${i}-${j}`));
      for (const appendedEntry of await store.appendChanges(batch)) appended.push(appendedEntry.seq);
    }
  };

  const seen: number[] = [];
  let cursor = start;
  const readOnce = async (): Promise<void> => {
    for (;;) {
      const page = await store.changesSince(cursor, 500);
      for (const change of page) {
        assert.ok(change.seq > cursor, `changesSince returned seq ${change.seq} at cursor ${cursor}`);
        seen.push(change.seq);
        cursor = change.seq;
      }
      if (page.length < 500) return;
    }
  };
  const reader = async (): Promise<void> => {
    while (writing) {
      await readOnce();
      await yieldToIo();
    }
  };

  const reading = reader();
  try {
    await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
  } finally {
    writing = false;
    await reading;
  }
  await readOnce();
  const missed = appended.filter((seq) => !seen.includes(seq));
  assert.deepEqual(missed, [], `the reader skipped ${missed.length} of ${appended.length} entries committed after a higher cursor`);
  assert.equal(seen.length, appended.length);
}

/** Two holders of the same named lock never overlap (only for stores that implement `exclusive`). */
export async function assertExclusiveSerialises(store: Store): Promise<void> {
  if (!store.exclusive) return;
  const exclusive = store.exclusive.bind(store);
  let inside = 0;
  let maxInside = 0;
  const holder = (): Promise<void> =>
    exclusive('contract.exclusive', async () => {
      inside += 1;
      maxInside = Math.max(maxInside, inside);
      await store.ping();
      await yieldToIo();
      inside -= 1;
    });
  await Promise.all([holder(), holder(), holder()]);
  assert.equal(maxInside, 1);
}
