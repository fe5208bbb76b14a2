import pg from 'pg';
import type { Row, SqlDriver, SqlExecutor, SqlValue } from './driver.js';
import { translatePgError } from './postgres-errors.js';
import { CHANGES_CHANNEL, lazyChangeWatch } from './postgres-listener.js';
import { clientConfig, type PostgresOptions } from './postgres-options.js';

/**
 * Advisory-lock keys. The change log uses the one-key (bigint) space; named locks use the two-key
 * space with Tessera's namespace, and PostgreSQL keeps the two spaces apart.
 */
const CHANGE_LOG_LOCK = '7243911001';
const NAMED_LOCK_NAMESPACE = 32341;
/** How long a named lock may be waited for (e.g. another instance running the migrations). */
const NAMED_LOCK_WAIT_MS = 120_000;

export interface PostgresDriver extends SqlDriver {
  readonly pool: pg.Pool;
  /** Changes whenever a commit to the change log was announced (LISTEN/NOTIFY); a fresh value while not listening. */
  changeToken(): Promise<string>;
  /** Calls `listener` on every announced commit and after every (re)connection of the LISTEN session. */
  onChange(listener: () => void): () => void;
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T>;
}

interface Prepared {
  name: string;
  text: string;
}

/** Rewrites `?` placeholders as `$1…$n`, leaving quoted text and identifiers alone. */
export function toPositional(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') out += `$${++n}`;
    else out += ch;
  }
  return out;
}

/**
 * The SqlDriver over a `pg` pool. Each distinct SQL text is translated once and sent as a named
 * prepared statement (parsed once per connection). A transaction runs on one pooled connection.
 * Failures that mean "PostgreSQL cannot answer now" reject with OAuthError temporarily_unavailable.
 */
export function openPostgresDriver(options: PostgresOptions): PostgresDriver {
  const config = clientConfig(options);
  const pool = new pg.Pool(config);
  const onBackgroundError = options.onBackgroundError ?? (() => undefined);
  pool.on('error', onBackgroundError);
  const changes = lazyChangeWatch(options, onBackgroundError);

  const statements = new Map<string, Prepared>();
  const prepare = (sql: string): Prepared => {
    let prepared = statements.get(sql);
    if (!prepared) {
      prepared = { name: `tessera_${statements.size + 1}`, text: toPositional(sql) };
      statements.set(sql, prepared);
    }
    return prepared;
  };
  const query = (runner: pg.Pool | pg.PoolClient, sql: string, params: readonly SqlValue[] = []): Promise<pg.QueryResult<Row>> => {
    const { name, text } = prepare(sql);
    return runner.query<Row>({ name, text, values: params as SqlValue[] });
  };
  const executorOf = (runner: pg.Pool | pg.PoolClient): SqlExecutor => ({
    all: async (sql, params) => (await query(runner, sql, params)).rows,
    run: async (sql, params) => ({ changes: (await query(runner, sql, params)).rowCount ?? 0 }),
  });
  const direct = executorOf(pool);

  const driver: PostgresDriver = {
    dialect: 'postgres',
    pool,
    types: { serialPrimaryKey: 'BIGSERIAL PRIMARY KEY' },
    all: (sql, params) => direct.all(sql, params).catch((error: unknown) => Promise.reject(translatePgError(error))),
    run: (sql, params) => direct.run(sql, params).catch((error: unknown) => Promise.reject(translatePgError(error))),

    async transaction(work) {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw translatePgError(error);
      }
      let broken = false;
      // A checked-out client has no listener of the pool's: without this, a connection dying between
      // two statements would crash the process with an unhandled 'error' event.
      const onError = (): void => {
        broken = true;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await work(executorOf(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw translatePgError(error);
      } finally {
        client.removeListener('error', onError);
        client.release(broken);
      }
    },

    // The transaction-scoped lock is released at COMMIT/ROLLBACK, after the commit became visible:
    // whoever takes it next draws a greater seq and commits later. The notification is sent at commit.
    async lockChangeLog(tx, notify) {
      await tx.run(
        notify
          ? `SELECT pg_advisory_xact_lock(${CHANGE_LOG_LOCK}), pg_notify('${CHANGES_CHANNEL}', '')`
          : `SELECT pg_advisory_xact_lock(${CHANGE_LOG_LOCK})`,
      );
    },

    // Under the append lock: an appender still in flight holds it, so its number is not read before it commits.
    latestChangeSeq() {
      return driver.transaction(async (tx) => {
        await driver.lockChangeLog(tx, false);
        const rows = await tx.all('SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS seq FROM changes_seq_seq');
        return Number(rows[0]?.['seq'] ?? 0);
      });
    },

    async exclusive(name, work) {
      const client = new pg.Client({ ...config, statement_timeout: NAMED_LOCK_WAIT_MS, query_timeout: NAMED_LOCK_WAIT_MS + 2000 });
      client.on('error', onBackgroundError);
      try {
        await client.connect();
        await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [NAMED_LOCK_NAMESPACE, name]);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw translatePgError(error);
      }
      try {
        return await work();
      } finally {
        // Ending the session releases its advisory locks, also when the unlock could not be sent.
        await client.end().catch(() => undefined);
      }
    },

    changeToken: async () => changes.token(),
    onChange: (listener) => changes.subscribe(listener),
    async close() {
      await changes.close();
      await pool.end();
    },
  };
  return driver;
}
