// The feed over HTTP (docs/revocation-feed.md): GET /revocations (auth, JSON body, snapshot, delta,
// pagination) and GET /revocations/stream (headers, first page, pushes, Last-Event-ID, heartbeats, bound,
// end of the stream when its client is disabled).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { disableClient } from '@tessera/core';
import { SseParser, pumpSse, type SseEvent } from '../dist/revocations/sse.js';
import { basic, claimsOf, eventually, startFeedServer, type Credentials, type FeedServer } from './support/revocations-server.js';

let t: FeedServer;
let reader: Credentials;
let client: Credentials;
before(async () => {
  t = await startFeedServer({ TESSERA_REVOCATION_HEARTBEAT: '30ms' });
  reader = await t.addFeedReader();
  client = await t.addClient();
});
after(() => t.close());

interface Payload {
  iss: string;
  since: number;
  snapshot: boolean;
  cursor: number;
  more: boolean;
  entries: Array<{ seq: number; kind: string; target: string }>;
}
const payloadOf = (jws: string): Payload => JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8')) as Payload;

async function page(query = '', credentials: Credentials | null = reader): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${t.url}/revocations${query}`, { headers: credentials ? { authorization: basic(credentials) } : {} });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

async function revokeOne(): Promise<string> {
  const token = await t.token(client);
  await t.revoke(client, token);
  return claimsOf(token).jti;
}

/** Opens the stream and collects its events and comments until `stop()` or until the server ends it (`done`). */
function openStream(headers: Record<string, string> = {}, server: FeedServer = t, credentials: Credentials = reader) {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const controller = new AbortController();
  const opened = fetch(`${server.url}/revocations/stream`, { headers: { authorization: basic(credentials), ...headers }, signal: controller.signal });
  const done = opened.then(async (response) => {
    if (!response.body || response.status !== 200) return;
    await pumpSse(response.body, new SseParser((e) => events.push(e), (c) => comments.push(c)), () => {}).catch(() => {});
  });
  return { opened, events, comments, done, stop: () => { controller.abort(); return done; } };
}

test('reading the feed needs client credentials (401) and the tessera:revocations scope (403)', async () => {
  const anonymous = await page('', null);
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.body['error'], 'invalid_client');
  assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Basic/);
  assert.equal((await page('', { id: reader.id, secret: 'wrong' })).status, 401);
  const unscoped = await page('', client);
  assert.equal(unscoped.status, 403);
  assert.equal(unscoped.body['error'], 'insufficient_scope');
  const secretInQuery = await page(`?client_id=${reader.id}&client_secret=${reader.secret}`, null);
  assert.equal(secretInQuery.status, 401, 'credentials in the URL are ignored');
  const stream = await fetch(`${t.url}/revocations/stream`);
  assert.equal(stream.status, 401);
  await stream.body?.cancel();
  assert.equal((await page('?since=-3')).status, 400);
});

test('GET /revocations answers {"feed": jws}: a snapshot, then deltas after its cursor, page by page', async () => {
  const first = await revokeOne();
  const snapshot = await page();
  assert.equal(snapshot.status, 200);
  assert.equal(snapshot.headers.get('cache-control'), 'no-store');
  assert.deepEqual(Object.keys(snapshot.body), ['feed']);
  const p0 = payloadOf(snapshot.body['feed'] as string);
  assert.equal(p0.iss, t.url);
  assert.equal(p0.snapshot, true);
  assert.ok(p0.entries.some((e) => e.kind === 'token' && e.target === first));

  const later = [await revokeOne(), await revokeOne(), await revokeOne()];
  const seen: string[] = [];
  let cursor = p0.cursor;
  for (let round = 0; round < 5; round++) {
    const p = payloadOf((await page(`?since=${cursor}&limit=2`)).body['feed'] as string);
    assert.equal(p.snapshot, false);
    assert.equal(p.since, cursor);
    assert.ok(p.entries.length <= 2);
    seen.push(...p.entries.map((e) => e.target));
    cursor = p.cursor;
    if (!p.more) break;
  }
  assert.deepEqual(seen, later);
});

test('the stream sends the current page at once, pushes each revocation, and resumes after Last-Event-ID', async () => {
  const stream = openStream();
  const response = await stream.opened;
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.equal(response.headers.get('x-accel-buffering'), 'no');
  await eventually(() => stream.events.length === 1, 'the first page');
  const first = stream.events[0]!;
  assert.equal(first.event, 'revocations');
  assert.equal(Number(first.id), payloadOf(first.data).cursor);

  const jti = await revokeOne();
  await eventually(() => stream.events.some((e) => payloadOf(e.data).entries.some((x) => x.target === jti)), 'the pushed revocation');
  const resumeFrom = stream.events.at(-1)!.id;
  await stream.stop();

  const missed = await revokeOne();
  const resumed = openStream({ 'last-event-id': resumeFrom });
  await eventually(() => resumed.events.length >= 1, 'the resumed page');
  const p = payloadOf(resumed.events[0]!.data);
  assert.equal(p.since, Number(resumeFrom));
  assert.deepEqual(p.entries.map((e) => e.target), [missed]);
  await resumed.stop();
});

test('HEAD on the stream is answered at once (no HEAD route), never left open without a body', async () => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 5_000);
  try {
    const response = await fetch(`${t.url}/revocations/stream`, { method: 'HEAD', headers: { authorization: basic(reader) }, signal: controller.signal });
    assert.equal(response.status, 404);
  } finally {
    clearTimeout(timer);
  }
});

test('idle streams carry heartbeat comments', async () => {
  const stream = openStream();
  await eventually(() => stream.comments.filter((c) => c === 'heartbeat').length >= 2, 'two heartbeats');
  await stream.stop();
});

test('the number of concurrent streams is bounded (503 + Retry-After), and a stream whose client is disabled ends and frees its place', async () => {
  const bounded = await startFeedServer({ TESSERA_REVOCATION_MAX_STREAMS: '2' });
  try {
    const doomed = await bounded.addFeedReader();
    const other = await bounded.addFeedReader();
    const a = openStream({}, bounded, doomed);
    const b = openStream({}, bounded, other);
    await eventually(() => a.events.length > 0 && b.events.length > 0, 'two streams open');
    const refused = await fetch(`${bounded.url}/revocations/stream`, { headers: { authorization: basic(other) } });
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '5');
    assert.equal(((await refused.json()) as { error: string }).error, 'temporarily_unavailable');
    await disableClient(bounded.admin(), doomed.id);
    await a.done;
    assert.ok(a.comments.includes('access withdrawn'), 'the server ended the stream of the disabled client');
    const c = openStream({}, bounded, other);
    await eventually(() => c.events.length > 0, 'a stream in the freed place');
    await Promise.all([b.stop(), c.stop()]);
  } finally {
    await bounded.close();
  }
});
