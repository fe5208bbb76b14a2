// JWKS caching against a real local HTTP server, with time driven by a fake clock: max-age, one fetch in
// flight, unknown-kid refetch with a cooldown, timeouts, and the last good keys kept when a refresh fails.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createVerifier, type VerifierOptions } from '@tessera/verify';
import { accepted, refused, rejectsWith } from './support/assert-code.js';
import { FakeClock, forge, makeKey, startIssuer, type TestIssuer } from './support/issuer.js';
import { API } from './support/setup.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(options: Partial<VerifierOptions> = {}, prepare?: (issuer: TestIssuer) => void) {
  const key = makeKey('ES256');
  const issuer = await startIssuer([key]);
  cleanups.push(() => issuer.close());
  prepare?.(issuer);
  const clock = new FakeClock();
  const errors: Error[] = [];
  const verifier = await createVerifier({ issuer: issuer.url, audience: API, clock: clock.now, onError: (e) => errors.push(e), ...options });
  cleanups.push(() => verifier.close());
  const token = (k = key): string => forge(k, issuer.claims(clock.nowMs));
  return { key, issuer, clock, verifier, errors, token };
}

const withMaxAge = (maxAge: string | undefined) => (issuer: TestIssuer) => {
  issuer.jwks = () => ({ status: 200, body: { keys: issuer.keys.map((k) => k.jwk) }, ...(maxAge === undefined ? {} : { cacheControl: maxAge }) });
};

