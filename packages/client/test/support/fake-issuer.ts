import { after, before, beforeEach } from 'node:test';
// A small stand-in for an authorization server over real node:http on 127.0.0.1:0: RFC 8414 metadata, a
// token endpoint whose answers the test scripts (status, body, headers, held, connection reset), and an
// API endpoint for the authorizing fetch. Records every request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface TokenCall {
  params: URLSearchParams;
  authorization: string | undefined;
}

export type Answer =
  | { status: number; body?: unknown; raw?: string; headers?: Record<string, string> }
  /** Never answer (the client's timeout fires). */
  | 'hang'
  /** Drop the connection without an answer (a network error for the client). */
  | 'reset';

export interface ApiCall {
  method: string;
  authorization: string | undefined;
  body: string;
}

const readBody = async (req: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/** The default token answer: a distinct token per request. */
export const tokenAnswer = (n: number, extra: Record<string, unknown> = {}): Answer => ({
  status: 200,
  body: { access_token: `at-${n}`, token_type: 'Bearer', expires_in: 300, scope: 'read', ...extra },
});

export class FakeIssuer {
  readonly server: Server;
  url = '';
  /** The `issuer` member of the metadata; defaults to `url`. */
  metadataIssuer: string | undefined;
  /** Answers for the next token requests, in order; when empty, `onToken` decides. */
  readonly queue: Answer[] = [];
  onToken: (call: TokenCall, n: number) => Answer | Promise<Answer> = (_call, n) => tokenAnswer(n);
  /** Answers GET/POST /api: by default 200 for `Bearer at-*` tokens the test lists in `acceptedTokens`. */
  readonly acceptListedTokens = (call: ApiCall): { status: number; body: unknown } => {
    const token = call.authorization?.replace(/^Bearer /, '') ?? '';
    return this.acceptedTokens.has(token) ? { status: 200, body: { ok: true, token } } : { status: 401, body: { error: 'invalid_token' } };
  };
  onApi: (call: ApiCall) => { status: number; body: unknown } = this.acceptListedTokens;
  readonly acceptedTokens = new Set<string>();
  readonly calls: TokenCall[] = [];
  readonly apiCalls: ApiCall[] = [];
  metadataRequests = 0;
  #waiters: Array<() => void> = [];

  constructor() {
    this.server = createServer((req, res) => void this.#handle(req, res));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = new URL(req.url ?? '/', this.url).pathname;
    if (path === '/.well-known/oauth-authorization-server') {
      this.metadataRequests++;
      return this.#send(res, {
        status: 200,
        body: { issuer: this.metadataIssuer ?? this.url, token_endpoint: `${this.url}/token`, authorization_endpoint: `${this.url}/authorize` },
      });
    }
    if (path === '/token' && req.method === 'POST') {
      const call = { params: new URLSearchParams(body), authorization: req.headers.authorization };
      this.calls.push(call);
      for (const wake of this.#waiters.splice(0)) wake();
      const answer = this.queue.shift() ?? (await this.onToken(call, this.calls.length));
      if (answer === 'hang') return;
      if (answer === 'reset') return void req.socket.destroy();
      return this.#send(res, answer);
    }
    if (path === '/api') {
      const call = { method: req.method ?? 'GET', authorization: req.headers.authorization, body };
      this.apiCalls.push(call);
      return this.#send(res, this.onApi(call));
    }
    this.#send(res, { status: 404, body: { error: 'not_found' } });
  }

  #send(res: ServerResponse, answer: Exclude<Answer, 'hang' | 'reset'>): void {
    const text = answer.raw ?? JSON.stringify(answer.body ?? {});
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(text);
  }

  /** Back to a fresh issuer's state: no recorded calls, nothing queued, default answers. */
  reset(): void {
    this.queue.length = 0;
    this.calls.length = 0;
    this.apiCalls.length = 0;
    this.acceptedTokens.clear();
    this.metadataRequests = 0;
    this.onToken = (_call, n) => tokenAnswer(n);
    this.onApi = this.acceptListedTokens;
  }

  /** Resolves once at least `count` token requests have arrived. */
  async tokenRequests(count: number): Promise<void> {
    while (this.calls.length < count) await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export async function startFakeIssuer(): Promise<FakeIssuer> {
  const issuer = new FakeIssuer();
  await new Promise<void>((resolve) => issuer.server.listen(0, '127.0.0.1', resolve));
  const address = issuer.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  issuer.url = `http://127.0.0.1:${address.port}`;
  return issuer;
}

/**
 * One fake issuer for a test file: started before its tests, reset (then `configure`d) before each,
 * closed after. The returned object forwards to the issuer, which exists only once `before` has run.
 */
export function useFakeIssuer(configure?: (issuer: FakeIssuer) => void): FakeIssuer {
  let started: FakeIssuer | undefined;
  const current = (): FakeIssuer => {
    if (!started) throw new Error('the fake issuer is used before it started');
    return started;
  };
  before(async () => {
    started = await startFakeIssuer();
  });
  after(() => current().close());
  beforeEach(() => {
    current().reset();
    configure?.(current());
  });
  return new Proxy({} as FakeIssuer, {
    get: (_target, name) => {
      const value: unknown = Reflect.get(current(), name);
      return typeof value === 'function' ? value.bind(current()) : value;
    },
    set: (_target, name, value) => Reflect.set(current(), name, value),
  });
}

/** A gate the test opens: `wait` resolves after `open()`. */
export function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}
