import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPublicKey, verify as cryptoVerify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { MasterKey, createAuthServer, createClient, discardEvents, type AuthServer } from '@tessera/core';
import { FrozenClock, MemoryStore } from '@tessera/core/testing';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ISSUER = 'https://issuer.example';

async function setup(clock: FrozenClock): Promise<{ auth: AuthServer; basic: string }> {
  const store = new MemoryStore();
  const auth = await createAuthServer({
    config: { issuer: ISSUER, jwksMaxAge: 3600, keyPrePublication: 2 * 3600, keyRotationInterval: 7 * 86_400, accessTokenTtl: 3600, maxAccessTokenTtl: 3600 },
    store,
    masterKey: MasterKey.generate(),
    clock,
    events: discardEvents,
  });
  const { client, secret } = await createClient(
    { store, clock, events: discardEvents, maxAccessTokenTtl: 3600 },
    { name: 'svc', scopes: ['read'], audiences: ['https://api.example'] },
  );
  return { auth, basic: `Basic ${Buffer.from(`${client.id}:${secret}`).toString('base64')}` };
}

async function issue(auth: AuthServer, basic: string): Promise<string> {
  const response = await auth.token({ params: { grant_type: 'client_credentials' }, authorization: basic, context: {} });
  return response.access_token;
}

/**
 * A resource server that refetches the JWKS only when its cached copy is older than Cache-Control max-age,
 * and checks tokens with node:crypto against that cached copy (independently of the server's own code).
 */
class CachingVerifier {
  #keys = new Map<string, KeyObject>();
  #fetchedAt = -Infinity;
  constructor(
    private readonly auth: AuthServer,
    private readonly maxAgeMs: number,
  ) {}

  verify(token: string, now: number): boolean {
    if (now - this.#fetchedAt >= this.maxAgeMs) {
      const jwks = JSON.parse(this.auth.jwksJson()) as { keys: (JsonWebKey & { kid: string })[] };
      const previous = this.#keys;
      this.#keys = new Map(jwks.keys.map((jwk) => [jwk.kid, previous.get(jwk.kid) ?? createPublicKey({ key: jwk, format: 'jwk' })]));
      this.#fetchedAt = now;
    }
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const { kid, typ, alg } = JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string; typ: string; alg: string };
    const key = this.#keys.get(kid);
    if (!key || typ !== 'at+jwt' || alg !== 'ES256') return false;
    const valid = cryptoVerify('sha256', Buffer.from(`${header}.${payload}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { iss: string; exp: number };
    return valid && claims.iss === ISSUER && claims.exp * 1000 > now;
  }
}

test('RFC 9068 + key lifecycle: a Cache-Control-honouring verifier accepts every valid token across a year of scheduled rotations', async () => {
  const clock = new FrozenClock(Date.UTC(2026, 0, 1));
  const { auth, basic } = await setup(clock);
  const verifier = new CachingVerifier(auth, HOUR);
  const end = clock.now() + 365 * DAY;
  const step = 20 * 60_000;
  const pending: { token: string; checkAt: number }[] = [];
  const kids = new Set<string>();
  let failures = 0;
  let checked = 0;
  while (clock.now() < end) {
    clock.advance(step);
    await auth.applyKeySchedule();
    await auth.prune();
    const token = await issue(auth, basic);
    kids.add((JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as { kid: string }).kid);
    if (!(verifier.verify(token, clock.now()))) failures++;
    // Check it again one second before it expires: its key must still be published then.
    pending.push({ token, checkAt: clock.now() + HOUR - 1000 });
    while (pending.length > 0 && (pending[0]?.checkAt ?? Infinity) <= clock.now() + step) {
      const due = pending.shift()!;
      if (!(verifier.verify(due.token, due.checkAt))) failures++;
      checked++;
    }
    checked++;
  }
  assert.equal(failures, 0, `${failures} of ${checked} verifications failed`);
  assert.ok(kids.size >= 52, `expected weekly rotations, saw ${kids.size} signing keys`);
});

test('a token whose signing key has completed retirement no longer verifies and is inactive', async () => {
  const clock = new FrozenClock(Date.UTC(2026, 0, 1));
  const { auth, basic } = await setup(clock);
  const old = await issue(auth, basic);
  const introspect = (token: string): Promise<string> =>
    auth.introspect({ params: { token }, authorization: basic, context: {} });
  for (let elapsed = 0; elapsed < 9 * DAY; elapsed += HOUR) {
    clock.advance(HOUR);
    await auth.applyKeySchedule();
    await auth.prune();
  }
  const verifier = new CachingVerifier(auth, HOUR);
  // Rewind-free check: the key is gone from the JWKS, so even a token still inside its lifetime window would fail.
  assert.equal(verifier.verify(old, clock.now()), false);
  assert.doesNotMatch(auth.jwksJson(), new RegExp((JSON.parse(Buffer.from(old.split('.')[0] ?? '', 'base64url').toString()) as { kid: string }).kid));
  assert.equal(await introspect(old), '{"active":false}');
  assert.match(await introspect(await issue(auth, basic)), /"active":true/);
});
