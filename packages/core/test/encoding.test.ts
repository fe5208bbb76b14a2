import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { randomToken, redact, sha256 } from '@tessera/core';
import { decodeBase64urlStrict, digestsEqual } from '../dist/encoding.js';

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
