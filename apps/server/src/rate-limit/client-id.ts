import { reportedClientId } from '@tessera/core';

/**
 * The client id a request claims, before anyone checked it: from HTTP Basic (RFC 6749 §2.3.1, form-
 * encoded) or the `client_id` form parameter, as reportedClientId records it (the bucket key, and the
 * id in rate-limit events and in a detector's throttle).
 */
export function claimedClientId(authorization: string | undefined, body: unknown): string | undefined {
  const raw = presentedClientId(authorization, body);
  return raw === undefined ? undefined : reportedClientId(raw);
}

function presentedClientId(authorization: string | undefined, body: unknown): string | undefined {
  if (authorization !== undefined && authorization.length > 6 && authorization.slice(0, 6).toLowerCase() === 'basic ') {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const raw = colon < 0 ? decoded : decoded.slice(0, colon);
    if (!raw.includes('%') && !raw.includes('+')) return raw.slice(0, 200);
    try {
      return decodeURIComponent(raw.replace(/\+/g, ' ')).slice(0, 200);
    } catch {
      return raw.slice(0, 200);
    }
  }
  if (typeof body === 'object' && body !== null) {
    const value = (body as Record<string, unknown>)['client_id'];
    if (typeof value === 'string') return value.slice(0, 200);
  }
  return undefined;
}
