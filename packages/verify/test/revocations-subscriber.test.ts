// The SDK subscriber against a real Tessera: snapshot at start, live pushes of /revoke and of a client
// disabled through core's admin function, refusal of forged pages, staleness (fail-closed and the
// introspection fallback, with an injected clock) and pruning.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { disableClient } from '@tessera/core';
import { createVerifier, VerifyError } from '@tessera/verify';
import { API, claimsOf, eventually, startFeedServer, type Credentials, type FeedServer } from './support/revocations-server.js';
import { FeedSwitch, OffsetClock, subscribe } from './support/feed-client.js';

let t: FeedServer;
let reader: Credentials;
let client: Credentials;
before(async () => {
  t = await startFeedServer({ TESSERA_REVOCATION_HEARTBEAT: '50ms' });
  reader = await t.addFeedReader();
  client = await t.addClient();
});
after(() => t.close());

const KID = 'any-kid';

test('the snapshot loaded at start holds earlier revocations; a /revoke arrives over the stream', async () => {
  const before = await t.token(client);
  await t.revoke(client, before);
  const live = await t.token(client);
  const s = await subscribe(t, reader);
  try {
    assert.equal(s.check.isRevoked(claimsOf(before), KID), true, 'from the snapshot');
    assert.equal(s.check.isRevoked(claimsOf(live), KID), false);
    assert.equal(s.count('snapshot'), 1);
    await t.revoke(client, live);
    await eventually(() => s.check.isRevoked(claimsOf(live), KID), 'the streamed revocation');
    s.check.assertFresh();
  } finally {
    await s.check.close();
  }
});

test('disabling a client through core (same store, no HTTP) reaches subscribers as a client watermark', async () => {
  const doomed = await t.addClient();
  const token = await t.token(doomed);
  const s = await subscribe(t, reader);
  try {
    assert.equal(s.check.isRevoked(claimsOf(token), KID), false);
    await disableClient(t.admin(), doomed.id);
    await eventually(() => s.check.isRevoked(claimsOf(token), KID), 'the client watermark');
    const entry = s.events.flatMap((e) => (e.type === 'applied' ? e.entries : [])).find((e) => e.target === doomed.id);
    assert.equal(entry?.kind, 'client');
    assert.equal(s.check.isRevoked({ ...claimsOf(token), iat: Math.ceil((entry?.created_at ?? 0) / 1000) + 1 }, KID), false, 'later tokens are not affected');
  } finally {
    await s.check.close();
  }
});

test('a forged or tampered page is refused: startup fails rather than trusting it', async () => {
  const feed = new FeedSwitch();
  feed.rewrite = (body) => {
    const { feed: jws } = JSON.parse(body) as { feed: string };
    const [head, payload, signature] = jws.split('.');
    const forged = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as { entries: unknown[] };
    forged.entries = [];
    return JSON.stringify({ feed: `${head}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}` });
  };
  await assert.rejects(subscribe(t, reader, { fetch: feed.fetch, startTimeoutMs: 100 }), (error: unknown) => {
    return error instanceof VerifyError && error.code === 'revocations_stale' && /signature is invalid/.test(error.detail ?? '');
  });
  await assert.rejects(subscribe(t, { id: reader.id, secret: 'wrong' }), (error: unknown) => {
    return error instanceof VerifyError && /401 invalid_client/.test(error.detail ?? '');
  });
  await assert.rejects(subscribe(t, client), (error: unknown) => error instanceof VerifyError && /403 insufficient_scope/.test(error.detail ?? ''));
});

test('out of contact longer than maxStalenessMs, assertFresh fails closed; contact again makes it fresh', async () => {
  const clock = new OffsetClock();
  const feed = new FeedSwitch();
  const s = await subscribe(t, reader, { clock: clock.now, fetch: feed.fetch, maxStalenessMs: 30_000 });
  try {
    assert.equal(s.check.onStale, 'fail-closed');
    s.check.assertFresh();
    feed.cut();
    await eventually(() => s.count('disconnected') > 0, 'the cut to be noticed');
    clock.advance(29_000);
    s.check.assertFresh();
    clock.advance(2_000);
    assert.throws(() => s.check.assertFresh(), (error: unknown) => error instanceof VerifyError && error.code === 'revocations_stale');
    feed.restore();
    await eventually(() => s.check.stats().stalenessMs < 30_000, 'contact again');
    s.check.assertFresh();
  } finally {
    await s.check.close();
  }
});

test("onStale 'introspect' falls back to introspection when the feed is stale; the default fails closed even with introspection configured", async () => {
  const rs = await t.addClient({ name: 'api', scopes: ['tessera:revocations'], defaultScopes: [], grantTypes: [], audiences: [API] });
  const good = await t.token(client);
  const revokedWhileCut = await t.token(client);
  const clock = new OffsetClock();
  const feed = new FeedSwitch();
  const credentials = { clientId: rs.id, clientSecret: rs.secret };
  const common = { issuer: t.url, audience: API, fetch: feed.fetch, clock: clock.now, introspection: credentials };
  const introspecting = await createVerifier({ ...common, revocations: { ...credentials, onStale: 'introspect' } });
  const closed = await createVerifier({ ...common, revocations: { ...credentials, maxStalenessMs: 30_000 } });
  try {
    assert.equal((await introspecting.verify(good)).jti, claimsOf(good).jti);
    feed.cut();
    await t.revoke(client, revokedWhileCut);
    assert.equal((await closed.verify(revokedWhileCut)).jti, claimsOf(revokedWhileCut).jti, 'within the staleness bound, the local answer stands');
    clock.advance(31_000);
    await assert.rejects(closed.verify(good), (error: unknown) => error instanceof VerifyError && error.code === 'revocations_stale');
    assert.equal((await introspecting.verify(good)).jti, claimsOf(good).jti, 'introspection vouches for a live token');
    await assert.rejects(introspecting.verify(revokedWhileCut), (error: unknown) => error instanceof VerifyError && !error.unavailable);
  } finally {
    await Promise.all([introspecting.close(), closed.close()]);
  }
});

test('expired entries are pruned from memory', async () => {
  const clock = new OffsetClock();
  const token = await t.token(client);
  await t.revoke(client, token);
  const s = await subscribe(t, reader, { clock: clock.now });
  try {
    assert.equal(s.check.isRevoked(claimsOf(token), KID), true);
    const held = s.check.stats().size;
    clock.advance(t.config.maxAccessTokenTtl * 1000 + 120_000);
    const removed = s.check.prune();
    assert.ok(removed > 0 && removed <= held);
    assert.equal(s.check.isRevoked(claimsOf(token), KID), false);
    assert.ok(s.events.some((e) => e.type === 'pruned'));
  } finally {
    await s.check.close();
  }
});
