import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AuditEvent } from '../audit/events.js';
import type { AlertRecord, WebhookDeadLetter } from '../ports/audit-store.js';
import { DuplicateError, type Store } from '../ports/store.js';

// Times far in the future of the other contract cases' data, so the shared store's rows never interfere.
const T0 = 5_000_000_000_000;

const issued = (time: number, clientId: string, tokenId: string, subject?: string): AuditEvent => ({
  type: 'token.issued',
  time,
  clientId,
  ...(subject ? { subject } : {}),
  tokenId,
  ip: '192.0.2.7',
  userAgent: 'contract/1.0',
  outcome: 'success',
  grantType: 'client_credentials',
  scope: 'read',
  audience: ['https://api.example'],
  expiresAt: time + 600_000,
});

const introspected = (time: number, clientId: string, tokenId: string): AuditEvent => ({
  type: 'token.introspected',
  time,
  clientId,
  tokenId,
  outcome: 'failure',
  reason: 'revoked',
  active: false,
});

const alert = (id: string, raisedAt: number, ackedAt: number | null = null): AlertRecord => ({
  id,
  raisedAt,
  detector: 'client_auth_failures',
  severity: 'medium',
  action: 'alert',
  summary: '30 failed client authentications in 60 s',
  clientId: 'c-alert',
  subject: null,
  sessionId: null,
  tokenId: null,
  ip: '192.0.2.9',
  details: { failures: 30, windowSeconds: 60, ips: ['192.0.2.9'] },
  ackedAt,
  ackedBy: ackedAt === null ? null : 'ops',
});

const deadLetter = (id: string, failedAt: number): WebhookDeadLetter => ({
  id,
  alertId: 'tal_1',
  url: 'https://hooks.example/tessera',
  attempts: 5,
  lastError: 'http 500',
  failedAt,
  body: '{"alert":{"id":"tal_1"}}',
});

