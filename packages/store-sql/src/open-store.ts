import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { LATEST_SCHEMA_VERSION, migrate } from './migrations.js';
import { SqlStore } from './sql-store.js';
import { openSqliteDriver } from './sqlite-driver.js';

export interface OpenSqliteStoreOptions {
  /** Database file path; its directory is created if missing. ':memory:' for a throwaway store. */
  filename: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  now?: number;
  /** See SqliteOptions.synchronous (default FULL). */
  synchronous?: 'FULL' | 'NORMAL';
}

/** Opens (and by default migrates) the embedded SQLite store. Refuses a database written by a newer Tessera. */
export async function openSqliteStore(options: OpenSqliteStoreOptions): Promise<SqlStore> {
  if (options.filename !== ':memory:') mkdirSync(dirname(options.filename), { recursive: true });
  const driver = openSqliteDriver({ filename: options.filename, ...(options.synchronous ? { synchronous: options.synchronous } : {}) });
  try {
    if (options.migrate ?? true) await migrate(driver, options.now ?? Date.now());
    const rows = await driver.all('SELECT MAX(version) AS version FROM schema_migrations');
    const version = Number(rows[0]?.['version'] ?? 0);
    if (version > LATEST_SCHEMA_VERSION) {
      throw new Error(`the database schema (version ${version}) is newer than this Tessera (version ${LATEST_SCHEMA_VERSION})`);
    }
    return new SqlStore(driver);
  } catch (error) {
    await driver.close();
    throw error;
  }
}
