import { DuplicateError, type ChangeEntry, type ClientRecord, type NewChange, type SigningKeyRecord, type Store } from '@tessera/core';
import type { SqlDriver, SqlExecutor } from './driver.js';
import { SqlLoginStore } from './sql-login-store.js';
import { changeFromRow, clientFromRow, clientToParams, keyFromRow, keyToParams } from './rows.js';

const CHANGE_COLUMNS = 'seq, kind, target, created_at, expires_at';

/** Appends in the caller's transaction, after the driver's change-log lock (cursor order = commit order). */
async function appendWith(db: SqlDriver, tx: SqlExecutor, changes: NewChange[]): Promise<ChangeEntry[]> {
  const entries: ChangeEntry[] = [];
  if (changes.length > 0) await db.lockChangeLog(tx, true);
  for (const change of changes) {
    const rows = await tx.all(
      `INSERT INTO changes (kind, target, created_at, expires_at) VALUES (?, ?, ?, ?) RETURNING ${CHANGE_COLUMNS}`,
      [change.kind, change.target, change.createdAt, change.expiresAt],
    );
    entries.push(changeFromRow(rows[0] ?? {}));
  }
  return entries;
}

async function setMetaWith(executor: SqlExecutor, key: string, value: string): Promise<void> {
  await executor.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
}

/** The Store port over any SqlDriver; the dialect differences live in the driver. */
export class SqlStore extends SqlLoginStore implements Store {
  readonly #db: SqlDriver;

  constructor(driver: SqlDriver) {
    super(driver, (tx, changes) => appendWith(driver, tx, changes));
    this.#db = driver;
    if (driver.changeToken) this.changeToken = driver.changeToken.bind(driver);
  }

  /** See Store.changeToken; present when the driver has a cheap change signal (SQLite: PRAGMA data_version). */
  readonly changeToken?: () => Promise<number | string>;

  get driver(): SqlDriver {
    return this.#db;
  }

  async insertClient(client: ClientRecord, changes: NewChange[]): Promise<void> {
    await this.#db.transaction(async (tx) => {
      const inserted = await tx.run('INSERT INTO clients (id, created_at, doc) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', clientToParams(client));
      if (inserted.changes === 0) throw new DuplicateError(`client ${client.id}`);
      await appendWith(this.#db, tx, changes);
    });
  }

  async getClient(id: string): Promise<ClientRecord | undefined> {
    const rows = await this.#db.all('SELECT doc FROM clients WHERE id = ?', [id]);
    return rows[0] ? clientFromRow(rows[0]) : undefined;
  }

  async listClients(): Promise<ClientRecord[]> {
    return (await this.#db.all('SELECT doc FROM clients ORDER BY created_at, id')).map(clientFromRow);
  }

  async updateClient(client: ClientRecord, changes: NewChange[]): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const updated = await tx.run('UPDATE clients SET doc = ? WHERE id = ?', [JSON.stringify(client), client.id]);
      if (updated.changes === 0) return false;
      await appendWith(this.#db, tx, changes);
      return true;
    });
  }

  async deleteClient(id: string, changes: NewChange[]): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const deleted = await tx.run('DELETE FROM clients WHERE id = ?', [id]);
      if (deleted.changes === 0) return false;
      await appendWith(this.#db, tx, changes);
      return true;
    });
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    return (await this.#db.all('SELECT * FROM signing_keys ORDER BY created_at, kid')).map(keyFromRow);
  }

  async saveSigningKeys(keys: SigningKeyRecord[], changes: NewChange[], meta: Record<string, string> = {}): Promise<void> {
    await this.#db.transaction(async (tx) => {
      for (const key of keys) {
        await tx.run(
          `INSERT INTO signing_keys (kid, alg, state, public_jwk, encrypted_private_jwk, created_at, activated_at, retired_at, remove_after, revoked_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (kid) DO UPDATE SET alg = excluded.alg, state = excluded.state, public_jwk = excluded.public_jwk,
             encrypted_private_jwk = excluded.encrypted_private_jwk, created_at = excluded.created_at,
             activated_at = excluded.activated_at, retired_at = excluded.retired_at,
             remove_after = excluded.remove_after, revoked_at = excluded.revoked_at`,
          keyToParams(key),
        );
      }
      for (const [name, value] of Object.entries(meta)) await setMetaWith(tx, name, value);
      await appendWith(this.#db, tx, changes);
    });
  }

  async appendChanges(changes: NewChange[]): Promise<ChangeEntry[]> {
    return this.#db.transaction((tx) => appendWith(this.#db, tx, changes));
  }

  async changesSince(cursor: number, limit: number): Promise<ChangeEntry[]> {
    const rows = await this.#db.all(`SELECT ${CHANGE_COLUMNS} FROM changes WHERE seq > ? ORDER BY seq LIMIT ?`, [cursor, limit]);
    return rows.map(changeFromRow);
  }

  async latestCursor(): Promise<number> {
    return this.#db.latestChangeSeq();
  }

  async unexpiredChanges(kinds: readonly ChangeEntry['kind'][], now: number): Promise<ChangeEntry[]> {
    if (kinds.length === 0) return [];
    const rows = await this.#db.all(
      `SELECT ${CHANGE_COLUMNS} FROM changes WHERE expires_at > ? AND kind IN (${kinds.map(() => '?').join(', ')}) ORDER BY seq`,
      [now, ...kinds],
    );
    return rows.map(changeFromRow);
  }

  async useOnce(namespace: string, id: string, expiresAt: number): Promise<boolean> {
    const result = await this.#db.run(
      'INSERT INTO one_time_values (namespace, id, expires_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      [namespace, id, expiresAt],
    );
    return result.changes === 1;
  }

  async pruneExpired(now: number): Promise<number> {
    return this.#db.transaction(async (tx) => {
      const changes = await tx.run('DELETE FROM changes WHERE expires_at < ?', [now]);
      const values = await tx.run('DELETE FROM one_time_values WHERE expires_at < ?', [now]);
      return changes.changes + values.changes;
    });
  }

  async getMeta(key: string): Promise<string | undefined> {
    const rows = await this.#db.all('SELECT value FROM meta WHERE key = ?', [key]);
    return rows[0] ? String(rows[0]['value']) : undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await setMetaWith(this.#db, key, value);
  }

  async ping(): Promise<void> {
    await this.#db.all('SELECT 1 AS ok');
  }

  async close(): Promise<void> {
    await this.#db.close();
  }
}
