import { randomBytes } from 'node:crypto';
import { ValidationError } from '../admin/client-input.js';
import type { EventSink, RequestContext } from '../audit/events.js';
import type { Clock } from '../clock.js';
import type { UserRecord } from '../login/model.js';
import type { PasswordHasher } from '../login/password-hasher.js';
import { checkUsername } from '../login/username.js';
import type { NewChange } from '../model.js';
import type { Store } from '../ports/store.js';
import { DuplicateError } from '../ports/store.js';

export interface UserAdminDeps {
  store: Store;
  clock: Clock;
  events: EventSink;
  hasher: PasswordHasher;
  /** Hard maximum access-token lifetime (seconds): how long a subject watermark must be remembered. */
  maxAccessTokenTtl: number;
}

export interface NewUserInput {
  username: string;
  email?: string | null;
  name?: string | null;
  password?: string | null;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;

function checkEmail(email: string | null | undefined): string | null {
  if (email === undefined || email === null || email === '') return null;
  if (!EMAIL.test(email)) throw new ValidationError(`"${email}" is not an email address`);
  return email;
}

function checkPassword(password: string): string {
  if ([...password].length < MIN_PASSWORD_LENGTH) throw new ValidationError(`password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (password.length > MAX_PASSWORD_LENGTH) throw new ValidationError(`password must be at most ${MAX_PASSWORD_LENGTH} characters`);
  return password;
}

/** "Every token of this subject issued before now is revoked", remembered as long as such a token can live. */
export function subjectWatermark(userId: string, now: number, maxAccessTokenTtl: number): NewChange {
  return { kind: 'revoke.subject', target: userId, createdAt: now, expiresAt: now + maxAccessTokenTtl * 1000 + 60_000 };
}

/** The user with this id or username; ValidationError when there is none. */
export async function findUser(deps: Pick<UserAdminDeps, 'store'>, idOrUsername: string): Promise<UserRecord> {
  const user = idOrUsername.startsWith('tu_') ? await deps.store.getUser(idOrUsername) : undefined;
  const found = user ?? (await deps.store.findUserByUsername(idOrUsername));
  if (!found) throw new ValidationError(`no user "${idOrUsername}"`);
  return found;
}

export async function createUser(deps: UserAdminDeps, input: NewUserInput): Promise<UserRecord> {
  const username = checkUsername(input.username ?? '');
  const email = checkEmail(input.email);
  const name = input.name?.trim() ? input.name.trim().slice(0, 200) : null;
  const passwordHash = input.password ? await deps.hasher.hash(checkPassword(input.password)) : null;
  const now = deps.clock.now();
  const user: UserRecord = {
    id: `tu_${randomBytes(12).toString('base64url')}`,
    username,
    email,
    name,
    passwordHash,
    disabled: false,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await deps.store.insertUser(user, []);
  } catch (error) {
    if (error instanceof DuplicateError) throw new ValidationError(`a user named "${username}" already exists`);
    throw error;
  }
  deps.events.emit({ type: 'user.created', time: now, subject: user.id, outcome: 'success' });
  return user;
}

/** Sets a new password. Existing sessions and tokens stay unless `logout` is true. */
export async function setUserPassword(deps: UserAdminDeps, idOrUsername: string, password: string, logout = false): Promise<UserRecord> {
  const user = await findUser(deps, idOrUsername);
  const passwordHash = await deps.hasher.hash(checkPassword(password));
  const now = deps.clock.now();
  const updated = { ...user, passwordHash, updatedAt: now };
  const changes = logout ? [subjectWatermark(user.id, now, deps.maxAccessTokenTtl)] : [];
  await deps.store.updateUser(updated, changes, logout ? now : undefined);
  deps.events.emit({ type: 'user.changed', time: now, subject: user.id, change: 'password_set', outcome: 'success' });
  return updated;
}

/** Disables the user: no more logins, every session ends, and every token is revoked at once (subject watermark). */
export async function disableUser(deps: UserAdminDeps, idOrUsername: string): Promise<UserRecord> {
  const user = await findUser(deps, idOrUsername);
  const now = deps.clock.now();
  const updated = { ...user, disabled: true, updatedAt: now };
  await deps.store.updateUser(updated, [subjectWatermark(user.id, now, deps.maxAccessTokenTtl)], now);
  deps.events.emit({ type: 'user.changed', time: now, subject: user.id, change: 'disabled', outcome: 'success' });
  return updated;
}

/** Enables the user again; tokens revoked while disabled stay revoked. */
export async function enableUser(deps: UserAdminDeps, idOrUsername: string): Promise<UserRecord> {
  const user = await findUser(deps, idOrUsername);
  const now = deps.clock.now();
  const updated = { ...user, disabled: false, updatedAt: now };
  await deps.store.updateUser(updated, []);
  deps.events.emit({ type: 'user.changed', time: now, subject: user.id, change: 'enabled', outcome: 'success' });
  return updated;
}

/** "Log out everywhere": ends every session of the user and revokes every token, without disabling the account. */
export async function logoutUser(deps: UserAdminDeps, idOrUsername: string): Promise<UserRecord> {
  const user = await findUser(deps, idOrUsername);
  const now = deps.clock.now();
  await deps.store.updateUser(user, [subjectWatermark(user.id, now, deps.maxAccessTokenTtl)], now);
  deps.events.emit({ type: 'user.changed', time: now, subject: user.id, change: 'logged_out', outcome: 'success' });
  return user;
}

/** Deletes the user, their sessions and consents, and revokes every token. */
export async function deleteUser(deps: UserAdminDeps, idOrUsername: string): Promise<UserRecord> {
  const user = await findUser(deps, idOrUsername);
  const now = deps.clock.now();
  await deps.store.deleteUser(user.id, [subjectWatermark(user.id, now, deps.maxAccessTokenTtl)], now);
  deps.events.emit({ type: 'user.deleted', time: now, subject: user.id, outcome: 'success' });
  return user;
}

/** Ends one session (admin): its refresh tokens are revoked and its access tokens die via the session watermark. */
export async function revokeSession(
  deps: UserAdminDeps,
  sessionId: string,
  endedBy: 'logout' | 'admin' = 'admin',
  context: RequestContext = {},
): Promise<boolean> {
  const now = deps.clock.now();
  const session = await deps.store.getSession(sessionId);
  const ended = await deps.store.endSession(sessionId, now, [sessionWatermark(sessionId, now, deps.maxAccessTokenTtl)]);
  if (ended) {
    deps.events.emit({
      type: 'session.ended',
      time: now,
      sessionId,
      subject: session?.userId,
      ip: context.ip,
      userAgent: context.userAgent,
      endedBy,
      outcome: 'success',
    });
  }
  return ended;
}

export function sessionWatermark(sessionId: string, now: number, maxAccessTokenTtl: number): NewChange {
  return { kind: 'revoke.session', target: sessionId, createdAt: now, expiresAt: now + maxAccessTokenTtl * 1000 + 60_000 };
}
