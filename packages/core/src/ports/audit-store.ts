import type { AlertSeverity, AuditEvent, AuditEventType } from '../audit/events.js';

/** An audit event as stored: the event and its position in the log. */
export interface AuditRecord {
  /**
   * The log position: assigned by the store, strictly increasing in append order. A reader that
   * remembers the greatest `seq` it has seen and asks for `after: seq` next time sees every later event.
   */
  seq: number;
  event: AuditEvent;
}

/** Filters of {@link AuditStore.queryAuditEvents}. Every filter given must match (AND); absent filters match all. */
export interface AuditQuery {
  /** Only events with `time >= since` (epoch ms). */
  since?: number;
  /** Only events with `time < until` (epoch ms). */
  until?: number;
  clientId?: string;
  subject?: string;
  sessionId?: string;
  /** A jti, refresh-token family id or kid, compared exactly. */
  tokenId?: string;
  /** Only events whose type is one of these (an empty list matches nothing). */
  types?: readonly (AuditEventType | string)[];
  /** The cursor: only events with `seq > after`. */
  after?: number;
  /** At most this many records (1 or more). */
  limit: number;
  /**
   * false (default): the first `limit` matches, oldest first — paging forward with `after`.
   * true: the last `limit` matches, still returned oldest first — the start of `tail`.
   */
  newest?: boolean;
}

/** A stored security alert, made from a `security.alert_raised` event. */
export interface AlertRecord {
  /** `tal_…`, unique. */
  id: string;
  raisedAt: number;
  detector: string;
  severity: AlertSeverity;
  action: 'alert' | 'throttle' | 'revoke';
  /** One sentence; never a token or secret. */
  summary: string;
  clientId: string | null;
  subject: string | null;
  sessionId: string | null;
  tokenId: string | null;
  ip: string | null;
  /** Detector evidence, JSON-serialisable, never a token or secret. */
  details: Record<string, unknown> | null;
  ackedAt: number | null;
  /** Who acknowledged it (e.g. the operating-system user running the CLI). */
  ackedBy: string | null;
}

/** A webhook delivery that failed its last retry. Kept for the operator; never holds the signing secret. */
export interface WebhookDeadLetter {
  id: string;
  alertId: string;
  /** The receiver URL without user info or query string (they may hold credentials). */
  url: string;
  attempts: number;
  /** The last failure: an HTTP status (`http 500`) or a network error code; never a response body. */
  lastError: string;
  failedAt: number;
  /** The JSON body that was sent (the alert), so it can be replayed by hand. */
  body: string;
}

/**
 * The part of the Store port behind the audit log, alerts and webhook dead letters. Same rules as
 * {@link Store}: records are returned as fresh copies, and a method that writes several rows writes
 * them in one transaction. These tables are not part of the change log: nothing here is synced
 * between instances, it is only read back by operators (CLI) and pruned by retention.
 */
export interface AuditStore {
  /**
   * Appends the events in order, all in one transaction, assigning each a `seq` greater than any
   * assigned before. With several writers (instances) the store must make `seq` order commit order, so
   * that a reader following with `after` never skips an event that commits late with a lower `seq`.
   * An empty list writes nothing.
   */
  appendAuditEvents(events: readonly AuditEvent[]): Promise<void>;

  /** Events matching every given filter, ordered by `seq` ascending; see {@link AuditQuery}. */
  queryAuditEvents(query: AuditQuery): Promise<AuditRecord[]>;

  /**
   * Retention: deletes audit events with `time < before`, acknowledged alerts raised before `before`
   * and dead letters that failed before `before`, in one transaction. Unacknowledged alerts are kept
   * whatever their age. Resolves with the number of rows removed.
   */
  pruneAuditLog(before: number): Promise<number>;

  /** Stores a new alert. Rejects with DuplicateError when the id exists. */
  insertAlert(alert: AlertRecord): Promise<void>;

  /** The alert with this id, or undefined. */
  getAlert(id: string): Promise<AlertRecord | undefined>;

  /** Up to `limit` alerts, newest first (raisedAt descending, then id descending); only unacknowledged ones when `unacked`. */
  listAlerts(query: { unacked?: boolean; limit: number }): Promise<AlertRecord[]>;

  /**
   * Acknowledges the alert at `at` by `by`, only if it is not acknowledged yet (a conditional update:
   * of two concurrent calls exactly one resolves true). Resolves false when there is no such alert or it
   * was already acknowledged (then nothing changes).
   */
  ackAlert(id: string, at: number, by: string): Promise<boolean>;

  /** Records a webhook delivery that gave up. Rejects with DuplicateError when the id exists. */
  insertDeadLetter(record: WebhookDeadLetter): Promise<void>;

  /** Up to `limit` dead letters, newest first (failedAt descending, then id descending). */
  listDeadLetters(limit: number): Promise<WebhookDeadLetter[]>;
}
