import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertFromEvent, isAlertRaised, tokenHistory, type AuditEvent } from '@tessera/core';
import { addClient, basic, introspect, issue, parts, req } from './support/harness.js';
import { loginHarness, loginTokens, refreshRequest } from './support/login-harness.js';

test('token forensics: a token’s life from the audit log — issued, refreshed from and into, introspected by, family revoked by', async () => {
  const h = await loginHarness();
  const first = await loginTokens(h);
  const second = await h.server.token(refreshRequest(h, first.refresh_token ?? ''));
  const third = await h.server.token(refreshRequest(h, second.refresh_token ?? ''));
  const jti = (token: string): string => String(parts(token).payload['jti']);
  const api = await addClient(h, { name: 'api' });
  await introspect(h.server, api, second.access_token);
  await h.server.revoke(req({ token: third.refresh_token ?? '', client_id: h.clientId }));
  await h.store.appendAuditEvents(h.events.events);

  const life = await tokenHistory(h.store, jti(second.access_token));
  assert.ok(life);
  assert.equal(life.issued?.clientId, h.clientId);
  assert.equal(life.issued?.grantType, 'refresh_token');
  assert.equal(life.familyId, parts(second.access_token).payload['fam']);
  assert.equal(life.refreshedFrom, jti(first.access_token));
  assert.equal(life.refreshedInto, jti(third.access_token));
  const notes = life.entries.map((e) => e.note);
  assert.match(notes[0] ?? '', /^issued to /);
  assert.ok(notes.includes(`introspected by ${api.id}: active`), notes.join('\n'));
  assert.ok(notes.includes(`family revoked by ${h.clientId}`), notes.join('\n'));
  assert.ok(notes.filter((n) => n.startsWith('family refreshed')).length >= 2);
  assert.ok(!JSON.stringify(life).includes(second.access_token), 'never a token');
});

test('token forensics: a client_credentials token introspected and revoked by its client; unknown jti → undefined', async () => {
  const h = await loginHarness();
  const client = await addClient(h, { name: 'svc' });
  const token = await issue(h.server, client);
  await introspect(h.server, client, token);
  await h.server.revoke(req({ token }, basic(client.id, client.secret)));
  await introspect(h.server, client, token);
  await h.store.appendAuditEvents(h.events.events);
  const life = await tokenHistory(h.store, String(parts(token).payload['jti']));
  assert.deepEqual(life?.entries.map((e) => e.event.type), ['token.issued', 'token.introspected', 'token.revoked', 'token.introspected']);
  assert.equal(life?.entries[3]?.note, `introspected by ${client.id}: inactive (revoked)`);
  assert.equal(life?.refreshedFrom, undefined);
  assert.equal(await tokenHistory(h.store, 'no-such-jti'), undefined);
});

test('alerts: a security.alert_raised event becomes an unacknowledged alert record', () => {
  const event: AuditEvent = {
    type: 'security.alert_raised',
    time: 1_000,
    detector: 'refresh_reuse',
    severity: 'high',
    action: 'revoke',
    summary: 'a rotated refresh token was reused',
    clientId: 'tc_1',
    tokenId: 'fam_1',
    outcome: 'failure',
    details: { uses: 2 },
  };
  assert.ok(isAlertRaised(event));
  const alert = alertFromEvent(event);
  assert.match(alert.id, /^tal_[\w-]{22}$/);
  assert.deepEqual({ ...alert, id: 'x' }, {
    id: 'x',
    raisedAt: 1_000,
    detector: 'refresh_reuse',
    severity: 'high',
    action: 'revoke',
    summary: 'a rotated refresh token was reused',
    clientId: 'tc_1',
    subject: null,
    sessionId: null,
    tokenId: 'fam_1',
    ip: null,
    details: { uses: 2 },
    ackedAt: null,
    ackedBy: null,
  });
});
