import type { AlertRecord, AuditRecord } from '@tessera/core';
import { parseDurationSeconds } from '../config/durations.js';

const FIRST = ['clientId', 'subject', 'sessionId', 'tokenId', 'ip', 'reason'] as const;
const NAMES: Record<string, string> = { clientId: 'client', subject: 'subject', sessionId: 'session', tokenId: 'token', ip: 'ip', reason: 'reason', userAgent: 'ua' };

const value = (v: unknown): string => {
  if (typeof v === 'string') return /^[\w.:/@+-]*$/.test(v) && v !== '' ? v : JSON.stringify(v);
  return JSON.stringify(v);
};

/** One terminal line: time, type, outcome, then the event's fields as name=value (the user agent last). */
export function auditLine(record: AuditRecord): string {
  const e = record.event as unknown as Record<string, unknown>;
  const parts = [new Date(record.event.time).toISOString(), record.event.type, record.event.outcome];
  for (const key of FIRST) if (e[key] !== undefined) parts.push(`${NAMES[key]}=${value(e[key])}`);
  for (const [key, v] of Object.entries(e)) {
    if (['type', 'time', 'outcome', 'userAgent', ...FIRST].includes(key) || v === undefined) continue;
    parts.push(`${key}=${key.endsWith('At') && typeof v === 'number' ? new Date(v).toISOString() : value(v)}`);
  }
  if (e['userAgent'] !== undefined) parts.push(`ua=${value(e['userAgent'])}`);
  return parts.join('  ');
}

/** One JSON line (export, `--json`): the event with its log position and an ISO time beside the epoch ms. */
export const auditJsonLine = (record: AuditRecord): string =>
  JSON.stringify({ seq: record.seq, at: new Date(record.event.time).toISOString(), ...record.event });

/** A point in time from the command line: a duration back from now (`1h`, `7d`) or an ISO 8601 date/time. */
export function parseTimeArg(name: string, text: string, now: number): number {
  if (/^\d+(\.\d+)?(ms|s|m|h|d)?$/.test(text.trim())) return now - Math.round(parseDurationSeconds(text) * 1000);
  const parsed = /^\d{4}-\d{2}-\d{2}/.test(text.trim()) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(parsed)) throw new Error(`--${name} "${text}" is neither a duration (30m, 1h, 7d) nor an ISO date/time (2026-01-31T12:00:00Z)`);
  return parsed;
}

/** An alert as operators see it. */
export function alertView(alert: AlertRecord): Record<string, unknown> {
  return {
    ...alert,
    raisedAt: new Date(alert.raisedAt).toISOString(),
    ackedAt: alert.ackedAt === null ? null : new Date(alert.ackedAt).toISOString(),
  };
}

export function alertLine(alert: AlertRecord): string {
  const state = alert.ackedAt === null ? 'OPEN ' : 'acked';
  const who = [alert.clientId && `client=${alert.clientId}`, alert.subject && `subject=${alert.subject}`, alert.ip && `ip=${alert.ip}`].filter(Boolean).join(' ');
  return `${alert.id}  ${state}  ${new Date(alert.raisedAt).toISOString()}  ${alert.severity.padEnd(8)}  ${alert.detector}  ${alert.summary}${who ? `  ${who}` : ''}`;
}
