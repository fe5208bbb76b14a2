import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grantScopes, isScopeToken, parseScope } from '../dist/scope.js';
import { oauthCodeOf } from './support/harness.js';


describe('RFC 6749 §3.3 scope syntax', () => {
  it('accepts NQCHAR tokens (%x21 / %x23-5B / %x5D-7E)', () => {
    for (const token of ['read', 'api:write', 'https://api.example/read', '!#$%&\'()*+,-./:;<=>?@[]^_`{|}~']) {
      assert.equal(isScopeToken(token), true, token);
    }
  });

  it('refuses space, double quote, backslash, control and non-ASCII characters, and the empty token', () => {
    for (const token of ['', 'a b', 'a"b', 'a\\b', 'a\tb', 'a\u007fb', 'é', 'a\u0000']) assert.equal(isScopeToken(token), false, JSON.stringify(token));
  });

  it('splits on spaces, drops empty tokens and duplicates, keeps request order', () => {
    assert.deepEqual(parseScope('write  read write '), ['write', 'read']);
    assert.deepEqual(parseScope(undefined), []);
    assert.deepEqual(parseScope('   '), []);
    assert.deepEqual(parseScope(''), []);
    assert.deepEqual(parseScope('read'), ['read']);
  });

  it('answers invalid_scope for a forbidden character', () => {
    assert.equal(oauthCodeOf(() => parseScope('read "admin"')), 'invalid_scope');
    assert.equal(oauthCodeOf(() => parseScope('read\nadmin')), 'invalid_scope');
    assert.equal(oauthCodeOf(() => parseScope('"admin"')), 'invalid_scope');
  });
});

describe('RFC 6749 §3.3 scope granting', () => {
  it('grants the requested scopes when all are allowed', () => {
    assert.deepEqual(grantScopes(['b', 'a'], ['a', 'b', 'c'], ['a']), ['b', 'a']);
  });

  it('grants the defaults when none is requested', () => {
    assert.deepEqual(grantScopes([], ['a', 'b'], ['b']), ['b']);
    assert.deepEqual(grantScopes([], ['a'], []), []);
  });

  it('answers invalid_scope when any requested scope is not allowed', () => {
    assert.equal(oauthCodeOf(() => grantScopes(['a', 'z'], ['a', 'b'], ['a'])), 'invalid_scope');
    assert.equal(oauthCodeOf(() => grantScopes(['a'], [], [])), 'invalid_scope');
  });

  it('compares scopes exactly (case-sensitive)', () => {
    assert.equal(oauthCodeOf(() => grantScopes(['READ'], ['read'], [])), 'invalid_scope');
  });
});
