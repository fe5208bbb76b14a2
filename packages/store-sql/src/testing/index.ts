export { postgresSkipReason, createTestDatabase, testDatabaseUrl, DEFAULT_TEST_DATABASE_URL, type TestDatabase } from './postgres-test-database.js';
export { registerPostgresUse, waitForNoOutage, withExclusivePostgres } from './outage-lock.js';
