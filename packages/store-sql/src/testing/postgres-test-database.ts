import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redactUrl } from '../postgres-options.js';
import { registerPostgresUse, waitForNoOutage } from './outage-lock.js';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** TESSERA_TEST_DATABASE_URL, or the local default: a database the tests may connect to and create databases from. */
export const testDatabaseUrl = (env: NodeJS.ProcessEnv = process.env): string => env['TESSERA_TEST_DATABASE_URL'] || DEFAULT_TEST_DATABASE_URL;

/**
 * Undefined when PostgreSQL answers at the test URL within `timeoutMs`; otherwise the reason to skip.
 * With TESSERA_REQUIRE_POSTGRES=1 an unreachable server is an error instead (CI).
 */
export async function postgresSkipReason(env: NodeJS.ProcessEnv = process.env, timeoutMs = 2000): Promise<string | undefined> {
  const url = testDatabaseUrl(env);
  await waitForNoOutage();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const reason = `PostgreSQL not reachable at ${redactUrl(url)} (${(error as Error).message}); set TESSERA_REQUIRE_POSTGRES=1 to make this fatal`;
    if (env['TESSERA_REQUIRE_POSTGRES'] === '1') throw new Error(reason.replace(/; set .*$/, ' and TESSERA_REQUIRE_POSTGRES=1'), { cause: error });
    return reason;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface TestDatabase {
  name: string;
  /** The test URL with the database replaced by this one. */
  url: string;
  /** Drops the database (terminating any session still connected to it). */
  drop(): Promise<void>;
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates a fresh, empty database `tessera_test_<random>` for one test; `drop()` removes it. */
export async function createTestDatabase(env: NodeJS.ProcessEnv = process.env): Promise<TestDatabase> {
  const base = testDatabaseUrl(env);
  const unregister = await registerPostgresUse();
  const name = `tessera_test_${randomBytes(6).toString('hex')}`;
  try {
    await admin(base, (client) => client.query(`CREATE DATABASE ${name}`));
  } catch (error) {
    unregister();
    throw error;
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      try {
        await admin(base, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      } finally {
        unregister();
      }
    },
  };
}
