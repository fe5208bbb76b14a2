// Concurrency: however many callers wait, one token request is in flight; a failure reaches every waiter
// and the next call starts afresh; one caller giving up (its AbortSignal) does not cancel the others;
// within the refresh window an unreachable server leaves callers with the still-valid token; close().
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gate, useFakeIssuer, tokenAnswer } from './support/fake-issuer.js';
import { managerFor, rejectsWithCode } from './support/setup.js';

const issuer = useFakeIssuer();

describe('single flight', () => {
  it('fifty concurrent callers share one request', async () => {
    const held = gate();
    issuer.onToken = async (_call, n) => {
      await held.wait;
      return tokenAnswer(n);
    };
    const { manager } = managerFor(issuer);
    const callers = Array.from({ length: 50 }, () => manager.getToken());
    await issuer.tokenRequests(1);
    held.open();
    assert.deepEqual(new Set(await Promise.all(callers)), new Set(['at-1']));
    assert.equal(issuer.calls.length, 1);
  });

  it('concurrent forced refreshes join the request under way', async () => {
    const { manager } = managerFor(issuer);
    await manager.getToken();
    const tokens = await Promise.all([manager.getToken({ forceRefresh: true }), manager.getToken({ forceRefresh: true }), manager.getToken()]);
    assert.deepEqual(tokens, ['at-2', 'at-2', 'at-1']);
    assert.equal(issuer.calls.length, 2);
  });

  it('a failure reaches every waiter once; the next call tries again', async () => {
    issuer.queue.push({ status: 401, body: { error: 'invalid_client' } });
    const { manager } = managerFor(issuer);
    const results = await Promise.allSettled([manager.getToken(), manager.getToken(), manager.getToken()]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
    assert.equal(issuer.calls.length, 1);
    assert.equal(await manager.getToken(), 'at-2');
  });

  it("one caller's abort does not cancel the request the others wait for", async () => {
    const held = gate();
    issuer.onToken = async (_call, n) => {
      await held.wait;
      return tokenAnswer(n);
    };
    const { manager } = managerFor(issuer);
    const impatient = new AbortController();
    const first = manager.getToken({ signal: impatient.signal });
    const second = manager.getToken();
    await issuer.tokenRequests(1);
    impatient.abort(new Error('gave up'));
    await assert.rejects(first, /gave up/);
    held.open();
    assert.equal(await second, 'at-1');
  });
});

describe('refresh ahead of expiry', () => {
  it('callers in the window wait for the one refresh', async () => {
    const { manager, clock } = managerFor(issuer, { refreshSkewSeconds: 60 });
    await manager.getToken();
    clock.advance(250_000);
    assert.deepEqual(await Promise.all([manager.getToken(), manager.getToken()]), ['at-2', 'at-2']);
    assert.equal(issuer.calls.length, 2);
  });

  it('keeps serving the still-valid token when the refresh is unavailable, and refreshes when it can', async () => {
    const { manager, clock } = managerFor(issuer, { refreshSkewSeconds: 60, retry: { maxAttempts: 2 } });
    await manager.getToken();
    clock.advance(250_000);
    issuer.queue.push({ status: 503, body: {} }, { status: 503, body: {} });
    assert.equal(await manager.getToken(), 'at-1');
    assert.equal(await manager.getToken(), 'at-4');
  });

  it('does not hide an OAuth error in the window, nor an outage once the token has expired', async () => {
    const { manager, clock } = managerFor(issuer, { refreshSkewSeconds: 60, retry: { maxAttempts: 1 } });
    await manager.getToken();
    clock.advance(250_000);
    issuer.queue.push({ status: 401, body: { error: 'invalid_client' } });
    await rejectsWithCode(manager.getToken(), 'oauth_error');
    clock.advance(60_000);
    issuer.queue.push({ status: 503, body: {} });
    await rejectsWithCode(manager.getToken(), 'unavailable');
  });
});

describe('close', () => {
  it('aborts the request under way and refuses later calls', async () => {
    issuer.queue.push('hang');
    const { manager } = managerFor(issuer, { timeoutMs: 60_000 });
    const pending = manager.getToken();
    await issuer.tokenRequests(1);
    manager.close();
    await rejectsWithCode(pending, 'closed');
    await rejectsWithCode(manager.getToken(), 'closed');
  });
});
