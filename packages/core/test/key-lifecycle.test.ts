import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  MasterKey,
  WrongMasterKeyError,
  createAuthServer,
  createClient,
  reencryptAllKeys,
  resolveConfig,
  revokeSigningKey,
  rotateKeysNow,
  type AuditEvent,
  type KeyLifecycleDeps,
} from '@tessera/core';
import { FrozenClock, MemoryStore } from '@tessera/core/testing';

const ISSUER = 'https://issuer.example';

async function setup() {
  const clock = new FrozenClock();
  const store = new MemoryStore();
  const masterKey = MasterKey.generate();
  const events: AuditEvent[] = [];
  const sink = { emit: (e: AuditEvent) => events.push(e) };
  const config = resolveConfig({ issuer: ISSUER, signingAlgorithms: ['ES256', 'RS256'] });
  const auth = await createAuthServer({ config, store, masterKey, clock, events: sink });
  const deps: KeyLifecycleDeps = { store, masterKey, clock, events: sink, policy: config.rotationPolicy, algorithms: config.signingAlgorithms };
  const admin = { store, clock, events: sink, maxAccessTokenTtl: 3600 };
  const es = await createClient(admin, { name: 'es', scopes: ['read'], audiences: ['https://api.example'] });
  const rs = await createClient(admin, { name: 'rs', scopes: ['read'], audiences: ['https://api.example'], signingAlg: 'RS256' });
  const basic = (c: { client: { id: string }; secret: string | undefined }) => `Basic ${Buffer.from(`${c.client.id}:${c.secret}`).toString('base64')}`;
  const issue = async (c: typeof es) =>
    (await auth.token({ params: { grant_type: 'client_credentials' }, authorization: basic(c), context: {} })).access_token;
  const active = async (token: string) =>
    (await auth.introspect({ params: { token }, authorization: basic(es), context: {} })).includes('"active":true');
  const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as { kid: string; alg: string });
  return { clock, store, masterKey, events, auth, deps, es, rs, issue, active, kidOf };
}

test('several algorithms at once: each has its own active key and a client can be pinned to one', async () => {
  const t = await setup();
  const keys = await t.store.listSigningKeys();
  assert.deepEqual(keys.filter((k) => k.state === 'active').map((k) => k.alg).sort(), ['ES256', 'RS256']);
  assert.equal(t.kidOf(await t.issue(t.es)).alg, 'ES256');
  assert.equal(t.kidOf(await t.issue(t.rs)).alg, 'RS256');
});

test('keys revoke: tokens signed by the revoked key are inactive, tokens of other keys unaffected, a successor signs at once', async () => {
  const t = await setup();
  const esToken = await t.issue(t.es);
  const rsToken = await t.issue(t.rs);
  const revoked = await revokeSigningKey(t.deps, t.kidOf(esToken).kid);
  assert.ok(revoked.some((k) => k.kid === t.kidOf(esToken).kid && k.state === 'revoked'));
  assert.equal(await t.auth.sync() > 0, true);
  assert.equal(await t.active(esToken), false);
  assert.equal(await t.active(rsToken), true);
  assert.doesNotMatch(t.auth.jwksJson(), new RegExp(t.kidOf(esToken).kid));
  const fresh = await t.issue(t.es);
  assert.notEqual(t.kidOf(fresh).kid, t.kidOf(esToken).kid);
  assert.equal(await t.active(fresh), true);
  assert.ok(t.events.some((e) => e.type === 'key.revoked' && e.tokenId === t.kidOf(esToken).kid));
  assert.ok((await t.store.unexpiredChanges(['revoke.key'], t.clock.now())).some((c) => c.target === t.kidOf(esToken).kid));
});

test('keys rotate: the old key keeps verifying its tokens while the new one signs; events report each step', async () => {
  const t = await setup();
  const before = await t.issue(t.es);
  t.events.length = 0;
  await rotateKeysNow(t.deps, 'ES256');
  await t.auth.sync();
  const after = await t.issue(t.es);
  assert.notEqual(t.kidOf(after).kid, t.kidOf(before).kid);
  assert.equal(await t.active(before), true);
  assert.equal(await t.active(after), true);
  const types = t.events.map((e) => e.type).filter((type) => type.startsWith('key.')).sort();
  assert.deepEqual(types, ['key.activated', 'key.created', 'key.created', 'key.retired'], JSON.stringify(types));
  const states = (await t.store.listSigningKeys()).filter((k) => k.alg === 'ES256').map((k) => k.state).sort();
  assert.deepEqual(states, ['active', 'next', 'retired']);
});

test('applyKeySchedule is idempotent', async () => {
  const t = await setup();
  assert.equal(await t.auth.applyKeySchedule(), 0);
  t.clock.advance(29.5 * 86_400_000);
  assert.equal(await t.auth.applyKeySchedule(), 2);
  assert.equal(await t.auth.applyKeySchedule(), 0);
});

test('master-key re-encryption is all or nothing and the old key stops opening the store', async () => {
  const t = await setup();
  const next = MasterKey.generate();
  const failing = new Proxy(t.store, {
    get(target, property) {
      if (property === 'saveSigningKeys') return () => Promise.reject(new Error('disk full'));
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  await assert.rejects(reencryptAllKeys(failing, t.masterKey, next, t.deps.events, t.clock.now()), /disk full/);
  await createAuthServer({ config: { issuer: ISSUER }, store: t.store, masterKey: t.masterKey, clock: t.clock });
  await reencryptAllKeys(t.store, t.masterKey, next, t.deps.events, t.clock.now());
  await assert.rejects(createAuthServer({ config: { issuer: ISSUER }, store: t.store, masterKey: t.masterKey, clock: t.clock }), WrongMasterKeyError);
  const reopened = await createAuthServer({ config: { issuer: ISSUER, signingAlgorithms: ['ES256', 'RS256'] }, store: t.store, masterKey: next, clock: t.clock });
  assert.equal(reopened.config.issuer, ISSUER);
  assert.ok(t.events.some((e) => e.type === 'master_key.rotated'));
});
