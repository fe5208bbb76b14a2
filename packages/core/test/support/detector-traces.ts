import type { FrozenClock } from '@tessera/core/testing';
import type { AuditEvent, DetectorResponses, EventSink, ThrottleRequest } from '@tessera/core';

export const DAY = 86_400_000;
export const MINUTE = 60_000;
export const START = Date.UTC(2026, 2, 2, 0, 0, 0);

/** Deterministic pseudo-random numbers (mulberry32), so traces are the same on every run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Ev = AuditEvent;
type Base = { time: number; outcome: 'success' | 'failure' };

/** Alerts and actions a detector produced. */
export class Outcomes implements EventSink, DetectorResponses {
  readonly alerts: Extract<AuditEvent, { type: 'security.alert_raised' }>[] = [];
  readonly throttles: ThrottleRequest[] = [];
  readonly revoked: string[] = [];
  readonly locks: { kind: 'account' | 'ip'; key: string; until: number }[] = [];

  emit(event: AuditEvent): void {
    if (event.type === 'security.alert_raised') this.alerts.push(event);
  }
  throttle(request: ThrottleRequest): void {
    this.throttles.push(request);
  }
  revokeFamily(familyId: string): Promise<void> {
    this.revoked.push(familyId);
    return Promise.resolve();
  }
  lockLogin(kind: 'account' | 'ip', key: string, until: number): void {
    this.locks.push({ kind, key, until });
  }
}

/** Plays events in time order through `sink`, moving the frozen clock to each event's time. */
export function play(clock: FrozenClock, sink: EventSink, events: Ev[]): void {
  events.sort((a, b) => a.time - b.time);
  for (const event of events) {
    clock.set(event.time);
    sink.emit(event);
  }
}

const FIREFOX = (v: number) => `Mozilla/5.0 (X11; Linux x86_64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`;
const IPHONE = 'Tessera-Mobile/3.4.1 CFNetwork/1498.700.2 Darwin/23.6.0';
const CHROME = (v: number) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`;

export const user = (i: number) => ({
  subject: `tu_user${i}`,
  session: `ts_session${i}`,
  family: `tf_family${i}`,
  clientId: `tc_app${i % 100}`,
  account: `acct${String(i).padStart(12, '0')}`.slice(0, 16),
  mobile: i % 5 === 0,
  ip: (hop = 0) => (i % 5 === 0 ? `100.${64 + ((i + hop * 7) % 60)}.${(i * 3 + hop) % 250}.${10 + (hop % 200)}` : `198.51.${i % 250}.${20 + (i % 200)}`),
  agent: (hour: number) => (i % 5 === 0 ? IPHONE : i % 7 === 0 && hour >= 12 ? CHROME(121) : i % 7 === 0 ? CHROME(120) : FIREFOX(128)),
});

/**
 * A realistic, quiet day: 100 people in 100 apps logging in (a tenth with a typo, an office NAT shared by
 * forty of them), their refresh tokens rotated every ~10 minutes for a day (phones switching networks,
 * browsers updating), 20 services minting tokens on a diurnal curve, a misconfigured service failing
 * client authentication twice a minute, and resource servers introspecting expired tokens once or twice.
 */
export function normalDay(seed = 1): Ev[] {
  const rnd = random(seed);
  const events: Ev[] = [];
  const ok = (time: number): Base => ({ time, outcome: 'success' });
  const fail = (time: number): Base => ({ time, outcome: 'failure' });
  for (let i = 0; i < 100; i++) {
    const u = user(i);
    const office = i < 40;
    const loginIp = office ? '203.0.113.10' : u.ip(0);
    let t = START + Math.floor(rnd() * 2 * 3_600_000);
    const typos = rnd() < 0.1 ? 1 : rnd() < 0.03 ? 3 : 0;
    for (let k = 0; k < typos; k++) {
      events.push({ ...fail(t), type: 'login.failed', subject: u.subject, account: u.account, ip: loginIp, userAgent: u.agent(0), reason: 'wrong_password' });
      t += 5_000 + Math.floor(rnd() * 10_000);
    }
    if (rnd() < 0.05) events.push({ ...fail(t - 2_000), type: 'login.failed', account: `unknown${i}`, ip: loginIp, userAgent: u.agent(0), reason: 'unknown_user' });
    events.push({ ...ok(t), type: 'login.succeeded', subject: u.subject, sessionId: u.session, ip: loginIp, userAgent: u.agent(0) });
    t += 3_000;
    events.push({ ...ok(t), type: 'token.issued', grantType: 'authorization_code', clientId: u.clientId, subject: u.subject, sessionId: u.session, tokenId: `jti-${i}-0`, scope: 'openid', audience: ['https://api.example'], expiresAt: t + 600_000, ip: u.ip(0), userAgent: u.agent(0) });
    let n = 0;
    while (t < START + DAY) {
      t += 9 * MINUTE + Math.floor(rnd() * 2 * MINUTE);
      n += 1;
      const hour = Math.floor((t - START) / 3_600_000);
      const hop = u.mobile ? Math.floor(hour / 3) : 0;
      const ip = u.ip(hop);
      const agent = u.agent(hour);
      events.push({ ...ok(t), type: 'token.issued', grantType: 'refresh_token', clientId: u.clientId, subject: u.subject, sessionId: u.session, tokenId: `jti-${i}-${n}`, scope: 'openid', audience: ['https://api.example'], expiresAt: t + 600_000, ip, userAgent: agent });
      events.push({ ...ok(t), type: 'token.refreshed', clientId: u.clientId, subject: u.subject, sessionId: u.session, tokenId: u.family, scope: 'openid', grace: rnd() < 0.01, ip, userAgent: agent });
      // Now and then the API sees an access token just after it expired, and asks once or twice.
      if (rnd() < 0.05) {
        const times = rnd() < 0.5 ? 1 : 2;
        for (let k = 0; k < times; k++) {
          events.push({ ...fail(t + 601_000 + k * 1_000), type: 'token.introspected', active: false, clientId: 'tc_api', subject: u.subject, tokenId: `jti-${i}-${n}`, ip: '10.0.0.5', reason: 'expired' });
        }
      }
    }
  }
  for (let c = 0; c < 20; c++) {
    const base = 1 + c; // 1 … 20 tokens a minute on average
    for (let minute = 0; minute < 1440; minute++) {
      const diurnal = 0.4 + 1.2 * Math.max(0, Math.sin(((minute - 360) / 1440) * 2 * Math.PI));
      const count = Math.round(base * diurnal * (0.6 + rnd() * 0.8));
      for (let k = 0; k < count; k++) {
        const t = START + minute * MINUTE + Math.floor(rnd() * MINUTE);
        events.push({ ...ok(t), type: 'token.issued', grantType: 'client_credentials', clientId: `tc_service${c}`, tokenId: `svc-${c}-${minute}-${k}`, scope: 'read', audience: ['https://api.example'], expiresAt: t + 600_000, ip: `10.1.0.${c + 1}` });
      }
    }
  }
  for (let minute = 0; minute < 1440; minute += 1) {
    for (const second of [7, 37]) {
      events.push({ ...fail(START + minute * MINUTE + second * 1000), type: 'client.authentication_failed', clientId: 'tc_service3', method: 'client_secret_basic', ip: '10.1.0.4', reason: 'wrong_secret' });
    }
  }
  for (let k = 0; k < 50; k++) {
    const t = START + Math.floor(rnd() * DAY);
    events.push({ ...fail(t), type: 'token.introspected', active: false, clientId: 'tc_api', tokenId: `revoked-${k}`, ip: '10.0.0.5', reason: 'revoked' });
  }
  return events;
}
