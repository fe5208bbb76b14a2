import { guarded, raiseAlert, type Detector, type DetectorAction, type DetectorDeps } from './detector.js';
import { IncidentGate } from './incident-gate.js';
import { WindowCounter } from './window-counter.js';

export interface ClientAuthFailureOptions {
  /** Failures for one client id within the window that make a burst. Default 20. */
  perClient?: number;
  /** Failures from one IP (any client ids) within the window that make a burst. Default 50. */
  perIp?: number;
  /** Sliding window. Default 5 min. */
  windowMs?: number;
  /** `alert` (default) or `throttle` (the offending IP, or client id, gets `throttleRate` for `throttleForMs`). */
  action?: Extract<DetectorAction, 'alert' | 'throttle'>;
  throttleRate?: { ratePerSecond: number; burst: number };
  throttleForMs?: number;
  /** Keys remembered (LRU). Default 50 000 per counter. */
  maxKeys?: number;
}

export const CLIENT_AUTH_BURST = 'client_auth_burst';

/**
 * Rule 2 — client-authentication failure bursts. Counts `client.authentication_failed` per presented
 * client id and per source IP over a sliding window; crossing a threshold is one incident (one alert per
 * key and window). A burst per client id is someone guessing (or a deployment with a stale secret); a
 * burst per IP across client ids is a scan. Severity medium, high when one IP fails for 5+ client ids.
 */
export function clientAuthFailureDetector(deps: DetectorDeps, options: ClientAuthFailureOptions = {}): Detector {
  const windowMs = options.windowMs ?? 5 * 60_000;
  const perClient = options.perClient ?? 20;
  const perIp = options.perIp ?? 50;
  const maxKeys = options.maxKeys ?? 50_000;
  const byClient = new WindowCounter(windowMs, maxKeys);
  const byIp = new WindowCounter(windowMs, maxKeys);
  const clientsPerIp = new Map<string, Set<string>>();
  const gate = new IncidentGate(windowMs, maxKeys);
  const action = options.action ?? 'alert';
  const throttleRate = options.throttleRate ?? { ratePerSecond: 0.2, burst: 5 };
  const throttleForMs = options.throttleForMs ?? 15 * 60_000;

  return guarded(CLIENT_AUTH_BURST, (event) => {
    if (event.type !== 'client.authentication_failed') return;
    const now = event.time;
    const ip = event.ip ?? '?';
    const clientId = event.clientId ?? '?';
    const clientCount = byClient.add(clientId, now);
    const ipCount = byIp.add(ip, now);
    // Distinct client ids per IP, only for IPs already failing: small, and cleared with the counter.
    let distinct = clientsPerIp.get(ip);
    if (ipCount >= perIp / 5) {
      if (!distinct) {
        if (clientsPerIp.size >= 1000) clientsPerIp.clear();
        distinct = new Set();
        clientsPerIp.set(ip, distinct);
      }
      if (distinct.size < 100) distinct.add(clientId);
    }

    const respond = (kind: 'client' | 'ip', key: string): DetectorAction => {
      if (action !== 'throttle' || !deps.responses?.throttle) return 'alert';
      deps.responses.throttle({ kind, key, ...throttleRate, until: now + throttleForMs });
      return 'throttle';
    };

    if (clientCount >= perClient && gate.open(`client:${clientId}`, now)) {
      raiseAlert(deps, {
        detector: CLIENT_AUTH_BURST,
        severity: 'medium',
        action: respond('client', clientId),
        summary: `${Math.round(clientCount)} failed client authentications for client ${clientId} within ${windowMs / 60_000} min`,
        details: { scope: 'client', failures: Math.round(clientCount), windowSeconds: windowMs / 1000, lastMethod: event.method, lastReason: event.reason },
        clientId: event.clientId,
        ip: event.ip,
        userAgent: event.userAgent,
      });
    }
    if (ipCount >= perIp && gate.open(`ip:${ip}`, now)) {
      const clientIds = distinct ? [...distinct].slice(0, 20) : [clientId];
      raiseAlert(deps, {
        detector: CLIENT_AUTH_BURST,
        severity: (distinct?.size ?? 1) >= 5 ? 'high' : 'medium',
        action: respond('ip', ip),
        summary: `${Math.round(ipCount)} failed client authentications from ${ip} within ${windowMs / 60_000} min`,
        details: { scope: 'ip', failures: Math.round(ipCount), windowSeconds: windowMs / 1000, distinctClientIds: distinct?.size ?? 1, clientIds },
        ip: event.ip,
        userAgent: event.userAgent,
      });
      clientsPerIp.delete(ip);
    }
  });
}
