interface TokenSource {
  getToken(options?: { forceRefresh?: boolean; signal?: AbortSignal }): Promise<string>;
  invalidate(accessToken?: string): void;
}

/**
 * A fetch that sends `Authorization: Bearer <token>` and, on a 401, drops that token (only that one: a
 * token another caller already replaced is kept), gets a fresh one and sends the request once more.
 * The request is built once and cloned per attempt, so bodies (streams included) can be sent twice.
 */
export function createAuthorizedFetch(tokens: TokenSource, baseFetch: typeof fetch): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  const send = async (request: Request, signal: AbortSignal): Promise<{ response: Response; token: string }> => {
    const token = await tokens.getToken({ signal });
    const attempt = request.clone();
    attempt.headers.set('authorization', `Bearer ${token}`);
    return { response: await baseFetch(attempt), token };
  };
  return async (input, init) => {
    const request = new Request(input, init);
    const first = await send(request, request.signal);
    if (first.response.status !== 401) return first.response;
    await first.response.body?.cancel();
    tokens.invalidate(first.token);
    return (await send(request, request.signal)).response;
  };
}
