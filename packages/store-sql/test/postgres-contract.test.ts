import { after, before, describe, it } from 'node:test';
import { runStoreContract } from '@tessera/core/testing';
import { openPostgresStore } from '@tessera/store-sql';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '@tessera/store-sql/testing';

// Skipped (reported as such) when PostgreSQL does not answer within 2 s, unless TESSERA_REQUIRE_POSTGRES=1.
const skip = await postgresSkipReason();

// A skipped suite counts no tests; one skipped test makes the skip visible in the summary.
if (skip) it('PostgreSQL store', { skip }, () => undefined);
else describe('PostgreSQL store', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => {
    await database?.drop();
  });
  runStoreContract('PostgreSQL', () => openPostgresStore({ url: database.url, poolSize: 10 }));
});
