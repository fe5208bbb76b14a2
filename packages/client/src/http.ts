/** What one HTTP exchange produced: a status, headers and the body parsed as a JSON object (or undefined). */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The body when it is a JSON object; undefined otherwise (HTML error pages, empty bodies). */
  json: Record<string, unknown> | undefined;
}

export interface HttpOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  /** Aborts the exchange early (close(), or the caller giving up). */
  signal?: AbortSignal | undefined;
}

/** Thrown when no HTTP answer arrived: a network error or the timeout. Retryable. */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError';
  readonly timedOut: boolean;
  constructor(message: string, timedOut: boolean, cause: unknown) {
    super(message, { cause });
    this.timedOut = timedOut;
  }
}

const MAX_BODY_BYTES = 256 * 1024;

/**
 * One request whose timeout covers the whole exchange, body included. Redirects are refused (a token
 * endpoint that redirects would get the credentials replayed elsewhere). An abort by `signal` rethrows the
 * signal's reason; every other failure to get an answer is a NoAnswerError naming the URL only.
 */
export async function exchange(url: string, init: RequestInit, options: HttpOptions): Promise<HttpAnswer> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(url, { ...init, redirect: 'manual', signal });
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > MAX_BODY_BYTES) {
      await response.body?.cancel();
      text = '';
    } else {
      text = await response.text();
    }
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    const timedOut = timeout.aborted;
    const reason = timedOut ? `no answer within ${options.timeoutMs} ms` : 'network error';
    throw new NoAnswerError(`${url}: ${reason}`, timedOut, error);
  }
  return { status: response.status, headers: response.headers, json: parseObject(text) };
}

function parseObject(text: string): Record<string, unknown> | undefined {
  if (text.length === 0 || text.length > MAX_BODY_BYTES) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 9110 §10.2.3 Retry-After (delay-seconds or an HTTP-date) in milliseconds from `now`; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers, now: number): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
