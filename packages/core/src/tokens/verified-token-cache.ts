import type { AccessTokenClaims } from './jwt-access-token.js';

export interface VerifiedToken {
  claims: AccessTokenClaims;
  kid: string;
  /** exp in epoch ms. */
  expiresAt: number;
  /** The active introspection response, serialised once. */
  introspectionJson: string;
}

/**
 * Tokens whose signature and claims were already checked, keyed by the token itself. Bounded: when
 * full, the oldest entry goes. Revocation is checked by the caller on every hit, so a revoked entry
 * never answers active even before it is dropped.
 *
 * Holding the tokens (not their SHA-256, as before) exposes nothing new: whoever can read this
 * process's memory can read the private signing keys it also holds and mint any token. The hash it
 * replaced was the largest single cost of a cached introspection on a busy host (~4 µs).
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, VerifiedToken>();
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(token: string, now: number): VerifiedToken | undefined {
    const entry = this.#entries.get(token);
    if (entry && entry.expiresAt <= now) {
      this.#entries.delete(token);
      return undefined;
    }
    return entry;
  }

  set(token: string, entry: VerifiedToken): void {
    if (this.#entries.size >= this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, entry);
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  prune(now: number): void {
    for (const [token, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(token);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
