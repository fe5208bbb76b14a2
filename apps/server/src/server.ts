import { createAuthServer, type AuthServer } from '@tessera/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { authOptions } from './config/auth-options.js';
import type { ServerConfig } from './config/load-config.js';
import { demoBanner, ensureDemoClient } from './demo-client.js';
import { logEventSink } from './events-to-log.js';
import { buildApp } from './http/build-app.js';
import { argon2idHasher } from './password-hasher.js';
import { createLogger } from './logging.js';
import { openRuntime, type Runtime } from './runtime.js';
import { watchStoreChanges } from './store-watch.js';

export interface RunningServer {
  app: FastifyInstance;
  auth: AuthServer;
  runtime: Runtime;
  logger: Logger;
  /** The URL the server listens on. */
  url: string;
  /** Lines for the operator: notices and, on first start, the demo client. */
  banner: string[];
  close(): Promise<void>;
}

const PRUNE_INTERVAL_MS = 60_000;
const KEY_SCHEDULE_INTERVAL_MS = 60_000;

/** Opens the data, builds the engine and the HTTP binding, listens, and keeps the in-memory state in sync. */
export async function startServer(config: ServerConfig, logStream?: NodeJS.WritableStream): Promise<RunningServer> {
  const logger = createLogger(config.logLevel, logStream);
  const runtime = await openRuntime(config);
  const events = logEventSink(logger);
  let app: FastifyInstance | undefined;
  try {
    const auth = await createAuthServer({
      config: authOptions(config),
      store: runtime.store,
      masterKey: runtime.masterKey,
      events,
      passwordHasher: argon2idHasher,
      ...(config.login ? { login: config.login } : {}),
    });
    const banner = [...runtime.notices];
    if (config.demoClient) {
      const demo = await ensureDemoClient(runtime.store, runtime.adminDeps(events));
      if (demo) banner.push(demoBanner(auth.config.issuer, demo));
    }
    app = buildApp(auth, {
      logger,
      bodyLimit: config.bodyLimit,
      trustProxy: config.trustProxy,
      revocationStream: { heartbeatMs: config.revocationHeartbeatMs, maxStreams: config.revocationMaxStreams },
    });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;

    const syncTimer = setInterval(() => {
      auth.sync().catch((error: unknown) => logger.warn({ err: error }, 'could not apply changes from the store'));
    }, config.syncIntervalMs);
    const stopWatchingStore = watchStoreChanges(runtime, auth, logger);
    const pruneTimer = setInterval(() => {
      auth.prune().catch((error: unknown) => logger.warn({ err: error }, 'pruning failed'));
    }, PRUNE_INTERVAL_MS);
    pruneTimer.unref();
    const keyTimer = setInterval(() => {
      auth.applyKeySchedule().catch((error: unknown) => logger.error({ err: error }, 'scheduled key rotation failed'));
    }, KEY_SCHEDULE_INTERVAL_MS);
    keyTimer.unref();

    const running: RunningServer = {
      app,
      auth,
      runtime,
      logger,
      url: `http://${host}:${port}`,
      banner,
      async close() {
        stopWatchingStore();
        clearInterval(syncTimer);
        clearInterval(pruneTimer);
        clearInterval(keyTimer);
        await running.app.close();
        await runtime.close();
      },
    };
    logger.info({ url: running.url, issuer: auth.config.issuer }, 'tessera listening');
    return running;
  } catch (error) {
    await app?.close();
    await runtime.close();
    throw error;
  }
}
