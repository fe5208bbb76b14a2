import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { loadConfig, startServer, type RunningServer } from 'tessera';
import { findLeaks } from './log-leaks.js';
import { captureStream, type TestServer } from './test-server.js';

export const FORM = 'application/x-www-form-urlencoded';

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** RFC 6749 §2.3.1: client id and secret, form-encoded, then base64 encoded. */
export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

/**
 * One HTTP exchange over a fresh connection with node:http (no fetch, no pooling), so tests control
 * every header and body byte and no client-side timer can interfere.
 */
export function send(
  url: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<HttpResult> {
  const { method = 'GET', headers = {}, body } = options;
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs a form body (string or raw bytes) with the form content type unless the caller overrides it. */
export function postForm(url: string, body: string | Buffer, headers: OutgoingHttpHeaders = {}): Promise<HttpResult> {
  return send(url, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body });
}

/** Parses a JSON body; fails the test with the raw text when it is not JSON. */
export function jsonOf(result: HttpResult): Record<string, unknown> {
  try {
    return JSON.parse(result.text) as Record<string, unknown>;
  } catch {
    throw new Error(`expected a JSON body, got status ${result.status}: ${result.text.slice(0, 200)}`);
  }
}

/** Gets a client_credentials token with client_secret_basic; fails loudly on anything but 200. */
export async function tokenFor(url: string, client: { id: string; secret: string }, params = ''): Promise<string> {
  const result = await postForm(`${url}/token`, `grant_type=client_credentials${params}`, { authorization: basic(client.id, client.secret) });
  if (result.status !== 200) throw new Error(`token request failed: ${result.status} ${result.text}`);
  return jsonOf(result)['access_token'] as string;
}

export interface RawExchange {
  /** Everything the server sent before the connection closed, as latin1 text. */
  text: string;
  /** The status line's code, if a response arrived. */
  status: number | undefined;
  /** The response body after the blank line. */
  body: string;
  /** True when the server neither answered nor closed within the bound (the test then closes it). */
  timedOut: boolean;
}

/**
 * Writes raw bytes on a TCP connection and collects the answer. `after` says what the client does once
 * the bytes are written: `end` half-closes (the server sees EOF), `destroy` drops the connection at once,
 * `keep` leaves it open (a stalled client).
 * A bound (not a timing assertion) keeps a misbehaving server from hanging the test.
 */
export function rawExchange(port: number, bytes: Buffer | string, after: 'end' | 'destroy' | 'keep' = 'end', boundMs = 5000): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, boundMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      const split = text.indexOf('\r\n\r\n');
      resolve({ text, status: match ? Number(match[1]) : undefined, body: split === -1 ? '' : text.slice(split + 4), timedOut });
    });
    socket.write(bytes, () => {
      if (after === 'end') socket.end();
      else if (after === 'destroy') socket.destroy();
    });
  });
}

/** Builds a raw HTTP/1.1 request; Content-Length is added unless given or chunked. */
export function rawRequest(method: string, path: string, headers: Record<string, string>, body: Buffer | string = ''): Buffer {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1');
  const all: Record<string, string> = { host: 'localhost', connection: 'close', ...headers };
  if (!('content-length' in all) && !('transfer-encoding' in all) && (bytes.length > 0 || method === 'POST')) {
    all['content-length'] = String(bytes.length);
  }
  const head = `${method} ${path} HTTP/1.1\r\n${Object.entries(all).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
}

export const portOf = (t: TestServer): number => Number(new URL(t.url).port);

/**
 * A second Tessera on the SAME data directory (same database, master key and signing keys) with its own
 * issuer: its tokens carry our kid and a valid signature but the wrong `iss`. Close it; the directory stays.
 */
export async function startSibling(t: TestServer, issuer: string): Promise<RunningServer> {
  const env = { TESSERA_PORT: '0', TESSERA_DATA_DIR: t.dataDir, TESSERA_LOG_LEVEL: 'trace', TESSERA_DEMO_CLIENT: 'false' };
  const lines: string[] = [];
  const sibling = await startServer({ ...loadConfig({}, env), issuer }, captureStream(lines));
  // Checked like every test server's logs (test-server.ts): no secret in any line.
  const close = sibling.close.bind(sibling);
  sibling.close = async () => {
    await close();
    const leaks = findLeaks(lines);
    if (leaks.length > 0) throw new Error(`secrets in the sibling server's logs (${leaks.length} lines):\n${leaks.slice(0, 20).join('\n')}`);
  };
  return sibling;
}
