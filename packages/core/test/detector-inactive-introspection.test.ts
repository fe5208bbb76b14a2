import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDetectors, inactiveIntrospectionDetector, type AuditEvent } from '@tessera/core';
import { FrozenClock } from '@tessera/core/testing';
import { normalDay, Outcomes, play, START } from './support/detector-traces.js';

const introspected = (time: number, jti: string, reason: 'revoked' | 'expired'): AuditEvent => ({
  type: 'token.introspected',
  time,
  outcome: 'failure',
  active: false,
  clientId: 'tc_orders_api',
  subject: 'tu_victim',
  tokenId: jti,
  ip: '10.0.0.8',
  reason,
});

describe('detector 6: revoked or expired tokens presented repeatedly at introspection', () => {
  it('a revoked token replayed at an API every few seconds: one high alert', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    play(clock, inactiveIntrospectionDetector({ clock, alerts: out }), Array.from({ length: 60 }, (_, k) => introspected(START + k * 5000, 'jti-stolen', 'revoked')));
    assert.equal(out.alerts.length, 1);
    assert.equal(out.alerts[0]?.severity, 'high');
    assert.equal(out.alerts[0]?.tokenId, 'jti-stolen');
    assert.equal(out.alerts[0]?.details?.['introspectedBy'], 'tc_orders_api');
  });

  it('a batch of dumped expired tokens tried by one caller: a caller-wide alert', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    play(clock, inactiveIntrospectionDetector({ clock, alerts: out }), Array.from({ length: 800 }, (_, k) => introspected(START + k * 200, `jti-dump-${k}`, 'expired')));
    assert.equal(out.alerts.length, 1);
    assert.equal(out.alerts[0]?.details?.['rule'], 'per_caller');
  });

  it('a normal day (expired tokens asked about once or twice, a few revoked ones) raises nothing', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    play(clock, createDetectors({ clock, alerts: out, responses: out }, { refresh_reuse: false, client_auth_burst: false, login_failures: false, issuance_spike: false, refresh_new_network: false }), normalDay(6));
    assert.deepEqual(out.alerts, []);
  });

  it('all six detectors together on a normal day raise nothing, and their memory stays bounded', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    play(clock, createDetectors({ clock, alerts: out, responses: out }), normalDay(7));
    assert.deepEqual(out.alerts, []);
  });
});
