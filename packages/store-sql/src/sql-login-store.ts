import {
  DuplicateError,
  usernameKey,
  type AuthorizationCodeRecord,
  type ConsentRecord,
  type DeviceCodeRecord,
  type LoginStore,
  type NewChange,
  type RefreshTokenRecord,
  type SessionRecord,
  type UserRecord,
} from '@tessera/core';
import type { Row, SqlDriver, SqlExecutor, SqlValue } from './driver.js';
import { SqlAuditStore } from './sql-audit-store.js';

type Append = (tx: SqlExecutor, changes: NewChange[]) => Promise<unknown>;

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const doc = <T>(row: Row): T => JSON.parse(String(row['doc'])) as T;

function sessionFromRow(row: Row): SessionRecord {
  return {
    ...doc<SessionRecord>(row),
    expiresAt: num(row['expires_at']),
    lastSeenAt: num(row['last_seen_at']),
    endedAt: numOrNull(row['ended_at']),
  };
}

const codeFromRow = (row: Row): AuthorizationCodeRecord => ({ ...doc<AuthorizationCodeRecord>(row), consumedAt: numOrNull(row['consumed_at']) });

const refreshFromRow = (row: Row): RefreshTokenRecord => ({
  ...doc<RefreshTokenRecord>(row),
  consumedAt: numOrNull(row['consumed_at']),
  revokedAt: numOrNull(row['revoked_at']),
  graceResponse: strOrNull(row['grace_response']),
  graceUntil: numOrNull(row['grace_until']),
});

const deviceFromRow = (row: Row): DeviceCodeRecord => ({
  ...doc<DeviceCodeRecord>(row),
  state: String(row['state']) as DeviceCodeRecord['state'],
  userId: strOrNull(row['user_id']),
  sessionId: strOrNull(row['session_id']),
  authTime: numOrNull(row['auth_time']),
  lastPolledAt: numOrNull(row['last_polled_at']),
  interval: num(row['poll_interval']),
});

const isUniqueViolation = (error: unknown): boolean =>
  /unique|duplicate|constraint/i.test(String((error as { message?: unknown })?.message ?? '')) ||
  (error as { code?: unknown })?.code === '23505';

/**
 * The login half of SqlStore (see ports/login-store.ts in core). Immutable fields live in a JSON `doc`
 * column; fields that change (consumed, revoked, ended, polled) are columns so that conditional updates
 * (`… WHERE consumed_at IS NULL`) decide races inside the database. Extends the audit half (sql-audit-store.ts).
 */
export class SqlLoginStore extends SqlAuditStore implements LoginStore {
  readonly #db: SqlDriver;
  readonly #append: Append;

  constructor(driver: SqlDriver, append: Append) {
    super(driver);
    this.#db = driver;
    this.#append = append;
  }

