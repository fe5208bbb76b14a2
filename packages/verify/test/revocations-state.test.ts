// The SDK's in-memory revocation state: the same rules as Tessera's own revocation set, a compact
// table for UUID jtis, pruning of expired entries, and the SSE parser the stream is read with.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { JtiTable, RevocationState, type FeedEntry, type FeedEntryKind } from '../dist/revocations/index.js';
import { SseParser, type SseEvent } from '../dist/revocations/sse.js';

const NOW = Date.UTC(2026, 0, 1, 12);
let seq = 0;
const entry = (kind: FeedEntryKind, target: string, createdAt = NOW, expiresAt = NOW + 60_000): FeedEntry => ({
  seq: ++seq,
  kind,
  target,
  created_at: createdAt,
  expires_at: expiresAt,
});
const token = (overrides: Partial<{ jti: string; sub: string; client_id: string; iat: number; sid: string; fam: string }> = {}) => ({
  jti: randomUUID(),
  sub: 'user-1',
  client_id: 'tc_1',
  iat: NOW / 1000 - 10,
  ...overrides,
});

test('a revoked jti, family or key revokes outright; the kid is ignored for introspected tokens', () => {
  const state = new RevocationState();
  const jti = randomUUID();
  state.apply(entry('token', jti), NOW);
  state.apply(entry('family', 'fam-1'), NOW);
  state.apply(entry('key', 'kid-1'), NOW);
  assert.equal(state.isRevoked(token({ jti }), 'kid-2'), true);
  assert.equal(state.isRevoked(token({ fam: 'fam-1' }), 'kid-2'), true);
  assert.equal(state.isRevoked(token(), 'kid-1'), true);
  assert.equal(state.isRevoked(token(), ''), false);
  assert.equal(state.isRevoked(token({ fam: 'fam-2' }), 'kid-2'), false);
});

test('subject, client and session watermarks revoke tokens issued up to and within the same second', () => {
  const state = new RevocationState();
  state.apply(entry('subject', 'user-1', NOW), NOW);
  state.apply(entry('client', 'tc_9', NOW), NOW);
  state.apply(entry('session', 'sid-1', NOW), NOW);
  const second = Math.floor(NOW / 1000);
  assert.equal(state.isRevoked(token({ iat: second }), 'k'), true, 'same second counts as before');
  assert.equal(state.isRevoked(token({ iat: second + 1 }), 'k'), false, 'issued after the watermark');
  assert.equal(state.isRevoked(token({ sub: 'user-2', client_id: 'tc_9', iat: second - 1 }), 'k'), true);
  assert.equal(state.isRevoked(token({ sub: 'user-2', sid: 'sid-1', iat: second - 1 }), 'k'), true);
  assert.equal(state.isRevoked(token({ sub: 'user-2', sid: 'sid-2', iat: second - 1 }), 'k'), false);
  state.apply(entry('subject', 'user-1', NOW - 5000), NOW);
  assert.equal(state.isRevoked(token({ iat: second }), 'k'), true, 'an older watermark does not replace a newer one');
});

test('applying an entry twice changes nothing; expired entries are skipped and pruned', () => {
  const state = new RevocationState();
  const jti = randomUUID();
  const revoked = entry('token', jti, NOW, NOW + 1000);
  state.apply(revoked, NOW);
  state.apply(revoked, NOW);
  state.apply(entry('token', randomUUID(), NOW, NOW - 1), NOW);
  state.apply(entry('client', 'tc_1', NOW, NOW + 1000), NOW);
  state.apply(entry('family', 'fam', NOW, NOW + 5000), NOW);
  assert.equal(state.size, 3);
  assert.equal(state.prune(NOW + 1000), 2);
  assert.equal(state.isRevoked(token({ jti }), 'k'), false);
  assert.equal(state.size, 1);
});

test('the jti table keeps UUIDs compactly, other ids beside them, and survives growth and pruning', () => {
  const table = new JtiTable(16);
  const ids = Array.from({ length: 5000 }, () => randomUUID());
  ids.forEach((id, i) => table.add(id, NOW + (i % 2 === 0 ? 1000 : 9000)));
  table.add('not-a-uuid', NOW + 9000);
  table.add(ids[0]!.toUpperCase(), NOW + 9000);
  assert.equal(table.size, 5002);
  assert.ok(ids.every((id) => table.has(id)));
  assert.equal(table.has(randomUUID()), false);
  assert.equal(table.has('not-a-uuid'), true);
  assert.equal(table.has(ids[1]!.toUpperCase()), false, 'ids are compared exactly, not case-folded');
  assert.equal(table.prune(NOW + 1000), 2500);
  assert.ok(ids.every((id, i) => table.has(id) === (i % 2 === 1)), 'pruning keeps every later entry reachable');
  assert.equal(table.prune(NOW + 9000), 2502);
  assert.equal(table.size, 0);
});

test('the jti table finds entries whose probe runs wrap around and are shifted back on deletion', () => {
  // Many ids in a small table make long runs, including ones that wrap past the last slot.
  const table = new JtiTable(1024);
  const ids = Array.from({ length: 760 }, () => randomUUID());
  ids.forEach((id, i) => table.add(id, NOW + 1000 * (1 + (i % 7))));
  for (let step = 1; step <= 7; step++) {
    table.prune(NOW + 1000 * step);
    ids.forEach((id, i) => assert.equal(table.has(id), 1 + (i % 7) > step, `after pruning step ${step}`));
  }
});

test('the SSE parser handles CRLF, CR and LF split across chunks, comments, multi-line data and ids', () => {
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const parser = new SseParser((e) => events.push(e), (c) => comments.push(c));
  for (const chunk of ['retry: 1000\r\n\r', '\nid: 4\nevent: revocations\nda', 'ta: a\ndata: b\n\n: heartbeat\n\n', 'data:c\r', '\r', 'id\n', 'data: d\n\n']) {
    parser.push(chunk);
  }
  assert.deepEqual(events, [
    { id: '4', event: 'revocations', data: 'a\nb' },
    { id: '4', event: 'message', data: 'c' },
    { id: '', event: 'message', data: 'd' },
  ]);
  assert.deepEqual(comments, ['heartbeat']);
  assert.equal(parser.lastEventId, '');
});
