export interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface FetchJsonOptions {
  fetch: typeof fetch;
  timeoutMs: number;
  /** Largest accepted body, in bytes. */
  maxBytes: number;
  init?: RequestInit;
}

/**
 * One HTTP request with a timeout covering the whole exchange, a bounded body and a JSON object answer.
 * Throws a plain Error naming the URL and the problem; callers wrap it in the VerifyError they own.
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<JsonResponse> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(url, { redirect: 'error', ...options.init, signal });
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > options.maxBytes) {
      await response.body?.cancel();
      throw new Error(`response larger than ${options.maxBytes} bytes`);
    }
    text = await response.text();
  } catch (error) {
    const reason = signal.aborted ? `timed out after ${options.timeoutMs} ms` : (error as Error).message;
    throw new Error(`${url}: ${reason}`, { cause: error });
  }
  if (Buffer.byteLength(text) > options.maxBytes) throw new Error(`${url}: response larger than ${options.maxBytes} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new Error(`${url}: answered with status ${response.status} and a body that is not JSON`, { cause: error });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new Error(`${url}: answered with status ${response.status} and a body that is not a JSON object`);
  }
  return { status: response.status, headers: response.headers, body };
}

/** Reads `max-age` from a Cache-Control header, in seconds; 0 for `no-store`/`no-cache`, undefined when absent. */
export function maxAgeSeconds(cacheControl: string | null): number | undefined {
  if (cacheControl === null) return undefined;
  if (/(?:^|,)\s*no-(?:store|cache)\s*(?:,|$)/i.test(cacheControl)) return 0;
  const match = /(?:^|,)\s*max-age\s*=\s*"?(\d+)"?\s*(?:,|$)/i.exec(cacheControl);
  return match ? Number(match[1]) : undefined;
}
