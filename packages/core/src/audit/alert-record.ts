import { randomBytes } from 'node:crypto';
import type { AlertRecord } from '../ports/audit-store.js';
import type { AuditEvent } from './events.js';

export type AlertRaisedEvent = Extract<AuditEvent, { type: 'security.alert_raised' }>;

export const isAlertRaised = (event: AuditEvent): event is AlertRaisedEvent => event.type === 'security.alert_raised';

/** A new alert id: `tal_` and 16 random bytes, base64url. */
export const newAlertId = (): string => `tal_${randomBytes(16).toString('base64url')}`;

/** The stored alert for a `security.alert_raised` event (not yet acknowledged). */
export function alertFromEvent(event: AlertRaisedEvent, id: string = newAlertId()): AlertRecord {
  return {
    id,
    raisedAt: event.time,
    detector: event.detector,
    severity: event.severity,
    action: event.action,
    summary: event.summary,
    clientId: event.clientId ?? null,
    subject: event.subject ?? null,
    sessionId: event.sessionId ?? null,
    tokenId: event.tokenId ?? null,
    ip: event.ip ?? null,
    details: event.details ?? null,
    ackedAt: null,
    ackedBy: null,
  };
}
