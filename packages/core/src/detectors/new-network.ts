import { guarded, raiseAlert, type Detector, type DetectorAction, type DetectorDeps } from './detector.js';
import { FamilyHistory } from './family-history.js';
import { IncidentGate } from './incident-gate.js';

export interface NewNetworkOptions {
  /** `alert` (default) or `revoke`: the family is revoked with core's revocation at once. */
  action?: Extract<DetectorAction, 'alert' | 'revoke'>;
  maxFamilies?: number;
  incidentWindowMs?: number;
}

export const REFRESH_NEW_NETWORK = 'refresh_new_network';

/**
 * Rule 5 — refresh from a new network. A refresh (`token.refreshed`) whose IP prefix (/24 IPv4, /48
 * IPv6) AND user-agent family (versions ignored) both differ from every use in the family's history —
 * its birth at the code/device exchange and its earlier refreshes — looks like a stolen refresh token
 * used elsewhere. A phone changing networks (same agent) or a browser update (same network) is normal.
 * Severity medium; action alert, or revoke the family.
 */
export function newNetworkDetector(deps: DetectorDeps, options: NewNetworkOptions = {}): Detector {
  const history = new FamilyHistory({ maxFamilies: options.maxFamilies ?? 100_000 });
  const gate = new IncidentGate(options.incidentWindowMs ?? 24 * 3_600_000);
  const action = options.action ?? 'alert';

  return guarded(REFRESH_NEW_NETWORK, (event) => {
    if (event.type === 'token.issued') {
      history.observeIssued(event);
      return;
    }
    if (event.type !== 'token.refreshed' || !event.tokenId) return;
    const familyId = event.tokenId;
    const use = FamilyHistory.use(event, event.grace ? 'grace_retry' : 'refreshed');
    // Uses without a known address tell nothing about where the family lives.
    const past = history.history(familyId, event.sessionId, event.clientId).filter((u) => u.network !== '?');
    history.record(familyId, event.sessionId, event.clientId, use);
    if (past.length === 0 || use.network === '?') return;
    const knownNetwork = past.some((u) => u.network === use.network);
    const knownAgent = past.some((u) => u.agent === use.agent);
    if (knownNetwork || knownAgent || !gate.open(familyId, event.time)) return;
    let taken: DetectorAction = 'alert';
    if (action === 'revoke' && deps.responses?.revokeFamily) {
      deps.responses.revokeFamily(familyId).catch(() => undefined);
      taken = 'revoke';
    }
    raiseAlert(deps, {
      detector: REFRESH_NEW_NETWORK,
      severity: 'medium',
      action: taken,
      summary: `Refresh token family ${familyId} was used from a new network (${use.network}) with a new user agent`,
      details: {
        familyId,
        network: use.network,
        knownNetworks: [...new Set(past.map((u) => u.network))].slice(0, 10),
        knownUserAgents: [...new Set(past.map((u) => u.userAgent ?? '?'))].slice(0, 5),
        usesSeen: past.length,
      },
      clientId: event.clientId,
      subject: event.subject,
      sessionId: event.sessionId,
      tokenId: familyId,
      ip: event.ip,
      userAgent: event.userAgent,
    });
  });
}
