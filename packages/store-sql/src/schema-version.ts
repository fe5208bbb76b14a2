import type { SqlDriver } from './driver.js';
import { LATEST_SCHEMA_VERSION } from './migrations.js';

/** The highest migration applied to this database; 0 when it has never been migrated. */
export async function schemaVersion(driver: SqlDriver): Promise<number> {
  const present =
    driver.dialect === 'postgres'
      ? await driver.all("SELECT 1 AS present WHERE to_regclass('schema_migrations') IS NOT NULL")
      : await driver.all("SELECT 1 AS present FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  if (present.length === 0) return 0;
  const rows = await driver.all('SELECT MAX(version) AS version FROM schema_migrations');
  return Number(rows[0]?.['version'] ?? 0);
}

/** The schema is older or newer than this code; the message tells the operator what to do. */
export class SchemaVersionError extends Error {
  constructor(
    readonly found: number,
    readonly expected: number,
  ) {
    super(
      found > expected
        ? `the database schema (version ${found}) is newer than this Tessera (version ${expected}); upgrade Tessera`
        : `the database schema is at version ${found}, this Tessera needs version ${expected}: run "tessera migrate" (or enable TESSERA_AUTO_MIGRATE)`,
    );
    this.name = 'SchemaVersionError';
  }
}

/** Refuses a database this code cannot use: one written by a newer Tessera, or one not migrated yet. */
export async function assertSchemaCurrent(driver: SqlDriver): Promise<void> {
  const found = await schemaVersion(driver);
  if (found !== LATEST_SCHEMA_VERSION) throw new SchemaVersionError(found, LATEST_SCHEMA_VERSION);
}
