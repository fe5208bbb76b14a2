import { setTimeout as delay } from 'node:timers/promises';
import { FeedPageError, verifyFeedPage } from './feed-page.js';
import { FeedHttpError, fetchFeedPage, openFeedStream, type FeedEndpoint } from './feed-http.js';
import { RevocationState } from './revocation-state.js';
import { pumpSse, SseParser } from './sse.js';
import type { FeedEntry, FeedEvent, FeedPage, RevocableClaims, RevocationFeedOptions } from './types.js';

export type SubscriberSettings = Required<Omit<RevocationFeedOptions, 'onEvent'>> & Pick<RevocationFeedOptions, 'onEvent'>;

/**
 * Keeps a RevocationState in step with Tessera's revocation feed: a snapshot over GET /revocations at
 * start, then GET /revocations/stream, reconnecting with exponential backoff and full jitter and
 * resuming after the last applied cursor. Every page is verified before anything in it is used.
 */
export class FeedSubscriber {
  #state = new RevocationState();
  /** A snapshot being loaded: filled beside the live state, swapped in when its last page arrives. */
  #pending: RevocationState | undefined;
  #cursor = 0;
  #lastContact: number;
  #lastChunk: number;
  #closed = false;
  #stream: AbortController | undefined;
  #wake: AbortController | undefined;
  #loop: Promise<void> = Promise.resolve();
  readonly #timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly endpoint: FeedEndpoint,
    private readonly settings: SubscriberSettings,
    private readonly clock: () => number,
  ) {
    this.#lastContact = Number.NEGATIVE_INFINITY;
    this.#lastChunk = clock();
  }

  get cursor(): number {
    return this.#cursor;
  }

  get size(): number {
    return this.#state.size;
  }

  /** Milliseconds since the feed was last known to be current (Infinity before the first snapshot). */
  get staleness(): number {
    return this.clock() - this.#lastContact;
  }

  isRevoked(claims: RevocableClaims, kid: string): boolean {
    return this.#state.isRevoked(claims, kid);
  }

  /** Loads the snapshot (retrying until startTimeoutMs; refused credentials fail at once), then starts streaming. */
  async start(): Promise<void> {
    const deadline = performance.now() + this.settings.startTimeoutMs;
    for (let failures = 0; ; failures++) {
      try {
        await this.#loadPages();
        break;
      } catch (error) {
        const wait = this.#backoff(failures);
        if (this.#closed || (error instanceof FeedHttpError && error.refused) || performance.now() + wait > deadline) throw error;
        await this.#sleep(wait);
      }
    }
    const pruning = setInterval(() => this.prune(), this.settings.pruneIntervalMs);
    const watchdog = setInterval(() => this.#checkIdle(), Math.max(10, Math.min(5000, this.settings.idleTimeoutMs / 3)));
    for (const timer of [pruning, watchdog]) timer.unref();
    this.#timers.push(pruning, watchdog);
    this.#loop = this.#streamLoop();
  }

  /** Drops expired entries; returns how many went. */
  prune(): number {
    const now = this.clock();
    const removed = this.#state.prune(now) + (this.#pending?.prune(now) ?? 0);
    if (removed > 0) this.#emit({ type: 'pruned', removed });
    return removed;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const timer of this.#timers) clearInterval(timer);
    this.#stream?.abort();
    this.#wake?.abort();
    await this.#loop;
  }

  async #loadPages(): Promise<void> {
    let since = this.#cursor;
    for (;;) {
      const page = await fetchFeedPage(this.endpoint, since, this.settings.requestTimeoutMs);
      this.#apply(page);
      if (!page.more) break;
      since = page.cursor;
    }
    this.#lastContact = this.clock();
  }

  /** Applies a verified page: each entry once (seq beyond the cursor), snapshots beside the live state. */
  #apply(page: FeedPage): void {
    if (page.snapshot) {
      this.#pending = new RevocationState();
      this.#cursor = 0;
    } else if (page.since > this.#cursor) {
      throw new FeedPageError(`the page starts after cursor ${page.since}, beyond ours (${this.#cursor}): entries would be missed`);
    }
    const now = this.clock();
    const applied: FeedEntry[] = [];
    for (const entry of page.entries) {
      if (entry.seq <= this.#cursor) continue;
      this.#state.apply(entry, now);
      this.#pending?.apply(entry, now);
      applied.push(entry);
    }
    this.#cursor = Math.max(this.#cursor, page.cursor);
    if (applied.length > 0) this.#emit({ type: 'applied', entries: applied, cursor: this.#cursor });
    if (this.#pending && !page.more) {
      this.#state = this.#pending;
      this.#pending = undefined;
      this.#emit({ type: 'snapshot', cursor: this.#cursor, size: this.#state.size });
    }
  }

  async #streamLoop(): Promise<void> {
    let failures = 0;
    while (!this.#closed) {
      let error: Error | undefined;
      try {
        if (await this.#streamOnce()) failures = 0;
      } catch (caught) {
        error = caught as Error;
      }
      if (this.#closed) return;
      const retryInMs = this.#backoff(failures++);
      this.#emit({ type: 'disconnected', error, retryInMs });
      await this.#sleep(retryInMs);
    }
  }

  /** One connection, until the server ends it or it fails. Resolves true when it delivered a page. */
  async #streamOnce(): Promise<boolean> {
    const controller = new AbortController();
    this.#stream = controller;
    let delivered = false;
    let current = false;
    const parser = new SseParser((event) => {
      if (event.event !== 'revocations') return;
      let page: FeedPage;
      try {
        page = verifyFeedPage(event.data, this.endpoint.issuer, this.endpoint.getKey);
      } catch (error) {
        this.#emit({ type: 'page_rejected', error: error as Error });
        throw error;
      }
      this.#apply(page);
      delivered = true;
      current = !page.more;
      if (current) this.#lastContact = this.clock();
    });
    try {
      const body = await openFeedStream(this.endpoint, this.#cursor, controller.signal);
      this.#lastChunk = this.clock();
      this.#emit({ type: 'connected', cursor: this.#cursor });
      await pumpSse(body, parser, () => {
        this.#lastChunk = this.clock();
        if (current) this.#lastContact = this.#lastChunk;
      });
      return delivered;
    } finally {
      controller.abort();
      if (this.#stream === controller) this.#stream = undefined;
    }
  }

  /** A stream silent for longer than idleTimeoutMs is assumed dead (a half-open connection) and reopened. */
  #checkIdle(): void {
    if (this.#stream && this.clock() - this.#lastChunk > this.settings.idleTimeoutMs) this.#stream.abort();
  }

  /** Exponential backoff with jitter: between half and all of initial × 2^failures, capped. */
  #backoff(failures: number): number {
    const ceiling = Math.min(this.settings.maxBackoffMs, this.settings.initialBackoffMs * 2 ** Math.min(failures, 20));
    return Math.round(ceiling / 2 + (this.settings.random() * ceiling) / 2);
  }

  async #sleep(ms: number): Promise<void> {
    const wake = new AbortController();
    this.#wake = wake;
    try {
      await delay(ms, undefined, { signal: wake.signal });
    } catch {
      // woken by close()
    }
  }

  #emit(event: FeedEvent): void {
    try {
      this.settings.onEvent?.(event);
    } catch {
      // an observer's failure must not stop the feed
    }
  }
}
