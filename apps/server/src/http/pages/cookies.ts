import { randomBytes, timingSafeEqual } from 'node:crypto';

/** Parses a Cookie header into name → value (first occurrence wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export interface CookieNames {
  session: string;
  csrf: string;
  secure: boolean;
}

/** `__Host-` names (Secure, Path=/, no Domain) whenever the issuer is https. */
export function cookieNames(issuer: string): CookieNames {
  const secure = issuer.startsWith('https:');
  return secure
    ? { session: '__Host-tessera_session', csrf: '__Host-tessera_csrf', secure }
    : { session: 'tessera_session', csrf: 'tessera_csrf', secure };
}

export function serializeCookie(name: string, value: string, options: { secure: boolean; maxAge?: number }): string {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax'];
  if (options.secure) parts.push('Secure');
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  return parts.join('; ');
}

const CSRF = /^[A-Za-z0-9_-]{43}$/;

export const newCsrfToken = (): string => randomBytes(32).toString('base64url');
export const isCsrfToken = (value: string | undefined): value is string => value !== undefined && CSRF.test(value);

/** Double-submit check: the form's token equals the cookie's, compared in constant time. */
export function csrfMatches(cookie: string | undefined, field: unknown): boolean {
  if (!isCsrfToken(cookie) || typeof field !== 'string' || !isCsrfToken(field)) return false;
  return timingSafeEqual(Buffer.from(cookie), Buffer.from(field));
}