describe('JWKS caching', () => {
  it('honours Cache-Control max-age: no fetch before it runs out, one after', async () => {
    const { issuer, clock, verifier, token } = await setup({}, withMaxAge('public, max-age=120'));
    assert.equal(issuer.jwksRequests, 1);
    clock.advance(119_000);
    await accepted(verifier, token());
    assert.equal(issuer.jwksRequests, 1);
    clock.advance(2_000);
    await verifier.verify(token());
    assert.equal(issuer.jwksRequests, 2);
    await verifier.verify(token());
    assert.equal(issuer.jwksRequests, 2);
  });

  it('without max-age the keys live 5 minutes; no-store is held to the cooldown floor', async () => {
    const plain = await setup({}, withMaxAge(undefined));
    plain.clock.advance(299_000);
    await plain.verifier.verify(plain.token());
    assert.equal(plain.issuer.jwksRequests, 1);
    plain.clock.advance(1_000);
    await plain.verifier.verify(plain.token());
    assert.equal(plain.issuer.jwksRequests, 2);

    const noStore = await setup({ jwksCooldownMs: 10_000 }, withMaxAge('no-store'));
    noStore.clock.advance(9_999);
    await noStore.verifier.verify(noStore.token());
    assert.equal(noStore.issuer.jwksRequests, 1);
    noStore.clock.advance(1);
    await noStore.verifier.verify(noStore.token());
    assert.equal(noStore.issuer.jwksRequests, 2);
  });

  it('concurrent verifies of stale keys share one fetch', async () => {
    const { issuer, clock, verifier, token } = await setup();
    clock.advance(301_000);
    const release = issuer.holdJwks();
    const pending = Array.from({ length: 20 }, () => verifier.verify(token()));
    const fast = Array.from({ length: 5 }, () => verifier.verifyFast(token()));
    assert.ok(fast.every((r) => r instanceof Promise), 'verifyFast waits for stale keys');
    release();
    const results = await Promise.all([...pending, ...fast]);
    assert.equal(results.length, 25);
    assert.equal(issuer.jwksRequests, 2);
  });

  it('verifySync never waits: it serves cached keys and refreshes stale ones in the background', async () => {
    const { issuer, clock, verifier, token } = await setup();
    clock.advance(301_000);
    const release = issuer.holdJwks();
    assert.equal(verifier.verifySync(token()).sub, 'svc');
    const waiting = verifier.verify(token()); // joins the background fetch
    release();
    await waiting;
    assert.equal(issuer.jwksRequests, 2);
  });

  it('an unknown kid refetches once, then not again within the cooldown', async () => {
    const { issuer, clock, verifier, token } = await setup({ jwksCooldownMs: 30_000 });
    const rotated = makeKey('EdDSA');
    issuer.keys.push(rotated);
    clock.advance(10_000);
    await refused(verifier, token(rotated), 'token_unknown_key');
    assert.equal(issuer.jwksRequests, 1, 'within the cooldown of the first load: no refetch');
    clock.advance(20_000);
    await refused(verifier, token({ ...rotated, kid: 'nobody' }), 'token_unknown_key');
    assert.equal(issuer.jwksRequests, 2, 'the unknown kid caused one refetch');
    assert.equal(verifier.verifySync(token(rotated)).sub, 'svc', 'the refetch brought the rotated key');
    clock.advance(29_999);
    await refused(verifier, token({ ...rotated, kid: 'nobody' }), 'token_unknown_key');
    assert.equal(issuer.jwksRequests, 2, 'cooldown: no refetch');
    clock.advance(1);
    await refused(verifier, token({ ...rotated, kid: 'nobody' }), 'token_unknown_key');
    assert.equal(issuer.jwksRequests, 3);
  });

  it('verifySync does not fetch for an unknown kid; verify and verifyFast do', async () => {
    const { issuer, clock, verifier, token } = await setup();
    const rotated = makeKey('ES256');
    issuer.keys.push(rotated);
    clock.advance(30_000);
    assert.throws(() => verifier.verifySync(token(rotated)), { code: 'token_unknown_key' });
    assert.equal(issuer.jwksRequests, 1);
    const result = verifier.verifyFast(token(rotated));
    assert.ok(result instanceof Promise);
    assert.equal((await result).sub, 'svc');
    assert.equal(issuer.jwksRequests, 2);
  });

  it('a key removed from the JWKS is refused after the next refresh', async () => {
    const { issuer, clock, verifier, token } = await setup();
    const successor = makeKey('ES256');
    const old = issuer.keys[0]!;
    issuer.keys = [successor];
    await accepted(verifier, token(old));
    clock.advance(301_000);
    assert.equal((await verifier.verify(token(successor))).sub, 'svc');
    await refused(verifier, token(old), 'token_unknown_key');
  });

  it('keeps the last good keys when a refresh fails (500, not JSON, no usable key), retrying after the cooldown', async () => {
    const { issuer, clock, verifier, errors, token } = await setup({ jwksCooldownMs: 30_000 });
    const failures = [
      { status: 500, body: { error: 'server_error' } },
      { status: 200, body: 'not json' },
      { status: 200, body: { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'x', alg: 'HS256' }] } },
    ];
    let requests = 1;
    for (const failure of failures) {
      issuer.jwks = () => failure;
      clock.advance(301_000);
      await accepted(verifier, token());
      assert.equal(issuer.jwksRequests, ++requests);
      clock.advance(29_999);
      await verifier.verify(token());
      assert.equal(issuer.jwksRequests, requests, 'no retry within the cooldown');
      clock.advance(1);
      await verifier.verify(token());
      assert.equal(issuer.jwksRequests, ++requests, 'a retry after the cooldown');
    }
    assert.ok(errors.length >= 6 && errors.every((e) => 'code' in e && e.code === 'jwks_unavailable'));
  });

  it('a JWKS request that never answers times out and the last good keys keep serving', async () => {
    const { issuer, clock, verifier, errors, token } = await setup({ timeoutMs: 150 });
    issuer.holdJwks(); // never released
    clock.advance(301_000);
    await accepted(verifier, token());
    assert.equal(issuer.jwksRequests, 2);
    assert.match(String((errors[0] as { detail?: string }).detail), /timed out after 150 ms/);
  });

  it('createVerifier fails with jwks_unavailable when the first JWKS load times out or fails', async () => {
    const key = makeKey('ES256');
    const issuer = await startIssuer([key]);
    cleanups.push(() => issuer.close());
    issuer.holdJwks();
    await rejectsWith(createVerifier({ issuer: issuer.url, audience: API, timeoutMs: 100 }), 'jwks_unavailable');
    issuer.hold = undefined;
    issuer.jwks = () => ({ status: 404, body: {} });
    await rejectsWith(createVerifier({ issuer: issuer.url, audience: API }), 'jwks_unavailable');
  });
});
