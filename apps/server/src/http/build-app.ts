import { OAuthError, type AuthServer, type EndpointRequest } from '@tessera/core';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { handleError } from './errors.js';
import { parseFormBody } from './form-body.js';
import { registerRevocationRoutes, type RevocationStreamOptions } from './revocation-routes.js';
import { registerLoginRoutes } from './authorize-routes.js';
import { registerDeviceRoutes } from './device-routes.js';
import { answerClientError } from './client-error.js';
import { registerHealthRoutes } from './health-routes.js';
import { lazyRequestLogger } from './lazy-request-logger.js';
import { echoRequestId, requestId } from './request-id.js';
import { registerMetricsRoute } from '../metrics/metrics-route.js';
import type { TesseraMetrics } from '../metrics/tessera-metrics.js';
import { registerRateLimits } from '../rate-limit/register.js';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';

export interface HttpOptions {
  logger: Logger;
  /** Largest accepted request body in bytes. */
  bodyLimit: number;
  /** Time a client has to send a whole request (TESSERA_REQUEST_TIMEOUT). */
  requestTimeoutMs: number;
  /** Trust X-Forwarded-For from a reverse proxy when deciding the client IP. */
  trustProxy: boolean;
  /** Heartbeat and concurrency bounds of GET /revocations/stream. */
  revocationStream?: RevocationStreamOptions;
  /** Token-bucket limits on /token, /introspect, /revoke, login and device entry (docs/rate-limiting.md). */
  rateLimiter?: RateLimiter;
  /** Latency and error metrics for every route; `publicToken` also serves /metrics here behind that bearer token. */
  metrics?: { metrics: TesseraMetrics; publicToken?: string | undefined };
}

const FORM = 'application/x-www-form-urlencoded';

function endpointRequest(request: FastifyRequest): EndpointRequest {
  const params = request.body;
  if (params === undefined || params === null) {
    throw new OAuthError('invalid_request', `the request body must be ${FORM}`, { status: 415 });
  }
  return {
    params: params as EndpointRequest['params'],
    authorization: request.headers.authorization,
    context: { ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id },
  };
}

/** The HTTP binding: each route maps onto one core function and nothing more. */
export function buildApp(auth: AuthServer, options: HttpOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    // Per-request access lines only when debugging: at info level they would cost a fifth of the throughput.
    logController: new LogController({ disableRequestLogging: !options.logger.isLevelEnabled('debug') }),
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy,
    requestIdHeader: false,
    genReqId: requestId,
    childLoggerFactory: lazyRequestLogger,
    return503OnClosing: true,
    // A client that trickles its request (slowloris) is cut off instead of holding a socket forever.
    // Node checks the deadline only every connectionsCheckingInterval (30 s by default, which let a
    // stalled body live up to ~85 s): check every second so the timeout means what it says.
    requestTimeout: options.requestTimeoutMs,
    http: { connectionsCheckingInterval: 1_000, headersTimeout: options.requestTimeoutMs },
    clientErrorHandler: answerClientError,
  });

  options.metrics?.metrics.instrument(app);
  // Before any route is declared: it attaches itself to the limited routes as they are added.
  if (options.rateLimiter) registerRateLimits(app, options.rateLimiter);
  echoRequestId(app);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(FORM, { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseFormBody(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).header('cache-control', 'no-store').type('application/json; charset=utf-8').send('{"error":"not_found"}'),
  );

  const json = 'application/json; charset=utf-8';
  const noStore = { 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': json };

  app.post('/token', async (request, reply) => {
    const response = await auth.token(endpointRequest(request));
    return reply.headers(noStore).send(JSON.stringify(response));
  });

  app.post('/introspect', async (request, reply) => {
    const body = await auth.introspect(endpointRequest(request));
    return reply.headers(noStore).send(body);
  });

  app.post('/revoke', async (request, reply) => {
    await auth.revoke(endpointRequest(request));
    return reply.headers(noStore).send('');
  });

  const jwksCache = `public, max-age=${auth.config.jwksMaxAge}`;
  app.get('/jwks', (_request, reply) => {
    reply.headers({ 'cache-control': jwksCache, 'content-type': 'application/jwk-set+json; charset=utf-8' }).send(auth.jwksJson());
  });
  for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    app.get(path, (_request, reply) => {
      reply.headers({ 'cache-control': 'public, max-age=300', 'content-type': json }).send(auth.metadataJson());
    });
  }

  registerRevocationRoutes(app, auth, options.revocationStream);
  registerLoginRoutes(app, auth);
  registerDeviceRoutes(app, auth, endpointRequest);
  registerHealthRoutes(app, auth);
  if (options.metrics?.publicToken !== undefined) registerMetricsRoute(app, options.metrics.metrics.registry, options.metrics.publicToken);

  return app;
}
