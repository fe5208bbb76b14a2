import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MasterKey, Store } from '@tessera/core';
import {
  LATEST_SCHEMA_VERSION,
  SchemaVersionError,
  assertSchemaCurrent,
  isDatabaseUnavailable,
  migrate,
  openPostgresStore,
  openSqliteDriver,
  openSqliteStore,
  redactUrl,
  type PostgresStore,
} from '@tessera/store-sql';
import { postgresOptions } from './config/database.js';
import type { ServerConfig } from './config/load-config.js';

/** Handlers for the database's own events (PostgreSQL: LISTEN/NOTIFY and lost connections). */
export interface StoreWatchHandlers {
  /** Another instance (or this one) committed to the change log, or the LISTEN session reconnected. */
  onChange(): void;
  /** A background connection failed; the driver reconnects by itself. For logging. */
  onError(error: Error): void;
}

export interface OpenedStore {
  store: Store;
  masterKey: MasterKey;
  /** True when the database held no Tessera data before (first start). */
  fresh: boolean;
  /** Where the data lives, safe to print (no password). */
  where: string;
  /** Migration versions applied by this start. */
  migrationsApplied: readonly number[];
  /** PostgreSQL only: subscribe to cross-instance change notifications and background connection errors. */
  watch?: (handlers: StoreWatchHandlers) => () => void;
}

/** The configured database as operators may see it: the SQLite path or the PostgreSQL URL without its password. */
export const databaseLabel = (config: ServerConfig): string => (config.postgres ? redactUrl(config.postgres.url) : config.databasePath);

/** Thrown when the schema is behind and auto-migration is off, or written by a newer Tessera. */
export { SchemaVersionError };

/**
 * Opens the configured store and loads the master key in the right order for the dialect: SQLite
 * learns whether it is fresh from the file's existence (the key is loaded before the file is created);
 * PostgreSQL from the database's contents. Closes the store if loading the key fails.
 */
export async function openConfiguredStore(config: ServerConfig, loadMasterKey: (fresh: boolean) => MasterKey): Promise<OpenedStore> {
  const where = databaseLabel(config);
  if (!config.postgres) {
    const fresh = !existsSync(config.databasePath);
    if (fresh && !config.autoMigrate) throw new SchemaVersionError(0, LATEST_SCHEMA_VERSION);
    const masterKey = loadMasterKey(fresh);
    const store = await openSqliteStore({ filename: config.databasePath, migrate: config.autoMigrate });
    if (!config.autoMigrate) await closeOnError(store, () => assertSchemaCurrent(store.driver));
    return { store, masterKey, fresh, where, migrationsApplied: [] };
  }
  const errorListeners = new Set<(error: Error) => void>();
  const store: PostgresStore = await openPostgresStore({
    ...postgresOptions(config.postgres, (error) => errorListeners.forEach((listener) => listener(error))),
    migrate: config.autoMigrate,
  });
  return closeOnError(store, async () => {
    const fresh = (await store.getMeta('master_key_check')) === undefined;
    const masterKey = loadMasterKey(fresh);
    return {
      store,
      masterKey,
      fresh,
      where,
      migrationsApplied: store.migrationsApplied,
      watch(handlers) {
        errorListeners.add(handlers.onError);
        const unsubscribe = store.onChange(handlers.onChange);
        return () => {
          unsubscribe();
          errorListeners.delete(handlers.onError);
        };
      },
    };
  });
}

/**
 * {@link openConfiguredStore} with failures an operator can act on turned into one clear line:
 * an unreachable PostgreSQL names the URL (without its password) and the reason.
 */
export async function openStoreOrExplain(config: ServerConfig, loadMasterKey: (fresh: boolean) => MasterKey): Promise<OpenedStore> {
  return explained(config, () => openConfiguredStore(config, loadMasterKey));
}

async function explained<T>(config: ServerConfig, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    if (config.postgres && isDatabaseUnavailable(cause)) {
      throw new Error(`cannot reach PostgreSQL at ${databaseLabel(config)}: ${(cause as Error).message}`, { cause: error });
    }
    throw error;
  }
}

async function closeOnError<T>(store: Store, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** `tessera migrate`: applies pending migrations (PostgreSQL: under the cluster-wide migration lock). */
export async function migrateDatabase(config: ServerConfig, now = Date.now()): Promise<{ applied: number[]; version: number; where: string }> {
  const where = databaseLabel(config);
  if (config.postgres) {
    const options = postgresOptions(config.postgres);
    const store = await explained(config, () => openPostgresStore({ ...options, migrate: true, now }));
    await store.close();
    return { applied: [...store.migrationsApplied], version: LATEST_SCHEMA_VERSION, where };
  }
  mkdirSync(dirname(config.databasePath), { recursive: true });
  const driver = openSqliteDriver({ filename: config.databasePath });
  try {
    const applied = await migrate(driver, now);
    await assertSchemaCurrent(driver);
    return { applied, version: LATEST_SCHEMA_VERSION, where };
  } finally {
    await driver.close();
  }
}
