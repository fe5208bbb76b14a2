import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * A caller's (or proxy's) id is kept only when it is short and plain: letters, digits, `.`, `_`, `:`, `-`,
 * 1 to 40 characters. Long enough for a UUID, a W3C trace id or a ULID; too short for a client secret,
 * refresh token or JWT to be carried into the logs this way; and nothing a log viewer could mistake for markup.
 */
const WELL_FORMED = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,39}$/;

/** Fastify's `genReqId`: the incoming X-Request-Id when well-formed, else a fresh UUID. */
export function requestId(request: IncomingMessage): string {
  const incoming = request.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : randomUUID();
}

/** Returns the request id to the caller on every response, so a report can be matched to the log lines. */
export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
