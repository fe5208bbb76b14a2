import { createAuthServer, fanOutEvents, type AuthServer } from '@tessera/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { startAuditPipeline, type AuditPipeline } from './audit/audit-pipeline.js';
import { startSqliteAuditAppender, type SqliteAuditAppender } from './audit/sqlite-audit-appender.js';
import { authOptions } from './config/auth-options.js';
import type { ServerConfig } from './config/load-config.js';
import { demoBanner, ensureDemoClient } from './demo-client.js';
import { logEventSink } from './events-to-log.js';
import { buildApp } from './http/build-app.js';
import { argon2idHasher } from './password-hasher.js';
import { createLogger } from './logging.js';
import { startMetricsListener, type MetricsListener } from './metrics/metrics-listener.js';
import { createMetrics } from './metrics/tessera-metrics.js';
import { openRuntime, type Runtime } from './runtime.js';
import { startSyncPoll, watchStoreChanges } from './store-watch.js';
import { startSecurity } from './security/start-security.js';

export interface RunningServer {
  app: FastifyInstance;
  auth: AuthServer;
  runtime: Runtime;
  logger: Logger;
  /** The URL the server listens on. */
  url: string;
  /** The metrics listener's /metrics URL, when TESSERA_METRICS_PORT is set. */
  metricsUrl?: string;
  /** The audit log writer and alerts (queue depth, flush); closed by close(). */
  audit: AuditPipeline;
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
  let auditAppender: SqliteAuditAppender | undefined;
  try {
    // SQLite writes block the event loop: the audit log gets a connection of its own in a worker thread.
    if (!config.postgres && config.databasePath !== ':memory:') auditAppender = await startSqliteAuditAppender(config.databasePath);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  // Metrics are off (nothing collected) unless a metrics port or token is configured: never open by default.
  const metricsConfig = config.metrics?.port !== undefined || config.metrics?.token !== undefined ? config.metrics : undefined;
  // Audit log and alerts: events are queued here and written in batches off the request path.
  const audit = startAuditPipeline({ config, store: runtime.store, logger, ...(auditAppender ? { appender: auditAppender } : {}) });
  const metrics = metricsConfig ? createMetrics({ auditQueueDepth: () => audit.depth() }) : undefined;
  // Rate limiter and anomaly detectors (last in the fan-out: alerts follow the event that raised them).
  const security = startSecurity(config, logger);
  const events = fanOutEvents(logEventSink(logger), audit.sink, ...(metrics ? [metrics.events] : []), security.sink);
  security.bindEvents(events);
  let app: FastifyInstance | undefined;
  let metricsListener: MetricsListener | undefined;
  try {
    const auth = await createAuthServer({
      config: authOptions(config),
      store: runtime.store,
      masterKey: runtime.masterKey,
      events,
      passwordHasher: argon2idHasher,
      ...(config.login ? { login: config.login } : {}),
    });
    security.bindAuth(auth);
    const banner = [...runtime.notices];
    if (config.demoClient) {
      const demo = await ensureDemoClient(runtime.store, runtime.adminDeps(events));
      if (demo) banner.push(demoBanner(auth.config.issuer, demo));
    }
    app = buildApp(auth, {
      logger,
      bodyLimit: config.bodyLimit,
      requestTimeoutMs: config.requestTimeoutMs,
      trustProxy: config.trustProxy,
      revocationStream: { heartbeatMs: config.revocationHeartbeatMs, maxStreams: config.revocationMaxStreams },
      ...(security.limiter ? { rateLimiter: security.limiter } : {}),
      ...(metrics ? { metrics: { metrics, publicToken: metricsConfig?.port === undefined ? metricsConfig?.token : undefined } } : {}),
    });
    if (metrics && metricsConfig) {
      metrics.observeEngine(auth, runtime.store);
      if (metricsConfig.port !== undefined) {
        metricsListener = await startMetricsListener(metrics.registry, { host: metricsConfig.host, port: metricsConfig.port, token: metricsConfig.token, logger });
      }
    }
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;

    // Failures (a database outage) are logged once, then summarised every 10 s, then "recovered".
    const stopSyncPoll = startSyncPoll(auth, logger, config.syncIntervalMs);
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
      audit,
      ...(metricsListener ? { metricsUrl: metricsListener.url } : {}),
      banner,
      async close() {
        stopWatchingStore();
        stopSyncPoll();
        clearInterval(pruneTimer);
        clearInterval(keyTimer);
        await running.app.close();
        await security.close();
        await metricsListener?.close();
        // After the last request: every queued audit event and alert is written before the database closes.
        await audit.close();
        await auditAppender?.close();
        await runtime.close();
      },
    };
    logger.info({ url: running.url, issuer: auth.config.issuer, ...(running.metricsUrl ? { metrics: running.metricsUrl } : {}) }, 'tessera listening');
    return running;
  } catch (error) {
    await app?.close();
    await security.close();
    await metricsListener?.close();
    await audit.close();
    await auditAppender?.close();
    await runtime.close();
    throw error;
  }
}
