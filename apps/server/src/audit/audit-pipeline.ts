import {
  AuditWriter,
  fanOutEvents,
  pruneAuditLogOnce,
  skipRepeatedIntrospections,
  systemClock,
  type AuditStore,
  type Clock,
  type EventSink,
  type RepeatTimer,
  type Store,
} from '@tessera/core';
import type { Logger } from 'pino';
import { alertRecorder } from '../alerts/alert-recorder.js';
import { WebhookDispatcher, type WebhookPost, type Wait } from '../alerts/webhook-dispatcher.js';
import type { ServerConfig } from '../config/load-config.js';

/** How often each instance checks whether retention pruning is due (the work itself runs once per RETENTION_INTERVAL_MS cluster-wide). */
const RETENTION_CHECK_MS = 10 * 60_000;
const RETENTION_INTERVAL_MS = 60 * 60_000;

export interface AuditPipeline {
  /** Add to the engine's sinks (fanOutEvents): queues every event for the audit log and records alerts. */
  readonly sink: EventSink;
  /** Events accepted but not yet written (the metrics gauge `tessera_audit_queue_depth`). */
  depth(): number;
  /** Events refused because the queue was full, since start. */
  dropped(): number;
  /** Writes what is queued now (tests; the timer does it otherwise). */
  flush(): Promise<void>;
  /** Deliveries and alert writes settled (tests). */
  idle(): Promise<void>;
  /** Graceful shutdown: stores pending alerts, settles webhook deliveries, writes every queued event. */
  close(): Promise<void>;
}

export interface AuditPipelineOptions {
  config: Pick<ServerConfig, 'issuer' | 'audit' | 'alerts'>;
  store: Store;
  /** Where event batches go, if not `store` itself (SQLite: a worker thread's own connection). */
  appender?: Pick<AuditStore, 'appendAuditEvents'>;
  logger: Logger;
  clock?: Clock;
  /** Test seams: the flush timer, and the webhooks' HTTP POST and wait between retries. */
  timer?: RepeatTimer;
  post?: WebhookPost;
  wait?: Wait;
  /** Retention pruning timer; default on. */
  retention?: boolean;
}

/** The audit log (batched writer + retention) and alerts (storage + signed webhooks) of one server. */
export function startAuditPipeline(options: AuditPipelineOptions): AuditPipeline {
  const { store, config } = options;
  const clock = options.clock ?? systemClock;
  const log = options.logger.child({ component: 'audit' });
  const flushIntervalMs = config.audit?.flushIntervalMs ?? 1000;
  const retentionMs = config.audit?.retentionMs ?? 90 * 86_400_000;
  const writer = new AuditWriter({
    store: options.appender ?? store,
    flushIntervalMs,
    ...(options.timer ? { timer: options.timer } : {}),
    onDrop: (count, total) => log.warn({ dropped: count, droppedTotal: total }, 'audit queue full: events dropped'),
    onError: (error, queued) => log.warn({ err: error, queued }, 'could not write audit events; retrying at the next flush'),
  });
  const urls = config.alerts?.webhooks ?? [];
  const secret = config.alerts?.webhookSecret;
  const webhooks =
    urls.length > 0 && secret
      ? new WebhookDispatcher({
          urls,
          secret,
          store,
          clock,
          issuer: config.issuer,
          ...(options.post ? { post: options.post } : {}),
          ...(options.wait ? { wait: options.wait } : {}),
          onDeadLetter: (letter) => log.error({ alertId: letter.alertId, url: letter.url, attempts: letter.attempts, lastError: letter.lastError }, 'alert webhook failed: dead letter recorded'),
          onError: (error) => log.error({ err: error }, 'could not record a webhook dead letter'),
        })
      : undefined;
  const alerts = alertRecorder({
    store,
    ...(webhooks ? { webhooks } : {}),
    onError: (error, alert) => log.error({ err: error, alertId: alert.id, detector: alert.detector }, 'could not store an alert'),
  });
  let retentionTimer: NodeJS.Timeout | undefined;
  if (options.retention !== false) {
    retentionTimer = setInterval(() => {
      pruneAuditLogOnce(store, clock.now(), { retentionMs, intervalMs: RETENTION_INTERVAL_MS })
        .then((removed) => {
          if (removed !== undefined) log.info({ removed }, 'pruned the audit log');
        })
        .catch((error: unknown) => log.warn({ err: error }, 'audit retention pruning failed'));
    }, RETENTION_CHECK_MS);
    retentionTimer.unref();
  }
  return {
    sink: fanOutEvents(skipRepeatedIntrospections(writer), alerts),
    depth: () => writer.depth(),
    dropped: () => writer.dropped(),
    flush: () => writer.flush(),
    async idle() {
      await alerts.idle();
      await webhooks?.idle();
    },
    async close() {
      clearInterval(retentionTimer);
      await alerts.idle();
      await webhooks?.close();
      await writer.close();
      if (writer.depth() > 0) log.error({ lost: writer.depth() }, 'audit events could not be written before shutdown');
    },
  };
}
