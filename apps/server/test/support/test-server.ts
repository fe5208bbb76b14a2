import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createClient, systemClock, discardEvents, type NewClientInput } from '@tessera/core';
import { loadConfig, startServer, type RunningServer, type ServerConfig } from 'tessera';
import { findLeaks } from './log-leaks.js';
import { rememberSecret } from './secret-recorder.js';
import { installSecretTap } from './secret-tap.js';

// Every server started here records the credentials crossing it and logs at trace level into logLines;
// close() fails when any line holds one of them: the whole suite's traffic is checked, not one file's.
installSecretTap();

export interface TestServer {
  server: RunningServer;
  /** Base URL, also the issuer. */
  url: string;
  dataDir: string;
  config: ServerConfig;
  /** Every log line the server wrote, as text, at trace level whatever TESSERA_LOG_LEVEL says. */
  logLines: string[];
  /** Registers a client directly in the server's store; returns its id and secret. */
  addClient(input?: Partial<NewClientInput>): Promise<{ id: string; secret: string }>;
  /** Stops the server, then fails if any log line holds a secret this process's servers handed out or received. */
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
 * `settings` are environment-style overrides (e.g. { TESSERA_REFRESH_GRACE: '5s' }); the log level is always
 * trace, the most verbose, so the log-secrecy check on close sees everything.
 */
export async function startTestServer(settings: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-test-'));
  const env = { TESSERA_PORT: '0', TESSERA_DATA_DIR: dataDir, TESSERA_DEMO_CLIENT: 'false', ...settings, TESSERA_LOG_LEVEL: 'trace' };
  let config = loadConfig({}, env);
  const logLines: string[] = [];
  // The issuer must name the real port, which is only known after listening: bind once to learn it.
  const probe = await startServer({ ...config, issuer: 'http://localhost:1' }, captureStream([]));
  const port = Number(new URL(probe.url).port);
  await probe.close();
  config = { ...config, port, issuer: settings['TESSERA_ISSUER'] ?? `http://localhost:${port}` };
  const server = await startServer(config, captureStream(logLines));
  // Secrets the server was configured with are never to be logged either.
  const keyFile = join(dataDir, 'master.key');
  rememberSecret(existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : settings['TESSERA_MASTER_KEY'], 'master key');
  rememberSecret(settings['TESSERA_METRICS_TOKEN'], 'metrics token');
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
      if (secret) rememberSecret(secret, 'client secret');
      return { id: client.id, secret: secret ?? '' };
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
      const leaks = findLeaks(logLines);
      if (leaks.length > 0) throw new Error(`secrets in the server's logs (${leaks.length} lines):\n${leaks.slice(0, 20).join('\n')}`);
    },
  };
}
