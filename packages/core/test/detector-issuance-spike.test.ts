import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDetectors, issuanceSpikeDetector, type AuditEvent } from '@tessera/core';
import { FrozenClock } from '@tessera/core/testing';
import { MINUTE, normalDay, Outcomes, play, random, START } from './support/detector-traces.js';

const issued = (time: number, clientId: string): AuditEvent => ({
  type: 'token.issued',
  time,
  outcome: 'success',
  grantType: 'client_credentials',
  clientId,
  scope: 'read',
  audience: ['https://api.example'],
  expiresAt: time + 600_000,
  ip: '10.1.0.9',
});

describe('detector 4: issuance spike above a learned baseline (EWMA with a floor)', () => {
  it('a client minting ~20 tokens a minute for three hours, then 5 000 in a minute (leaked secret): one alert, throttled to its threshold', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    const detector = issuanceSpikeDetector({ clock, alerts: out, responses: out }, { action: 'throttle' });
    const rnd = random(4);
    const events: AuditEvent[] = [];
    for (let minute = 0; minute < 180; minute++) {
      const count = 15 + Math.floor(rnd() * 10);
      for (let k = 0; k < count; k++) events.push(issued(START + minute * MINUTE + Math.floor(rnd() * MINUTE), 'tc_reports'));
    }
    for (let k = 0; k < 5000; k++) events.push(issued(START + 180 * MINUTE + k * 12, 'tc_reports'));
    play(clock, detector, events);
    assert.equal(out.alerts.length, 1);
    const [alert] = out.alerts;
    assert.equal(alert?.clientId, 'tc_reports');
    assert.equal(alert?.action, 'throttle');
    const baseline = alert?.details?.['baseline'] as number;
    assert.ok(baseline > 10 && baseline < 30, `baseline ${baseline} learned from ~20/min`);
    assert.equal(alert?.details?.['threshold'], 600, 'the floor applies above a small baseline');
    assert.equal(out.throttles.length, 1);
    assert.equal(out.throttles[0]?.kind, 'client');
    assert.equal(out.throttles[0]?.ratePerSecond, 10);
  });

  it('a busy client with a high learned baseline is judged against ten times its own rate', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    const detector = issuanceSpikeDetector({ clock, alerts: out });
    const events: AuditEvent[] = [];
    for (let minute = 0; minute < 120; minute++) for (let k = 0; k < 1000; k++) events.push(issued(START + minute * MINUTE + k * 50, 'tc_busy'));
    play(clock, detector, events);
    assert.deepEqual(out.alerts, [], '1 000 a minute is its normal');
  });

  it('a normal day (20 services on a diurnal curve, 100 apps refreshing) raises nothing', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    play(clock, createDetectors({ clock, alerts: out, responses: out }, { refresh_reuse: false, client_auth_burst: false, login_failures: false, refresh_new_network: false, inactive_token_replay: false }), normalDay(4));
    assert.deepEqual(out.alerts, []);
  });
});
