// Retries: network errors, timeouts, 5xx and 429 are retried with exponential backoff and jitter (delays
// recorded by an injected sleep, never waited), Retry-After honoured within the cap, attempts bounded.
// OAuth errors (4xx) are never retried and surface typed, carrying the RFC 6749 error code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OAuthError } from '@tessera/client';
import { useFakeIssuer } from './support/fake-issuer.js';
import { managerFor, rejectsWithCode, SECRET } from './support/setup.js';

const issuer = useFakeIssuer();

const unavailable = { status: 503, body: { error: 'temporarily_unavailable' } };

describe('retries', () => {
  it('retries 5xx, a dropped connection and 429 with growing, jittered delays, then succeeds', async () => {
    issuer.queue.push(unavailable, 'reset', { status: 502, raw: '<html>bad gateway</html>' });
    const { manager, sleeps } = managerFor(issuer, { retry: { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 10_000 } });
    assert.equal(await manager.getToken(), 'at-4');
    assert.equal(issuer.calls.length, 4);
    // equal jitter with random() = 0.5: ¾ of base·2ⁿ⁻¹
    assert.deepEqual(sleeps.delays, [75, 150, 300]);
  });

  it('jitter spreads each delay between half and all of its ceiling', async () => {
    issuer.queue.push(unavailable, unavailable);
    const low = managerFor(issuer, { random: () => 0, retry: { baseDelayMs: 1000 } });
    await low.manager.getToken();
    assert.deepEqual(low.sleeps.delays, [500, 1000]);
    issuer.queue.push(unavailable, unavailable);
    const high = managerFor(issuer, { random: () => 0.999999, retry: { baseDelayMs: 1000, maxDelayMs: 1500 } });
    await high.manager.getToken();
    assert.deepEqual(high.sleeps.delays, [1000, 1500]);
  });

  it('gives up after maxAttempts with a retryable `unavailable` error', async () => {
    issuer.onToken = () => unavailable;
    const { manager, sleeps } = managerFor(issuer, { retry: { maxAttempts: 3 } });
    const error = await rejectsWithCode(manager.getToken(), 'unavailable');
    assert.equal(error.status, 503);
    assert.equal(error.attempts, 3);
    assert.equal(error.retryable, true);
    assert.equal(issuer.calls.length, 3);
    assert.equal(sleeps.delays.length, 2);
  });

  it('honours Retry-After (seconds) up to maxDelayMs', async () => {
    issuer.queue.push({ status: 429, body: {}, headers: { 'retry-after': '3' } }, { status: 503, body: {}, headers: { 'retry-after': '120' } });
    const { manager, sleeps } = managerFor(issuer, { retry: { baseDelayMs: 100, maxDelayMs: 10_000 } });
    assert.equal(await manager.getToken(), 'at-3');
    assert.deepEqual(sleeps.delays, [3000, 10_000]);
  });

  it('reads an HTTP-date Retry-After against the injected clock', async () => {
    const { manager, clock, sleeps } = managerFor(issuer, { retry: { baseDelayMs: 100 } });
    issuer.queue.push({ status: 503, body: {}, headers: { 'retry-after': new Date(clock.time + 2000).toUTCString() } });
    assert.equal(await manager.getToken(), 'at-2');
    assert.deepEqual(sleeps.delays, [2000]);
  });

  it('retry: false sends one request', async () => {
    issuer.onToken = () => unavailable;
    const { manager } = managerFor(issuer, { retry: false });
    await rejectsWithCode(manager.getToken(), 'unavailable');
    assert.equal(issuer.calls.length, 1);
  });

  it('a server that never answers times out, and the timeout is retried', async () => {
    // Generous timeouts: only the held requests may reach them, even on a loaded machine.
    issuer.queue.push('hang');
    const { manager, sleeps } = managerFor(issuer, { timeoutMs: 1000 });
    assert.equal(await manager.getToken(), 'at-2');
    assert.equal(sleeps.delays.length, 1);
    issuer.queue.push('hang', 'hang');
    const once = managerFor(issuer, { timeoutMs: 200, retry: { maxAttempts: 2 } });
    const error = await rejectsWithCode(once.manager.getToken(), 'unavailable');
    assert.match(error.message, /no answer within 200 ms/);
  });

  it('an unreachable issuer is `unavailable` after the retries', async () => {
    const { manager } = managerFor(issuer, { issuer: 'http://127.0.0.1:9', retry: { maxAttempts: 2 } });
    const error = await rejectsWithCode(manager.getToken(), 'unavailable');
    assert.equal(error.attempts, 2);
  });
});

describe('errors are typed and never retried on 4xx', () => {
  for (const [status, code] of [
    [401, 'invalid_client'],
    [400, 'invalid_grant'],
    [400, 'invalid_scope'],
    [400, 'invalid_target'],
    [400, 'unauthorized_client'],
  ] as const) {
    it(`${status} ${code} → OAuthError carrying the code, one request`, async () => {
      issuer.onToken = () => ({ status, body: { error: code, error_description: `described ${SECRET}` } });
      const { manager, sleeps } = managerFor(issuer);
      const error = await rejectsWithCode(manager.getToken(), 'oauth_error');
      assert.ok(error instanceof OAuthError);
      assert.equal(error.error, code);
      assert.equal(error.status, status);
      assert.equal(error.retryable, false);
      assert.equal(error.attempts, 1);
      assert.equal(error.errorDescription, `described ${SECRET}`); // the server's words, kept out of message
      assert.equal(issuer.calls.length, 1);
      assert.deepEqual(sleeps.delays, []);
    });
  }

  it('a 4xx after retried 5xx reports its attempt number', async () => {
    issuer.queue.push(unavailable, { status: 401, body: { error: 'invalid_client' } });
    const { manager } = managerFor(issuer);
    const error = await rejectsWithCode(manager.getToken(), 'oauth_error');
    assert.equal(error.attempts, 2);
  });

  it('answers that are not token responses are `invalid_response`, not retried', async () => {
    const bad = [
      { status: 400, raw: 'no json' },
      { status: 403, body: { error: 'bad"quote' } },
      { status: 200, raw: '<html></html>' },
      { status: 200, body: { token_type: 'Bearer', expires_in: 60 } },
      { status: 200, body: { access_token: 'x', token_type: 'DPoP', expires_in: 60 } },
      { status: 200, body: { access_token: 'x', token_type: 'Bearer', expires_in: -1 } },
      { status: 200, body: { access_token: 'x', token_type: 'Bearer', expires_in: '60' } },
      { status: 302, body: {}, headers: { location: 'https://elsewhere.example/token' } },
    ];
    for (const answer of bad) {
      issuer.calls.length = 0;
      issuer.queue.push(answer);
      const { manager } = managerFor(issuer);
      await rejectsWithCode(manager.getToken(), 'invalid_response');
      assert.equal(issuer.calls.length, 1, JSON.stringify(answer));
    }
  });

  it('no error names the secret, the assertion or a token the server sent', async () => {
    issuer.queue.push({ status: 200, body: { access_token: 'at-secretive', token_type: 'MAC', expires_in: 60 } });
    const { manager } = managerFor(issuer);
    await rejectsWithCode(manager.getToken(), 'invalid_response', [SECRET, 'at-secretive']);
  });
});
