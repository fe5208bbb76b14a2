import { isOAuthError } from '@tessera/core';
import type { FastifyError, FastifyInstance, RouteOptions } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Seconds. From a cached-token introspection (well under a millisecond) to an argon2id login. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

type Hook = (...args: never[]) => unknown;

const withHook = (existing: unknown, hook: Hook): Hook[] =>
  existing === undefined ? [hook] : Array.isArray(existing) ? [...(existing as Hook[]), hook] : [existing as Hook, hook];

/** The RFC 6749 code the error handler will answer with (errors.ts): OAuth errors as they are, client mistakes as invalid_request. */
function errorCode(error: FastifyError | Error): string {
  if (isOAuthError(error)) return error.code;
  const status = (error as FastifyError).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? 'invalid_request' : 'server_error';
}

/**
 * Request latency per route pattern (never the raw URL) and errors by RFC 6749 code per route. Call
 * before any route is added: each route gets its own onResponse and onError hooks closed over its
 * pre-bound metric children, so a request costs one histogram observation and no lookups.
 */
export function instrumentRoutes(app: FastifyInstance, registry: Registry): void {
  const duration = new Histogram({
    name: 'tessera_http_request_duration_seconds',
    help: 'Time from request received to response sent, by method and route pattern.',
    labelNames: ['method', 'route'],
    buckets: BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'tessera_http_errors_total',
    help: 'Error responses by route pattern and RFC 6749 (or RFC 6750, RFC 8628) error code.',
    labelNames: ['route', 'code'],
    registers: [registry],
  });
  // Rate-limit refusals are answered directly (not thrown), so they are counted by status here.
  const limited = new Counter({
    name: 'tessera_http_rate_limited_total',
    help: 'Requests refused with 429 Too Many Requests, by route pattern.',
    labelNames: ['route'],
    registers: [registry],
  });

  app.addHook('onRoute', (route: RouteOptions) => {
    const method = Array.isArray(route.method) ? route.method.join(',') : route.method;
    const timer = duration.labels(method, route.url);
    const byCode = new Map<string, Counter.Internal>();
    let refused: Counter.Internal | undefined;
    const options = route as unknown as Record<string, unknown>;
    options['onResponse'] = withHook(options['onResponse'], (_request: unknown, reply: { elapsedTime: number; statusCode: number }, done: () => void) => {
      timer.observe(reply.elapsedTime / 1000);
      if (reply.statusCode === 429) (refused ??= limited.labels(route.url)).inc();
      done();
    });
    options['onError'] = withHook(options['onError'], (_request: unknown, _reply: unknown, error: FastifyError, done: () => void) => {
      const code = errorCode(error);
      let child = byCode.get(code);
      if (child === undefined) {
        child = errors.labels(route.url, code);
        byCode.set(code, child);
      }
      child.inc();
      done();
    });
  });
}
