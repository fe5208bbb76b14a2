// A real Tessera for the middleware suites, started the way apps/server/test/support/test-server.ts does
// (copied, not imported: test folders do not depend on each other).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createClient, discardEvents, systemClock, type NewClientInput } from '@tessera/core';
import { loadConfig, startServer, type RunningServer } from 'tessera';

export const API = 'https://api.example.com';

export interface Tessera {
  server: RunningServer;
  /** Base URL, also the issuer. */
  url: string;
  /** Registers a client directly in the server's store. */
  addClient(input?: Partial<NewClientInput>): Promise<{ id: string; secret: string }>;
  /** A client_credentials access token for a client (scope as requested, or the client's defaults). */
  token(client: { id: string; secret: string }, scope?: string): Promise<string>;
  close(): Promise<void>;
}

const discard = (): Writable => new Writable({ write: (_chunk, _encoding, callback) => callback() });

/** Starts a real Tessera on a free loopback port with a fresh data directory. */
export async function startTessera(settings: Record<string, string> = {}): Promise<Tessera> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-verify-'));
  const env = { TESSERA_PORT: '0', TESSERA_DATA_DIR: dataDir, TESSERA_LOG_LEVEL: 'warn', TESSERA_DEMO_CLIENT: 'false', ...settings };
  let config = loadConfig({}, env);
  // The issuer must name the real port, which is only known after listening: bind once to learn it.
  const probe = await startServer({ ...config, issuer: 'http://localhost:1' }, discard());
  const port = Number(new URL(probe.url).port);
  await probe.close();
  config = { ...config, port, issuer: `http://localhost:${port}` };
  const server = await startServer(config, discard());
  const url = `http://localhost:${port}`;
  return {
    server,
    url,
    async addClient(input = {}) {
      const { client, secret } = await createClient(
        { store: server.runtime.store, clock: systemClock, events: discardEvents, maxAccessTokenTtl: config.maxAccessTokenTtl },
        { name: 'verify test client', scopes: ['read', 'write'], audiences: [API], ...input },
      );
      return { id: client.id, secret: secret ?? '' };
    },
    async token(client, scope) {
      const response = await fetch(`${url}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope === undefined ? {} : { scope }) }).toString(),
      });
      const body = (await response.json()) as { access_token?: string };
      if (response.status !== 200 || !body.access_token) throw new Error(`no token: ${response.status} ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
