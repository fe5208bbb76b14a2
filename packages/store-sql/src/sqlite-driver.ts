import Database from 'better-sqlite3';
import type { Row, SqlDriver, SqlExecutor, SqlValue } from './driver.js';

/** Serialises async work on the single SQLite connection so a transaction never interleaves with other statements. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

export interface SqliteOptions {
  /** Path of the database file, or ':memory:'. */
  filename: string;
  /** Milliseconds to wait for another process's write lock (e.g. the CLI beside a running server). Default 5000. */
  busyTimeoutMs?: number;
  /**
   * FULL (default): every commit is on disk before it returns. NORMAL: in WAL mode a commit survives a
   * crash of the process but not of the machine; for data whose loss bound is documented (the audit log).
   */
  synchronous?: 'FULL' | 'NORMAL';
}

/**
 * better-sqlite3 with WAL and synchronous=FULL: a committed write survives a crash of the process or of
 * the machine, and a reader in another process (the server beside the CLI) is never blocked by a writer.
 */
export function openSqliteDriver(options: SqliteOptions): SqlDriver {
  const db = new Database(options.filename);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('foreign_keys = ON');
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  // PRAGMA data_version changes only when ANOTHER connection commits; our own commits are counted here.
  let localWrites = 0;
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const direct: SqlExecutor = {
    all: async (sql, params = []) => {
      const statement = prepare(sql);
      if (!statement.readonly) localWrites++;
      return statement.all(...(params as SqlValue[])) as Row[];
    },
    run: async (sql, params = []) => {
      localWrites++;
      return { changes: prepare(sql).run(...(params as SqlValue[])).changes };
    },
  };
  const mutex = new Mutex();
  return {
    dialect: 'sqlite',
    types: { serialPrimaryKey: 'INTEGER PRIMARY KEY AUTOINCREMENT' },
    all: (sql, params) => mutex.run(() => direct.all(sql, params)),
    run: (sql, params) => mutex.run(() => direct.run(sql, params)),
    transaction: (work) =>
      mutex.run(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(direct);
          db.exec('COMMIT');
          localWrites++;
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      }),
    lockChangeLog: async () => undefined,
    async latestChangeSeq() {
      const rows = await mutex.run(() => direct.all("SELECT seq FROM sqlite_sequence WHERE name = 'changes'"));
      return Number(rows[0]?.['seq'] ?? 0);
    },
    changeToken: () => mutex.run(async () => `${String(dataVersion.get())}.${localWrites}`),
    close: () =>
      mutex.run(async () => {
        db.close();
      }),
  };
}
