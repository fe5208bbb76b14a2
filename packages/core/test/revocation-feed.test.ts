// The revocation feed (docs/revocation-feed.md): access, snapshot and delta pages, pagination,
// signatures, pruned cursors, change notifications, and the change-token shortcut of sync().
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { test } from 'node:test';
import { disableClient, REVOCATION_FEED_SCOPE, type ChangeEntry, type RevocationFeedPage } from '@tessera/core';
import { MemoryStore } from '@tessera/core/testing';
import { addClient, basic, harness, issue, parts, rejectsWith, req, sibling, ISSUER, START, type Harness, type TestClient } from './support/harness.js';

const feedReader = (h: Harness): Promise<TestClient> =>
  addClient(h, { name: 'resource server', scopes: [REVOCATION_FEED_SCOPE], defaultScopes: [], grantTypes: [], audiences: [] });

function page(h: Harness, reader: TestClient, params: Record<string, string> = {}): Promise<RevocationFeedPage> {
  return h.server.revocationFeed(req(params, basic(reader.id, reader.secret)));
}

async function revokeNewToken(h: Harness, client: TestClient): Promise<string> {
  const token = await issue(h.server, client);
  await h.server.revoke(req({ token }, basic(client.id, client.secret)));
  return parts(token).payload['jti'] as string;
}

