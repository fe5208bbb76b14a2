export { SqlStore } from './sql-store.js';
export { openSqliteStore, type OpenSqliteStoreOptions } from './open-store.js';
export { openSqliteDriver, type SqliteOptions } from './sqlite-driver.js';
export { migrate, migrations, LATEST_SCHEMA_VERSION } from './migrations.js';
export type { SqlDriver, SqlExecutor, SqlValue, Row } from './driver.js';
