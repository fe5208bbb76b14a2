import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { optionalParam, repeatedParam, requiredParam } from '../dist/request.js';
import { oauthCodeOf } from './support/harness.js';


describe('RFC 6749 §3.1/§3.2 request parameters', () => {
  it('a parameter sent without a value is treated as omitted', () => {
    assert.equal(optionalParam({ scope: '' }, 'scope'), undefined);
    assert.equal(optionalParam({}, 'scope'), undefined);
    assert.equal(oauthCodeOf(() => requiredParam({ grant_type: '' }, 'grant_type')), 'invalid_request');
  });

  it('a parameter must not be included more than once: invalid_request', () => {
    assert.equal(oauthCodeOf(() => optionalParam({ scope: ['a', 'b'] }, 'scope')), 'invalid_request');
    assert.equal(oauthCodeOf(() => optionalParam({ scope: ['a', 'a'] }, 'scope')), 'invalid_request');
    assert.equal(oauthCodeOf(() => requiredParam({ grant_type: ['x', 'y'] }, 'grant_type')), 'invalid_request');
  });

  it('returns a single value as is', () => {
    assert.equal(requiredParam({ grant_type: 'client_credentials' }, 'grant_type'), 'client_credentials');
    assert.equal(optionalParam({ scope: 'a b' }, 'scope'), 'a b');
  });

  it('missing required parameter: invalid_request', () => {
    assert.equal(oauthCodeOf(() => requiredParam({}, 'grant_type')), 'invalid_request');
  });
});

describe('RFC 8707 §2 repeatable resource parameter', () => {
  it('collects one or many values and drops empty ones', () => {
    assert.deepEqual(repeatedParam({}, 'resource'), []);
    assert.deepEqual(repeatedParam({ resource: 'https://a.example' }, 'resource'), ['https://a.example']);
    assert.deepEqual(repeatedParam({ resource: ['https://a.example', '', 'https://b.example'] }, 'resource'), ['https://a.example', 'https://b.example']);
    assert.deepEqual(repeatedParam({ resource: '' }, 'resource'), []);
  });
});