/** Verifies a page the way a resource server does: the JWKS key named by kid, typ, then the payload. */
function verifiedPayload(h: Harness, jws: string): Record<string, unknown> {
  const [header = '', payload = '', signature = ''] = jws.split('.');
  const { header: head } = parts(jws);
  assert.equal(head['typ'], 'tessera-revocations+jwt');
  const jwks = JSON.parse(h.server.jwksJson()) as { keys: Array<Record<string, string>> };
  const jwk = jwks.keys.find((k) => k['kid'] === head['kid']);
  assert.ok(jwk, 'the page is signed by a published key');
  const ok = verify('sha256', Buffer.from(`${header}.${payload}`), { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'));
  assert.ok(ok, 'signature verifies');
  return parts(jws).payload;
}

test('the feed requires client authentication and the tessera:revocations scope', async () => {
  const h = await harness();
  const plain = await addClient(h);
  const reader = await feedReader(h);
  await rejectsWith(h.server.revocationFeed(req({})), 'invalid_client', 401);
  await rejectsWith(h.server.revocationFeed(req({}, basic(reader.id, 'wrong'))), 'invalid_client', 401);
  await rejectsWith(page(h, plain), 'insufficient_scope', 403);
  assert.equal((await page(h, reader)).payload.snapshot, true);
  await disableClient(h.admin, reader.id);
  await h.server.sync();
  await rejectsWith(page(h, reader), 'invalid_client', 401);
});

test('since=0 answers a signed snapshot of unexpired revocations, then deltas continue from its cursor', async () => {
  const h = await harness();
  const client = await addClient(h);
  const reader = await feedReader(h);
  const first = await revokeNewToken(h, client);
  const snapshot = await page(h, reader);
  const payload = verifiedPayload(h, snapshot.jws);
  assert.equal(payload['iss'], ISSUER);
  assert.equal(payload['snapshot'], true);
  assert.equal(payload['since'], 0);
  assert.equal(payload['more'], false);
  assert.deepEqual(snapshot.payload.entries.map((e) => [e.kind, e.target]), [['token', first]]);
  assert.deepEqual(payload, snapshot.payload);

  const second = await revokeNewToken(h, client);
  const delta = await page(h, reader, { since: String(snapshot.payload.cursor) });
  assert.equal(delta.payload.snapshot, false);
  assert.deepEqual(delta.payload.entries.map((e) => e.target), [second]);
  const entry = delta.payload.entries[0];
  assert.equal(entry?.created_at, h.clock.now());
  assert.ok((entry?.expires_at ?? 0) > h.clock.now());
  const idle = await page(h, reader, { since: String(delta.payload.cursor) });
  assert.deepEqual(idle.payload.entries, []);
  assert.equal(idle.payload.cursor, delta.payload.cursor);
});

test('pages hold at most `limit` entries and say when more are waiting', async () => {
  const h = await harness();
  const client = await addClient(h);
  const reader = await feedReader(h);
  const jtis: string[] = [];
  for (let i = 0; i < 5; i++) jtis.push(await revokeNewToken(h, client));
  const seen: string[] = [];
  let since = 0;
  const flags: boolean[] = [];
  for (let round = 0; round < 10; round++) {
    const p = await page(h, reader, { since: String(since), limit: '2' });
    seen.push(...p.payload.entries.map((e) => e.target));
    flags.push(p.payload.more);
    assert.ok(p.payload.entries.length <= 2);
    since = p.payload.cursor;
    if (!p.payload.more) break;
  }
  assert.deepEqual(seen, jtis);
  assert.deepEqual(flags, [true, true, false]);
});

test('expired entries and non-revocation changes are left out; a client disable is a client watermark', async () => {
  const h = await harness();
  const client = await addClient(h);
  const reader = await feedReader(h);
  await h.store.appendChanges([{ kind: 'revoke.token', target: 'old-jti', createdAt: h.clock.now() - 10_000, expiresAt: h.clock.now() - 1 }]);
  await disableClient(h.admin, client.id);
  const snapshot = await page(h, reader);
  assert.deepEqual(snapshot.payload.entries.map((e) => [e.kind, e.target, e.created_at]), [['client', client.id, h.clock.now()]]);
});

test('a cursor older than the oldest kept entry, or one this store never assigned, gets a fresh snapshot', async () => {
  const store = new MemoryStore();
  await store.appendChanges([1, 2, 3].map((i) => ({ kind: 'revoke.token' as const, target: `gone-${i}`, createdAt: START, expiresAt: START + 1000 })));
  const h = await harness({ store });
  const client = await addClient(h);
  const reader = await feedReader(h);
  const kept = await revokeNewToken(h, client);
  h.clock.advance(2000);
  await h.store.pruneExpired(h.clock.now());
  const resumed = await page(h, reader, { since: '1' });
  assert.equal(resumed.payload.snapshot, true);
  assert.equal(resumed.payload.since, 0);
  assert.deepEqual(resumed.payload.entries.map((e) => e.target), [kept]);
  const atEdge = await page(h, reader, { since: '3' });
  assert.equal(atEdge.payload.snapshot, false, 'a cursor just before the oldest kept entry is still a delta');
  assert.deepEqual(atEdge.payload.entries.map((e) => e.target), [kept]);
  const future = await page(h, reader, { since: String(resumed.payload.cursor + 100) });
  assert.equal(future.payload.snapshot, true);
});

test('malformed since and limit are invalid_request; limit is capped', async () => {
  const h = await harness();
  const reader = await feedReader(h);
  for (const params of <Record<string, string>[]>[{ since: '-1' }, { since: 'abc' }, { since: '1.5' }, { limit: '0' }, { limit: 'x' }]) {
    await rejectsWith(page(h, reader, params), 'invalid_request', 400);
  }
  await rejectsWith(h.server.revocationFeed(req({ since: ['1', '2'] }, basic(reader.id, reader.secret))), 'invalid_request');
  assert.ok(await page(h, reader, { limit: '999999' }));
});

test('onChange hears local revocations at once and those of other instances on sync()', async () => {
  const h = await harness();
  const other = await sibling(h);
  const client = await addClient(h);
  const heard: ChangeEntry[] = [];
  const stop = h.server.onChange((entries) => heard.push(...entries.filter((e) => e.kind === 'revoke.token')));
  const local = await revokeNewToken(h, client);
  assert.deepEqual(heard.map((e) => e.target), [local]);
  const token = await issue(other.server, client);
  await other.server.revoke(req({ token }, basic(client.id, client.secret)));
  await h.server.sync();
  assert.deepEqual(heard.map((e) => e.target).slice(-1), [parts(token).payload['jti']]);
  stop();
  await revokeNewToken(h, client);
  assert.equal(heard.filter((e) => e.target !== local).length, 1, 'no calls after unsubscribing');
});

/** A memory store with a change token, counting how often sync() reads the log. */
class TokenStore extends MemoryStore {
  token = 0;
  reads = 0;
  override async changeToken(): Promise<number> {
    return this.token;
  }
  override async changesSince(cursor: number, limit: number): Promise<ChangeEntry[]> {
    this.reads++;
    return super.changesSince(cursor, limit);
  }
}

test('sync() reads the change log only when the store change token moved', async () => {
  const store = new TokenStore();
  const h = await harness({ store });
  await h.server.sync();
  const reads = store.reads;
  await h.server.sync();
  await h.server.sync();
  assert.equal(store.reads, reads, 'an unchanged token skips the query');
  await store.appendChanges([{ kind: 'revoke.subject', target: 'user-1', createdAt: h.clock.now(), expiresAt: h.clock.now() + 60_000 }]);
  store.token++;
  const heard: string[] = [];
  h.server.onChange((entries) => heard.push(...entries.map((e) => e.target)));
  assert.equal(await h.server.sync(), 1);
  assert.deepEqual(heard, ['user-1']);
});

/** A memory store whose reads can be held after they have looked at the log (a slow store). */
class SlowStore extends MemoryStore {
  hold: Promise<void> | undefined;
  override async changesSince(cursor: number, limit: number): Promise<ChangeEntry[]> {
    const entries = await super.changesSince(cursor, limit);
    if (this.hold) await this.hold;
    return entries;
  }
}

test('a sync() called while another is under way still applies what was committed before the call', async () => {
  const store = new SlowStore();
  const h = await harness({ store });
  let release = (): void => {};
  store.hold = new Promise((resolve) => (release = resolve));
  const heard: string[] = [];
  h.server.onChange((entries) => heard.push(...entries.map((e) => e.target)));
  const first = h.server.sync();
  await store.appendChanges([{ kind: 'revoke.session', target: 'sid-1', createdAt: h.clock.now(), expiresAt: h.clock.now() + 60_000 }]);
  const second = h.server.sync();
  store.hold = undefined;
  release();
  await Promise.all([first, second]);
  assert.deepEqual(heard, ['sid-1']);
});
