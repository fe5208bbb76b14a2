import type { AuditEvent } from '../audit/events.js';
import type { AlertRecord, AuditQuery, AuditRecord, AuditStore, WebhookDeadLetter } from '../ports/audit-store.js';
import { DuplicateError } from '../ports/store.js';

const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** True when the event passes every filter of the query except the cursor and the limit. */
export function matchesAuditQuery(event: AuditEvent, query: AuditQuery): boolean {
  if (query.since !== undefined && event.time < query.since) return false;
  if (query.until !== undefined && event.time >= query.until) return false;
  if (query.clientId !== undefined && event.clientId !== query.clientId) return false;
  if (query.subject !== undefined && event.subject !== query.subject) return false;
  if (query.sessionId !== undefined && event.sessionId !== query.sessionId) return false;
  if (query.tokenId !== undefined && event.tokenId !== query.tokenId) return false;
  if (query.types !== undefined && !query.types.includes(event.type)) return false;
  return true;
}

/** The audit half of MemoryStore (see ports/audit-store.ts). */
export abstract class MemoryAuditStore implements AuditStore {
  #events: AuditRecord[] = [];
  #seq = 0;
  readonly #alerts = new Map<string, AlertRecord>();
  readonly #deadLetters = new Map<string, WebhookDeadLetter>();

  protected abstract assertOpen(): void;

  async appendAuditEvents(events: readonly AuditEvent[]): Promise<void> {
    this.assertOpen();
    for (const event of events) this.#events.push({ seq: ++this.#seq, event: copy(event) });
  }

  async queryAuditEvents(query: AuditQuery): Promise<AuditRecord[]> {
    this.assertOpen();
    const after = query.after ?? 0;
    const matching = this.#events.filter((r) => r.seq > after && matchesAuditQuery(r.event, query));
    return copy(query.newest ? matching.slice(-query.limit) : matching.slice(0, query.limit));
  }

  async pruneAuditLog(before: number): Promise<number> {
    this.assertOpen();
    let removed = this.#events.length;
    this.#events = this.#events.filter((r) => r.event.time >= before);
    removed -= this.#events.length;
    for (const [id, alert] of this.#alerts) {
      if (alert.ackedAt !== null && alert.raisedAt < before) {
        this.#alerts.delete(id);
        removed += 1;
      }
    }
    for (const [id, letter] of this.#deadLetters) {
      if (letter.failedAt < before) {
        this.#deadLetters.delete(id);
        removed += 1;
      }
    }
    return removed;
  }

  async insertAlert(alert: AlertRecord): Promise<void> {
    this.assertOpen();
    if (this.#alerts.has(alert.id)) throw new DuplicateError(`alert ${alert.id}`);
    this.#alerts.set(alert.id, copy(alert));
  }

  async getAlert(id: string): Promise<AlertRecord | undefined> {
    this.assertOpen();
    const alert = this.#alerts.get(id);
    return alert && copy(alert);
  }

  async listAlerts(query: { unacked?: boolean; limit: number }): Promise<AlertRecord[]> {
    this.assertOpen();
    const alerts = [...this.#alerts.values()]
      .filter((a) => !query.unacked || a.ackedAt === null)
      .sort((a, b) => b.raisedAt - a.raisedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return copy(alerts.slice(0, query.limit));
  }

  async ackAlert(id: string, at: number, by: string): Promise<boolean> {
    this.assertOpen();
    const alert = this.#alerts.get(id);
    if (!alert || alert.ackedAt !== null) return false;
    alert.ackedAt = at;
    alert.ackedBy = by;
    return true;
  }

  async insertDeadLetter(record: WebhookDeadLetter): Promise<void> {
    this.assertOpen();
    if (this.#deadLetters.has(record.id)) throw new DuplicateError(`dead letter ${record.id}`);
    this.#deadLetters.set(record.id, copy(record));
  }

  async listDeadLetters(limit: number): Promise<WebhookDeadLetter[]> {
    this.assertOpen();
    const letters = [...this.#deadLetters.values()].sort(
      (a, b) => b.failedAt - a.failedAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    );
    return copy(letters.slice(0, limit));
  }
}
