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
  /** The greatest value ever assigned to `changes.seq`, including pruned rows. */
  latestChangeSeq(executor: SqlExecutor): Promise<number>;
  close(): Promise<void>;
}
