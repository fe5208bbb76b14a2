import type { KeyObject } from 'node:crypto';
import { VerifyError } from './errors.js';
import { fetchJson, maxAgeSeconds } from './http.js';
import { importJwks, type KeyMap, type VerificationKey } from './jwk.js';

export interface KeySetOptions {
  jwksUri: string;
  algorithms: ReadonlySet<string>;
  fetch: typeof fetch;
  clock: () => number;
  timeoutMs: number;
  /** Least time between fetches triggered by unknown kids or failures; also the shortest cache life. */
  cooldownMs: number;
  onError: (error: Error) => void;
}

const DEFAULT_MAX_AGE_MS = 300_000;
const LONGEST_MAX_AGE_MS = 86_400_000;
const MAX_JWKS_BYTES = 512 * 1024;

/**
 * The issuer's signing keys, cached as KeyObjects per kid. The cache lives as long as the JWKS response's
 * Cache-Control max-age says (bounded by the cooldown and a day; 5 minutes without one). One fetch at a
 * time; an unknown kid refetches at most once per cooldown; a failed refresh keeps the last good keys and
 * is retried after the cooldown.
 */
export class KeySet {
  readonly #options: KeySetOptions;
  #keys: KeyMap = new Map();
  #loaded = false;
  #expiresAt = 0;
  #lastFetchAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;
  /** Number of JWKS fetches started; for tests and metrics. */
  fetches = 0;

  constructor(options: KeySetOptions) {
    this.#options = options;
  }

  /** The key for `kid`: undefined when unknown, null when several keys claim it. */
  get(kid: string): VerificationKey | null | undefined {
    return this.#keys.get(kid);
  }

  /** The KeyObject for `kid`, for the revocation feed's signatures; an unknown kid schedules a refetch. */
  keyObject(kid: string): KeyObject | undefined {
    const key = this.#keys.get(kid);
    if (key === undefined) this.#background(() => this.refreshForUnknownKid());
    return key?.key;
  }

  /** Whether the cached set has outlived its max-age (or a failed refresh's cooldown). */
  get stale(): boolean {
    return this.#options.clock() >= this.#expiresAt;
  }

  /** Fetches the JWKS now, sharing a fetch already under way. Rejects only when no keys were ever loaded. */
  refresh(): Promise<void> {
    this.#inflight ??= this.#load().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  /** Waits for fresh keys when the cache is stale. */
  async ensureFresh(): Promise<void> {
    if (this.stale) await this.refresh();
  }

  /** Starts a refresh when stale without waiting for it: synchronous callers keep using the cached keys. */
  refreshInBackground(): void {
    if (this.stale && this.#inflight === undefined) this.#background(() => this.refresh());
  }

  /**
   * For a token naming a kid we do not know: waits for a fetch under way, or starts one unless the last
   * started less than a cooldown ago. Resolves true when the key set may have changed.
   */
  async refreshForUnknownKid(): Promise<boolean> {
    if (this.#inflight === undefined && this.#options.clock() - this.#lastFetchAt < this.#options.cooldownMs) return false;
    await this.refresh();
    return true;
  }

  #background(task: () => Promise<unknown>): void {
    task().catch((error: unknown) => this.#options.onError(error as Error));
  }

  async #load(): Promise<void> {
    const { clock, cooldownMs, jwksUri } = this.#options;
    const started = clock();
    this.#lastFetchAt = started;
    this.fetches++;
    try {
      const response = await fetchJson(jwksUri, {
        fetch: this.#options.fetch,
        timeoutMs: this.#options.timeoutMs,
        maxBytes: MAX_JWKS_BYTES,
        init: { headers: { accept: 'application/jwk-set+json, application/json' } },
      });
      if (response.status !== 200) throw new Error(`${jwksUri} answered with status ${response.status}`);
      const { keys, skipped } = importJwks(response.body, this.#options.algorithms);
      if (keys.size === 0) throw new Error(`${jwksUri} holds no usable key${skipped.length ? ` (${skipped.join('; ')})` : ''}`);
      const maxAge = maxAgeSeconds(response.headers.get('cache-control'));
      const lifetime = maxAge === undefined ? DEFAULT_MAX_AGE_MS : maxAge * 1000;
      this.#keys = keys;
      this.#loaded = true;
      this.#expiresAt = started + Math.min(Math.max(lifetime, cooldownMs), LONGEST_MAX_AGE_MS);
    } catch (cause) {
      const error = new VerifyError('jwks_unavailable', { detail: (cause as Error).message, cause });
      if (!this.#loaded) throw error;
      this.#expiresAt = clock() + cooldownMs;
      this.#options.onError(error);
    }
  }
}
