import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountTag, createDetectors, LoginThrottle, loginFailureDetector, type AuditEvent } from '@tessera/core';
import { FrozenClock } from '@tessera/core/testing';
import { normalDay, Outcomes, play, random, START } from './support/detector-traces.js';

const failed = (time: number, account: string, ip: string, reason = 'unknown_user'): AuditEvent => ({
  type: 'login.failed',
  time,
  outcome: 'failure',
  account: accountTag(account),
  ip,
  userAgent: 'Mozilla/5.0 (compatible; stuffer)',
  reason,
});

describe('detector 3: login failures per account and per IP, credential stuffing', () => {
  it('credential stuffing (500 different accounts from one IP in 10 minutes): one high alert and an IP lockout', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    const detector = loginFailureDetector({ clock, alerts: out, responses: out });
    const rnd = random(3);
    play(clock, detector, Array.from({ length: 500 }, (_, k) => failed(START + k * 1200, `victim${k}@mail.example`, '203.0.113.77', rnd() < 0.3 ? 'wrong_password' : 'unknown_user')));
    assert.equal(out.alerts.length, 1, 'one incident, not one alert per attempt');
    assert.equal(out.alerts[0]?.severity, 'high');
    assert.equal(out.alerts[0]?.details?.['rule'], 'credential_stuffing');
    assert.equal(out.alerts[0]?.action, 'throttle');
    assert.deepEqual(out.locks.map((l) => [l.kind, l.key]), [['ip', '203.0.113.77']]);
    assert.ok(!JSON.stringify(out.alerts).includes('victim'), 'no account name in the alert');
  });

  it('a botnet guessing one password from many IPs: a per-account alert and an account lockout the login throttle enforces', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    const throttle = new LoginThrottle(clock);
    const detector = loginFailureDetector({ clock, alerts: out, responses: { lockLogin: (kind, key, until) => throttle.lock(kind, key, until) } });
    play(clock, detector, Array.from({ length: 40 }, (_, k) => failed(START + k * 15_000, 'alice', `192.0.2.${k + 1}`, 'wrong_password')));
    assert.equal(out.alerts.length, 1);
    assert.equal(out.alerts[0]?.details?.['rule'], 'per_account');
    assert.equal(out.alerts[0]?.action, 'throttle');
    // Another fresh IP is still refused for alice: the account is locked out, not just slowed.
    assert.ok(throttle.waitMs('alice', '198.51.100.200') > 5 * 60_000);
    assert.equal(throttle.waitMs('bob', '198.51.100.200'), 0, 'other accounts are not affected');
  });

  it('alert only, when so configured: nothing is locked', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    const detector = loginFailureDetector({ clock, alerts: out, responses: out }, { action: 'alert' });
    play(clock, detector, Array.from({ length: 30 }, (_, k) => failed(START + k * 1000, `u${k}`, '203.0.113.77')));
    assert.equal(out.alerts[0]?.action, 'alert');
    assert.deepEqual(out.locks, []);
  });

  it('a normal day (an office NAT of 40 people, typos, an unknown username now and then) raises nothing', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    play(clock, createDetectors({ clock, alerts: out, responses: out }, { refresh_reuse: false, client_auth_burst: false, issuance_spike: false, refresh_new_network: false, inactive_token_replay: false }), normalDay(3));
    assert.deepEqual(out.alerts, []);
    assert.deepEqual(out.locks, []);
  });
});
