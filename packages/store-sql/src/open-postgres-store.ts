import { migrate } from './migrations.js';
import { openPostgresDriver, type PostgresDriver } from './postgres-driver.js';
import type { PostgresOptions } from './postgres-options.js';
import { assertSchemaCurrent } from './schema-version.js';
import { SqlStore } from './sql-store.js';

/** The advisory lock under which migrations run: instances starting together migrate once. */
export const MIGRATION_LOCK = 'tessera.migrate';

/** The SQL store on PostgreSQL, with cluster-wide locks and LISTEN/NOTIFY change propagation. */
export class PostgresStore extends SqlStore {
  readonly #driver: PostgresDriver;
  /** Migration versions this open applied (empty when another instance or an earlier run did). */
  readonly migrationsApplied: readonly number[];

  constructor(driver: PostgresDriver, applied: readonly number[]) {
    super(driver);
    this.#driver = driver;
    this.migrationsApplied = applied;
  }

  /** Runs `work` under a session advisory lock named `name`, shared by every instance on this database. */
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T> {
    return this.#driver.exclusive(name, work);
  }

  /**
   * Calls `listener` whenever any instance commits to the change log (NOTIFY at commit), and after
   * every reconnection of the LISTEN session (notifications sent meanwhile are lost: read from your
   * cursor). Returns the function that unsubscribes.
   */
  onChange(listener: () => void): () => void {
    return this.#driver.onChange(listener);
  }
}

export interface OpenPostgresStoreOptions extends PostgresOptions {
  /** Apply pending migrations under the migration lock (default true). When false, a database that is behind is refused. */
  migrate?: boolean;
  now?: number;
}

/** Runs pending migrations under the cluster-wide migration lock. Resolves with the versions this call applied. */
export async function migratePostgres(driver: PostgresDriver, now: number): Promise<number[]> {
  return driver.exclusive(MIGRATION_LOCK, () => migrate(driver, now));
}

/**
 * Opens a PostgreSQL store: a pool as configured, migrated unless `migrate: false`, and checked to be
 * at this code's schema version. Several instances may call it at once: one migrates, the others wait.
 */
export async function openPostgresStore(options: OpenPostgresStoreOptions): Promise<PostgresStore> {
  const driver = openPostgresDriver(options);
  try {
    const applied = (options.migrate ?? true) ? await migratePostgres(driver, options.now ?? Date.now()) : [];
    await assertSchemaCurrent(driver);
    return new PostgresStore(driver, applied);
  } catch (error) {
    await driver.close();
    throw error;
  }
}
