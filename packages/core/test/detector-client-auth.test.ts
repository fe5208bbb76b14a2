import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clientAuthFailureDetector, createDetectors, type AuditEvent } from '@tessera/core';
import { FrozenClock } from '@tessera/core/testing';
import { normalDay, Outcomes, play, START } from './support/detector-traces.js';

const failure = (time: number, clientId: string, ip: string): AuditEvent => ({
  type: 'client.authentication_failed',
  time,
  outcome: 'failure',
  clientId,
  method: 'client_secret_basic',
  ip,
  userAgent: 'curl/8.5.0',
  reason: 'wrong_secret',
});

describe('detector 2: client-authentication failure bursts', () => {
  it('secret guessing against one client: one alert for the client id and one for the source IP; throttle when configured', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    const detector = clientAuthFailureDetector({ clock, alerts: out, responses: out }, { action: 'throttle' });
    // 200 guesses in two minutes from one address.
    play(clock, detector, Array.from({ length: 200 }, (_, k) => failure(START + k * 600, 'tc_billing', '203.0.113.50')));
    assert.equal(out.alerts.length, 2);
    const byScope = new Map(out.alerts.map((a) => [a.details?.['scope'], a]));
    assert.equal(byScope.get('client')?.clientId, 'tc_billing');
    assert.equal(byScope.get('client')?.severity, 'medium');
    assert.equal(byScope.get('ip')?.ip, '203.0.113.50');
    assert.ok(out.alerts.every((a) => a.action === 'throttle'));
    assert.deepEqual(out.throttles.map((t) => `${t.kind}:${t.key}`).sort(), ['client:tc_billing', 'ip:203.0.113.50']);
  });

  it('a scan of many client ids from one IP is high severity', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    const detector = clientAuthFailureDetector({ clock, alerts: out });
    play(clock, detector, Array.from({ length: 60 }, (_, k) => failure(START + k * 1000, `tc_guess${k % 30}`, '192.0.2.66')));
    assert.equal(out.alerts.length, 1);
    assert.equal(out.alerts[0]?.severity, 'high');
    assert.equal(out.alerts[0]?.action, 'alert');
    assert.equal(out.alerts[0]?.details?.['distinctClientIds'], 30);
  });

  it('after the incident window a new burst is a new alert; within it, none', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    const detector = clientAuthFailureDetector({ clock, alerts: out }, { perIp: 1000 });
    const burst = (from: number) => Array.from({ length: 40 }, (_, k) => failure(from + k * 1000, 'tc_billing', '203.0.113.50'));
    play(clock, detector, [...burst(START), ...burst(START + 2 * 60_000)]);
    assert.equal(out.alerts.length, 1);
    play(clock, detector, burst(START + 60 * 60_000));
    assert.equal(out.alerts.length, 2);
  });

  it('a normal day, with a stale-secret service failing twice a minute, raises nothing', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    play(clock, createDetectors({ clock, alerts: out, responses: out }, { refresh_reuse: false, login_failures: false, issuance_spike: false, refresh_new_network: false, inactive_token_replay: false }), normalDay(2));
    assert.deepEqual(out.alerts, []);
  });
});
