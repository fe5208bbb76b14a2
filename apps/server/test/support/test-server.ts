import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createClient, systemClock, discardEvents, type NewClientInput } from '@tessera/core';
import { loadConfig, startServer, type RunningServer, type ServerConfig } from 'tessera';

export interface TestServer {
  server: RunningServer;
  /** Base URL, also the issuer. */
  url: string;
  dataDir: string;
  config: ServerConfig;
  /** Every log line the server wrote, as text. */
  logLines: string[];
  /** Registers a client directly in the server's store; returns its id and secret. */
  addClient(input?: Partial<NewClientInput>): Promise<{ id: string; secret: string }>;
  close(): Promise<void>;
}

/** Collects every line written to it, so tests can grep the server's logs. */
export function captureStream(lines: string[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      callback();
    },
  });
}

/**
 * Starts a real Tessera listening on a free loopback port with a fresh data directory.
 * `settings` are environment-style overrides (e.g. { TESSERA_LOG_LEVEL: 'debug' }).
 */
export async function startTestServer(settings: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const env = { TESSERA_PORT: '0', TESSERA_DATA_DIR: dataDir, TESSERA_LOG_LEVEL: 'debug', TESSERA_DEMO_CLIENT: 'false', ...settings };
  let config = loadConfig({}, env);
  const logLines: string[] = [];
  // The issuer must name the real port, which is only known after listening: bind once to learn it.
  const probe = await startServer({ ...config, issuer: 'http://localhost:1' }, captureStream([]));
  const port = Number(new URL(probe.url).port);
  await probe.close();
  config = { ...config, port, issuer: settings['TESSERA_ISSUER'] ?? `http://localhost:${port}` };
  const server = await startServer(config, captureStream(logLines));
  const url = `http://localhost:${port}`;
  return {
    server,
    url,
    dataDir,
    config,
    logLines,
    async addClient(input = {}) {
      const { client, secret } = await createClient(
        { store: server.runtime.store, clock: systemClock, events: discardEvents, maxAccessTokenTtl: config.maxAccessTokenTtl },
        { name: 'test client', scopes: ['read', 'write'], audiences: ['https://api.example.com'], ...input },
      );
      return { id: client.id, secret: secret ?? '' };
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
