import { OAuthError, type AuthServer } from '@tessera/core';
import type { FastifyInstance } from 'fastify';
import { sendOAuthError } from './errors.js';

const HEADERS = { 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' };

/**
 * GET /healthz: the process is alive and its event loop answers (nothing else is checked, so a
 * database outage never gets a healthy instance restarted).
 * GET /readyz: the engine's `ready()` — the store answers a query and signing keys are loaded; 503
 * `temporarily_unavailable` otherwise, so a load balancer stops sending traffic to this instance.
 */
export function registerHealthRoutes(app: FastifyInstance, auth: AuthServer): void {
  app.get('/healthz', (_request, reply) => {
    reply.headers(HEADERS).send('{"status":"ok"}');
  });
  app.get('/readyz', async (_request, reply) => {
    if (!(await auth.ready())) return sendOAuthError(reply, new OAuthError('temporarily_unavailable', 'the server is not ready'));
    return reply.headers(HEADERS).send('{"status":"ready"}');
  });
}
