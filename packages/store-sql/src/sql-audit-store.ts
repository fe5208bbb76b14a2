import { DuplicateError, type AlertRecord, type AuditEvent, type AuditQuery, type AuditRecord, type AuditStore, type WebhookDeadLetter } from '@tessera/core';
import type { Row, SqlDriver, SqlExecutor, SqlValue } from './driver.js';

const EVENT_COLUMNS = 7;
/**
 * Rows per INSERT. Batches are cut into statements of these sizes (largest first) so that only three
 * distinct statement texts exist: PostgreSQL prepares each text once per connection and keeps it.
 */
const CHUNK_SIZES = [100, 10, 1] as const;
/** Separate from the change-log lock: audit appenders serialise among themselves only. */
const AUDIT_APPEND_LOCK = '7243911002';

const insertSql = (rows: number): string =>
  'INSERT INTO audit_events (occurred_at, type, client_id, subject, session_id, token_id, doc) VALUES ' +
  Array.from({ length: rows }, () => `(${Array.from({ length: EVENT_COLUMNS }, () => '?').join(', ')})`).join(', ');

const eventParams = (e: AuditEvent): SqlValue[] => [
  e.time,
  e.type,
  e.clientId ?? null,
  e.subject ?? null,
  e.sessionId ?? null,
  e.tokenId ?? null,
  JSON.stringify(e),
];

const recordFromRow = (row: Row): AuditRecord => ({ seq: Number(row['seq']), event: JSON.parse(String(row['doc'])) as AuditEvent });

function alertFromRow(row: Row): AlertRecord {
  const ackedAt = row['acked_at'];
  const ackedBy = row['acked_by'];
  return {
    ...(JSON.parse(String(row['doc'])) as AlertRecord),
    ackedAt: ackedAt === null || ackedAt === undefined ? null : Number(ackedAt),
    ackedBy: ackedBy === null || ackedBy === undefined ? null : String(ackedBy),
  };
}

/** WHERE clause and parameters for every filter of the query except the limit. */
function where(query: AuditQuery): { sql: string; params: SqlValue[] } {
  const clauses: string[] = [];
  const params: SqlValue[] = [];
  const add = (clause: string, value: SqlValue): void => {
    clauses.push(clause);
    params.push(value);
  };
  if (query.after !== undefined) add('seq > ?', query.after);
  if (query.since !== undefined) add('occurred_at >= ?', query.since);
  if (query.until !== undefined) add('occurred_at < ?', query.until);
  if (query.clientId !== undefined) add('client_id = ?', query.clientId);
  if (query.subject !== undefined) add('subject = ?', query.subject);
  if (query.sessionId !== undefined) add('session_id = ?', query.sessionId);
  if (query.tokenId !== undefined) add('token_id = ?', query.tokenId);
  if (query.types !== undefined) {
    if (query.types.length === 0) clauses.push('1 = 0');
    else {
      clauses.push(`type IN (${query.types.map(() => '?').join(', ')})`);
      params.push(...query.types);
    }
  }
  return { sql: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

const isUniqueViolation = (error: unknown): boolean =>
  (error as { code?: unknown })?.code === '23505' || /unique|duplicate|constraint/i.test(String((error as { message?: unknown })?.message ?? ''));

/** The audit half of SqlStore (ports/audit-store.ts in core): tables `audit_events`, `alerts`, `webhook_dead_letters` (migration 3). */
export class SqlAuditStore implements AuditStore {
  readonly #db: SqlDriver;

  constructor(driver: SqlDriver) {
    this.#db = driver;
  }

  async appendAuditEvents(events: readonly AuditEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.#db.transaction(async (tx) => {
      // PostgreSQL: seq order must be commit order for readers following with a cursor; SQLite's
      // BEGIN IMMEDIATE already serialises writers.
      if (this.#db.dialect === 'postgres') await tx.run(`SELECT pg_advisory_xact_lock(${AUDIT_APPEND_LOCK})`);
      await insertChunks(tx, events);
    });
  }

  async queryAuditEvents(query: AuditQuery): Promise<AuditRecord[]> {
    const { sql, params } = where(query);
    const limit = Math.max(1, Math.floor(query.limit));
    const rows = await this.#db.all(
      `SELECT seq, doc FROM audit_events ${sql} ORDER BY seq ${query.newest ? 'DESC' : 'ASC'} LIMIT ?`,
      [...params, limit],
    );
    const records = rows.map(recordFromRow);
    return query.newest ? records.reverse() : records;
  }

  async pruneAuditLog(before: number): Promise<number> {
    return this.#db.transaction(async (tx) => {
      const events = await tx.run('DELETE FROM audit_events WHERE occurred_at < ?', [before]);
      const alerts = await tx.run('DELETE FROM alerts WHERE acked_at IS NOT NULL AND raised_at < ?', [before]);
      const letters = await tx.run('DELETE FROM webhook_dead_letters WHERE failed_at < ?', [before]);
      return events.changes + alerts.changes + letters.changes;
    });
  }

  async insertAlert(alert: AlertRecord): Promise<void> {
    const { ackedAt, ackedBy, ...doc } = alert;
    const inserted = await this.#db.run(
      'INSERT INTO alerts (id, raised_at, acked_at, acked_by, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [alert.id, alert.raisedAt, ackedAt, ackedBy, JSON.stringify(doc)],
    );
    if (inserted.changes === 0) throw new DuplicateError(`alert ${alert.id}`);
  }

  async getAlert(id: string): Promise<AlertRecord | undefined> {
    const rows = await this.#db.all('SELECT acked_at, acked_by, doc FROM alerts WHERE id = ?', [id]);
    return rows[0] ? alertFromRow(rows[0]) : undefined;
  }

  async listAlerts(query: { unacked?: boolean; limit: number }): Promise<AlertRecord[]> {
    const rows = await this.#db.all(
      `SELECT acked_at, acked_by, doc FROM alerts ${query.unacked ? 'WHERE acked_at IS NULL' : ''} ORDER BY raised_at DESC, id DESC LIMIT ?`,
      [Math.max(1, Math.floor(query.limit))],
    );
    return rows.map(alertFromRow);
  }

  async ackAlert(id: string, at: number, by: string): Promise<boolean> {
    const updated = await this.#db.run('UPDATE alerts SET acked_at = ?, acked_by = ? WHERE id = ? AND acked_at IS NULL', [at, by, id]);
    return updated.changes === 1;
  }

  async insertDeadLetter(record: WebhookDeadLetter): Promise<void> {
    try {
      await this.#db.run('INSERT INTO webhook_dead_letters (id, failed_at, doc) VALUES (?, ?, ?)', [record.id, record.failedAt, JSON.stringify(record)]);
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateError(`dead letter ${record.id}`);
      throw error;
    }
  }

  async listDeadLetters(limit: number): Promise<WebhookDeadLetter[]> {
    const rows = await this.#db.all('SELECT doc FROM webhook_dead_letters ORDER BY failed_at DESC, id DESC LIMIT ?', [Math.max(1, Math.floor(limit))]);
    return rows.map((row) => JSON.parse(String(row['doc'])) as WebhookDeadLetter);
  }
}

async function insertChunks(tx: SqlExecutor, events: readonly AuditEvent[]): Promise<void> {
  let offset = 0;
  for (const size of CHUNK_SIZES) {
    while (events.length - offset >= size) {
      const chunk = events.slice(offset, offset + size);
      await tx.run(insertSql(size), chunk.flatMap(eventParams));
      offset += size;
    }
  }
}
