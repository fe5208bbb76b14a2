import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addClient, issue, parts } from './support/harness.js';
import { checkedRequest, loginHarness, loginTokens, refreshRequest } from './support/login-harness.js';

// Fields the audit log relies on, added to events core already emitted (issue 6, event completeness).
test('token.issued of the user grants carries the refresh-token family id (the link behind refreshed from/into); client_credentials has none', async () => {
  const h = await loginHarness();
  const first = await loginTokens(h);
  await h.server.token(refreshRequest(h, first.refresh_token ?? ''));
  const issued = h.events.ofType('token.issued');
  assert.equal(issued.length, 2);
  const fam = parts(first.access_token).payload['fam'];
  assert.ok(typeof fam === 'string' && fam.length > 0);
  assert.deepEqual(issued.map((e) => e.familyId), [fam, fam]);
  const client = await addClient(h, { name: 'svc' });
  await issue(h.server, client);
  assert.equal(h.events.ofType('token.issued')[2]?.familyId, undefined);
});

test('consent.given carries the IP and user agent of the request that gave it', async () => {
  const h = await loginHarness();
  const request = await checkedRequest(h);
  await h.server.login.giveConsent(request, h.user, { ip: '192.0.2.44', userAgent: 'browser/1.0' });
  const [event] = h.events.ofType('consent.given');
  assert.equal(event?.ip, '192.0.2.44');
  assert.equal(event?.userAgent, 'browser/1.0');
  assert.equal(event?.subject, h.user.id);
  assert.equal(event?.clientId, h.clientId);
});

test('session.ended from a logout carries the IP and user agent of the logout request', async () => {
  const h = await loginHarness();
  const { sessionId } = await loginTokens(h);
  await h.server.login.logout({}, sessionId, { ip: '192.0.2.45', userAgent: 'browser/2.0' });
  const [event] = h.events.ofType('session.ended');
  assert.equal(event?.sessionId, sessionId);
  assert.equal(event?.endedBy, 'logout');
  assert.equal(event?.ip, '192.0.2.45');
  assert.equal(event?.userAgent, 'browser/2.0');
  assert.equal(event?.subject, h.user.id);
});
