import type { NewChange } from '../model.js';
import type {
  AuthorizationCodeRecord,
  ConsentRecord,
  DeviceCodeRecord,
  RefreshTokenRecord,
  SessionRecord,
  UserRecord,
} from '../login/model.js';

/**
 * The part of the Store port used by the login features. Same rules as {@link Store}: facts only,
 * copies only, and every method that writes several things writes them in one transaction.
 */
export interface LoginStore {
  /** Creates a user. Rejects with DuplicateError if the id or the username (compared ignoring case) exists. Appends `changes`. */
  insertUser(user: UserRecord, changes: NewChange[]): Promise<void>;
  getUser(id: string): Promise<UserRecord | undefined>;
  /** The user whose username equals `username` ignoring case (Unicode NFKC, then lower case), or undefined. */
  findUserByUsername(username: string): Promise<UserRecord | undefined>;
  /** Every user, ordered by creation time then id. */
  listUsers(): Promise<UserRecord[]>;
  /**
   * Replaces the user (matched by id) and appends `changes`. When `endSessionsAt` is given, in the same
   * transaction every open session of the user is ended at that time and every refresh token of the
   * user is marked revoked. Resolves false (writing nothing) when there is no such user.
   */
  updateUser(user: UserRecord, changes: NewChange[], endSessionsAt?: number): Promise<boolean>;
  /**
   * Deletes the user, their consents and sessions, revokes their refresh tokens and appends `changes`,
   * in one transaction. Resolves false when there was no such user.
   */
  deleteUser(id: string, changes: NewChange[], now: number): Promise<boolean>;

  insertSession(session: SessionRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Sets lastSeenAt of an open session. */
  touchSession(id: string, lastSeenAt: number): Promise<void>;
  /** Open sessions (not ended, expiresAt > now), optionally of one user, ordered by creation time then id. */
  listSessions(now: number, userId?: string): Promise<SessionRecord[]>;
  /**
   * Ends one open session at `now`, marks every refresh token bound to it revoked and appends `changes`,
   * in one transaction. Resolves false (writing nothing) if it does not exist or had already ended.
   */
  endSession(id: string, now: number, changes: NewChange[]): Promise<boolean>;

  getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined>;
  /** Creates or replaces the consent of this user for this client. */
  saveConsent(consent: ConsentRecord): Promise<void>;

  insertAuthorizationCode(code: AuthorizationCodeRecord): Promise<void>;
  /**
   * Marks the code consumed at `now` if it was not consumed yet (a conditional update: of two
   * concurrent calls exactly one sees `firstUse: true`). Resolves with the record as it was before this
   * call, or undefined when no code has this hash.
   */
  consumeAuthorizationCode(hash: string, now: number): Promise<{ code: AuthorizationCodeRecord; firstUse: boolean } | undefined>;

  insertRefreshToken(token: RefreshTokenRecord): Promise<void>;
  getRefreshToken(hash: string): Promise<RefreshTokenRecord | undefined>;
  /**
   * Rotation, in one transaction: marks `hash` consumed at `now` (storing `grace` on it) only if it is
   * neither consumed nor revoked, and then inserts `next`. Resolves true when this call won; false
   * (writing nothing) when the token was already consumed or revoked, e.g. by a concurrent rotation.
   */
  rotateRefreshToken(
    hash: string,
    now: number,
    next: RefreshTokenRecord,
    grace: { response: string; until: number } | null,
  ): Promise<boolean>;
  /** Marks every refresh token of the family revoked at `now` and appends `changes`, in one transaction. Resolves with the number newly revoked. */
  revokeRefreshFamily(familyId: string, now: number, changes: NewChange[]): Promise<number>;

  insertDeviceCode(code: DeviceCodeRecord): Promise<void>;
  getDeviceCode(hash: string): Promise<DeviceCodeRecord | undefined>;
  /** The pending or decided device authorization with this normalised user code that has not expired at `now`. */
  findDeviceCodeByUserCode(userCode: string, now: number): Promise<DeviceCodeRecord | undefined>;
  /**
   * Conditional update: replaces the record's state, user, session, authTime, lastPolledAt and interval only if its
   * current state equals `expectedState` (and, when given, lastPolledAt equals `expectedLastPolledAt`).
   * Resolves true when it changed.
   */
  updateDeviceCode(
    hash: string,
    expected: { state: DeviceCodeRecord['state']; lastPolledAt?: number | null },
    update: Partial<Pick<DeviceCodeRecord, 'state' | 'userId' | 'sessionId' | 'authTime' | 'lastPolledAt' | 'interval'>>,
  ): Promise<boolean>;

  /** Deletes codes, refresh tokens, device codes and sessions that expired before `now`. Resolves with the number removed. */
  pruneLogin(now: number): Promise<number>;
}
