import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { bearerCheck } from './bearer-check.js';

export const METRICS_PATH = '/metrics';

/**
 * GET /metrics in the Prometheus text format. With a token, only `Authorization: Bearer <token>` is
 * answered; anyone else gets 401 (with a challenge) and learns nothing, not even metric names.
 */
export function registerMetricsRoute(app: FastifyInstance, registry: Registry, token: string | undefined): void {
  const allowed = token === undefined ? () => true : bearerCheck(token);
  app.get(METRICS_PATH, async (request, reply) => {
    if (!allowed(request.headers.authorization)) {
      return reply
        .code(401)
        .headers({ 'cache-control': 'no-store', 'www-authenticate': 'Bearer realm="tessera-metrics"', 'content-type': 'application/json; charset=utf-8' })
        .send('{"error":"invalid_token"}');
    }
    const body = await registry.metrics();
    return reply.headers({ 'cache-control': 'no-store', 'content-type': registry.contentType }).send(body);
  });
}
