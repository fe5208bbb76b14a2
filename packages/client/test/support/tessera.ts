// A real Tessera for the end-to-end suite, started the way apps/server/test/support/test-server.ts does
// (copied, not imported: test folders do not depend on each other), plus a user to log in with.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createClient, createUser, discardEvents, systemClock, type NewClientInput } from '@tessera/core';
import { argon2idHasher, loadConfig, startServer, type RunningServer } from 'tessera';

export const API = 'https://api.example.com';

export interface Tessera {
  server: RunningServer;
  /** Base URL, also the issuer. */
  url: string;
  /** Registers a client directly in the server's store. */
  addClient(input?: Partial<NewClientInput>): Promise<{ id: string; secret: string }>;
  /** Creates a user; resolves with the password. */
  addUser(username: string): Promise<string>;
  close(): Promise<void>;
}

const discard = (): Writable => new Writable({ write: (_chunk, _encoding, callback) => callback() });

export async function startTessera(settings: Record<string, string> = {}): Promise<Tessera> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-client-'));
  const env = { TESSERA_PORT: '0', TESSERA_DATA_DIR: dataDir, TESSERA_LOG_LEVEL: 'warn', TESSERA_DEMO_CLIENT: 'false', ...settings };
  let config = loadConfig({}, env);
  // The issuer must name the real port, which is only known after listening: bind once to learn it.
  const probe = await startServer({ ...config, issuer: 'http://localhost:1' }, discard());
  const port = Number(new URL(probe.url).port);
  await probe.close();
  config = { ...config, port, issuer: `http://localhost:${port}` };
  const server = await startServer(config, discard());
  const deps = { store: server.runtime.store, clock: systemClock, events: discardEvents, maxAccessTokenTtl: config.maxAccessTokenTtl };
  return {
    server,
    url: `http://localhost:${port}`,
    async addClient(input = {}) {
      const { client, secret } = await createClient(deps, { name: 'client test', scopes: ['read', 'write'], audiences: [API], ...input });
      return { id: client.id, secret: secret ?? '' };
    },
    async addUser(username) {
      const password = 'correct horse battery staple';
      await createUser({ ...deps, hasher: argon2idHasher }, { username, email: `${username}@example.com`, name: username, password });
      return password;
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
