/** A token-bucket limit: `capacity` tokens, refilled continuously at `perMs` tokens per millisecond. */
export interface BucketLimit {
  capacity: number;
  perMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

interface Override extends BucketLimit {
  until: number;
}

/**
 * Token buckets per key, in memory: one Map lookup and a little arithmetic per request, never an await.
 * Bounded: past `maxKeys` the oldest-created bucket is dropped (it would be refilled to full anyway by
 * the time it is that old under any realistic key churn; dropping only ever errs towards allowing).
 * `tighten` applies a temporary lower limit to one key (detectors' throttle action); `block` refuses a
 * key until a time (a shared store said the bucket is empty).
 */
export class TokenBuckets {
  readonly #limit: BucketLimit;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #overrides = new Map<string, Override>();
  readonly #blocked = new Map<string, number>();

  constructor(limit: BucketLimit, maxKeys = 100_000) {
    if (!(limit.capacity >= 1) || !(limit.perMs > 0)) throw new RangeError('a bucket needs capacity ≥ 1 and a positive refill rate');
    this.#limit = limit;
    this.#maxKeys = maxKeys;
  }

  get limit(): BucketLimit {
    return this.#limit;
  }

  get size(): number {
    return this.#buckets.size;
  }

  #limitFor(key: string, now: number): BucketLimit {
    if (this.#overrides.size === 0) return this.#limit;
    const override = this.#overrides.get(key);
    if (override === undefined) return this.#limit;
    if (override.until <= now) {
      this.#overrides.delete(key);
      return this.#limit;
    }
    return override;
  }

  #bucket(key: string, limit: BucketLimit, now: number): Bucket {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxKeys) {
        const oldest = this.#buckets.keys().next();
        if (!oldest.done) this.#buckets.delete(oldest.value);
      }
      bucket = { tokens: limit.capacity, at: now };
      this.#buckets.set(key, bucket);
      return bucket;
    }
    if (now > bucket.at) {
      bucket.tokens = Math.min(limit.capacity, bucket.tokens + (now - bucket.at) * limit.perMs);
      bucket.at = now;
    } else if (bucket.tokens > limit.capacity) {
      bucket.tokens = limit.capacity;
    }
    return bucket;
  }

  #blockedFor(key: string, now: number): number {
    if (this.#blocked.size === 0) return 0;
    const until = this.#blocked.get(key);
    if (until === undefined) return 0;
    if (until <= now) {
      this.#blocked.delete(key);
      return 0;
    }
    return until - now;
  }

  /** Takes `cost` tokens when available: returns 0; otherwise takes nothing and returns the ms to wait. */
  take(key: string, now: number, cost = 1): number {
    const blocked = this.#blockedFor(key, now);
    if (blocked > 0) return blocked;
    const limit = this.#limitFor(key, now);
    const bucket = this.#bucket(key, limit, now);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((cost - bucket.tokens) / limit.perMs));
  }

  /** Like `take` without taking: the ms until `cost` tokens are there (0 = now). */
  peek(key: string, now: number, cost = 1): number {
    const blocked = this.#blockedFor(key, now);
    if (blocked > 0) return blocked;
    const limit = this.#limitFor(key, now);
    const bucket = this.#buckets.get(key);
    if (bucket === undefined) return 0;
    const tokens = Math.min(limit.capacity, bucket.tokens + Math.max(0, now - bucket.at) * limit.perMs);
    return tokens >= cost ? 0 : Math.max(1, Math.ceil((cost - tokens) / limit.perMs));
  }

  /** Gives back `amount` tokens (e.g. a request charged to a client that then failed to authenticate). */
  refund(key: string, amount = 1): void {
    const bucket = this.#buckets.get(key);
    if (bucket) bucket.tokens = Math.min(this.#overrides.get(key)?.capacity ?? this.#limit.capacity, bucket.tokens + amount);
  }

  /** Lowers the bucket of `key` to at most `tokens` (a shared store's view of the global bucket). */
  lowerTo(key: string, tokens: number): void {
    const bucket = this.#buckets.get(key);
    if (bucket && tokens < bucket.tokens) bucket.tokens = tokens;
  }

  /** A temporary, tighter limit for one key, until `until` (epoch ms). Bounded like the buckets. */
  tighten(key: string, limit: BucketLimit, until: number): void {
    if (this.#overrides.size >= this.#maxKeys && !this.#overrides.has(key)) return;
    this.#overrides.set(key, { ...limit, until });
    const bucket = this.#buckets.get(key);
    if (bucket && bucket.tokens > limit.capacity) bucket.tokens = limit.capacity;
  }

  /** Refuses `key` until `until` (epoch ms). */
  block(key: string, until: number): void {
    if (this.#blocked.size >= this.#maxKeys && !this.#blocked.has(key)) return;
    this.#blocked.set(key, until);
  }
}
