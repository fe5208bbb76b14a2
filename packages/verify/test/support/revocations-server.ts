// A real Tessera for the revocation-feed tests (the pattern of apps/server/test/support/test-server.ts),
// restartable on the same data directory and port, plus helpers to issue and revoke tokens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createClient, discardEvents, REVOCATION_FEED_SCOPE, systemClock, type ClientAdminDeps, type NewClientInput } from '@tessera/core';
import { loadConfig, startServer, type RunningServer, type ServerConfig } from 'tessera';

export const API = 'https://api.example.com';

export interface Credentials {
  id: string;
  secret: string;
}

export interface FeedServer {
  /** Base URL, also the issuer. */
  url: string;
  dataDir: string;
  config: ServerConfig;
  server(): RunningServer;
  admin(): ClientAdminDeps;
  addClient(input?: Partial<NewClientInput>): Promise<Credentials>;
  /** A client allowed to read the revocation feed (and nothing else). */
  addFeedReader(): Promise<Credentials>;
  /** A client_credentials token for `client`. */
  token(client: Credentials): Promise<string>;
  /** POST /revoke of a token by the client it was issued to. */
  revoke(client: Credentials, token: string): Promise<void>;
  /** Stops the server, keeping the data directory. */
  stop(): Promise<void>;
  /** Starts it again on the same data directory and port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

const quiet = (): Writable => new Writable({ write: (_chunk, _encoding, callback) => callback() });

export const basic = (c: Credentials): string => `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`;

/** Decodes a JWT's payload without checking it (the tests know where the token came from). */
export function claimsOf(token: string): { jti: string; sub: string; client_id: string; iat: number } {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as never;
}

/**
 * Closes the server. Open streams are ended by the server itself; but a stream the client aborted can
 * leave a never-used fetch connection behind (undici), which would hold server.close() for a minute:
 * if closing takes more than a moment, the remaining connections are cut.
 */
async function stopRunning(running: RunningServer): Promise<void> {
  const closing = running.close();
  const guard = setTimeout(() => running.app.server.closeAllConnections(), 250);
  try {
    await closing;
  } finally {
    clearTimeout(guard);
  }
}

/** Starts Tessera on a free loopback port with a fresh data directory. `settings` are environment-style overrides. */
export async function startFeedServer(settings: Record<string, string> = {}): Promise<FeedServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-feed-'));
  const env = { TESSERA_PORT: '0', TESSERA_DATA_DIR: dataDir, TESSERA_LOG_LEVEL: 'warn', TESSERA_DEMO_CLIENT: 'false', ...settings };
  let config = loadConfig({}, env);
  const probe = await startServer({ ...config, issuer: 'http://localhost:1' }, quiet());
  const port = Number(new URL(probe.url).port);
  await stopRunning(probe);
  config = { ...config, port, issuer: `http://localhost:${port}` };
  let running: RunningServer | undefined = await startServer(config, quiet());
  const current = (): RunningServer => {
    if (!running) throw new Error('the test server is stopped');
    return running;
  };
  const admin = (): ClientAdminDeps => ({ store: current().runtime.store, clock: systemClock, events: discardEvents, maxAccessTokenTtl: config.maxAccessTokenTtl });
  const addClient = async (input: Partial<NewClientInput> = {}): Promise<Credentials> => {
    const { client, secret } = await createClient(admin(), { name: 'test client', scopes: ['read'], audiences: [API], ...input });
    return { id: client.id, secret: secret ?? '' };
  };
  const url = `http://localhost:${port}`;
  return {
    url,
    dataDir,
    config,
    server: current,
    admin,
    addClient,
    addFeedReader: () => addClient({ name: 'resource server', scopes: [REVOCATION_FEED_SCOPE], defaultScopes: [], grantTypes: [], audiences: [] }),
    async token(client) {
      const response = await fetch(`${url}/token`, {
        method: 'POST',
        headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      if (response.status !== 200) throw new Error(`token request failed: ${response.status}`);
      return ((await response.json()) as { access_token: string }).access_token;
    },
    async revoke(client, token) {
      const response = await fetch(`${url}/revoke`, {
        method: 'POST',
        headers: { authorization: basic(client), 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${encodeURIComponent(token)}`,
      });
      if (response.status !== 200) throw new Error(`revocation failed: ${response.status}`);
    },
    async stop() {
      const stopping = current();
      running = undefined;
      await stopRunning(stopping);
    },
    async start() {
      if (running) throw new Error('the test server is already running');
      running = await startServer(config, quiet());
    },
    async close() {
      if (running) await stopRunning(running);
      running = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `condition` every few ms until it holds, failing after `timeoutMs` (a bound, not a sleep). */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
