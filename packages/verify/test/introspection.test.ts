// RFC 7662 fallback for opaque tokens, against a small local introspection endpoint: client authentication,
// the positive cache (TTL, bound, invalidation), negative answers never cached, one call per token in flight.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createVerifier, type VerifierOptions } from '@tessera/verify';
import { rejectsWith } from './support/assert-code.js';
import { FakeClock, makeKey, startIssuer, type IntrospectionCall } from './support/issuer.js';
import { API } from './support/setup.js';

const CLIENT = { clientId: 'rs:orders api', clientSecret: 'p@ss/wörd+1' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(options: Partial<VerifierOptions> = {}) {
  const issuer = await startIssuer([makeKey('ES256')]);
  cleanups.push(() => issuer.close());
  const clock = new FakeClock();
  /** token → introspection answer; anything else is inactive. */
  const active = new Map<string, Record<string, unknown>>();
  const calls: IntrospectionCall[] = [];
  issuer.introspect = (call) => {
    calls.push(call);
    const claims = active.get(call.params.get('token') ?? '');
    return { status: 200, body: claims ? { active: true, token_type: 'Bearer', ...claims } : { active: false } };
  };
  const verifier = await createVerifier({ issuer: issuer.url, audience: API, clock: clock.now, introspection: { ...CLIENT }, ...options });
  cleanups.push(() => verifier.close());
  const opaque = (overrides: Record<string, unknown> = {}): string => {
    const token = `tsat_${Math.random().toString(36).slice(2)}`;
    active.set(token, issuer.claims(clock.nowMs, overrides));
    return token;
  };
  return { issuer, clock, verifier, active, calls, opaque };
}

describe('introspection fallback for opaque tokens (RFC 7662)', () => {
  it('asks the discovered endpoint with form-encoded Basic credentials and returns typed claims', async () => {
    const { verifier, calls, opaque } = await setup();
    const token = opaque({ scope: 'read write' });
    const claims = await verifier.verify(token);
    assert.deepEqual(claims.scopes, ['read', 'write']);
    assert.equal(claims.sub, 'svc');
    assert.equal((claims as unknown as Record<string, unknown>)['active'], undefined);
    assert.equal(calls.length, 1);
    const call = calls[0]!;
    assert.equal(call.params.get('token'), token);
    assert.equal(call.params.get('token_type_hint'), 'access_token');
    const [id, secret] = Buffer.from(call.authorization!.replace(/^Basic /, ''), 'base64').toString().split(':') as [string, string];
    assert.deepEqual([decodeURIComponent(id.replace(/\+/g, ' ')), decodeURIComponent(secret.replace(/\+/g, ' '))], [CLIENT.clientId, CLIENT.clientSecret]);
  });

  it('reuses an active answer until the cache TTL, then asks again', async () => {
    const { verifier, calls, clock, opaque } = await setup({ introspection: { ...CLIENT, cacheTtlMs: 30_000 } });
    const token = opaque();
    await verifier.verify(token);
    clock.advance(29_999);
    await verifier.verify(token);
    assert.equal(calls.length, 1);
    clock.advance(1);
    await verifier.verify(token);
    assert.equal(calls.length, 2);
  });

  it('never keeps an answer past the token’s exp', async () => {
    const { verifier, calls, clock, opaque } = await setup({ introspection: { ...CLIENT, cacheTtlMs: 600_000 }, clockTolerance: 0 });
    const token = opaque({ exp: Math.floor(clock.nowMs / 1000) + 10 });
    await verifier.verify(token);
    clock.advance(9_999);
    await verifier.verify(token);
    assert.equal(calls.length, 1);
    clock.advance(1);
    await rejectsWith(verifier.verify(token), 'token_expired');
    assert.equal(calls.length, 2);
  });

  it('does not cache inactive answers, failures or answers for another audience', async () => {
    const { issuer, verifier, calls, opaque } = await setup();
    await rejectsWith(verifier.verify('tsat_unknown'), 'token_inactive');
    await rejectsWith(verifier.verify('tsat_unknown'), 'token_inactive');
    assert.equal(calls.length, 2);
    const foreign = opaque({ aud: 'https://elsewhere.example' });
    await rejectsWith(verifier.verify(foreign), 'token_wrong_audience');
    await rejectsWith(verifier.verify(foreign), 'token_wrong_audience');
    assert.equal(calls.length, 4);
    const token = opaque();
    const answer = issuer.introspect;
    issuer.introspect = () => ({ status: 500, body: { error: 'server_error' } });
    await rejectsWith(verifier.verify(token), 'introspection_failed');
    issuer.introspect = answer;
    await verifier.verify(token);
    assert.equal(calls.length, 5);
  });

  it('invalidate(jti) drops the cached answer; the cache is bounded', async () => {
    const { verifier, calls, active, opaque } = await setup({ introspection: { ...CLIENT, cacheSize: 2 } });
    const [a, b, c] = [opaque(), opaque(), opaque()];
    await verifier.verify(a);
    verifier.invalidate(active.get(a)!['jti'] as string);
    active.delete(a);
    await rejectsWith(verifier.verify(a), 'token_inactive', 'revoked at the server, no stale answer served');
    await verifier.verify(b);
    await verifier.verify(c);
    await verifier.verify(b);
    assert.equal(calls.length, 4);
    await verifier.verify(c);
    assert.equal(calls.length, 4, 'b and c are both cached');
    const d = opaque();
    await verifier.verify(d); // evicts the oldest, b
    await verifier.verify(b);
    assert.equal(calls.length, 6);
  });

  it('concurrent verifies of one token share a single call', async () => {
    const { verifier, calls, opaque } = await setup();
    const token = opaque();
    const results = await Promise.all(Array.from({ length: 10 }, () => verifier.verify(token)));
    assert.equal(results.length, 10);
    assert.equal(calls.length, 1);
  });

  it('applies per-call scopes to introspected tokens', async () => {
    const { verifier, opaque } = await setup();
    const token = opaque({ scope: 'read' });
    await rejectsWith(verifier.verify(token, { scopes: ['write'] }), 'token_insufficient_scope');
    assert.equal((await verifier.verify(token, { scopes: ['read'] })).sub, 'svc');
  });

  it('only opaque tokens go to introspection; verifySync cannot introspect', async () => {
    const { verifier, calls, opaque } = await setup();
    await rejectsWith(verifier.verify('a.b.c'), 'token_malformed');
    await rejectsWith(verifier.verify(`tsat_${'x'.repeat(9000)}`), 'token_malformed');
    assert.equal(calls.length, 0);
    const token = opaque();
    assert.throws(() => verifier.verifySync(token), { code: 'token_malformed' });
    const fast = verifier.verifyFast(token);
    assert.ok(fast instanceof Promise);
    assert.equal((await fast).sub, 'svc');
  });

  it('without the introspection option, opaque tokens are malformed and no call is made', async () => {
    const { verifier, calls, opaque } = await setup({ introspection: false });
    await rejectsWith(verifier.verify(opaque()), 'token_malformed');
    assert.equal(calls.length, 0);
  });
});
