import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import * as oauth from 'oauth4webapi';
import { API, ISSUER, OTHER_API, START, addClient, harness, issue, parts, rejectsWith, tokenRequest, type Harness } from './support/harness.js';

async function verifyWithJose(h: Harness, token: string, audience = API) {
  const jwks = createLocalJWKSet(JSON.parse(h.server.jwksJson()) as JSONWebKeySet);
  return jwtVerify(token, jwks, { issuer: ISSUER, audience, typ: 'at+jwt', currentDate: new Date(h.clock.now()) });
}

describe('RFC 9068 §2.1 access token header', () => {
  it('has typ at+jwt, the kid of a published key and the key algorithm', async () => {
    const h = await harness();
    const client = await addClient(h);
    const { header } = parts(await issue(h.server, client));
    const jwks = JSON.parse(h.server.jwksJson()) as { keys: { kid: string; alg: string }[] };
    assert.deepEqual(Object.keys(header).sort(), ['alg', 'kid', 'typ']);
    assert.equal(header['typ'], 'at+jwt');
    assert.equal(header['alg'], 'ES256');
    assert.ok(jwks.keys.some((k) => k.kid === header['kid'] && k.alg === 'ES256'));
  });
});

describe('RFC 9068 §2.2 access token claims', () => {
  it('carries iss, sub = client id, aud, exp, iat, jti, client_id and scope', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = await issue(h.server, client, { scope: 'read write' });
    const { payload } = parts(token);
    const iat = START / 1000;
    assert.deepEqual(
      { ...payload, jti: undefined },
      { iss: ISSUER, sub: client.id, aud: API, exp: iat + 600, iat, jti: undefined, client_id: client.id, scope: 'read write' },
    );
    assert.match(payload['jti'] as string, /^[0-9a-f-]{36}$/);
  });

  it('gives every token a distinct jti', async () => {
    const h = await harness();
    const client = await addClient(h);
    const jtis = new Set<unknown>();
    for (let i = 0; i < 5; i += 1) jtis.add(parts(await issue(h.server, client)).payload['jti']);
    assert.equal(jtis.size, 5);
  });

  it('uses an aud array when several resources are requested (RFC 8707 §2)', async () => {
    const h = await harness();
    const client = await addClient(h, { audiences: [API, OTHER_API] });
    const { payload } = parts(await issue(h.server, client, { resource: [API, OTHER_API] }));
    assert.deepEqual(payload['aud'], [API, OTHER_API]);
  });

  it('omits the scope claim when no scope is granted', async () => {
    const h = await harness();
    const client = await addClient(h, { scopes: [], defaultScopes: [] });
    const response = await h.server.token(tokenRequest(client));
    assert.equal(response.scope, undefined);
    assert.equal('scope' in parts(response.access_token).payload, false);
  });
});

describe('access token lifetime', () => {
  it('defaults to 600 seconds (expires_in and exp agree)', async () => {
    const h = await harness();
    const client = await addClient(h);
    const response = await h.server.token(tokenRequest(client));
    const { payload } = parts(response.access_token);
    assert.equal(response.expires_in, 600);
    assert.equal((payload['exp'] as number) - (payload['iat'] as number), 600);
  });

  it('follows the configured accessTokenTtl', async () => {
    const h = await harness({ config: { accessTokenTtl: 120 } });
    const { payload } = parts(await issue(h.server, await addClient(h)));
    assert.equal((payload['exp'] as number) - (payload['iat'] as number), 120);
  });

  it('follows a per-client tokenTtl', async () => {
    const h = await harness();
    const { payload } = parts(await issue(h.server, await addClient(h, { tokenTtl: 90 })));
    assert.equal((payload['exp'] as number) - (payload['iat'] as number), 90);
  });

  it('caps a per-client tokenTtl at maxAccessTokenTtl of the engine that issues', async () => {
    const h = await harness({ config: { accessTokenTtl: 300, maxAccessTokenTtl: 1200 } });
    const client = await addClient({ ...h, admin: { ...h.admin, maxAccessTokenTtl: 7200 } }, { tokenTtl: 5000 });
    const response = await h.server.token(tokenRequest(client));
    const { payload } = parts(response.access_token);
    assert.equal(response.expires_in, 1200);
    assert.equal((payload['exp'] as number) - (payload['iat'] as number), 1200);
  });
});

describe('signing algorithms (RFC 7518), verified by jose', () => {
  for (const alg of ['ES256', 'EdDSA', 'RS256'] as const) {
    it(`signs with ${alg} when it is the first configured algorithm`, async () => {
      const h = await harness({ config: { signingAlgorithms: [alg] } });
      const token = await issue(h.server, await addClient(h));
      const { protectedHeader, payload } = await verifyWithJose(h, token);
      assert.equal(protectedHeader.alg, alg);
      assert.equal(payload.iss, ISSUER);
    });
  }

  it('publishes one key per configured algorithm and honours a per-client signingAlg', async () => {
    const h = await harness({ config: { signingAlgorithms: ['ES256', 'EdDSA', 'RS256'] } });
    const jwks = JSON.parse(h.server.jwksJson()) as { keys: { alg: string }[] };
    assert.deepEqual(jwks.keys.map((k) => k.alg).sort(), ['ES256', 'EdDSA', 'RS256']);
    assert.equal(parts(await issue(h.server, await addClient(h))).header['alg'], 'ES256');
    for (const signingAlg of ['EdDSA', 'RS256'] as const) {
      const token = await issue(h.server, await addClient(h, { signingAlg }));
      assert.equal((await verifyWithJose(h, token)).protectedHeader.alg, signingAlg);
    }
  });

  it('refuses with server_error when a client pins an algorithm that has no active key', async () => {
    const h = await harness({ config: { signingAlgorithms: ['ES256'] } });
    const client = await addClient(h, { signingAlg: 'RS256' });
    await rejectsWith(issue(h.server, client), 'server_error', 500);
  });
});

describe('RFC 9068 §4 validation by an independent resource-server library (oauth4webapi)', () => {
  it('accepts the token with validateJwtAccessToken', async () => {
    const h = await harness({ config: { signingAlgorithms: ['ES256', 'EdDSA', 'RS256'] } });
    const as = JSON.parse(h.server.metadataJson()) as oauth.AuthorizationServer;
    const jwks = h.server.jwksJson();
    const skew = Math.round((h.clock.now() - Date.now()) / 1000);
    for (const signingAlg of ['ES256', 'EdDSA', 'RS256'] as const) {
      const token = await issue(h.server, await addClient(h, { signingAlg }));
      const request = new Request('https://api.example/resource', { headers: { authorization: `Bearer ${token}` } });
      const claims = await oauth.validateJwtAccessToken(as, request, API, {
        [oauth.clockSkew]: skew,
        [oauth.customFetch]: async () => new Response(jwks, { headers: { 'content-type': 'application/json' } }),
      });
      assert.equal(claims.iss, ISSUER);
    }
  });
});
