import type { AlertSeverity, AuditEvent, EventSink } from '../audit/events.js';
import type { Clock } from '../clock.js';

/** What a detector does besides alerting. Not every detector supports every action (see docs/detectors.md). */
export type DetectorAction = 'alert' | 'throttle' | 'revoke';

/** A temporary, tighter rate limit a detector asks for. */
export interface ThrottleRequest {
  kind: 'client' | 'ip';
  key: string;
  /** The tighter limit: tokens per second and bucket size. */
  ratePerSecond: number;
  burst: number;
  /** Epoch ms at which the tighter limit lapses. */
  until: number;
}

/**
 * How detectors act on the server, injected so detectors stay free of HTTP and storage. Each is
 * optional; a detector configured for an action whose response is missing only alerts.
 */
export interface DetectorResponses {
  /** Feeds the rate limiter (issuance spike, client-authentication bursts). */
  throttle?(request: ThrottleRequest): void;
  /** Revokes a refresh-token family with core's revocation (refresh from a new network). */
  revokeFamily?(familyId: string): Promise<void>;
  /** A temporary login lockout (login failures); `key` is an account tag or an IP. */
  lockLogin?(kind: 'account' | 'ip', key: string, until: number): void;
}

export interface DetectorDeps {
  clock: Clock;
  /** Where `security.alert_raised` events go (the server's event fan-out). */
  alerts: EventSink;
  responses?: DetectorResponses;
}

/** An anomaly detector: an EventSink with a stable id. `emit` never throws and never awaits. */
export interface Detector extends EventSink {
  readonly id: string;
}

export type AlertFields = Pick<AuditEvent, 'clientId' | 'subject' | 'sessionId' | 'tokenId' | 'ip' | 'userAgent'>;

/** Emits one `security.alert_raised` event. */
export function raiseAlert(
  deps: DetectorDeps,
  alert: { detector: string; severity: AlertSeverity; action: DetectorAction; summary: string; details: Record<string, unknown> } & AlertFields,
): void {
  const { detector, severity, action, summary, details, ...fields } = alert;
  const event: AuditEvent = { type: 'security.alert_raised', time: deps.clock.now(), outcome: 'failure', reason: detector, detector, severity, action, summary, details };
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) (event as unknown as Record<string, unknown>)[name] = value;
  }
  deps.alerts.emit(event);
}

/** Runs `emit` and swallows anything it throws: a detector must never break the request that emitted. */
export function guarded(id: string, emit: (event: AuditEvent) => void): Detector {
  return {
    id,
    emit(event) {
      try {
        emit(event);
      } catch {
        // A detector bug must not fail a token request; the event is simply not analysed.
      }
    },
  };
}
