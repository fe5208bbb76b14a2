import type { KeyObject } from 'node:crypto';
import { verifyFeedPage } from './feed-page.js';
import type { FeedPage } from './types.js';

const MAX_JSON_BYTES = 16 * 1024 * 1024;
/** The server's largest page: fewer round trips when loading a large snapshot. */
const SNAPSHOT_PAGE_SIZE = 5000;

/** Where and how to reach the feed. */
export interface FeedEndpoint {
  issuer: string;
  /** `Basic …` for the feed client. */
  authorization: string;
  fetch: typeof fetch;
  getKey: (kid: string) => KeyObject | undefined;
}

/** The feed answered with an HTTP error. 401 and 403 mean our credentials are wrong or lack the scope. */
export class FeedHttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string | undefined,
    url: string,
  ) {
    super(`${url} answered ${status}${error ? ` ${error}` : ''}`);
    this.name = 'FeedHttpError';
  }

  get refused(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/** RFC 6749 §2.3.1: client id and secret are form-encoded before being base64 encoded. */
export function basicAuthorization(clientId: string, clientSecret: string): string {
  const encode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(clientId)}:${encode(clientSecret)}`).toString('base64')}`;
}

export const feedUrl = (issuer: string, path: string): string => `${issuer.replace(/\/+$/, '')}${path}`;

async function errorCode(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { error?: unknown };
    return typeof body.error === 'string' ? body.error.slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}

/** GET /revocations?since=…: one verified page. */
export async function fetchFeedPage(endpoint: FeedEndpoint, since: number, timeoutMs: number): Promise<FeedPage> {
  const url = feedUrl(endpoint.issuer, `/revocations?since=${since}&limit=${SNAPSHOT_PAGE_SIZE}`);
  const response = await endpoint.fetch(url, {
    headers: { authorization: endpoint.authorization, accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new FeedHttpError(response.status, await errorCode(response), url);
  const text = await response.text();
  if (text.length > MAX_JSON_BYTES) throw new Error(`${url}: answer too large`);
  const body = JSON.parse(text) as { feed?: unknown };
  if (typeof body?.feed !== 'string') throw new Error(`${url}: answer has no feed`);
  return verifyFeedPage(body.feed, endpoint.issuer, endpoint.getKey);
}

/** Opens GET /revocations/stream resuming after `cursor`; resolves with the event-stream body. */
export async function openFeedStream(endpoint: FeedEndpoint, cursor: number, signal: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  const url = feedUrl(endpoint.issuer, '/revocations/stream');
  const response = await endpoint.fetch(url, {
    headers: { authorization: endpoint.authorization, accept: 'text/event-stream', 'last-event-id': String(cursor) },
    redirect: 'error',
    signal,
  });
  if (!response.ok) throw new FeedHttpError(response.status, await errorCode(response), url);
  if (!response.body || !(response.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    await response.body?.cancel();
    throw new Error(`${url}: not an event stream`);
  }
  return response.body;
}
