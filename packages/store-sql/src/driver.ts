export type SqlValue = string | number | null;
export type Row = Record<string, unknown>;

/** Runs statements with `?` placeholders. Dialect drivers translate placeholders and types as needed. */
export interface SqlExecutor {
  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

/** A connection (or pool) to one database. */
export interface SqlDriver extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it rejects.
   * Statements issued through `tx` belong to the transaction; nothing else interleaves with it.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Type and syntax differences the migrations need. */
  readonly types: { serialPrimaryKey: string };
  /**
   * Called inside a transaction before it appends to `changes`. Afterwards, and until that
   * transaction ends, no other transaction can be holding an uncommitted `changes.seq`: so cursor
   * order is commit order, and a reader polling `seq > cursor` never skips an entry that commits
   * later with a lower seq. PostgreSQL also queues a change notification here (sent at commit).
   * SQLite needs nothing: BEGIN IMMEDIATE already serialises writers.
   */
  lockChangeLog(tx: SqlExecutor, notify: boolean): Promise<void>;
  /**
   * The greatest value ever assigned to `changes.seq`, including pruned rows, and never one whose
   * transaction is still open (PostgreSQL waits on {@link lockChangeLog}'s lock; SQLite cannot see
   * uncommitted numbers).
   */
  latestChangeSeq(): Promise<number>;
  /** See Store.changeToken: a cheap value that changes whenever any connection may have committed. Optional. */
  changeToken?(): Promise<number | string>;
  /**
   * Runs `work` while holding a lock named `name` that every process using this database shares
   * (PostgreSQL: a session advisory lock on a dedicated connection). Absent where one process owns the database.
   */
  exclusive?<T>(name: string, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
