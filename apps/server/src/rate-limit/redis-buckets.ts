import type { Clock, TokenBuckets } from '@tessera/core';
import { Redis } from 'ioredis';
import { BUCKET_SCRIPT } from './bucket-script.js';
import type { SharedBuckets } from './shared-buckets.js';

interface Warner {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface RedisBucketsOptions {
  /** How often consumed counts are settled with Redis. Default 20 ms. */
  flushIntervalMs?: number;
  /** Key prefix. Default `tessera:rl:`. */
  prefix?: string;
  /** Shortest interval between two "Redis unavailable" warnings. Default 60 s. */
  warnEveryMs?: number;
}

const KEYS_PER_CALL = 500;
const MAX_PENDING = 20_000;

/**
 * Buckets shared through Redis without a round trip on the request path: requests are decided locally
 * and counted; every `flushIntervalMs` the counts go to Redis in one script call per 500 keys, and the
 * answers lower the local buckets to the shared level or block a key until the shared bucket refills.
 * If Redis is unreachable the counts are dropped and limits stay per instance (fail open), with one
 * warning per minute at most — never an error for the caller.
 */
export class RedisBuckets implements SharedBuckets {
  readonly #redis: Redis;
  readonly #clock: Clock;
  readonly #log: Warner;
  readonly #prefix: string;
  readonly #warnEveryMs: number;
  readonly #attached = new Map<string, TokenBuckets>();
  #pending = new Map<string, number>();
  #flushing: Promise<void> | undefined;
  #lastWarning = -Infinity;
  readonly #timer: NodeJS.Timeout;

  constructor(url: string, clock: Clock, log: Warner, options: RedisBucketsOptions = {}) {
    this.#clock = clock;
    this.#log = log;
    this.#prefix = options.prefix ?? 'tessera:rl:';
    this.#warnEveryMs = options.warnEveryMs ?? 60_000;
    this.#redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1000,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(times * 250, 5000),
    });
    this.#redis.on('error', (error: Error) => this.#warn(error));
    this.#redis.defineCommand('tesseraBuckets', { lua: BUCKET_SCRIPT });
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 20);
    this.#timer.unref();
  }

  /** Connected and able to take commands. */
  get ready(): boolean {
    return this.#redis.status === 'ready';
  }

  attach(name: string, buckets: TokenBuckets): void {
    this.#attached.set(name, buckets);
  }

  consumed(name: string, key: string, cost: number): void {
    const id = `${name}\u0000${key}`;
    this.#pending.set(id, (this.#pending.get(id) ?? 0) + cost);
    if (this.#pending.size >= MAX_PENDING) void this.flush();
  }

  /** Settles pending counts with Redis now (the timer calls this; tests too). Never rejects. */
  flush(): Promise<void> {
    if (this.#flushing) return this.#flushing;
    if (this.#pending.size === 0) return Promise.resolve();
    const batch = this.#pending;
    this.#pending = new Map();
    if (this.#redis.status !== 'ready') {
      this.#warn(new Error(`connection ${this.#redis.status}`));
      return Promise.resolve();
    }
    this.#flushing = this.#send(batch)
      .catch((error: unknown) => this.#warn(error as Error))
      .finally(() => {
        this.#flushing = undefined;
      });
    return this.#flushing;
  }

  async #send(batch: Map<string, number>): Promise<void> {
    const entries = [...batch];
    for (let start = 0; start < entries.length; start += KEYS_PER_CALL) {
      const chunk = entries.slice(start, start + KEYS_PER_CALL);
      const keys: string[] = [];
      const args: (string | number)[] = [];
      const targets: { buckets: TokenBuckets; key: string }[] = [];
      for (const [id, cost] of chunk) {
        const cut = id.indexOf('\u0000');
        const name = id.slice(0, cut);
        const key = id.slice(cut + 1);
        const buckets = this.#attached.get(name);
        if (!buckets) continue;
        keys.push(`${this.#prefix}${name}:${key}`);
        args.push(buckets.limit.capacity, buckets.limit.perMs, cost);
        targets.push({ buckets, key });
      }
      if (keys.length === 0) continue;
      const command = (this.#redis as unknown as Record<string, (...a: (string | number)[]) => Promise<(string | number)[]>>)['tesseraBuckets']!;
      const reply = await command.call(this.#redis, keys.length, ...keys, ...args);
      const now = this.#clock.now();
      targets.forEach(({ buckets, key }, i) => {
        const tokens = Number(reply[i * 2]);
        const wait = Number(reply[i * 2 + 1]);
        if (Number.isFinite(tokens)) buckets.lowerTo(key, Math.max(0, tokens));
        if (wait > 0) buckets.block(key, now + wait);
      });
    }
  }

  #warn(error: Error): void {
    const now = Date.now();
    if (now - this.#lastWarning < this.#warnEveryMs) return;
    this.#lastWarning = now;
    this.#log.warn({ err: { message: error.message } }, 'Redis unavailable for shared rate limits: limiting per instance until it is back');
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    this.#redis.disconnect();
  }
}
