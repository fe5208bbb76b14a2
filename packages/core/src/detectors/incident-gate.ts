import { BoundedMap } from './bounded-map.js';

/**
 * One alert per incident: after an alert for `key`, further triggers within `windowMs` are part of the
 * same incident and stay silent. Bounded like every detector's state.
 */
export class IncidentGate {
  readonly #windowMs: number;
  readonly #raisedAt: BoundedMap<string, number>;

  constructor(windowMs: number, maxKeys = 10_000) {
    this.#windowMs = windowMs;
    this.#raisedAt = new BoundedMap(maxKeys);
  }

  /** True (and the incident opens) when no alert for `key` was raised within the window. */
  open(key: string, now: number): boolean {
    const last = this.#raisedAt.get(key);
    if (last !== undefined && now - last < this.#windowMs) return false;
    this.#raisedAt.set(key, now);
    return true;
  }
}
