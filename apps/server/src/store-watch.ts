import type { AuthServer } from '@tessera/core';
import type { Logger } from 'pino';
import type { Runtime } from './runtime.js';

/** How often, at most, a failure that keeps repeating is reported again (as one summary line). */
export const FAILURE_SUMMARY_INTERVAL_MS = 10_000;

/** The part of a pino logger the FailureLog uses. */
export interface WarnLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface FailureLogOptions {
  logger: WarnLogger;
  /** What failed, as the start of each line: e.g. "could not apply changes from the store". */
  what: string;
  /** Appended to the first line only: what happens meanwhile. */
  meanwhile?: string;
  intervalMs?: number;
  /** Test seam: milliseconds from any fixed origin. */
  now?: () => number;
}

/**
 * Rate-limited reporting of a background task that fails on every attempt while a dependency is down
 * (the sync poll runs every 10 ms): the first failure is logged at once; while it keeps failing, one
 * summary line per interval with the number of failures since the last line; on the first success
 * after a failure, one "recovered after N ms" line. Nothing is logged while all is well.
 */
export class FailureLog {
  readonly #options: FailureLogOptions;
  readonly #interval: number;
  readonly #now: () => number;
  #failingSince: number | undefined;
  #lastLine = 0;
  #sinceLastLine = 0;
  #total = 0;

  constructor(options: FailureLogOptions) {
    this.#options = options;
    this.#interval = options.intervalMs ?? FAILURE_SUMMARY_INTERVAL_MS;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Whether the last attempt failed. */
  get failing(): boolean {
    return this.#failingSince !== undefined;
  }

  failed(error: unknown): void {
    const now = this.#now();
    this.#total += 1;
    if (this.#failingSince === undefined) {
      this.#failingSince = now;
      this.#lastLine = now;
      this.#sinceLastLine = 0;
      const meanwhile = this.#options.meanwhile ? ` (${this.#options.meanwhile})` : '';
      this.#options.logger.warn({ err: error }, `${this.#options.what}; retrying${meanwhile}`);
      return;
    }
    this.#sinceLastLine += 1;
    if (now - this.#lastLine < this.#interval) return;
    const seconds = Math.round((now - this.#lastLine) / 1000);
    this.#options.logger.warn(
      { err: error, failures: this.#sinceLastLine, failingForMs: Math.round(now - this.#failingSince) },
      `${this.#options.what}: still failing (${this.#sinceLastLine} failures in the last ${seconds} s)`,
    );
    this.#lastLine = now;
    this.#sinceLastLine = 0;
  }

  succeeded(): void {
    if (this.#failingSince === undefined) return;
    const ms = Math.round(this.#now() - this.#failingSince);
    this.#options.logger.warn({ failures: this.#total, failingForMs: ms }, `${this.#options.what}: recovered after ${ms} ms (${this.#total} failures)`);
    this.#failingSince = undefined;
    this.#sinceLastLine = 0;
    this.#total = 0;
  }
}

/** The periodic sync of the change log, reporting failures through a FailureLog. Returns the stop function. */
export function startSyncPoll(auth: Pick<AuthServer, 'sync'>, logger: WarnLogger, intervalMs: number, failures?: FailureLog): () => void {
  const log = failures ?? new FailureLog({ logger, what: 'could not apply changes from the store', meanwhile: 'requests that need the database answer 503 meanwhile' });
  const timer = setInterval(() => {
    auth.sync().then(
      () => log.succeeded(),
      (error: unknown) => log.failed(error),
    );
  }, intervalMs);
  return () => clearInterval(timer);
}

/**
 * PostgreSQL: applies other instances' changes as soon as they commit (LISTEN/NOTIFY), instead of at
 * the next poll; after the LISTEN session reconnects, the same call catches up from the cursor. The
 * periodic poll stays as the safety net. Returns the function that stops watching (no-op for SQLite).
 */
export function watchStoreChanges(runtime: Runtime, auth: AuthServer, logger: Logger): () => void {
  if (!runtime.watchStore) return () => undefined;
  const connection = new FailureLog({ logger, what: 'database change notifications (LISTEN) lost', meanwhile: 'reconnecting; the poll keeps instances in step' });
  return runtime.watchStore({
    onChange() {
      // Called on every notification and after each (re)connection of the LISTEN session.
      connection.succeeded();
      auth.sync().catch((error: unknown) => logger.debug({ err: error }, 'sync after a change notification failed; the poll retries'));
    },
    onError(error) {
      connection.failed(error);
    },
  });
}
