import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createDetectors, refreshReuseDetector, type AuditEvent } from '@tessera/core';
import { FrozenClock } from '@tessera/core/testing';
import { MINUTE, normalDay, Outcomes, play, START, user } from './support/detector-traces.js';

describe('detector 1: refresh-token reuse (BCP 9700 §4.14.2)', () => {
  it('raises one high alert with the family history when a stolen, rotated refresh token is replayed', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    const detector = refreshReuseDetector({ clock, alerts: out, responses: out });
    const u = user(1);
    const events: AuditEvent[] = [
      { type: 'token.issued', time: START, outcome: 'success', grantType: 'authorization_code', clientId: u.clientId, subject: u.subject, sessionId: u.session, tokenId: 'jti-a', scope: 'openid offline_access', audience: ['https://api.example'], expiresAt: START + 600_000, ip: '198.51.100.7', userAgent: u.agent(0) },
    ];
    for (let k = 1; k <= 3; k++) {
      events.push({ type: 'token.refreshed', time: START + k * 10 * MINUTE, outcome: 'success', clientId: u.clientId, subject: u.subject, sessionId: u.session, tokenId: u.family, scope: 'openid', grace: false, ip: '198.51.100.7', userAgent: u.agent(0) });
    }
    // The attacker (who copied the first refresh token) replays it; a second replay races in.
    for (const delay of [0, 40]) {
      events.push({ type: 'refresh_token.reuse_detected', severity: 'high', time: START + 45 * MINUTE + delay, outcome: 'failure', clientId: u.clientId, subject: u.subject, sessionId: u.session, tokenId: u.family, ip: '203.0.113.99', userAgent: 'python-requests/2.32.3', reason: 'refresh_token_reuse' });
    }
    play(clock, detector, events);
    assert.equal(out.alerts.length, 1, 'one incident, one alert');
    const [alert] = out.alerts;
    assert.equal(alert?.detector, 'refresh_reuse');
    assert.equal(alert?.severity, 'high');
    assert.equal(alert?.action, 'revoke');
    assert.equal(alert?.tokenId, u.family);
    assert.equal(alert?.ip, '203.0.113.99');
    const history = alert?.details?.['history'] as { event: string; ip: string }[];
    assert.deepEqual(history.map((h) => h.event), ['issued', 'refreshed', 'refreshed', 'refreshed', 'reuse']);
    assert.equal(history[0]?.ip, '198.51.100.7');
    assert.equal(alert?.details?.['rotationsSeen'], 3);
  });

  it('a normal day of 100 families rotating every ~10 minutes raises nothing', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    play(clock, createDetectors({ clock, alerts: out, responses: out }, { client_auth_burst: false, login_failures: false, issuance_spike: false, refresh_new_network: false, inactive_token_replay: false }), normalDay(11));
    assert.deepEqual(out.alerts, []);
  });
});
