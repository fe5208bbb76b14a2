import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VerifiedTokenCache, type VerifiedToken } from '../dist/tokens/verified-token-cache.js';
import { mayIntrospect } from '../dist/endpoints/introspect.js';
import type { AccessTokenClaims, ClientRecord } from '@tessera/core';
import { clientRecord } from './support/harness.js';

const entry = (expiresAt: number): VerifiedToken => ({
  claims: { iss: 'i', sub: 's', aud: 'a', exp: expiresAt / 1000, iat: 0, jti: 'j', client_id: 'c' },
  kid: 'k',
  expiresAt,
  introspectionJson: '{"active":true}',
});

describe('verified-token cache', () => {
  it('answers only the exact token: one changed character of the signature misses', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('header.payload.signature', entry(9_000));
    assert.ok(cache.get('header.payload.signature', 0));
    assert.equal(cache.get('header.payload.signaturf', 0), undefined);
    assert.equal(cache.get('header.payload.', 0), undefined);
  });

  it('answers an entry until its expiry, then drops it', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('k', entry(2_000));
    assert.ok(cache.get('k', 1_999));
    assert.equal(cache.get('k', 2_000), undefined);
    assert.equal(cache.size, 0);
  });

  it('is bounded: when full, the oldest entry goes', () => {
    const cache = new VerifiedTokenCache(2);
    cache.set('a', entry(9_000));
    cache.set('b', entry(9_000));
    cache.set('c', entry(9_000));
    assert.equal(cache.size, 2);
    assert.equal(cache.get('a', 0), undefined);
    assert.ok(cache.get('b', 0) && cache.get('c', 0));
  });

  it('prune drops expired entries; delete drops one', () => {
    const cache = new VerifiedTokenCache(10);
    cache.set('old', entry(1_000));
    cache.set('new', entry(5_000));
    cache.prune(1_000);
    assert.equal(cache.size, 1);
    cache.delete('new');
    assert.equal(cache.size, 0);
  });
});

const caller = (id: string, audiences: string[]): ClientRecord => clientRecord({ id, audiences });
const claims = (client_id: string, aud: string | string[]): AccessTokenClaims => ({ iss: 'i', sub: client_id, aud, exp: 1, iat: 0, jti: 'j', client_id });

describe('RFC 7662 §4 introspection permission (mayIntrospect)', () => {
  it('allows the client the token was issued to', () => {
    assert.equal(mayIntrospect(caller('c1', []), claims('c1', 'https://api.example')), true);
  });

  it('allows a client named in aud (string or array)', () => {
    assert.equal(mayIntrospect(caller('rs', []), claims('c1', 'rs')), true);
    assert.equal(mayIntrospect(caller('rs', []), claims('c1', ['https://x.example', 'rs'])), true);
  });

  it('allows a client registered for one of the token audiences', () => {
    assert.equal(mayIntrospect(caller('rs', ['https://b.example']), claims('c1', ['https://a.example', 'https://b.example'])), true);
  });

  it('refuses anyone else', () => {
    assert.equal(mayIntrospect(caller('rs', ['https://b.example']), claims('c1', 'https://a.example')), false);
    assert.equal(mayIntrospect(caller('c2', []), claims('c1', ['c3'])), false);
  });
});
