import { guarded, raiseAlert, type Detector, type DetectorDeps } from './detector.js';
import { IncidentGate } from './incident-gate.js';
import { WindowCounter } from './window-counter.js';

export interface InactiveIntrospectionOptions {
  /** Presentations of one revoked or expired token (by jti) within the window. Default 5. */
  perToken?: number;
  /** Revoked or expired tokens introspected by one caller within the window. Default 500. */
  perCaller?: number;
  /** Default 10 min. */
  windowMs?: number;
  maxKeys?: number;
}

export const INACTIVE_INTROSPECTION = 'inactive_token_replay';

const DEAD = new Set(['revoked', 'expired']);

/**
 * Rule 6 — revoked or expired tokens presented repeatedly at introspection. One token (jti) coming back
 * again and again after revocation or expiry means someone keeps replaying it at an API (a stolen token,
 * or a client that ignores expiry); a caller introspecting many dead tokens is replaying a batch.
 * Severity high for a revoked token, medium for an expired one or a caller-wide burst. Alert only.
 */
export function inactiveIntrospectionDetector(deps: DetectorDeps, options: InactiveIntrospectionOptions = {}): Detector {
  const windowMs = options.windowMs ?? 10 * 60_000;
  const perToken = options.perToken ?? 5;
  const perCaller = options.perCaller ?? 500;
  const maxKeys = options.maxKeys ?? 50_000;
  const byToken = new WindowCounter(windowMs, maxKeys);
  const byCaller = new WindowCounter(windowMs, maxKeys);
  const gate = new IncidentGate(windowMs * 3, maxKeys);

  return guarded(INACTIVE_INTROSPECTION, (event) => {
    if (event.type !== 'token.introspected' || event.active || !DEAD.has(event.reason ?? '')) return;
    const now = event.time;
    const caller = event.clientId ?? '?';
    const callerCount = byCaller.add(caller, now);
    if (event.tokenId) {
      const count = byToken.add(event.tokenId, now);
      if (count >= perToken && gate.open(`token:${event.tokenId}`, now)) {
        raiseAlert(deps, {
          detector: INACTIVE_INTROSPECTION,
          severity: event.reason === 'revoked' ? 'high' : 'medium',
          action: 'alert',
          summary: `A ${event.reason} token (jti ${event.tokenId}) was presented ${Math.round(count)} times at introspection within ${windowMs / 60_000} min`,
          details: { rule: 'per_token', presentations: Math.round(count), reason: event.reason, windowSeconds: windowMs / 1000, introspectedBy: caller },
          clientId: event.clientId,
          subject: event.subject,
          tokenId: event.tokenId,
          ip: event.ip,
          userAgent: event.userAgent,
        });
      }
    }
    if (callerCount >= perCaller && gate.open(`caller:${caller}`, now)) {
      raiseAlert(deps, {
        detector: INACTIVE_INTROSPECTION,
        severity: 'medium',
        action: 'alert',
        summary: `Client ${caller} introspected ${Math.round(callerCount)} revoked or expired tokens within ${windowMs / 60_000} min`,
        details: { rule: 'per_caller', presentations: Math.round(callerCount), windowSeconds: windowMs / 1000 },
        clientId: event.clientId,
        ip: event.ip,
        userAgent: event.userAgent,
      });
    }
  });
}
