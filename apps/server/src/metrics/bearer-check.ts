import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether an Authorization header carries `Bearer <secret>`. Both sides are hashed first, so the
 * comparison is constant-time and its duration says nothing about the secret's length or prefix.
 */
export function bearerCheck(secret: string): (authorization: string | undefined) => boolean {
  const expected = digest(secret);
  return (authorization) => {
    if (authorization === undefined || authorization.length > 1024) return false;
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
  };
}
