import type { AuthServer } from '@tessera/core';
import type { Logger } from 'pino';
import type { Runtime } from './runtime.js';

const ERROR_LOG_INTERVAL_MS = 5000;

/**
 * PostgreSQL: applies other instances' changes as soon as they commit (LISTEN/NOTIFY), instead of at
 * the next poll; after the LISTEN session reconnects, the same call catches up from the cursor. The
 * periodic poll stays as the safety net. Returns the function that stops watching (no-op for SQLite).
 */
export function watchStoreChanges(runtime: Runtime, auth: AuthServer, logger: Logger): () => void {
  if (!runtime.watchStore) return () => undefined;
  let lastErrorLog = 0;
  let suppressed = 0;
  return runtime.watchStore({
    onChange() {
      auth.sync().catch((error: unknown) => logger.debug({ err: error }, 'sync after a change notification failed; the poll retries'));
    },
    onError(error) {
      const now = Date.now();
      if (now - lastErrorLog < ERROR_LOG_INTERVAL_MS) {
        suppressed += 1;
        return;
      }
      logger.warn({ err: error, suppressed }, 'database connection lost; reconnecting (requests that need the database answer 503 meanwhile)');
      lastErrorLog = now;
      suppressed = 0;
    },
  });
}
