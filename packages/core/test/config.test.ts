import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, resolveConfig, type AuthServerOptions, type SigningAlgorithm } from '@tessera/core';

const ok = { issuer: 'https://issuer.example' };
const refuses = (options: AuthServerOptions): void => {
  assert.throws(() => resolveConfig(options), ConfigError, JSON.stringify(options));
};

describe('resolveConfig: issuer (RFC 8414 §2)', () => {
  it('accepts https, and http only for loopback hosts', () => {
    for (const issuer of ['https://issuer.example', 'https://issuer.example/tenant', 'http://localhost:3000', 'http://127.0.0.1:8080', 'http://[::1]:8080']) {
      assert.equal(resolveConfig({ issuer }).issuer, issuer);
    }
  });

  it('refuses non-https issuers that are not loopback, and non-URLs', () => {
    for (const issuer of ['http://issuer.example', 'http://localhost.evil.example', 'ftp://issuer.example', 'issuer.example', '', '/relative']) {
      refuses({ issuer });
    }
  });

  it('refuses an issuer with a query or fragment component, even an empty one', () => {
    for (const issuer of ['https://issuer.example?x=1', 'https://issuer.example#frag', 'https://issuer.example/?', 'https://issuer.example?', 'https://issuer.example#']) {
      refuses({ issuer });
    }
  });

  it('trims trailing slashes and derives the endpoint URLs', () => {
    const config = resolveConfig({ issuer: 'https://issuer.example/tenant//' });
    assert.equal(config.issuer, 'https://issuer.example/tenant');
    assert.deepEqual({ ...config.endpoints }, {
      token: 'https://issuer.example/tenant/token',
      introspection: 'https://issuer.example/tenant/introspect',
      revocation: 'https://issuer.example/tenant/revoke',
      jwks: 'https://issuer.example/tenant/jwks',
    });
    assert.equal(resolveConfig({ issuer: 'https://issuer.example/' }).issuer, 'https://issuer.example');
  });
});

describe('resolveConfig: defaults and numbers', () => {
  it('fills the documented defaults and freezes the result', () => {
    const config = resolveConfig(ok);
    assert.equal(config.accessTokenTtl, 600);
    assert.equal(config.maxAccessTokenTtl, 3600);
    assert.deepEqual(config.signingAlgorithms, ['ES256']);
    assert.equal(config.clockSkew, 30);
    assert.equal(config.maxClientAssertionTtl, 300);
    assert.equal(config.introspectionCacheSize, 10_000);
    assert.equal(config.jwksMaxAge, 300);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.endpoints));
  });

  const numeric = ['accessTokenTtl', 'maxAccessTokenTtl', 'clockSkew', 'maxClientAssertionTtl', 'introspectionCacheSize', 'jwksMaxAge'] as const;
  for (const name of numeric) {
    it(`refuses a ${name} that is not a positive integer`, () => {
      for (const value of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) refuses({ ...ok, [name]: value });
    });
  }

  it('refuses an accessTokenTtl above maxAccessTokenTtl; equal is fine', () => {
    refuses({ ...ok, accessTokenTtl: 3601 });
    refuses({ ...ok, accessTokenTtl: 700, maxAccessTokenTtl: 600 });
    assert.equal(resolveConfig({ ...ok, accessTokenTtl: 900, maxAccessTokenTtl: 900 }).accessTokenTtl, 900);
  });
});

describe('resolveConfig: signing algorithms', () => {
  it('refuses an unknown algorithm and an empty list', () => {
    for (const alg of ['HS256', 'none', 'ES384', 'es256', 'PS256']) refuses({ ...ok, signingAlgorithms: [alg as SigningAlgorithm] });
    refuses({ ...ok, signingAlgorithms: [] });
  });

  it('keeps order (first is the default) and drops duplicates', () => {
    assert.deepEqual(resolveConfig({ ...ok, signingAlgorithms: ['RS256', 'ES256', 'RS256', 'EdDSA'] }).signingAlgorithms, ['RS256', 'ES256', 'EdDSA']);
  });
});
