import type { PostgresStore } from '@tessera/store-sql';

/**
 * Resolves true once some session waits for a lock (only advisory locks when `advisoryOnly`), or false
 * when `done` settles first: how a test proves that an operation it started is blocked by one it holds.
 */
export async function waitsForLock(store: PostgresStore, done: Promise<unknown>, { advisoryOnly = false } = {}): Promise<boolean> {
  let settled = false;
  void done.finally(() => (settled = true));
  const sql = `SELECT count(*) AS n FROM pg_locks WHERE NOT granted${advisoryOnly ? " AND locktype = 'advisory'" : ''}`;
  for (let i = 0; i < 400; i++) {
    const rows = await store.driver.all(sql);
    if (Number(rows[0]?.['n']) > 0) return true;
    if (settled) return false;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('the operation neither waited for a lock nor finished');
}
