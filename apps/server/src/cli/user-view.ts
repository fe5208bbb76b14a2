import type { SessionRecord, UserRecord } from '@tessera/core';

/** A user as shown to operators: never the password hash. */
export function userView(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    name: user.name,
    status: user.disabled ? 'disabled' : 'enabled',
    hasPassword: user.passwordHash !== null,
    createdAt: new Date(user.createdAt).toISOString(),
    updatedAt: new Date(user.updatedAt).toISOString(),
  };
}

export function describeUser(user: UserRecord): string {
  return [
    `user_id:   ${user.id}`,
    `username:  ${user.username}`,
    `email:     ${user.email ?? '(none)'}`,
    `name:      ${user.name ?? '(none)'}`,
    `status:    ${user.disabled ? 'disabled' : 'enabled'}`,
    `password:  ${user.passwordHash === null ? 'not set (cannot log in)' : 'set'}`,
    `created:   ${new Date(user.createdAt).toISOString()}`,
  ].join('\n');
}

export function sessionView(session: SessionRecord, username?: string): Record<string, unknown> {
  return {
    id: session.id,
    userId: session.userId,
    ...(username === undefined ? {} : { username }),
    authTime: new Date(session.authTime).toISOString(),
    lastSeenAt: new Date(session.lastSeenAt).toISOString(),
    expiresAt: new Date(session.expiresAt).toISOString(),
    ip: session.ip,
    userAgent: session.userAgent,
  };
}
