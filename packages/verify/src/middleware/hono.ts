import type { MiddlewareHandler } from 'hono';
import type { TesseraClaims } from '../claims.js';
import { createAuthenticator, Rejection, type AuthOptions } from './bearer.js';

export type { AuthOptions } from './bearer.js';

/** The Hono environment requireAuth provides: `c.get('auth')` is the verified token's claims. */
export interface TesseraEnv {
  Variables: { auth: TesseraClaims };
}

/** Hono middleware: verifies the bearer token, sets `c.var.auth`, or answers with an RFC 6750 challenge. */
export function requireAuth(options: AuthOptions): MiddlewareHandler<TesseraEnv> {
  const authenticate = createAuthenticator(options);
  return async function tesseraAuth(c, next) {
    const outcome = await authenticate(c.req.header('authorization'), c.req.url);
    if (outcome instanceof Rejection) return c.body(outcome.body, outcome.status, outcome.headers);
    c.set('auth', outcome);
    await next();
  };
}
