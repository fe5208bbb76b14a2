// manager.fetch: the bearer token on every request (RFC 6750 §2.1); a 401 drops that token, gets a fresh
// one and replays the request once (body included); concurrent 401s for the same token refresh once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useFakeIssuer } from './support/fake-issuer.js';
import { managerFor } from './support/setup.js';

const issuer = useFakeIssuer();

describe('manager.fetch', () => {
  it('adds the bearer token, replacing any Authorization the caller set', async () => {
    issuer.acceptedTokens.add('at-1');
    const { manager } = managerFor(issuer);
    const response = await manager.fetch(`${issuer.url}/api`, { headers: { authorization: 'Basic nope', 'x-other': '1' } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true, token: 'at-1' });
    assert.equal(issuer.apiCalls[0]?.authorization, 'Bearer at-1');
  });

  it('on 401 gets a fresh token and sends the request once more, body included', async () => {
    issuer.acceptedTokens.add('at-2');
    const { manager } = managerFor(issuer);
    const response = await manager.fetch(new URL(`${issuer.url}/api`), { method: 'POST', body: 'payload' });
    assert.equal(response.status, 200);
    assert.deepEqual(issuer.apiCalls.map((c) => [c.method, c.authorization, c.body]), [
      ['POST', 'Bearer at-1', 'payload'],
      ['POST', 'Bearer at-2', 'payload'],
    ]);
    assert.equal(await manager.getToken(), 'at-2');
  });

  it('returns the second 401 as is: one retry only', async () => {
    const { manager } = managerFor(issuer);
    const response = await manager.fetch(new Request(`${issuer.url}/api`));
    assert.equal(response.status, 401);
    assert.equal(issuer.apiCalls.length, 2);
    assert.equal(issuer.calls.length, 2);
  });

  it('other statuses are not retried', async () => {
    issuer.onApi = () => ({ status: 403, body: { error: 'insufficient_scope' } });
    const { manager } = managerFor(issuer);
    assert.equal((await manager.fetch(`${issuer.url}/api`)).status, 403);
    assert.equal(issuer.apiCalls.length, 1);
  });

  it('concurrent 401s for the same token lead to one new token', async () => {
    issuer.onApi = (call) => (call.authorization === 'Bearer at-1' ? { status: 401, body: {} } : { status: 200, body: {} });
    const { manager } = managerFor(issuer);
    await manager.getToken();
    const statuses = await Promise.all(Array.from({ length: 5 }, () => manager.fetch(`${issuer.url}/api`).then((r) => r.status)));
    assert.deepEqual(statuses, [200, 200, 200, 200, 200]);
    assert.equal(issuer.calls.length, 2);
  });
});
