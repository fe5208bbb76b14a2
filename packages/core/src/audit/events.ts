/** Who and where a request came from, as far as the HTTP layer can tell. */
export interface RequestContext {
  ip?: string;
  userAgent?: string;
  requestId?: string;
}

interface EventBase {
  time: number;
  clientId?: string;
  subject?: string;
  sessionId?: string;
  /** A jti, family id or kid — never a token. */
  tokenId?: string;
  ip?: string;
  userAgent?: string;
  outcome: 'success' | 'failure';
  /** A machine-readable reason code, e.g. an RFC error code or a token rejection reason. */
  reason?: string;
}

/** The typed catalogue of things Tessera reports. Documented in docs/audit-events.md. */
export type AuditEvent =
  | (EventBase & { type: 'token.issued'; grantType: string; scope: string; audience: string[]; expiresAt: number })
  | (EventBase & { type: 'token.issue_failed'; grantType: string })
  | (EventBase & { type: 'token.introspected'; active: boolean })
  | (EventBase & { type: 'token.revoked'; tokenType: 'access_token' })
  | (EventBase & { type: 'client.authentication_failed'; method: string })
  | (EventBase & { type: 'client.created' })
  | (EventBase & { type: 'client.changed'; change: 'disabled' | 'enabled' | 'updated' })
  | (EventBase & { type: 'client.deleted' })
  | (EventBase & { type: 'client.secret_rotated'; graceSeconds: number })
  | (EventBase & { type: 'key.created'; alg: string })
  | (EventBase & { type: 'key.activated'; alg: string });

export type AuditEventType = AuditEvent['type'];

/** Receives events synchronously; implementations must be cheap and never throw (queue and write later). */
export interface EventSink {
  emit(event: AuditEvent): void;
}

export const discardEvents: EventSink = { emit: () => undefined };

/** Safe to log: the first characters of a token or secret (its type prefix) and its last four. */
export function redact(secret: string): string {
  if (secret.length <= 12) return '…';
  const prefixEnd = secret.indexOf('_');
  const head = prefixEnd > 0 && prefixEnd < 8 ? secret.slice(0, prefixEnd + 1) : '';
  return `${head}…${secret.slice(-4)}`;
}
