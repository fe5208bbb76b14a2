import type { ChangeEntry } from '../model.js';

/** Called with change-log entries this process has just applied, in cursor order. */
export type ChangeListener = (entries: readonly ChangeEntry[]) => void;

/**
 * In-process fan-out of applied changes: sync() publishes what it read from the store, and every code
 * path that appends a revocation and applies it locally (the revoke endpoint) publishes it at once, so
 * subscribers such as the revocation stream push without waiting for the next poll.
 *
 * The same entry may be published twice (locally, then again when sync() reads it back); listeners
 * must treat entries idempotently, e.g. by remembering the last cursor they sent.
 */
export class ChangeListeners {
  readonly #listeners = new Set<ChangeListener>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Calls every listener; one that throws neither stops the others nor reaches the publisher. */
  publish(entries: readonly ChangeEntry[]): void {
    if (entries.length === 0) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(entries);
      } catch {
        // A listener's failure is its own business; the change is applied either way.
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
