import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentFamily, createDetectors, networkPrefix, newNetworkDetector, type AuditEvent } from '@tessera/core';
import { FrozenClock } from '@tessera/core/testing';
import { MINUTE, normalDay, Outcomes, play, START, user } from './support/detector-traces.js';

function familyTrace(attackerIp: string, attackerAgent: string): AuditEvent[] {
  const u = user(2);
  const events: AuditEvent[] = [
    { type: 'token.issued', time: START, outcome: 'success', grantType: 'authorization_code', clientId: u.clientId, subject: u.subject, sessionId: u.session, tokenId: 'jti-0', scope: 'openid offline_access', audience: ['https://api.example'], expiresAt: START + 600_000, ip: '198.51.100.7', userAgent: u.agent(0) },
  ];
  for (let k = 1; k <= 12; k++) {
    events.push({ type: 'token.refreshed', time: START + k * 10 * MINUTE, outcome: 'success', clientId: u.clientId, subject: u.subject, sessionId: u.session, tokenId: u.family, scope: 'openid', grace: false, ip: `198.51.100.${7 + (k % 3)}`, userAgent: u.agent(0) });
  }
  // Malware copied the latest refresh token and uses it from elsewhere before the app does.
  events.push({ type: 'token.refreshed', time: START + 125 * MINUTE, outcome: 'success', clientId: u.clientId, subject: u.subject, sessionId: u.session, tokenId: u.family, scope: 'openid', grace: false, ip: attackerIp, userAgent: attackerAgent });
  events.push({ type: 'token.refreshed', time: START + 135 * MINUTE, outcome: 'success', clientId: u.clientId, subject: u.subject, sessionId: u.session, tokenId: u.family, scope: 'openid', grace: false, ip: attackerIp, userAgent: attackerAgent });
  return events;
}

describe('detector 5: refresh from a new network', () => {
  it('a family used from a new /24 with a new user agent: one medium alert naming the known networks', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    play(clock, newNetworkDetector({ clock, alerts: out, responses: out }), familyTrace('203.0.113.200', 'python-requests/2.32.3'));
    assert.equal(out.alerts.length, 1);
    const [alert] = out.alerts;
    assert.equal(alert?.severity, 'medium');
    assert.equal(alert?.action, 'alert');
    assert.equal(alert?.tokenId, user(2).family);
    assert.equal(alert?.details?.['network'], '203.0.113.0/24');
    assert.deepEqual(alert?.details?.['knownNetworks'], ['198.51.100.0/24']);
    assert.deepEqual(out.revoked, []);
  });

  it('configured to revoke: the family is revoked through the injected core revocation', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    play(clock, newNetworkDetector({ clock, alerts: out, responses: out }, { action: 'revoke' }), familyTrace('2001:db8:beef:1::5', 'curl/8.5.0'));
    assert.equal(out.alerts[0]?.action, 'revoke');
    assert.equal(out.alerts[0]?.details?.['network'], '2001:db8:beef::/48');
    assert.deepEqual(out.revoked, [user(2).family]);
  });

  it('a new network with the same app (a phone off Wi-Fi) or a new browser version on the same network is normal', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    play(clock, newNetworkDetector({ clock, alerts: out }), familyTrace('100.72.3.9', user(2).agent(0)));
    assert.deepEqual(out.alerts, []);
    assert.equal(agentFamily('Mozilla/5.0 Chrome/120.0.1 Safari/537.36'), agentFamily('Mozilla/5.0 Chrome/121.0.7 Safari/537.36'));
    assert.equal(networkPrefix('::ffff:198.51.100.9'), '198.51.100.0/24');
    assert.equal(networkPrefix('2001:db8::1'), '2001:db8:0::/48');
  });

  it('a normal day of 100 families (phones hopping networks, browsers updating) raises nothing', () => {
    const clock = new FrozenClock(START);
    const out = new Outcomes();
    play(clock, createDetectors({ clock, alerts: out, responses: out }, { refresh_reuse: false, client_auth_burst: false, login_failures: false, issuance_spike: false, inactive_token_replay: false }), normalDay(5));
    assert.deepEqual(out.alerts, []);
  });
});