/** Contract cases for the audit half of the Store (ports/audit-store.ts); runs inside runStoreContract. */
export function auditStoreContract(get: () => Store): void {
  it('audit: appends a batch in order and reads it back whole, with increasing seq', async () => {
    const store = get();
    const events = [issued(T0, 'c-a', 'jti-a1', 'u1'), introspected(T0 + 1, 'c-a', 'jti-a1'), issued(T0 + 2, 'c-a', 'jti-a2')];
    await store.appendAuditEvents(events);
    await store.appendAuditEvents([]);
    const read = await store.queryAuditEvents({ clientId: 'c-a', limit: 10 });
    assert.deepEqual(read.map((r) => r.event), events);
    assert.ok(read[0]!.seq < read[1]!.seq && read[1]!.seq < read[2]!.seq);
    read[0]!.event.clientId = 'mutated';
    assert.equal((await store.queryAuditEvents({ clientId: 'c-a', limit: 1 }))[0]!.event.clientId, 'c-a');
  });

  it('audit: filters by time range, client, subject, session, token id and type (all must match)', async () => {
    const store = get();
    const base = T0 + 100_000;
    await store.appendAuditEvents([
      issued(base, 'c-f', 'jti-f1', 'alice'),
      { ...issued(base + 10, 'c-f', 'jti-f2', 'bob'), sessionId: 's-f' },
      introspected(base + 20, 'c-f', 'jti-f1'),
      issued(base + 30, 'c-g', 'jti-g1', 'alice'),
    ]);
    const ids = async (query: Parameters<Store['queryAuditEvents']>[0]): Promise<string[]> =>
      (await store.queryAuditEvents(query)).map((r) => `${r.event.type}:${r.event.tokenId}`);
    assert.deepEqual(await ids({ clientId: 'c-f', limit: 10 }), ['token.issued:jti-f1', 'token.issued:jti-f2', 'token.introspected:jti-f1']);
    assert.deepEqual(await ids({ subject: 'alice', since: base, limit: 10 }), ['token.issued:jti-f1', 'token.issued:jti-g1']);
    assert.deepEqual(await ids({ sessionId: 's-f', limit: 10 }), ['token.issued:jti-f2']);
    assert.deepEqual(await ids({ tokenId: 'jti-f1', limit: 10 }), ['token.issued:jti-f1', 'token.introspected:jti-f1']);
    assert.deepEqual(await ids({ clientId: 'c-f', types: ['token.introspected'], limit: 10 }), ['token.introspected:jti-f1']);
    assert.deepEqual(await ids({ clientId: 'c-f', types: [], limit: 10 }), []);
    assert.deepEqual(await ids({ since: base + 10, until: base + 30, limit: 10 }), ['token.issued:jti-f2', 'token.introspected:jti-f1']);
    assert.deepEqual(await ids({ subject: 'alice', clientId: 'c-g', limit: 10 }), ['token.issued:jti-g1']);
  });

  it('audit: pages forward with the after cursor and tails with newest', async () => {
    const store = get();
    const base = T0 + 200_000;
    await store.appendAuditEvents(Array.from({ length: 7 }, (_, i) => issued(base + i, 'c-p', `jti-p${i}`)));
    const first = await store.queryAuditEvents({ clientId: 'c-p', limit: 3 });
    assert.deepEqual(first.map((r) => r.event.tokenId), ['jti-p0', 'jti-p1', 'jti-p2']);
    const next = await store.queryAuditEvents({ clientId: 'c-p', limit: 3, after: first[2]!.seq });
    assert.deepEqual(next.map((r) => r.event.tokenId), ['jti-p3', 'jti-p4', 'jti-p5']);
    const tail = await store.queryAuditEvents({ clientId: 'c-p', limit: 2, newest: true });
    assert.deepEqual(tail.map((r) => r.event.tokenId), ['jti-p5', 'jti-p6']);
    assert.deepEqual(await store.queryAuditEvents({ clientId: 'c-p', limit: 5, after: tail[1]!.seq }), []);
    await store.appendAuditEvents([issued(base + 9, 'c-p', 'jti-p9')]);
    const followed = await store.queryAuditEvents({ clientId: 'c-p', limit: 5, after: tail[1]!.seq });
    assert.deepEqual(followed.map((r) => r.event.tokenId), ['jti-p9']);
  });

  it('audit: a large batch (1,234 events) is stored whole and in order', async () => {
    const store = get();
    const base = T0 + 300_000;
    await store.appendAuditEvents(Array.from({ length: 1234 }, (_, i) => issued(base + i, 'c-big', `jti-big${i}`)));
    const read = await store.queryAuditEvents({ clientId: 'c-big', limit: 5000 });
    assert.equal(read.length, 1234);
    assert.deepEqual(read.map((r) => r.event.tokenId), Array.from({ length: 1234 }, (_, i) => `jti-big${i}`));
  });

  it('alerts: insert, get, list newest first with the unacked filter, ack exactly once', async () => {
    const store = get();
    await store.insertAlert(alert('tal_a', T0 + 1_000));
    await store.insertAlert(alert('tal_b', T0 + 2_000));
    await assert.rejects(store.insertAlert(alert('tal_a', T0)), DuplicateError);
    assert.deepEqual(await store.getAlert('tal_a'), alert('tal_a', T0 + 1_000));
    assert.equal(await store.getAlert('tal_missing'), undefined);
    assert.deepEqual((await store.listAlerts({ limit: 2 })).map((a) => a.id), ['tal_b', 'tal_a']);
    const [first, second] = await Promise.all([store.ackAlert('tal_a', T0 + 3_000, 'ops'), store.ackAlert('tal_a', T0 + 3_001, 'other')]);
    assert.deepEqual([first, second].sort(), [false, true]);
    const acked = await store.getAlert('tal_a');
    assert.ok(acked?.ackedAt === T0 + 3_000 || acked?.ackedAt === T0 + 3_001);
    assert.equal(await store.ackAlert('tal_missing', T0, 'ops'), false);
    const unacked = (await store.listAlerts({ unacked: true, limit: 100 })).map((a) => a.id);
    assert.ok(unacked.includes('tal_b') && !unacked.includes('tal_a'));
  });

  it('webhook dead letters: insert once and list newest first', async () => {
    const store = get();
    await store.insertDeadLetter(deadLetter('twd_1', T0 + 1));
    await store.insertDeadLetter(deadLetter('twd_2', T0 + 2));
    await assert.rejects(store.insertDeadLetter(deadLetter('twd_1', T0)), DuplicateError);
    assert.deepEqual((await store.listDeadLetters(2)), [deadLetter('twd_2', T0 + 2), deadLetter('twd_1', T0 + 1)]);
  });

  it('audit: pruning removes old events, old acknowledged alerts and old dead letters; keeps unacknowledged alerts', async () => {
    const store = get();
    const old = T0 + 400_000;
    const cut = old + 1_000;
    await store.appendAuditEvents([issued(old, 'c-r', 'jti-old'), issued(cut, 'c-r', 'jti-new')]);
    await store.insertAlert(alert('tal_old_acked', old, old + 1));
    await store.insertAlert(alert('tal_old_open', old));
    await store.insertDeadLetter(deadLetter('twd_old', old));
    await store.insertDeadLetter(deadLetter('twd_new', cut));
    const removedAtLeast = 3;
    assert.ok((await store.pruneAuditLog(cut)) >= removedAtLeast);
    assert.deepEqual((await store.queryAuditEvents({ clientId: 'c-r', limit: 10 })).map((r) => r.event.tokenId), ['jti-new']);
    assert.equal(await store.getAlert('tal_old_acked'), undefined);
    assert.ok(await store.getAlert('tal_old_open'));
    const letters = (await store.listDeadLetters(100)).map((d) => d.id);
    assert.ok(letters.includes('twd_new') && !letters.includes('twd_old'));
    assert.equal(await store.pruneAuditLog(cut), 0);
  });
}
