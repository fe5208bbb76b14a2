import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, describe, test } from 'node:test';
import { pino } from 'pino';
import type { AlertRecord, AuditEvent } from '@tessera/core';
import { FrozenClock, MemoryStore } from '@tessera/core/testing';
import { openSqliteStore } from '@tessera/store-sql';
import { SIGNATURE_HEADER, WebhookDispatcher, signWebhook, startAuditPipeline, verifyWebhookSignature } from 'tessera';

const SECRET = 'whsec-test-0123456789abcdef';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A real HTTP receiver on 127.0.0.1:0 answering the given statuses in turn (the last one repeats). */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)] ?? 200;
      res.end('receiver says: not telling');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks/tessera`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const alert = (id: string): AlertRecord => ({
  id,
  raisedAt: Date.UTC(2026, 0, 1, 12),
  detector: 'client_auth_failures',
  severity: 'high',
  action: 'throttle',
  summary: '50 failed client authentications from one IP in 60 s',
  clientId: 'tc_target',
  subject: null,
  sessionId: null,
  tokenId: null,
  ip: '203.0.113.9',
  details: { failures: 50 },
  ackedAt: null,
  ackedBy: null,
});

function dispatcher(urls: string[], store: MemoryStore, clock: FrozenClock, delays: number[], maxAttempts = 4): WebhookDispatcher {
  return new WebhookDispatcher({
    urls,
    secret: SECRET,
    store,
    clock,
    issuer: 'https://tessera.example',
    maxAttempts,
    baseDelayMs: 1000,
    // No sleeps: the wait between retries records the delay and advances the frozen clock.
    wait: async (ms) => {
      delays.push(ms);
      clock.advance(ms);
    },
  });
}

describe('alert webhooks against a real local HTTP receiver', () => {
  const closers: (() => Promise<void>)[] = [];
  after(async () => {
    for (const close of closers) await close();
  });

  test('a delivery is a signed JSON POST the receiver can verify (HMAC-SHA256 over "t.body", constant-time compare)', async () => {
    const hook = await receiver([204]);
    closers.push(hook.close);
    const clock = new FrozenClock(Date.UTC(2026, 0, 1, 12));
    const store = new MemoryStore();
    const d = dispatcher([hook.url], store, clock, []);
    d.deliver(alert('tal_signed'));
    await d.idle();
    assert.equal(hook.received.length, 1);
    const [request] = hook.received;
    assert.equal(request?.headers['content-type'], 'application/json');
    assert.equal(request?.headers['tessera-alert-id'], 'tal_signed');
    const body = JSON.parse(request?.body ?? '{}') as { type: string; issuer: string; alert: Record<string, unknown> };
    assert.equal(body.type, 'tessera.alert');
    assert.equal(body.issuer, 'https://tessera.example');
    assert.equal(body.alert['id'], 'tal_signed');
    assert.equal(body.alert['raisedAt'], '2026-01-01T12:00:00.000Z');
    assert.equal(body.alert['severity'], 'high');
    const header = String(request?.headers[SIGNATURE_HEADER.toLowerCase()]);
    const now = Math.floor(clock.now() / 1000);
    assert.match(header, /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.equal(header, signWebhook(SECRET, request?.body ?? '', now));
    assert.equal(verifyWebhookSignature(SECRET, header, request?.body ?? '', now), true);
    assert.equal(verifyWebhookSignature(SECRET, header, `${request?.body} `, now), false, 'a changed body fails');
    assert.equal(verifyWebhookSignature('another-secret-0123456789', header, request?.body ?? '', now), false, 'another secret fails');
    assert.equal(verifyWebhookSignature(SECRET, header, request?.body ?? '', now + 301), false, 'a replay after 5 minutes fails');
    assert.equal(verifyWebhookSignature(SECRET, 't=1,v1=zz', request?.body ?? '', 1), false);
    assert.deepEqual(await store.listDeadLetters(10), []);
  });

  test('a receiver failing twice then succeeding gets the alert on the third attempt, after 1 s and 2 s of backoff', async () => {
    const hook = await receiver([500, 503, 200]);
    closers.push(hook.close);
    const clock = new FrozenClock();
    const store = new MemoryStore();
    const delays: number[] = [];
    const d = dispatcher([hook.url], store, clock, delays);
    d.deliver(alert('tal_retry'));
    await d.idle();
    assert.equal(hook.received.length, 3);
    assert.deepEqual(delays, [1000, 2000]);
    assert.deepEqual(hook.received.map((r) => r.headers['tessera-attempt']), ['1', '2', '3']);
    const bodies = new Set(hook.received.map((r) => r.body));
    assert.equal(bodies.size, 1, 'the same body every time');
    const last = hook.received[2];
    const t = Number(/t=(\d+)/.exec(String(last?.headers['tessera-signature']))?.[1]);
    assert.equal(t, Math.floor(clock.now() / 1000), 'each attempt is signed with its own timestamp');
    assert.deepEqual(await store.listDeadLetters(10), []);
  });

  test('an always-failing receiver: every attempt with exponential backoff, then one dead letter (no body, no secret from the receiver)', async () => {
    const hook = await receiver([500]);
    closers.push(hook.close);
    const clock = new FrozenClock();
    const store = new MemoryStore();
    const delays: number[] = [];
    const d = dispatcher([`${hook.url.replace('http://', 'http://user:pw@')}?token=abc`], store, clock, delays, 5);
    d.deliver(alert('tal_dead'));
    await d.idle();
    assert.equal(hook.received.length, 5);
    assert.equal(hook.received[0]?.headers.authorization, `Basic ${Buffer.from('user:pw').toString('base64')}`, 'URL user info is sent as Basic auth');
    assert.deepEqual(delays, [1000, 2000, 4000, 8000]);
    const letters = await store.listDeadLetters(10);
    assert.equal(letters.length, 1);
    assert.equal(letters[0]?.alertId, 'tal_dead');
    assert.equal(letters[0]?.attempts, 5);
    assert.equal(letters[0]?.lastError, 'http 500');
    assert.equal(letters[0]?.url, hook.url, 'user info and query string are not stored');
    assert.equal(JSON.parse(letters[0]?.body ?? '{}').alert.id, 'tal_dead');
    assert.ok(!JSON.stringify(letters).includes(SECRET));
  });

  test('an unreachable receiver is a network error, retried, then dead-lettered', async () => {
    const hook = await receiver([200]);
    await hook.close();
    const clock = new FrozenClock();
    const store = new MemoryStore();
    const d = dispatcher([hook.url], store, clock, [], 3);
    d.deliver(alert('tal_unreachable'));
    await d.idle();
    const [letter] = await store.listDeadLetters(10);
    assert.equal(letter?.attempts, 3);
    assert.equal(letter?.lastError, 'ECONNREFUSED');
  });

  test('shutdown cuts the backoff short: the undelivered alert becomes a dead letter at once', async () => {
    const hook = await receiver([500]);
    closers.push(hook.close);
    const clock = new FrozenClock();
    const store = new MemoryStore();
    let release: (() => void) | undefined;
    const d = new WebhookDispatcher({
      urls: [hook.url],
      secret: SECRET,
      store,
      clock,
      issuer: 'https://tessera.example',
      wait: (_ms, signal) => new Promise<void>((resolve) => {
        release = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      }),
    });
    d.deliver(alert('tal_shutdown'));
    while (!release) await new Promise((resolve) => setImmediate(resolve));
    await d.close();
    const [letter] = await store.listDeadLetters(10);
    assert.equal(letter?.attempts, 1);
    assert.match(letter?.lastError ?? '', /^http 500; shut down before the next retry$/);
  });

  test('pipeline: a security.alert_raised event is stored as an alert (SQLite) and delivered to every webhook', async () => {
    const hookA = await receiver([200]);
    const hookB = await receiver([500, 200]);
    closers.push(hookA.close, hookB.close);
    const store = await openSqliteStore({ filename: ':memory:' });
    closers.push(() => store.close());
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const clock = new FrozenClock();
    const pipeline = startAuditPipeline({
      config: { issuer: 'https://tessera.example', audit: { flushIntervalMs: 60_000, retentionMs: 86_400_000 }, alerts: { webhooks: [hookA.url, hookB.url], webhookSecret: SECRET } },
      store,
      logger,
      clock,
      timer: () => () => undefined,
      wait: async (ms) => clock.advance(ms),
      retention: false,
    });
    const event: AuditEvent = {
      type: 'security.alert_raised',
      time: clock.now(),
      detector: 'refresh_reuse',
      severity: 'high',
      action: 'revoke',
      summary: 'a rotated refresh token was used again; the family was revoked',
      clientId: 'tc_app',
      subject: 'tu_alice',
      tokenId: 'fam_1',
      ip: '198.51.100.4',
      outcome: 'failure',
      details: { family: ['2026-01-01T00:00:00Z 198.51.100.4'] },
    };
    pipeline.sink.emit(event);
    pipeline.sink.emit({ type: 'client.created', time: clock.now(), clientId: 'tc_other', outcome: 'success' });
    assert.equal(pipeline.depth(), 2);
    await pipeline.idle();
    const [stored] = await store.listAlerts({ unacked: true, limit: 10 });
    assert.equal(stored?.detector, 'refresh_reuse');
    assert.equal(stored?.tokenId, 'fam_1');
    assert.equal(hookA.received.length, 1);
    assert.equal(hookB.received.length, 2);
    assert.equal(JSON.parse(hookA.received[0]?.body ?? '{}').alert.id, stored?.id);
    await pipeline.close();
    assert.deepEqual((await store.queryAuditEvents({ limit: 10 })).map((r) => r.event.type), ['security.alert_raised', 'client.created']);
    assert.ok(!lines.join('\n').includes(SECRET), 'the webhook secret is never logged');
  });
});
