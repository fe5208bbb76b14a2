import type { AuditEvent, EventSink } from '../audit/events.js';
import { clientAuthFailureDetector, type ClientAuthFailureOptions } from './client-auth-failures.js';
import type { Detector, DetectorDeps } from './detector.js';
import { inactiveIntrospectionDetector, type InactiveIntrospectionOptions } from './inactive-introspection.js';
import { issuanceSpikeDetector, type IssuanceSpikeOptions } from './issuance-spike.js';
import { loginFailureDetector, type LoginFailureOptions } from './login-failures.js';
import { newNetworkDetector, type NewNetworkOptions } from './new-network.js';
import { refreshReuseDetector, type RefreshReuseOptions } from './refresh-reuse.js';

export { BoundedMap } from './bounded-map.js';
export { WindowCounter } from './window-counter.js';
export { IncidentGate } from './incident-gate.js';
export { networkPrefix, agentFamily } from './network.js';
export { raiseAlert, type Detector, type DetectorAction, type DetectorDeps, type DetectorResponses, type ThrottleRequest } from './detector.js';
export { refreshReuseDetector, REFRESH_REUSE, type RefreshReuseOptions } from './refresh-reuse.js';
export { clientAuthFailureDetector, CLIENT_AUTH_BURST, type ClientAuthFailureOptions } from './client-auth-failures.js';
export { loginFailureDetector, LOGIN_FAILURES, type LoginFailureOptions } from './login-failures.js';
export { issuanceSpikeDetector, ISSUANCE_SPIKE, type IssuanceSpikeOptions } from './issuance-spike.js';
export { newNetworkDetector, REFRESH_NEW_NETWORK, type NewNetworkOptions } from './new-network.js';
export { inactiveIntrospectionDetector, INACTIVE_INTROSPECTION, type InactiveIntrospectionOptions } from './inactive-introspection.js';

/** Options of every detector, by rule id; `false` turns a detector off. */
export interface DetectorOptions {
  refresh_reuse?: RefreshReuseOptions | false;
  client_auth_burst?: ClientAuthFailureOptions | false;
  login_failures?: LoginFailureOptions | false;
  issuance_spike?: IssuanceSpikeOptions | false;
  refresh_new_network?: NewNetworkOptions | false;
  inactive_token_replay?: InactiveIntrospectionOptions | false;
}

/** Event types any detector looks at; everything else is dropped with one Set lookup. */
const WATCHED = new Set<AuditEvent['type']>([
  'token.issued',
  'token.refreshed',
  'refresh_token.reuse_detected',
  'client.authentication_failed',
  'login.failed',
  'token.introspected',
]);

/** The six detectors as one EventSink (add it to the server's fan-out). */
export function createDetectors(deps: DetectorDeps, options: DetectorOptions = {}): EventSink & { detectors: readonly Detector[] } {
  const detectors: Detector[] = [];
  const add = <O>(opts: O | false | undefined, make: (d: DetectorDeps, o: O | undefined) => Detector): void => {
    if (opts !== false) detectors.push(make(deps, opts));
  };
  add(options.refresh_reuse, refreshReuseDetector);
  add(options.client_auth_burst, clientAuthFailureDetector);
  add(options.login_failures, loginFailureDetector);
  add(options.issuance_spike, issuanceSpikeDetector);
  add(options.refresh_new_network, newNetworkDetector);
  add(options.inactive_token_replay, inactiveIntrospectionDetector);
  return {
    detectors,
    emit(event) {
      if (!WATCHED.has(event.type)) return;
      for (const detector of detectors) detector.emit(event);
    },
  };
}
