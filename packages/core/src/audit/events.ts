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
  | (EventBase & {
      type: 'token.issued';
      grantType: string;
      scope: string;
      audience: string[];
      expiresAt: number;
      /** The refresh-token family the access token belongs to (authorization code, refresh and device grants): links a token to the one it was refreshed from and into. */
      familyId?: string;
    })
  | (EventBase & { type: 'token.issue_failed'; grantType: string })
  | (EventBase & { type: 'token.introspected'; active: boolean })
  | (EventBase & { type: 'token.revoked'; tokenType: 'access_token' })
  | (EventBase & { type: 'client.authentication_failed'; method: string })
  | (EventBase & { type: 'client.created' })
  | (EventBase & { type: 'client.changed'; change: 'disabled' | 'enabled' | 'updated' })
  | (EventBase & { type: 'client.deleted' })
  | (EventBase & { type: 'client.secret_rotated'; graceSeconds: number })
  | (EventBase & { type: 'key.created'; alg: string })
  | (EventBase & { type: 'key.activated'; alg: string })
  | (EventBase & { type: 'key.retired'; alg: string })
  | (EventBase & { type: 'key.revoked'; alg: string })
  | (EventBase & { type: 'master_key.rotated' })
  // Login features (users, sessions, authorization code, refresh tokens, device flow). Never a password, code or token.
  | (EventBase & { type: 'user.created' })
  | (EventBase & { type: 'user.changed'; change: 'disabled' | 'enabled' | 'password_set' | 'updated' | 'logged_out' })
  | (EventBase & { type: 'user.deleted' })
  | (EventBase & { type: 'login.succeeded' })
  /** `account`: a 16-character SHA-256 tag of the normalised username tried (login/throttle.ts accountTag), never the name. */
  | (EventBase & { type: 'login.failed'; account?: string })
  | (EventBase & { type: 'consent.given'; scope: string })
  | (EventBase & { type: 'session.ended'; endedBy: 'logout' | 'admin' })
  | (EventBase & { type: 'token.refreshed'; scope: string; grace: boolean })
  | (EventBase & { type: 'refresh_token.revoked' })
  | (EventBase & { type: 'refresh_token.reuse_detected'; severity: 'high' })
  | (EventBase & { type: 'authorization_code.reuse_detected'; severity: 'high' })
  | (EventBase & { type: 'device.authorization_started' })
  | (EventBase & { type: 'device.decided'; approved: boolean })
  // Monitoring: raised by the anomaly detectors, and by rate limits when a caller is refused.
  | (EventBase & {
      type: 'security.alert_raised';
      /** Stable id of the detector rule, e.g. `refresh_reuse`. */
      detector: string;
      severity: AlertSeverity;
      /** What the server did about it besides alerting. */
      action: 'alert' | 'throttle' | 'revoke';
      /** One human-readable sentence; never a token or secret. */
      summary: string;
      /** Detector-specific evidence (counts, windows, family history); JSON-serialisable, never a token or secret. */
      details?: Record<string, unknown>;
    })
  | (EventBase & { type: 'rate_limit.exceeded'; endpoint: string; limitedBy: 'client' | 'ip' });

export type AlertSeverity = 'low' | 'medium' | 'high' | 'critical';

export type AuditEventType = AuditEvent['type'];

/** Receives events synchronously; implementations must be cheap and never throw (queue and write later). */
export interface EventSink {
  emit(event: AuditEvent): void;
}

export const discardEvents: EventSink = { emit: () => undefined };

/** One sink that hands every event to each of `sinks` in order; a sink that throws does not stop the others. */
export function fanOutEvents(...sinks: EventSink[]): EventSink {
  return {
    emit(event) {
      for (const sink of sinks) {
        try {
          sink.emit(event);
        } catch {
          // Sinks must not throw; if one does anyway, the request and the other sinks go on.
        }
      }
    },
  };
}

/** Safe to log: the first characters of a token or secret (its type prefix) and its last four. */
export function redact(secret: string): string {
  if (secret.length <= 12) return '…';
  const prefixEnd = secret.indexOf('_');
  const head = prefixEnd > 0 && prefixEnd < 8 ? secret.slice(0, prefixEnd + 1) : '';
  return `${head}…${secret.slice(-4)}`;
}
