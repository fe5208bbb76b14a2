import { guarded, raiseAlert, type Detector, type DetectorDeps } from './detector.js';
import { FamilyHistory } from './family-history.js';
import { IncidentGate } from './incident-gate.js';

export interface RefreshReuseOptions {
  /** Families remembered (LRU). Default 100 000. */
  maxFamilies?: number;
  /** One alert per family within this window. Default 1 h. */
  incidentWindowMs?: number;
}

export const REFRESH_REUSE = 'refresh_reuse';

/**
 * Rule 1 — refresh-token reuse. The refresh grant already revoked the family when a rotated refresh
 * token came back (`refresh_token.reuse_detected`); this raises the high-severity alert with the
 * family's history as seen by this instance: where it was born, each rotation, and the reuse itself.
 * Action: always `revoke` (done by the grant); not configurable.
 */
export function refreshReuseDetector(deps: DetectorDeps, options: RefreshReuseOptions = {}): Detector {
  const history = new FamilyHistory({ maxFamilies: options.maxFamilies ?? 100_000 });
  const gate = new IncidentGate(options.incidentWindowMs ?? 3_600_000);
  return guarded(REFRESH_REUSE, (event) => {
    switch (event.type) {
      case 'token.issued':
        history.observeIssued(event);
        return;
      case 'token.refreshed':
        if (event.tokenId) history.record(event.tokenId, event.sessionId, event.clientId, FamilyHistory.use(event, event.grace ? 'grace_retry' : 'refreshed'));
        return;
      case 'refresh_token.reuse_detected': {
        const familyId = event.tokenId;
        if (!familyId || !gate.open(familyId, event.time)) return;
        const uses = [...history.history(familyId, event.sessionId, event.clientId), FamilyHistory.use(event, 'reuse')];
        raiseAlert(deps, {
          detector: REFRESH_REUSE,
          severity: 'high',
          action: 'revoke',
          summary: `A rotated refresh token of family ${familyId} was presented again; the whole family was revoked`,
          details: {
            familyId,
            rotationsSeen: uses.filter((u) => u.event === 'refreshed').length,
            history: uses.map(({ time, ip, userAgent, network, event: kind }) => ({ time: new Date(time).toISOString(), event: kind, ip, network, userAgent })),
          },
          clientId: event.clientId,
          subject: event.subject,
          sessionId: event.sessionId,
          tokenId: familyId,
          ip: event.ip,
          userAgent: event.userAgent,
        });
        return;
      }
      default:
        return;
    }
  });
}
