// How the verifier consults a RevocationCheck (the feed itself is tested in revocations-*.test.ts): what the
// factory receives, isRevoked on every verification (introspection cache hits included), assertFresh failing
// closed or falling back to introspection, close().
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { VerifyError, type RevocationCheck, type RevocationCheckFactory, type VerifierOptions } from '@tessera/verify';
import { buildVerifier } from '../dist/verifier.js';
import { refused, rejectsWith } from './support/assert-code.js';
import { FakeClock, forge, makeKey, startIssuer } from './support/issuer.js';
import { API } from './support/setup.js';

type Claims = Parameters<RevocationCheck['isRevoked']>[0];

class FakeCheck implements RevocationCheck {
  revokedJtis = new Set<string>();
  stale = false;
  closed = false;
  seen: { claims: Claims; kid: string }[] = [];
  isRevoked(claims: Claims, kid: string): boolean {
    this.seen.push({ claims, kid });
    return this.revokedJtis.has(claims.jti);
  }
  assertFresh(): void {
    if (this.stale) throw new VerifyError('revocations_stale');
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function setup(options: Partial<VerifierOptions> = {}) {
  const key = makeKey('ES256');
  const issuer = await startIssuer([key]);
  cleanups.push(() => issuer.close());
  const clock = new FakeClock();
  // Active for any token: a JWT's own claims, or fixed claims for an opaque token.
  issuer.introspect = ({ params }) => {
    const payload = (params.get('token') ?? '').split('.')[1];
    const claims: unknown = payload ? JSON.parse(Buffer.from(payload, 'base64url').toString()) : issuer.claims(clock.nowMs, { jti: 'opaque-jti' });
    return { status: 200, body: { active: true, ...(claims as object) } };
  };
  const check = new FakeCheck();
  const factoryCalls: Parameters<RevocationCheckFactory>[0][] = [];
  const factory: RevocationCheckFactory = async (opts) => {
    factoryCalls.push(opts);
    return check;
  };
  const verifier = await buildVerifier({ issuer: issuer.url, audience: API, clock: clock.now, ...options }, factory);
  cleanups.push(() => verifier.close());
  const token = (overrides: Record<string, unknown> = {}): string => forge(key, issuer.claims(clock.nowMs, overrides));
  return { key, issuer, clock, check, factoryCalls, verifier, token };
}

const FEED = { clientId: 'rs', clientSecret: 'rs-secret' };

describe('revocation hook', () => {
  it('no credentials, or revocations: false: the factory is never called', async () => {
    assert.equal((await setup()).factoryCalls.length, 0);
    assert.equal((await setup({ revocations: false })).factoryCalls.length, 0);
  });

  it('the factory gets the issuer, credentials, fetch, clock and a getKey over the cached JWKS', async () => {
    const { factoryCalls, key, issuer, clock } = await setup({ revocations: { ...FEED, maxStalenessMs: 5000 } });
    const call = factoryCalls[0]!;
    assert.equal(call.issuer, issuer.url);
    assert.deepEqual([call.clientId, call.clientSecret], [FEED.clientId, FEED.clientSecret]);
    assert.equal((call as { maxStalenessMs?: number }).maxStalenessMs, 5000, 'feed tuning is passed through');
    assert.equal(call.clock(), clock.nowMs);
    assert.equal(typeof call.fetch, 'function');
    const found: KeyObject | undefined = call.getKey(key.kid);
    assert.ok(found?.equals(key.publicKey));
    assert.equal(call.getKey('unknown'), undefined);
  });

  it('isRevoked is asked with the claims and kid of every verified token; true means token_revoked', async () => {
    const { check, verifier, token, key } = await setup({ revocations: FEED });
    const good = token({ sid: 'session-1' });
    assert.equal(verifier.verifySync(good).sid, 'session-1');
    assert.equal(check.seen[0]!.kid, key.kid);
    assert.equal(check.seen[0]!.claims.sid, 'session-1');
    const revoked = token({ jti: 'revoked-jti' });
    check.revokedJtis.add('revoked-jti');
    await refused(verifier, revoked, 'token_revoked');
  });

  it('a stale feed fails closed by default, even with introspection configured', async () => {
    const { check, verifier, token, issuer } = await setup({ revocations: FEED, introspection: FEED });
    check.stale = true;
    await refused(verifier, token(), 'revocations_stale');
    assert.equal(issuer.introspectionRequests, 0);
  });

  it('with onStale "introspect", a stale feed sends JWTs to introspection, and isRevoked still applies', async () => {
    const { check, verifier, token, issuer } = await setup({ revocations: { ...FEED, onStale: 'introspect' }, introspection: FEED });
    check.stale = true;
    assert.throws(() => verifier.verifySync(token()), { code: 'revocations_stale' });
    assert.equal((await verifier.verify(token())).sub, 'svc');
    assert.equal((await verifier.verifyFast(token())).sub, 'svc');
    assert.equal(issuer.introspectionRequests, 2);
    const revoked = token({ jti: 'gone' });
    check.revokedJtis.add('gone');
    await rejectsWith(verifier.verify(revoked), 'token_revoked');
  });

  it('onStale "introspect" without introspection is refused at construction', async () => {
    await assert.rejects(setup({ revocations: { ...FEED, onStale: 'introspect' } }), TypeError);
  });

  it('introspection cache hits are re-checked, so the feed revokes cached answers', async () => {
    const { check, verifier } = await setup({ revocations: FEED, introspection: FEED });
    await verifier.verify('tsat_opaque');
    await verifier.verify('tsat_opaque');
    assert.deepEqual(check.seen.map((s) => s.kid), ['', '']);
    check.revokedJtis.add('opaque-jti');
    await rejectsWith(verifier.verify('tsat_opaque'), 'token_revoked');
  });

  it('close() closes the check and later calls throw verifier_closed', async () => {
    const { check, verifier, token } = await setup({ revocations: FEED });
    const t = token();
    await verifier.close();
    assert.equal(check.closed, true);
    await refused(verifier, t, 'verifier_closed');
    await verifier.close();
  });
});
