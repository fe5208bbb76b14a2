import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TesseraClaims } from '../claims.js';
import { createAuthenticator, Rejection, type AuthOptions } from './bearer.js';

export type { AuthOptions } from './bearer.js';

/**
 * For a plain node:http server: resolves to the verified token's claims, or — after answering the request
 * with an RFC 6750 challenge — to undefined, in which case the handler just returns.
 *
 *   const auth = requireAuth({ verifier });
 *   const claims = await auth(req, res);
 *   if (!claims) return;
 */
export function requireAuth(options: AuthOptions): (req: IncomingMessage, res: ServerResponse) => Promise<TesseraClaims | undefined> {
  const authenticate = createAuthenticator(options);
  return async function tesseraAuth(req, res) {
    const outcome = await authenticate(req.headers.authorization, req.url);
    if (!(outcome instanceof Rejection)) return outcome;
    res.writeHead(outcome.status, outcome.headers).end(outcome.body);
    return undefined;
  };
}
