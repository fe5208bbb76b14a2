import { OAuthError, parseFeedParams, type AuthServer, type EndpointRequest, type RevocationFeedPage, type RevocationFeedReader } from '@tessera/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FeedStream } from './revocation-stream.js';

export interface RevocationStreamOptions {
  /** Milliseconds between SSE heartbeat comments on an idle stream. Default 15000. */
  heartbeatMs?: number;
  /** Streams served at once by this process; more are refused with 503 and Retry-After. Default 1000. */
  maxStreams?: number;
}

/** A page built for one cursor is shared by every stream asking for that cursor until the next change (or 1 s). */
const PAGE_REUSE_MS = 1000;

/** Only the feed's own parameters are read from the query: client credentials never travel in a URL. */
function feedRequest(request: FastifyRequest, params: EndpointRequest['params']): EndpointRequest {
  return {
    params,
    authorization: request.headers.authorization,
    context: { ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id },
  };
}

function queryParam(request: FastifyRequest, name: string): string | readonly string[] | undefined {
  const value = (request.query as Record<string, string | string[] | undefined> | undefined)?.[name];
  return value;
}

function pick(request: FastifyRequest, names: string[]): EndpointRequest['params'] {
  const params: Record<string, string | readonly string[]> = {};
  for (const name of names) {
    const value = queryParam(request, name);
    if (value !== undefined) params[name] = value;
  }
  return params;
}

/** The cursor to resume after: the Last-Event-ID header (set by SSE clients on reconnect) wins over ?since=. */
function resumeCursor(request: FastifyRequest): number {
  const header = request.headers['last-event-id'];
  const since = typeof header === 'string' && header.trim() !== '' ? header.trim() : queryParam(request, 'since');
  if (typeof since !== 'string' && since !== undefined) throw new OAuthError('invalid_request', 'parameter "since" must not be repeated');
  return parseFeedParams(since, undefined).since;
}

/**
 * `GET /revocations` answers `{"feed":"<compact JWS>"}` (one page; see docs/revocation-feed.md) and
 * `GET /revocations/stream` keeps a Server-Sent Events stream open that pushes a signed page as soon
 * as this process applies a revocation (its own or one read from the store by sync()).
 */
export function registerRevocationRoutes(app: FastifyInstance, auth: AuthServer, options: RevocationStreamOptions = {}): void {
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxStreams = options.maxStreams ?? 1000;
  const streams = new Set<FeedStream>();
  let pages = new Map<number, { at: number; page: Promise<RevocationFeedPage> }>();

  const pageFor = (reader: RevocationFeedReader, since: number): Promise<RevocationFeedPage> => {
    const cached = pages.get(since);
    if (cached && Date.now() - cached.at < PAGE_REUSE_MS) return cached.page;
    const page = reader.page(since);
    pages.set(since, { at: Date.now(), page });
    page.catch(() => pages.delete(since));
    return page;
  };

  const unsubscribe = auth.onChange(() => {
    pages = new Map();
    for (const stream of streams) stream.wake();
  });
  app.addHook('preClose', (done) => {
    unsubscribe();
    for (const stream of [...streams]) stream.close();
    done();
  });

  const noStore = { 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': 'application/json; charset=utf-8' };
  app.get('/revocations', async (request, reply) => {
    const page = await auth.revocationFeed(feedRequest(request, pick(request, ['since', 'limit'])));
    return reply.headers(noStore).send(JSON.stringify({ feed: page.jws }));
  });

  // No automatic HEAD route: a HEAD response has no body, so a stream answered to it would never end.
  app.get('/revocations/stream', { exposeHeadRoute: false }, async (request, reply) => {
    const reader = await auth.openRevocationFeed(feedRequest(request, {}));
    const since = resumeCursor(request);
    if (streams.size >= maxStreams) {
      reply.header('retry-after', '5');
      throw new OAuthError('temporarily_unavailable', 'too many revocation streams are open; retry later', {
        detail: `limit of ${maxStreams} streams reached`,
      });
    }
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'close',
    });
    reply.raw.write('retry: 1000\n\n');
    const stream = new FeedStream(reader, reply.raw, since, pageFor, heartbeatMs, request.log, (closed) => streams.delete(closed));
    streams.add(stream);
    stream.wake();
  });
}
