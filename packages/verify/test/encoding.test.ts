// The hot path's cheap encoding checks against slow, obviously-correct references.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeCanonical, decodeText, hasDuplicateKeys, isAscii, parseJsonObject } from '../dist/encoding.js';

/** Reference: the alphabet by regex, then a decode/encode round trip. */
const canonical = (s: string): boolean => /^[A-Za-z0-9_-]+$/.test(s) && s.length % 4 !== 1 && Buffer.from(s, 'base64url').toString('base64url') === s;

/** Deterministic pseudo-random numbers, so a failure replays. */
function lcg(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
}

describe('canonical base64url', () => {
  it('decodeCanonical agrees with the reference on 200 000 mutated ASCII strings', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const random = lcg(42);
    for (let i = 0; i < 200_000; i++) {
      let s = '';
      for (let j = random(13); j > 0; j--) s += random(8) === 0 ? String.fromCharCode(random(128)) : alphabet[random(64)];
      assert.equal(decodeCanonical(s) !== undefined, canonical(s), JSON.stringify(s));
      if (canonical(s)) assert.deepEqual(decodeCanonical(s), Buffer.from(s, 'base64url'));
    }
  });

  it('non-ASCII characters are caught before decoding (Node reads Ł as A)', () => {
    assert.ok(decodeCanonical('AAAA') !== undefined);
    assert.equal(isAscii('AAAŁ'), false);
    assert.equal(decodeText(Buffer.from('{}').toString('base64url').replace(/.$/, 'Ł')), undefined);
    assert.equal(decodeText(Buffer.from([0xc3, 0x28]).toString('base64url')), undefined, 'invalid UTF-8');
    assert.equal(decodeText(Buffer.from('{"a":"é"}').toString('base64url')), '{"a":"é"}');
  });
});

describe('duplicate JSON member names', () => {
  const cases: [string, boolean][] = [
    ['{"a":1,"b":2}', false],
    ['{"a":1,"a":2}', true],
    ['{"a":1,"\\u0061":2}', true],
    ['{ "a" : 1 , "b" : { "c":1, "c" :2 } }', true],
    ['{"a":{"a":1},"b":[{"a":1},{"a":2}]}', false],
    ['{"a\\"":1,"a\\"" :2}', true],
    ['{"x":"\\\\","x\\\\":1}', false],
    ['{"k":["a","a"],"v":"k","w":"k"}', false],
    ['{"s":"\\"a\\":1,\\"a\\":2"}', false],
    ['[{"a":1},{"a":1}]', false],
    ['{"":1,"":2}', true],
  ];
  for (const [text, duplicate] of cases) {
    it(`${text} → ${duplicate ? 'duplicate' : 'unique'}`, () => {
      JSON.parse(text);
      assert.equal(hasDuplicateKeys(text), duplicate);
      if (text.startsWith('{')) assert.equal(parseJsonObject(text) === undefined, duplicate);
    });
  }
});
