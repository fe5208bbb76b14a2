import type { Clock } from '../clock.js';
import { sha256 } from '../encoding.js';

/** How events and lockouts name an account: 16 characters of the SHA-256 of its normalised username. */
export const accountTag = (account: string): string => sha256(account).slice(0, 16);

/**
 * Brute-force brake for the login form: failures are counted per account and per client IP, and after
 * `freeFailures` each further failure doubles the wait before the next attempt is even checked
 * (1 s, 2 s, 4 s … up to `maxDelayMs`). A success clears the account+IP counter. Unknown usernames are
 * counted exactly like known ones, so the brake reveals nothing. In memory, per instance, bounded.
 */
export class LoginThrottle {
  readonly #clock: Clock;
  readonly #failures = new Map<string, { count: number; last: number }>();
  readonly #freeFailures: number;
  readonly #maxDelayMs: number;
  readonly #forgetAfterMs: number;
  readonly #maxEntries: number;
  /** Temporary lockouts set by the login-failure detector: `a:<account tag>` or `ip:<ip>` → until (ms). */
  readonly #locks = new Map<string, number>();

  constructor(clock: Clock, options: { freeFailures?: number; maxDelayMs?: number; forgetAfterMs?: number; maxEntries?: number } = {}) {
    this.#clock = clock;
    this.#freeFailures = options.freeFailures ?? 3;
    this.#maxDelayMs = options.maxDelayMs ?? 60_000;
    this.#forgetAfterMs = options.forgetAfterMs ?? 15 * 60_000;
    this.#maxEntries = options.maxEntries ?? 100_000;
  }

  #keys(account: string, ip: string | undefined): string[] {
    return [`a:${account}`, `ip:${ip ?? '-'}`];
  }

  #delayFor(count: number): number {
    if (count < this.#freeFailures) return 0;
    return Math.min(1000 * 2 ** (count - this.#freeFailures), this.#maxDelayMs);
  }

  /** Milliseconds the caller must still wait before this attempt is checked (0 = go ahead). */
  waitMs(account: string, ip: string | undefined): number {
    const now = this.#clock.now();
    let wait = this.#locks.size === 0 ? 0 : this.#lockedFor(account, ip, now);
    for (const key of this.#keys(account, ip)) {
      const entry = this.#failures.get(key);
      if (!entry) continue;
      if (now - entry.last > this.#forgetAfterMs) {
        this.#failures.delete(key);
        continue;
      }
      // The per-IP counter tolerates more failures (many people share an address).
      const count = key.startsWith('ip:') ? Math.max(0, entry.count - 4 * this.#freeFailures) : entry.count;
      wait = Math.max(wait, entry.last + this.#delayFor(count) - now);
    }
    return Math.max(0, wait);
  }

  /** Locks an account (by its tag) or an IP out of the login until `until` (epoch ms); bounded. */
  lock(kind: 'account' | 'ip', key: string, until: number): void {
    if (this.#locks.size >= 10_000) {
      const now = this.#clock.now();
      for (const [k, u] of this.#locks) if (u <= now) this.#locks.delete(k);
      if (this.#locks.size >= 10_000) return;
    }
    this.#locks.set(kind === 'account' ? `a:${key}` : `ip:${key}`, until);
  }

  #lockedFor(account: string, ip: string | undefined, now: number): number {
    let wait = 0;
    for (const key of [`a:${accountTag(account)}`, `ip:${ip ?? '-'}`]) {
      const until = this.#locks.get(key);
      if (until === undefined) continue;
      if (until <= now) this.#locks.delete(key);
      else wait = Math.max(wait, until - now);
    }
    return wait;
  }

  failed(account: string, ip: string | undefined): void {
    const now = this.#clock.now();
    if (this.#failures.size >= this.#maxEntries) this.#failures.clear();
    for (const key of this.#keys(account, ip)) {
      const entry = this.#failures.get(key);
      this.#failures.set(key, { count: (entry?.count ?? 0) + 1, last: now });
    }
  }

  succeeded(account: string): void {
    this.#failures.delete(`a:${account}`);
  }
}
