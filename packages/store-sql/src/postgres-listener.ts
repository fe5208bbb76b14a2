import pg from 'pg';
import { clientConfig, type PostgresOptions } from './postgres-options.js';

/** The channel every change-log append notifies at commit (see SqlDriver.lockChangeLog). */
export const CHANGES_CHANNEL = 'tessera_changes';

export interface ChangeWatchHandlers {
  /**
   * The change log grew, or may have grown unseen: called on every notification and after every
   * (re)connection, since notifications sent while disconnected are lost. Read from your cursor.
   */
  onChange(): void;
  /** The listening connection failed or was lost; it is reopened by itself. */
  onError?(error: Error): void;
}

export interface ChangeWatcher {
  /** True while LISTEN is active on a live connection. */
  readonly connected: boolean;
  /** Bumped by every notification and every reconnection; undefined while disconnected. */
  readonly generation: number | undefined;
  close(): Promise<void>;
}

const FIRST_RETRY_MS = 50;
const MAX_RETRY_MS = 2000;

/**
 * LISTEN on a dedicated connection (not from the pool), reconnecting with backoff (50 ms doubling to
 * 2 s) for as long as it is open. Catch-up after a reconnection is the caller's cursor read, which
 * `onChange` triggers; a poll on a timer remains the safety net for a connection that dies silently.
 */
export function watchPostgresChanges(options: PostgresOptions, handlers: ChangeWatchHandlers): ChangeWatcher {
  const { max: _max, idleTimeoutMillis: _idle, ...config } = clientConfig(options);
  let closed = false;
  let current: pg.Client | undefined;
  let generation = 0;
  let retryMs = FIRST_RETRY_MS;
  let timer: NodeJS.Timeout | undefined;
  const ended = new WeakSet<pg.Client>();

  const schedule = (): void => {
    if (closed || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void connect();
    }, retryMs);
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  const lost = (client: pg.Client, error?: Error): void => {
    if (ended.has(client)) return;
    ended.add(client);
    if (current === client) current = undefined;
    client.end().catch(() => undefined);
    if (closed) return;
    handlers.onError?.(error ?? new Error('the PostgreSQL LISTEN connection ended'));
    schedule();
  };

  async function connect(): Promise<void> {
    const client = new pg.Client(config);
    client.on('error', (error) => lost(client, error));
    client.on('end', () => lost(client));
    client.on('notification', (message) => {
      if (message.channel !== CHANGES_CHANNEL) return;
      generation += 1;
      handlers.onChange();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      lost(client, error as Error);
      return;
    }
    if (closed) {
      ended.add(client);
      await client.end().catch(() => undefined);
      return;
    }
    current = client;
    retryMs = FIRST_RETRY_MS;
    generation += 1;
    handlers.onChange();
  }

  void connect();
  return {
    get connected() {
      return current !== undefined;
    },
    get generation() {
      return current === undefined ? undefined : generation;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const client = current;
      current = undefined;
      if (client) {
        ended.add(client);
        await client.end().catch(() => undefined);
      }
    },
  };
}

/**
 * One LISTEN session per driver, opened on first use (a CLI command that never syncs opens none),
 * shared by the change token and every subscriber.
 */
export function lazyChangeWatch(options: PostgresOptions, onError: (error: Error) => void) {
  const listeners = new Set<() => void>();
  let watcher: ChangeWatcher | undefined;
  let closed = false;
  let unwatched = 0;
  const start = (): void => {
    if (watcher || closed) return;
    watcher = watchPostgresChanges(options, {
      onChange: () => {
        for (const listener of [...listeners]) listener();
      },
      onError,
    });
  };
  return {
    /** Equal twice only if no commit was announced in between and the session stayed up. */
    token(): string {
      start();
      const generation = watcher?.generation;
      return generation === undefined ? `unwatched:${++unwatched}` : `listen:${generation}`;
    },
    subscribe(listener: () => void): () => void {
      start();
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close(): Promise<void> {
      closed = true;
      listeners.clear();
      await watcher?.close();
    },
  };
}