  async #endUserSessions(tx: SqlExecutor, userId: string, now: number): Promise<void> {
    await tx.run('UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL', [now, userId]);
    await tx.run('UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL', [now, userId]);
  }

  async insertUser(user: UserRecord, changes: NewChange[]): Promise<void> {
    await this.#db.transaction(async (tx) => {
      const inserted = await tx.run('INSERT INTO users (id, username_key, created_at, doc) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING', [
        user.id,
        usernameKey(user.username),
        user.createdAt,
        JSON.stringify(user),
      ]);
      if (inserted.changes === 0) throw new DuplicateError(`user ${user.username}`);
      await this.#append(tx, changes);
    });
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const rows = await this.#db.all('SELECT doc FROM users WHERE id = ?', [id]);
    return rows[0] ? doc<UserRecord>(rows[0]) : undefined;
  }

  async findUserByUsername(username: string): Promise<UserRecord | undefined> {
    const rows = await this.#db.all('SELECT doc FROM users WHERE username_key = ?', [usernameKey(username)]);
    return rows[0] ? doc<UserRecord>(rows[0]) : undefined;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.#db.all('SELECT doc FROM users ORDER BY created_at, id')).map((r) => doc<UserRecord>(r));
  }

  async updateUser(user: UserRecord, changes: NewChange[], endSessionsAt?: number): Promise<boolean> {
    try {
      return await this.#db.transaction(async (tx) => {
        const updated = await tx.run('UPDATE users SET username_key = ?, doc = ? WHERE id = ?', [
          usernameKey(user.username),
          JSON.stringify(user),
          user.id,
        ]);
        if (updated.changes === 0) return false;
        if (endSessionsAt !== undefined) await this.#endUserSessions(tx, user.id, endSessionsAt);
        await this.#append(tx, changes);
        return true;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateError(`user ${user.username}`);
      throw error;
    }
  }

  async deleteUser(id: string, changes: NewChange[], now: number): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const deleted = await tx.run('DELETE FROM users WHERE id = ?', [id]);
      if (deleted.changes === 0) return false;
      await this.#endUserSessions(tx, id, now);
      await tx.run('DELETE FROM consents WHERE user_id = ?', [id]);
      await this.#append(tx, changes);
      return true;
    });
  }

  async insertSession(session: SessionRecord): Promise<void> {
    const inserted = await this.#db.run(
      'INSERT INTO sessions (id, user_id, created_at, expires_at, last_seen_at, ended_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [session.id, session.userId, session.createdAt, session.expiresAt, session.lastSeenAt, session.endedAt, JSON.stringify(session)],
    );
    if (inserted.changes === 0) throw new DuplicateError(`session ${session.id}`);
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const rows = await this.#db.all('SELECT * FROM sessions WHERE id = ?', [id]);
    return rows[0] ? sessionFromRow(rows[0]) : undefined;
  }

  async touchSession(id: string, lastSeenAt: number): Promise<void> {
    await this.#db.run('UPDATE sessions SET last_seen_at = ? WHERE id = ? AND ended_at IS NULL', [lastSeenAt, id]);
  }

  async listSessions(now: number, userId?: string): Promise<SessionRecord[]> {
    const params: SqlValue[] = [now];
    let sql = 'SELECT * FROM sessions WHERE ended_at IS NULL AND expires_at > ?';
    if (userId !== undefined) {
      sql += ' AND user_id = ?';
      params.push(userId);
    }
    return (await this.#db.all(`${sql} ORDER BY created_at, id`, params)).map(sessionFromRow);
  }

  async endSession(id: string, now: number, changes: NewChange[]): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const ended = await tx.run('UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL', [now, id]);
      if (ended.changes === 0) return false;
      await tx.run('UPDATE refresh_tokens SET revoked_at = ? WHERE session_id = ? AND revoked_at IS NULL', [now, id]);
      await this.#append(tx, changes);
      return true;
    });
  }

  async getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined> {
    const rows = await this.#db.all('SELECT doc FROM consents WHERE user_id = ? AND client_id = ?', [userId, clientId]);
    return rows[0] ? doc<ConsentRecord>(rows[0]) : undefined;
  }

  async saveConsent(consent: ConsentRecord): Promise<void> {
    await this.#db.run(
      'INSERT INTO consents (user_id, client_id, doc) VALUES (?, ?, ?) ON CONFLICT (user_id, client_id) DO UPDATE SET doc = excluded.doc',
      [consent.userId, consent.clientId, JSON.stringify(consent)],
    );
  }

  async insertAuthorizationCode(code: AuthorizationCodeRecord): Promise<void> {
    const inserted = await this.#db.run(
      'INSERT INTO authorization_codes (hash, expires_at, consumed_at, doc) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [code.hash, code.expiresAt, code.consumedAt, JSON.stringify(code)],
    );
    if (inserted.changes === 0) throw new DuplicateError('authorization code');
  }

  async consumeAuthorizationCode(hash: string, now: number): Promise<{ code: AuthorizationCodeRecord; firstUse: boolean } | undefined> {
    return this.#db.transaction(async (tx) => {
      const rows = await tx.all('SELECT * FROM authorization_codes WHERE hash = ?', [hash]);
      if (!rows[0]) return undefined;
      const code = codeFromRow(rows[0]);
      const updated = await tx.run('UPDATE authorization_codes SET consumed_at = ? WHERE hash = ? AND consumed_at IS NULL', [now, hash]);
      return { code, firstUse: updated.changes === 1 };
    });
  }

  async insertRefreshToken(token: RefreshTokenRecord): Promise<void> {
    await this.#insertRefresh(this.#db, token);
  }

  async #insertRefresh(executor: SqlExecutor, t: RefreshTokenRecord): Promise<void> {
    const inserted = await executor.run(
      `INSERT INTO refresh_tokens (hash, family_id, user_id, session_id, family_expires_at, consumed_at, revoked_at, grace_response, grace_until, doc)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [t.hash, t.familyId, t.userId, t.sessionId, t.familyExpiresAt, t.consumedAt, t.revokedAt, t.graceResponse, t.graceUntil, JSON.stringify(t)],
    );
    if (inserted.changes === 0) throw new DuplicateError('refresh token');
  }

  async getRefreshToken(hash: string): Promise<RefreshTokenRecord | undefined> {
    const rows = await this.#db.all('SELECT * FROM refresh_tokens WHERE hash = ?', [hash]);
    return rows[0] ? refreshFromRow(rows[0]) : undefined;
  }

  async rotateRefreshToken(
    hash: string,
    now: number,
    next: RefreshTokenRecord,
    grace: { response: string; until: number } | null,
  ): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const updated = await tx.run(
        'UPDATE refresh_tokens SET consumed_at = ?, grace_response = ?, grace_until = ? WHERE hash = ? AND consumed_at IS NULL AND revoked_at IS NULL',
        [now, grace?.response ?? null, grace?.until ?? null, hash],
      );
      if (updated.changes !== 1) return false;
      await this.#insertRefresh(tx, next);
      return true;
    });
  }

  async revokeRefreshFamily(familyId: string, now: number, changes: NewChange[]): Promise<number> {
    return this.#db.transaction(async (tx) => {
      if (this.#db.dialect === 'postgres') {
        // READ COMMITTED: an UPDATE that waits for the row a rotation is consuming re-checks only the rows
        // of its own snapshot, and misses the token that rotation inserts. Locking the family first makes
        // the UPDATE a later statement, whose snapshot includes what the rotation committed.
        await tx.all('SELECT hash FROM refresh_tokens WHERE family_id = ? FOR UPDATE', [familyId]);
      }
      const revoked = await tx.run('UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL', [now, familyId]);
      await this.#append(tx, changes);
      return revoked.changes;
    });
  }

  async insertDeviceCode(d: DeviceCodeRecord): Promise<void> {
    try {
      const inserted = await this.#db.run(
        `INSERT INTO device_codes (hash, user_code, expires_at, state, user_id, session_id, auth_time, last_polled_at, poll_interval, doc)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        [d.hash, d.userCode, d.expiresAt, d.state, d.userId, d.sessionId, d.authTime, d.lastPolledAt, d.interval, JSON.stringify(d)],
      );
      if (inserted.changes === 0) throw new DuplicateError('device code');
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateError('device code');
      throw error;
    }
  }

  async getDeviceCode(hash: string): Promise<DeviceCodeRecord | undefined> {
    const rows = await this.#db.all('SELECT * FROM device_codes WHERE hash = ?', [hash]);
    return rows[0] ? deviceFromRow(rows[0]) : undefined;
  }

  async findDeviceCodeByUserCode(userCode: string, now: number): Promise<DeviceCodeRecord | undefined> {
    const rows = await this.#db.all('SELECT * FROM device_codes WHERE user_code = ? AND expires_at > ?', [userCode, now]);
    return rows[0] ? deviceFromRow(rows[0]) : undefined;
  }

  async updateDeviceCode(
    hash: string,
    expected: { state: DeviceCodeRecord['state']; lastPolledAt?: number | null },
    update: Partial<Pick<DeviceCodeRecord, 'state' | 'userId' | 'sessionId' | 'authTime' | 'lastPolledAt' | 'interval'>>,
  ): Promise<boolean> {
    const columns: Record<string, string> = {
      state: 'state',
      userId: 'user_id',
      sessionId: 'session_id',
      authTime: 'auth_time',
      lastPolledAt: 'last_polled_at',
      interval: 'poll_interval',
    };
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const [field, value] of Object.entries(update)) {
      const column = columns[field];
      if (column === undefined || value === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(value as SqlValue);
    }
    if (sets.length === 0) return false;
    let where = 'hash = ? AND state = ?';
    params.push(hash, expected.state);
    if (expected.lastPolledAt !== undefined) {
      if (expected.lastPolledAt === null) where += ' AND last_polled_at IS NULL';
      else {
        where += ' AND last_polled_at = ?';
        params.push(expected.lastPolledAt);
      }
    }
    const updated = await this.#db.run(`UPDATE device_codes SET ${sets.join(', ')} WHERE ${where}`, params);
    return updated.changes === 1;
  }

  async pruneLogin(now: number): Promise<number> {
    return this.#db.transaction(async (tx) => {
      let removed = 0;
      removed += (await tx.run('DELETE FROM authorization_codes WHERE expires_at < ?', [now])).changes;
      removed += (await tx.run('DELETE FROM refresh_tokens WHERE family_expires_at < ?', [now])).changes;
      removed += (await tx.run('DELETE FROM device_codes WHERE expires_at < ?', [now])).changes;
      removed += (await tx.run('DELETE FROM sessions WHERE expires_at < ?', [now])).changes;
      return removed;
    });
  }
}
