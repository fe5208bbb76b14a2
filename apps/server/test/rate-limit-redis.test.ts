// Shared rate limits through the real Redis (TESSERA_TEST_REDIS_URL, default redis://127.0.0.1:6379).
// Skipped with a message when Redis does not answer, unless TESSERA_REQUIRE_REDIS=1 makes that a failure.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { parseRate, type AuditEvent } from '@tessera/core';
import { FrozenClock } from '@tessera/core/testing';
import { Redis } from 'ioredis';
import { defaultRateLimits } from '../dist/rate-limit/limits.js';
import { RateLimiter, type BoundRoute } from '../dist/rate-limit/rate-limiter.js';
import { RedisBuckets } from '../dist/rate-limit/redis-buckets.js';

const REDIS_URL = process.env['TESSERA_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const ROUTE = { endpoint: 'token', kind: 'oauth' } as const;

async function redisAnswers(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

const available = await redisAnswers();
if (!available && process.env['TESSERA_REQUIRE_REDIS'] === '1') {
  throw new Error(`TESSERA_REQUIRE_REDIS=1 but Redis does not answer at ${REDIS_URL}`);
}
const skip = available ? false : `Redis does not answer at ${REDIS_URL} (set TESSERA_REQUIRE_REDIS=1 to make this a failure)`;
if (skip) process.stdout.write(`# skipping the Redis rate-limit suite: ${skip}\n`);

const warnings: string[] = [];
const log = { warn: (_fields: Record<string, unknown>, message: string) => void warnings.push(message) };

function instance(prefix: string, clock: FrozenClock, url = REDIS_URL): { limiter: RateLimiter; shared: RedisBuckets; events: AuditEvent[]; token: BoundRoute } {
  const events: AuditEvent[] = [];
  const shared = new RedisBuckets(url, clock, log, { prefix, flushIntervalMs: 60_000 });
  const limiter = new RateLimiter({ ...defaultRateLimits(), client: parseRate('10/min') }, clock, { emit: (e) => events.push(e) }, shared);
  return { limiter, shared, events, token: limiter.bind(ROUTE) };
}

async function ready(shared: RedisBuckets): Promise<void> {
  for (let k = 0; k < 100 && !shared.ready; k++) await new Promise((resolve) => setImmediate(resolve));
  for (let k = 0; k < 200 && !shared.ready; k++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('rate limits shared through Redis', { skip }, () => {
  const clock = new FrozenClock(Date.now());
  const prefix = `tessera-test:${randomUUID()}:`;
  let a: ReturnType<typeof instance>;
  let b: ReturnType<typeof instance>;

  before(async () => {
    a = instance(prefix, clock);
    b = instance(prefix, clock);
    await ready(a.shared);
    await ready(b.shared);
  });
  after(async () => {
    await a.limiter.close();
    await b.limiter.close();
    const cleanup = new Redis(REDIS_URL);
    const keys = await cleanup.keys(`${prefix}*`);
    if (keys.length > 0) await cleanup.del(...keys);
    cleanup.disconnect();
  });

  it('two instances share one bucket: what one used, the other cannot use again', async () => {
    for (let k = 0; k < 10; k++) assert.equal(a.limiter.check(a.token, '192.0.2.1', 'tc_shared', {}), undefined);
    assert.ok(a.limiter.check(a.token, '192.0.2.1', 'tc_shared', {}), 'A itself is empty');
    await a.shared.flush();
    // B has not heard yet: its own local bucket lets one through, and reports it…
    assert.equal(b.limiter.check(b.token, '192.0.2.2', 'tc_shared', {}), undefined);
    await b.shared.flush();
    // …and Redis answers that the shared bucket is empty: B refuses from now on, without asking Redis.
    const refusal = b.limiter.check(b.token, '192.0.2.2', 'tc_shared', {});
    assert.equal(refusal?.limitedBy, 'client');
    assert.ok((refusal?.retryAfterMs ?? 0) > 1000, 'waits for the shared bucket to refill');
    assert.equal(b.events.filter((e) => e.type === 'rate_limit.exceeded').length, 1);
    // Another client id is unaffected on both.
    assert.equal(b.limiter.check(b.token, '192.0.2.2', 'tc_other', {}), undefined);
  });

  it('the bucket script is atomic: concurrent flushes from many instances never over-grant', async () => {
    const many = Array.from({ length: 5 }, () => instance(prefix, clock));
    try {
      for (const one of many) await ready(one.shared);
      for (const one of many) for (let k = 0; k < 4; k++) one.limiter.check(one.token, '192.0.2.3', 'tc_race', {});
      await Promise.all(many.map((one) => one.shared.flush()));
      const probe = new Redis(REDIS_URL);
      const tokens = Number(await probe.hget(`${prefix}client:token:tc_race`, 't'));
      probe.disconnect();
      assert.ok(Math.abs(tokens - (10 - 20)) < 0.1, `20 taken from a bucket of 10: ${tokens} (debt, paid back before anyone gets more)`);
    } finally {
      for (const one of many) await one.limiter.close();
    }
  });
});

describe('Redis down: fail open', () => {
  it('requests are decided locally, flushes never throw, one warning per minute at most', async () => {
    warnings.length = 0;
    const clock = new FrozenClock(Date.now());
    const down = instance('tessera-test-down:', clock, 'redis://127.0.0.1:1');
    try {
      for (let k = 0; k < 10; k++) assert.equal(down.limiter.check(down.token, '192.0.2.9', 'tc_down', {}), undefined);
      for (let k = 0; k < 5; k++) await down.shared.flush();
      assert.ok(down.limiter.check(down.token, '192.0.2.9', 'tc_down', {}), 'the local limit still holds');
      assert.ok(warnings.length >= 1 && warnings.length <= 2, `warnings: ${warnings.length}`);
      assert.match(warnings[0] ?? '', /limiting per instance/);
    } finally {
      await down.limiter.close();
    }
  });
});
