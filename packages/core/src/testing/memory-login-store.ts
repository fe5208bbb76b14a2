import type {
  AuthorizationCodeRecord,
  ConsentRecord,
  DeviceCodeRecord,
  RefreshTokenRecord,
  SessionRecord,
  UserRecord,
} from '../login/model.js';
import { usernameKey } from '../login/username.js';
import type { NewChange } from '../model.js';
import type { LoginStore } from '../ports/login-store.js';
import { DuplicateError } from '../ports/store.js';
import { MemoryAuditStore } from './memory-audit-store.js';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The login half of MemoryStore (see ports/login-store.ts); MemoryStore supplies the change log. Extends the audit half. */
export abstract class MemoryLoginStore extends MemoryAuditStore implements LoginStore {
  readonly #users = new Map<string, UserRecord>();
  readonly #sessions = new Map<string, SessionRecord>();
  readonly #consents = new Map<string, ConsentRecord>();
  readonly #codes = new Map<string, AuthorizationCodeRecord>();
  readonly #refresh = new Map<string, RefreshTokenRecord>();
  readonly #devices = new Map<string, DeviceCodeRecord>();

  protected abstract appendNow(changes: NewChange[]): void;
  protected abstract override assertOpen(): void;

  #endUserSessions(userId: string, now: number): void {
    for (const s of this.#sessions.values()) if (s.userId === userId && s.endedAt === null) s.endedAt = now;
    for (const t of this.#refresh.values()) if (t.userId === userId && t.revokedAt === null) t.revokedAt = now;
  }

  async insertUser(user: UserRecord, changes: NewChange[]): Promise<void> {
    this.assertOpen();
    const key = usernameKey(user.username);
    if (this.#users.has(user.id) || [...this.#users.values()].some((u) => usernameKey(u.username) === key)) {
      throw new DuplicateError(`user ${user.username}`);
    }
    this.#users.set(user.id, copy(user));
    this.appendNow(changes);
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    this.assertOpen();
    const user = this.#users.get(id);
    return user && copy(user);
  }

  async findUserByUsername(username: string): Promise<UserRecord | undefined> {
    this.assertOpen();
    const key = usernameKey(username);
    const user = [...this.#users.values()].find((u) => usernameKey(u.username) === key);
    return user && copy(user);
  }

  async listUsers(): Promise<UserRecord[]> {
    this.assertOpen();
    return copy([...this.#users.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)));
  }

  async updateUser(user: UserRecord, changes: NewChange[], endSessionsAt?: number): Promise<boolean> {
    this.assertOpen();
    const key = usernameKey(user.username);
    if (!this.#users.has(user.id)) return false;
    if ([...this.#users.values()].some((u) => u.id !== user.id && usernameKey(u.username) === key)) {
      throw new DuplicateError(`user ${user.username}`);
    }
    this.#users.set(user.id, copy(user));
    if (endSessionsAt !== undefined) this.#endUserSessions(user.id, endSessionsAt);
    this.appendNow(changes);
    return true;
  }

  async deleteUser(id: string, changes: NewChange[], now: number): Promise<boolean> {
    this.assertOpen();
    if (!this.#users.delete(id)) return false;
    this.#endUserSessions(id, now);
    for (const [key, c] of this.#consents) if (c.userId === id) this.#consents.delete(key);
    this.appendNow(changes);
    return true;
  }

  async insertSession(session: SessionRecord): Promise<void> {
    this.assertOpen();
    if (this.#sessions.has(session.id)) throw new DuplicateError(`session ${session.id}`);
    this.#sessions.set(session.id, copy(session));
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    this.assertOpen();
    const s = this.#sessions.get(id);
    return s && copy(s);
  }

  async touchSession(id: string, lastSeenAt: number): Promise<void> {
    this.assertOpen();
    const s = this.#sessions.get(id);
    if (s && s.endedAt === null) s.lastSeenAt = lastSeenAt;
  }

  async listSessions(now: number, userId?: string): Promise<SessionRecord[]> {
    this.assertOpen();
    const open = [...this.#sessions.values()].filter(
      (s) => s.endedAt === null && s.expiresAt > now && (userId === undefined || s.userId === userId),
    );
    return copy(open.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)));
  }

  async endSession(id: string, now: number, changes: NewChange[]): Promise<boolean> {
    this.assertOpen();
    const s = this.#sessions.get(id);
    if (!s || s.endedAt !== null) return false;
    s.endedAt = now;
    for (const t of this.#refresh.values()) if (t.sessionId === id && t.revokedAt === null) t.revokedAt = now;
    this.appendNow(changes);
    return true;
  }

  async getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined> {
    this.assertOpen();
    const c = this.#consents.get(`${userId}\u0000${clientId}`);
    return c && copy(c);
  }

  async saveConsent(consent: ConsentRecord): Promise<void> {
    this.assertOpen();
    this.#consents.set(`${consent.userId}\u0000${consent.clientId}`, copy(consent));
  }

  async insertAuthorizationCode(code: AuthorizationCodeRecord): Promise<void> {
    this.assertOpen();
    if (this.#codes.has(code.hash)) throw new DuplicateError('authorization code');
    this.#codes.set(code.hash, copy(code));
  }

  async consumeAuthorizationCode(hash: string, now: number): Promise<{ code: AuthorizationCodeRecord; firstUse: boolean } | undefined> {
    this.assertOpen();
    const code = this.#codes.get(hash);
    if (!code) return undefined;
    const before = copy(code);
    if (code.consumedAt !== null) return { code: before, firstUse: false };
    code.consumedAt = now;
    return { code: before, firstUse: true };
  }

  async insertRefreshToken(token: RefreshTokenRecord): Promise<void> {
    this.assertOpen();
    if (this.#refresh.has(token.hash)) throw new DuplicateError('refresh token');
    this.#refresh.set(token.hash, copy(token));
  }

  async getRefreshToken(hash: string): Promise<RefreshTokenRecord | undefined> {
    this.assertOpen();
    const t = this.#refresh.get(hash);
    return t && copy(t);
  }

  async rotateRefreshToken(
    hash: string,
    now: number,
    next: RefreshTokenRecord,
    grace: { response: string; until: number } | null,
  ): Promise<boolean> {
    this.assertOpen();
    const t = this.#refresh.get(hash);
    if (!t || t.consumedAt !== null || t.revokedAt !== null) return false;
    if (this.#refresh.has(next.hash)) throw new DuplicateError('refresh token');
    t.consumedAt = now;
    t.graceResponse = grace?.response ?? null;
    t.graceUntil = grace?.until ?? null;
    this.#refresh.set(next.hash, copy(next));
    return true;
  }

  async revokeRefreshFamily(familyId: string, now: number, changes: NewChange[]): Promise<number> {
    this.assertOpen();
    let count = 0;
    for (const t of this.#refresh.values()) {
      if (t.familyId === familyId && t.revokedAt === null) {
        t.revokedAt = now;
        count++;
      }
    }
    this.appendNow(changes);
    return count;
  }

  async insertDeviceCode(code: DeviceCodeRecord): Promise<void> {
    this.assertOpen();
    if (this.#devices.has(code.hash)) throw new DuplicateError('device code');
    if ([...this.#devices.values()].some((d) => d.userCode === code.userCode)) throw new DuplicateError('user code');
    this.#devices.set(code.hash, copy(code));
  }

  async getDeviceCode(hash: string): Promise<DeviceCodeRecord | undefined> {
    this.assertOpen();
    const d = this.#devices.get(hash);
    return d && copy(d);
  }

  async findDeviceCodeByUserCode(userCode: string, now: number): Promise<DeviceCodeRecord | undefined> {
    this.assertOpen();
    const d = [...this.#devices.values()].find((x) => x.userCode === userCode && x.expiresAt > now);
    return d && copy(d);
  }

  async updateDeviceCode(
    hash: string,
    expected: { state: DeviceCodeRecord['state']; lastPolledAt?: number | null },
    update: Partial<Pick<DeviceCodeRecord, 'state' | 'userId' | 'sessionId' | 'authTime' | 'lastPolledAt' | 'interval'>>,
  ): Promise<boolean> {
    this.assertOpen();
    const d = this.#devices.get(hash);
    if (!d || d.state !== expected.state) return false;
    if (expected.lastPolledAt !== undefined && d.lastPolledAt !== expected.lastPolledAt) return false;
    Object.assign(d, copy(update));
    return true;
  }

  async pruneLogin(now: number): Promise<number> {
    this.assertOpen();
    let removed = 0;
    const drop = <T>(map: Map<string, T>, expired: (v: T) => boolean): void => {
      for (const [k, v] of map) {
        if (expired(v)) {
          map.delete(k);
          removed++;
        }
      }
    };
    drop(this.#codes, (c) => c.expiresAt < now);
    drop(this.#refresh, (t) => t.familyExpiresAt < now);
    drop(this.#devices, (d) => d.expiresAt < now);
    drop(this.#sessions, (s) => s.expiresAt < now);
    return removed;
  }
}
