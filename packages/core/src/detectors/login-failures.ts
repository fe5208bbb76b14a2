import { guarded, raiseAlert, type Detector, type DetectorAction, type DetectorDeps } from './detector.js';
import { BoundedMap } from './bounded-map.js';
import { IncidentGate } from './incident-gate.js';
import { WindowCounter } from './window-counter.js';

export interface LoginFailureOptions {
  /** Failed logins for one account within the window that make an incident. Default 10. */
  perAccount?: number;
  /** Failed logins from one IP (any accounts) within the window. Default 30. */
  perIp?: number;
  /** Distinct accounts failing from one IP within the window: credential stuffing. Default 20. */
  distinctAccountsPerIp?: number;
  /** Default 15 min. */
  windowMs?: number;
  /** `throttle` (default: temporary lockout through the login throttle) or `alert` only. */
  action?: Extract<DetectorAction, 'alert' | 'throttle'>;
  /** Lockout of an attacked account. Default 15 min. */
  accountLockMs?: number;
  /** Lockout of a stuffing source IP. Default 30 min. */
  ipLockMs?: number;
  maxKeys?: number;
}

export const LOGIN_FAILURES = 'login_failures';

/**
 * Rule 3 — login failures per account and per IP, and credential stuffing (many accounts, one source).
 * The increasing delays are the LoginThrottle's (login/throttle.ts: doubling waits after 3 failures);
 * this detector adds what a per-request brake cannot see — sustained guessing against one account,
 * one IP failing a lot, and one IP failing for many different accounts — and answers with a temporary
 * lockout through the same throttle (`lockLogin`) and an alert. Accounts are known only by the 16-char
 * tag the `login.failed` event carries, never by name.
 */
export function loginFailureDetector(deps: DetectorDeps, options: LoginFailureOptions = {}): Detector {
  const windowMs = options.windowMs ?? 15 * 60_000;
  const perAccount = options.perAccount ?? 10;
  const perIp = options.perIp ?? 30;
  const distinctLimit = options.distinctAccountsPerIp ?? 20;
  const maxKeys = options.maxKeys ?? 50_000;
  const byAccount = new WindowCounter(windowMs, maxKeys);
  const byIp = new WindowCounter(windowMs, maxKeys);
  const accountsByIp = new BoundedMap<string, { start: number; accounts: Set<string> }>(Math.min(maxKeys, 10_000));
  const gate = new IncidentGate(windowMs, maxKeys);
  const action = options.action ?? 'throttle';
  const accountLockMs = options.accountLockMs ?? 15 * 60_000;
  const ipLockMs = options.ipLockMs ?? 30 * 60_000;

  const lock = (kind: 'account' | 'ip', key: string, until: number): DetectorAction => {
    if (action !== 'throttle' || !deps.responses?.lockLogin) return 'alert';
    deps.responses.lockLogin(kind, key, until);
    return 'throttle';
  };

  return guarded(LOGIN_FAILURES, (event) => {
    if (event.type !== 'login.failed') return;
    const now = event.time;
    const ip = event.ip ?? '?';
    const account = event.account ?? event.subject ?? '?';
    const accountCount = byAccount.add(account, now);
    const ipCount = byIp.add(ip, now);
    let seen = accountsByIp.get(ip);
    if (!seen || now - seen.start >= windowMs) {
      seen = { start: now, accounts: new Set() };
      accountsByIp.set(ip, seen);
    }
    if (seen.accounts.size <= distinctLimit) seen.accounts.add(account);

    if (seen.accounts.size >= distinctLimit && gate.open(`stuffing:${ip}`, now)) {
      raiseAlert(deps, {
        detector: LOGIN_FAILURES,
        severity: 'high',
        action: lock('ip', ip, now + ipLockMs),
        summary: `Credential stuffing suspected: failed logins for ${seen.accounts.size}+ different accounts from ${ip}`,
        details: { rule: 'credential_stuffing', distinctAccounts: seen.accounts.size, failures: Math.round(ipCount), windowSeconds: windowMs / 1000, lockSeconds: ipLockMs / 1000 },
        ip: event.ip,
        userAgent: event.userAgent,
      });
      gate.open(`ip:${ip}`, now);
    } else if (ipCount >= perIp && gate.open(`ip:${ip}`, now)) {
      raiseAlert(deps, {
        detector: LOGIN_FAILURES,
        severity: 'medium',
        action: 'alert',
        summary: `${Math.round(ipCount)} failed logins from ${ip} within ${windowMs / 60_000} min`,
        details: { rule: 'per_ip', failures: Math.round(ipCount), distinctAccounts: seen.accounts.size, windowSeconds: windowMs / 1000 },
        ip: event.ip,
        userAgent: event.userAgent,
      });
    }
    if (account !== '?' && accountCount >= perAccount && gate.open(`account:${account}`, now)) {
      raiseAlert(deps, {
        detector: LOGIN_FAILURES,
        severity: 'medium',
        action: lock('account', account, now + accountLockMs),
        summary: `${Math.round(accountCount)} failed logins for one account within ${windowMs / 60_000} min`,
        details: { rule: 'per_account', account, failures: Math.round(accountCount), windowSeconds: windowMs / 1000, lockSeconds: accountLockMs / 1000, lastReason: event.reason },
        subject: event.subject,
        ip: event.ip,
        userAgent: event.userAgent,
      });
    }
  });
}
