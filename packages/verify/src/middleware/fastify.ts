import type { FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify';
import type { TesseraClaims } from '../claims.js';
import { createAuthenticator, Rejection, type AuthOptions, type AuthOutcome } from './bearer.js';

export type { AuthOptions } from './bearer.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified token's claims, set by requireAuth. */
    auth?: TesseraClaims;
  }
}

/**
 * Fastify preHandler hook: verifies the bearer token, sets `request.auth`, or answers with an RFC 6750
 * challenge. Use per route (`{ preHandler: requireAuth({ verifier, scopes }) }`) or with addHook.
 */
export function requireAuth(options: AuthOptions): preHandlerHookHandler {
  const authenticate = createAuthenticator(options);
  const finish = (outcome: AuthOutcome, request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void => {
    if (outcome instanceof Rejection) {
      reply.code(outcome.status).headers(outcome.headers).send(outcome.body);
      return;
    }
    request.auth = outcome;
    done();
  };
  return function tesseraAuth(request, reply, done) {
    const outcome = authenticate(request.headers.authorization, request.url);
    if (outcome instanceof Promise) outcome.then((result) => finish(result, request, reply, done), done);
    else finish(outcome, request, reply, done);
  };
}
