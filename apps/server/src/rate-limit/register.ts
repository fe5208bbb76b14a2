import { OAuthError } from '@tessera/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, onErrorHookHandler, preHandlerHookHandler } from 'fastify';
import { claimedClientId } from './client-id.js';
import type { LimitedRoute, RateLimiter } from './rate-limiter.js';
import { sendRefusal } from './refusal.js';

/** The limited routes (method + URL). Everything else — JWKS, metadata, health — is never limited. */
export const LIMITED_ROUTES: Record<string, LimitedRoute> = {
  'POST /token': { endpoint: 'token', kind: 'oauth' },
  'POST /introspect': { endpoint: 'introspect', kind: 'oauth' },
  'POST /revoke': { endpoint: 'revoke', kind: 'oauth' },
  'POST /login': { endpoint: 'login', kind: 'form' },
  'POST /device': { endpoint: 'device', kind: 'form' },
  'POST /device/login': { endpoint: 'device', kind: 'form' },
};

const CHARGED = Symbol('tessera.rateLimitClient');
type Charged = FastifyRequest & { [CHARGED]?: string };

function prepend<T>(existing: T | T[] | undefined, hook: T): T[] {
  return [hook, ...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing])];
}

/**
 * Attaches the limiter to the limited routes as they are declared (call before any route): a
 * preHandler (the body is parsed by then, so `client_id` in the form counts) and, on OAuth routes, an
 * onError hook that refunds the client bucket when client authentication failed (a 401 OAuthError).
 * onError runs only for failed requests, so a successful one pays for no second hook.
 */
export function registerRateLimits(app: FastifyInstance, limiter: RateLimiter): void {
  app.addHook('onRoute', (options) => {
    const methods = Array.isArray(options.method) ? options.method : [options.method];
    for (const method of methods) {
      const limited = LIMITED_ROUTES[`${method} ${options.url}`];
      if (!limited) continue;
      const route = limiter.bind(limited);
      const check: preHandlerHookHandler = function (request: FastifyRequest, reply: FastifyReply, done) {
        const clientId = route.kind === 'oauth' ? claimedClientId(request.headers.authorization, request.body) : undefined;
        const refusal = limiter.check(route, request.ip, clientId, { userAgent: request.headers['user-agent'] });
        if (refusal) {
          sendRefusal(request, reply, route, refusal);
          return;
        }
        if (clientId !== undefined) (request as Charged)[CHARGED] = clientId;
        done();
      };
      options.preHandler = prepend(options.preHandler, check);
      if (route.kind === 'oauth') {
        const refund: onErrorHookHandler = function (request, _reply, error, done) {
          const clientId = (request as Charged)[CHARGED];
          if (clientId !== undefined && error instanceof OAuthError && error.status === 401) limiter.refundClient(route, clientId);
          done();
        };
        options.onError = prepend(options.onError, refund);
      }
    }
  });
}
