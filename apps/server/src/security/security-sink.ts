import { createDetectors, type AuthServer, type Clock, type DetectorOptions, type EventSink } from '@tessera/core';
import type { RateLimiter } from '../rate-limit/rate-limiter.js';
import { DEFAULT_DETECTOR_ACTIONS, parseDetectorActions, type DetectorSetting } from './detector-actions.js';

export interface SecuritySinkOptions {
  clock: Clock;
  /** Detector actions by name (TESSERA_DETECTOR_ACTIONS); defaults for the rest. */
  actions: Record<string, DetectorSetting>;
  /** Where alerts go: the server's whole event fan-out (audit log, alert store, logs). */
  alerts: EventSink;
  /** Receives detectors' throttle requests; absent when rate limiting is off. */
  limiter: RateLimiter | undefined;
  /** The engine, known once created: revocation of families and the login throttle's lockouts. */
  auth: () => AuthServer | undefined;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Detector options from the operator's action settings. */
export function detectorOptions(actions: Record<string, DetectorSetting>): DetectorOptions {
  const all = { ...parseDetectorActions(DEFAULT_DETECTOR_ACTIONS), ...actions };
  const pick = <A extends DetectorSetting>(name: string, fallback: A): A | false => {
    const value = all[name] ?? fallback;
    return value === 'off' ? false : (value as A);
  };
  const opts = <A extends DetectorSetting>(name: string, fallback: A) => {
    const action = pick(name, fallback);
    return action === false ? (false as const) : { action };
  };
  return {
    refresh_reuse: pick('refresh_reuse', 'revoke') === false ? false : {},
    client_auth_burst: opts('client_auth_burst', 'alert') as DetectorOptions['client_auth_burst'],
    login_failures: opts('login_failures', 'throttle') as DetectorOptions['login_failures'],
    issuance_spike: opts('issuance_spike', 'alert') as DetectorOptions['issuance_spike'],
    refresh_new_network: opts('refresh_new_network', 'alert') as DetectorOptions['refresh_new_network'],
    inactive_token_replay: pick('inactive_token_replay', 'alert') === false ? false : {},
  };
}

/**
 * The anomaly detectors as one EventSink for the server's fan-out, with their actions wired to the
 * rate limiter (throttle), core's family revocation (revoke) and the login throttle (lockout).
 */
export function securitySink(options: SecuritySinkOptions): EventSink {
  return createDetectors(
    {
      clock: options.clock,
      alerts: options.alerts,
      responses: {
        throttle: (request) => {
          options.limiter?.tighten(request.kind, request.key, { capacity: request.burst, perMs: request.ratePerSecond / 1000 }, request.until);
        },
        revokeFamily: async (familyId) => {
          const auth = options.auth();
          if (!auth) return;
          try {
            await auth.revokeFamily(familyId);
          } catch (error) {
            options.warn({ err: { message: (error as Error).message }, familyId }, 'detector could not revoke a token family');
          }
        },
        lockLogin: (kind, key, until) => options.auth()?.login.throttle.lock(kind, key, until),
      },
    },
    detectorOptions(options.actions),
  );
}
