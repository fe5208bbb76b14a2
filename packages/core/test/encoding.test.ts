import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { randomToken, redact, sha256 } from '@tessera/core';
import { decodeBase64urlStrict, digestsEqual, timeOrderedUuid } from '../dist/encoding.js';

describe('strict base64url (RFC 4648 §5, RFC 7515 §2)', () => {
  it('decodes canonical base64url', () => {
    assert.deepEqual(decodeBase64urlStrict('aGVsbG8'), Buffer.from('hello'));
    assert.deepEqual(decodeBase64urlStrict(''), Buffer.alloc(0));
    assert.deepEqual(decodeBase64urlStrict('-_8'), Buffer.from([0xfb, 0xff]));
  });

  it('refuses padding, the standard alphabet, whitespace and impossible lengths', () => {
    for (const bad of ['aGVsbG8=', 'aGVsbG8==', '+/8', 'aGVs bG8', 'aGVsbG8\n', 'a', 'aGVsb', 'é']) {
      assert.equal(decodeBase64urlStrict(bad), undefined, JSON.stringify(bad));
    }
  });

  it('refuses non-canonical trailing bits that Buffer would silently accept', () => {
    assert.deepEqual(Buffer.from('aGVsbG9', 'base64url'), Buffer.from('hello'));
    assert.equal(decodeBase64urlStrict('aGVsbG9'), undefined);
    assert.equal(decodeBase64urlStrict('AB'), undefined);
    assert.deepEqual(decodeBase64urlStrict('AA'), Buffer.from([0]));
  });
});

describe('secret digests', () => {
  it('sha256 is the base64url SHA-256 of the UTF-8 text', () => {
    assert.equal(sha256('tsec_x'), createHash('sha256').update('tsec_x').digest('base64url'));
    assert.equal(sha256('é'), createHash('sha256').update(Buffer.from('é', 'utf8')).digest('base64url'));
  });

  it('digestsEqual compares digests, refusing different lengths', () => {
    assert.equal(digestsEqual(sha256('a'), sha256('a')), true);
    assert.equal(digestsEqual(sha256('a'), sha256('b')), false);
    assert.equal(digestsEqual(sha256('a'), sha256('a').slice(0, 20)), false);
    assert.equal(digestsEqual('', sha256('a')), false);
  });

  it('randomToken has the prefix and 256 bits by default', () => {
    const value = randomToken('tsec_');
    assert.match(value, /^tsec_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(randomToken('tsec_'), value);
    assert.equal(Buffer.from(randomToken('', 16), 'base64url').length, 16);
  });
});

describe('redact', () => {
  it('keeps the type prefix and the last four characters only', () => {
    assert.equal(redact('tsec_abcdefghijklmnopqrstuvwxyz'), 'tsec_…wxyz');
    assert.equal(redact('abcdefghijklmnopqrstuvwxyz'), '…wxyz');
    assert.equal(redact('short'), '…');
    const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    assert.equal(redact(token), '…dXJl');
  });
});

describe('time-ordered ids (UUIDv7, RFC 9562 §5.7)', () => {
  const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const T = Date.UTC(2026, 10, 25, 12, 0, 0, 123);

  it('is a version 7, variant 10 UUID whose first 48 bits are the time in ms', () => {
    const id = timeOrderedUuid(T);
    assert.match(id, UUID_V7);
    assert.equal(parseInt(id.slice(0, 8) + id.slice(9, 13), 16), T);
  });

  it('carries the time it was given, also when times go back and forth', () => {
    const timeOf = (id: string): number => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
    for (const t of [T, T + 1, T, T - 5_000, 0, T]) assert.equal(timeOf(timeOrderedUuid(t)), t);
  });

  it('sorts by time, and ids of the same millisecond differ in their random bits', () => {
    const earlier = timeOrderedUuid(T);
    const later = timeOrderedUuid(T + 1);
    assert.ok(earlier < later);
    const same = new Set(Array.from({ length: 1000 }, () => timeOrderedUuid(T)));
    assert.equal(same.size, 1000);
    for (const id of same) assert.match(id, UUID_V7);
  });
});
