import { BoundedMap } from './bounded-map.js';

interface Slot {
  /** Start of the current fixed window. */
  start: number;
  current: number;
  previous: number;
}

/**
 * Counts events per key over a sliding window, approximated from two fixed windows (the previous one
 * weighted by how much of it still overlaps): O(1) time and three numbers per key, LRU-bounded keys.
 */
export class WindowCounter {
  readonly #windowMs: number;
  readonly #slots: BoundedMap<string, Slot>;

  constructor(windowMs: number, maxKeys: number) {
    this.#windowMs = windowMs;
    this.#slots = new BoundedMap(maxKeys);
  }

  #roll(slot: Slot, now: number): void {
    const elapsed = now - slot.start;
    if (elapsed < this.#windowMs) return;
    const windows = Math.floor(elapsed / this.#windowMs);
    slot.previous = windows === 1 ? slot.current : 0;
    slot.current = 0;
    slot.start += windows * this.#windowMs;
  }

  #estimate(slot: Slot, now: number): number {
    const overlap = 1 - (now - slot.start) / this.#windowMs;
    return slot.current + slot.previous * Math.max(0, overlap);
  }

  /** Counts one event for `key` at `now`; returns the estimated count over the last window. */
  add(key: string, now: number, amount = 1): number {
    const slot = this.#slots.getOrCreate(key, () => ({ start: now, current: 0, previous: 0 }));
    this.#roll(slot, now);
    slot.current += amount;
    return this.#estimate(slot, now);
  }

  /** The estimated count for `key` over the last window, without counting anything. */
  count(key: string, now: number): number {
    const slot = this.#slots.get(key);
    if (!slot) return 0;
    this.#roll(slot, now);
    return this.#estimate(slot, now);
  }

  reset(key: string): void {
    this.#slots.delete(key);
  }
}
