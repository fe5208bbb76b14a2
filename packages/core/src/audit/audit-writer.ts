import type { AuditStore } from '../ports/audit-store.js';
import type { AuditEvent, EventSink } from './events.js';

/** Starts a repeating timer; returns its cancel function. Injected so tests drive flushes by hand. */
export type RepeatTimer = (intervalMs: number, tick: () => void) => () => void;

/** Runs `work` soon, after the current call stack and its I/O callbacks (default: setImmediate). */
export type Defer = (work: () => void) => void;

export interface AuditWriterOptions {
  store: Pick<AuditStore, 'appendAuditEvents'>;
  /** How often queued events are written (TESSERA_AUDIT_FLUSH_INTERVAL). */
  flushIntervalMs: number;
  /** Events per database transaction; a queue this long is also written at once, without waiting for the timer. Default 500. */
  maxBatchSize?: number;
  /** Queue bound: events beyond it are dropped and counted (never silently). Default 100,000. */
  maxQueue?: number;
  /** Told about drops (for a warning line): the count since the last report and the total so far. */
  onDrop?: (droppedSinceLastReport: number, droppedTotal: number) => void;
  /** Told when a write fails; the batch stays queued and is retried at the next flush. */
  onError?: (error: unknown, queued: number) => void;
  timer?: RepeatTimer;
  defer?: Defer;
}

export const DEFAULT_AUDIT_BATCH_SIZE = 500;
export const DEFAULT_AUDIT_MAX_QUEUE = 100_000;

const intervalTimer: RepeatTimer = (intervalMs, tick) => {
  const handle = setInterval(tick, intervalMs);
  handle.unref();
  return () => clearInterval(handle);
};

/**
 * The audit log's EventSink: `emit` only appends to an in-memory queue (no I/O on the request path);
 * a timer writes the queue to the store in batches of `maxBatchSize`, each in one transaction.
 * `close()` stops the timer and writes everything still queued, so a clean stop loses nothing; a
 * process killed outright loses what was queued since the last flush (at most one flush interval).
 */
export class AuditWriter implements EventSink {
  readonly #store: Pick<AuditStore, 'appendAuditEvents'>;
  readonly #batchSize: number;
  readonly #maxQueue: number;
  readonly #options: AuditWriterOptions;
  readonly #defer: Defer;
  #queue: AuditEvent[] = [];
  #writing = 0;
  #flushing: Promise<void> | undefined;
  #earlyFlushPending = false;
  #dropped = 0;
  #droppedUnreported = 0;
  #written = 0;
  #stop: (() => void) | undefined;
  #closed = false;

  constructor(options: AuditWriterOptions) {
    this.#options = options;
    this.#store = options.store;
    this.#batchSize = Math.max(1, options.maxBatchSize ?? DEFAULT_AUDIT_BATCH_SIZE);
    this.#maxQueue = Math.max(this.#batchSize, options.maxQueue ?? DEFAULT_AUDIT_MAX_QUEUE);
    this.#defer = options.defer ?? ((work) => void setImmediate(work));
    this.#stop = (options.timer ?? intervalTimer)(options.flushIntervalMs, () => void this.flush());
  }

  emit(event: AuditEvent): void {
    if (this.#queue.length + this.#writing >= this.#maxQueue) {
      this.#dropped += 1;
      this.#droppedUnreported += 1;
      // Reported on the first drop, then with the next flush: one warning per interval, not one per event.
      if (this.#dropped === 1) this.#reportDrops();
      return;
    }
    this.#queue.push(event);
    if (this.#queue.length >= this.#batchSize && !this.#earlyFlushPending && !this.#closed) {
      this.#earlyFlushPending = true;
      this.#defer(() => {
        this.#earlyFlushPending = false;
        void this.flush();
      });
    }
  }

  /** Events accepted but not yet durable (queued or being written). */
  depth(): number {
    return this.#queue.length + this.#writing;
  }

  /** Events refused because the queue was full, since start. */
  dropped(): number {
    return this.#dropped;
  }

  /** Events written to the store, since start. */
  written(): number {
    return this.#written;
  }

  /**
   * Writes every event queued at the time of the call (and any queued while it runs), batch by batch.
   * Concurrent calls share one run. Never rejects: a failed batch is put back and reported to onError.
   */
  flush(): Promise<void> {
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  /** Stops the timer and writes what is queued. Events emitted afterwards are still queued until a later flush(). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stop?.();
    this.#stop = undefined;
    await this.#flushing;
    await this.flush();
  }

  async #drain(): Promise<void> {
    this.#reportDrops();
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#batchSize);
      this.#writing = batch.length;
      try {
        await this.#store.appendAuditEvents(batch);
        this.#written += batch.length;
      } catch (error) {
        this.#queue.unshift(...batch);
        this.#options.onError?.(error, this.#queue.length);
        return;
      } finally {
        this.#writing = 0;
      }
    }
  }

  #reportDrops(): void {
    if (this.#droppedUnreported === 0) return;
    const count = this.#droppedUnreported;
    this.#droppedUnreported = 0;
    this.#options.onDrop?.(count, this.#dropped);
  }
}
