import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { registerMetricsRoute } from './metrics-route.js';

export interface MetricsListener {
  /** e.g. http://127.0.0.1:9464/metrics */
  url: string;
  close(): Promise<void>;
}

/** A listener of its own for /metrics (TESSERA_METRICS_PORT), so the public port never serves it. */
export async function startMetricsListener(
  registry: Registry,
  options: { host: string; port: number; token: string | undefined; logger: Logger },
): Promise<MetricsListener> {
  const app = Fastify({ loggerInstance: options.logger.child({ component: 'metrics' }) as FastifyBaseLogger, disableRequestLogging: true });
  registerMetricsRoute(app, registry, options.token);
  app.setNotFoundHandler((_request, reply) => reply.code(404).type('application/json; charset=utf-8').send('{"error":"not_found"}'));
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (error) {
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${host}:${port}/metrics`, close: () => app.close() };
}
