import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedMap, parseRate, TokenBuckets } from '@tessera/core';

describe('token buckets (rate limiting, pure logic)', () => {
  it('parses COUNT/PERIOD limits', () => {
    assert.deepEqual(parseRate('1000/s'), { capacity: 1000, perMs: 1 });
    assert.deepEqual(parseRate('30/min'), { capacity: 30, perMs: 30 / 60_000 });
    assert.deepEqual(parseRate('5/10s'), { capacity: 5, perMs: 5 / 10_000 });
    assert.throws(() => parseRate('fast'));
    assert.throws(() => parseRate('0/s'));
  });

  it('allows a burst of the capacity, then refuses with the wait until the next token, then refills', () => {
    const buckets = new TokenBuckets(parseRate('10/s'));
    const now = 1_000_000;
    for (let k = 0; k < 10; k++) assert.equal(buckets.take('ip:1', now), 0);
    assert.equal(buckets.take('ip:1', now), 100, 'one token every 100 ms');
    assert.equal(buckets.take('ip:2', now), 0, 'keys are independent');
    assert.equal(buckets.take('ip:1', now + 100), 0);
    assert.equal(buckets.take('ip:1', now + 100), 100);
    assert.equal(buckets.peek('ip:1', now + 1000), 0);
  });

  it('refund, tighten (a detector throttle) and block (a shared store said empty)', () => {
    const buckets = new TokenBuckets(parseRate('100/s'));
    const now = 5_000;
    buckets.take('c', now);
    buckets.tighten('c', { capacity: 2, perMs: 0.001 }, now + 60_000);
    assert.equal(buckets.take('c', now), 0);
    assert.equal(buckets.take('c', now), 0);
    assert.ok(buckets.take('c', now) > 0, 'held to the tighter limit');
    buckets.refund('c');
    assert.equal(buckets.take('c', now), 0);
    assert.equal(buckets.take('c', now + 61_000), 0, 'the tighter limit lapses');
    buckets.block('d', now + 500);
    assert.equal(buckets.take('d', now), 500);
    assert.equal(buckets.take('d', now + 500), 0);
  });

  it('memory is bounded: past maxKeys the oldest bucket is dropped', () => {
    const buckets = new TokenBuckets(parseRate('1/min'), 1000);
    for (let k = 0; k < 5000; k++) buckets.take(`ip:${k}`, 0);
    assert.equal(buckets.size, 1000);
    const lru = new BoundedMap<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.get('a');
    lru.set('c', 3);
    assert.equal(lru.get('b'), undefined, 'least recently used goes first');
    assert.equal(lru.get('a'), 1);
  });
});
