// A small stand-in for Tessera over real node:http: discovery, a JWKS whose answers the test controls
// (body, Cache-Control, status, held or never answered), and an optional RFC 7662 endpoint. Counts requests.
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';

export type Alg = 'ES256' | 'EdDSA' | 'RS256';

export interface TestKey {
  kid: string;
  alg: Alg;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: Record<string, unknown>;
}

export function makeKey(alg: Alg, kid: string = randomUUID()): TestKey {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { kid, alg, privateKey: pair.privateKey, publicKey: pair.publicKey, jwk };
}

export const b64 = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function signSegments(key: { alg: string; privateKey: KeyObject }, header: string, payload: string): string {
  const input = `${header}.${payload}`;
  const digest = key.alg === 'EdDSA' ? null : 'sha256';
  return `${input}.${sign(digest, Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/** A token signed with `key`: header {alg, typ: at+jwt, kid} merged with `header`. */
export function forge(key: TestKey, claims: unknown, header: Record<string, unknown> = {}): string {
  return signSegments(key, b64({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header }), b64(claims));
}

export interface IntrospectionCall {
  params: URLSearchParams;
  authorization: string | undefined;
}

export interface JwksAnswer {
  status: number;
  body: unknown;
  cacheControl?: string;
}

export class TestIssuer {
  readonly server: Server;
  url = '';
  keys: TestKey[];
  /** What GET /jwks answers next; change it between steps. */
  jwks: () => JwksAnswer;
  /** Overrides the `issuer` member of the discovery document. */
  metadataIssuer: string | undefined;
  introspect: ((call: IntrospectionCall) => { status: number; body: unknown }) | undefined;
  jwksRequests = 0;
  introspectionRequests = 0;
  /** While set, JWKS requests wait for it (to observe concurrency, or a timeout when it never resolves). */
  hold: Promise<void> | undefined;

  constructor(keys: TestKey[]) {
    this.keys = keys;
    this.jwks = () => ({ status: 200, body: { keys: this.keys.map((k) => k.jwk) }, cacheControl: 'public, max-age=300' });
    this.server = createServer((req, res) => {
      void this.#handle(req).then(({ status, body, headers }) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
      });
    });
  }

  get issuer(): string {
    return this.url;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://localhost:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  /** Holds JWKS answers until the returned function is called. */
  holdJwks(): () => void {
    let release!: () => void;
    this.hold = new Promise((resolve) => (release = resolve));
    return () => {
      this.hold = undefined;
      release();
    };
  }

  /** Claims shaped like a Tessera token at `nowMs`. */
  claims(nowMs: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const iat = Math.floor(nowMs / 1000);
    return { iss: this.issuer, sub: 'svc', aud: 'https://api.example.com', exp: iat + 600, iat, jti: randomUUID(), client_id: 'svc', scope: 'read', ...overrides };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/.well-known/oauth-authorization-server') {
      const body = { issuer: this.metadataIssuer ?? this.url, jwks_uri: `${this.url}/jwks`, introspection_endpoint: `${this.url}/introspect` };
      return { status: 200, body };
    }
    if (path === '/jwks') {
      this.jwksRequests++;
      if (this.hold) await this.hold;
      const answer = this.jwks();
      return { status: answer.status, body: answer.body, headers: answer.cacheControl ? { 'cache-control': answer.cacheControl } : {} };
    }
    if (path === '/introspect' && req.method === 'POST' && this.introspect) {
      this.introspectionRequests++;
      let text = '';
      for await (const chunk of req) text += String(chunk);
      return this.introspect({ params: new URLSearchParams(text), authorization: req.headers.authorization });
    }
    return { status: 404, body: { error: 'not_found' } };
  }
}

export async function startIssuer(keys: TestKey[]): Promise<TestIssuer> {
  return new TestIssuer(keys).start();
}

/** A clock the test moves by hand. */
export class FakeClock {
  constructor(public nowMs: number = Date.UTC(2030, 0, 1)) {}
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}
