// Against a real Tessera: client_credentials with client_secret_basic, client_secret_post and
// private_key_jwt (ES256, EdDSA) — tokens checked by @tessera/verify —, typed refusals, the authorizing
// fetch against an API protected by @tessera/verify, and refresh-token rotation through a real
// authorization code + PKCE login, including reuse detection ending the family.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createAuthorizationRequest, createTokenManager, exchangeAuthorizationCode, OAuthError } from '@tessera/client';
import { createVerifier, type Verifier } from '@tessera/verify';
import { requireAuth } from '@tessera/verify/node';
import { loginAt } from './support/browserless-login.js';
import { rejectsWithCode } from './support/setup.js';
import { API, startTessera, type Tessera } from './support/tessera.js';

let tessera: Tessera;
let verifier: Verifier;
before(async () => {
  tessera = await startTessera();
  verifier = await createVerifier({ issuer: tessera.url, audience: API });
});
after(async () => {
  await verifier.close();
  await tessera.close();
});

describe('client_credentials against Tessera', () => {
  for (const method of ['client_secret_basic', 'client_secret_post'] as const) {
    it(`${method}: a token for the API, cached`, async () => {
      const client = await tessera.addClient({ authMethod: method });
      const manager = createTokenManager({ issuer: tessera.url, clientId: client.id, clientSecret: client.secret, clientAuthMethod: method, scope: 'read' });
      const token = await manager.getToken();
      const claims = await verifier.verify(token);
      assert.equal(claims.client_id, client.id);
      assert.deepEqual(claims.scopes, ['read']);
      assert.equal(await manager.getToken(), token);
    });
  }

  for (const [alg, make] of [
    ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['EdDSA', () => generateKeyPairSync('ed25519')],
  ] as const) {
    it(`private_key_jwt with ${alg}: a fresh assertion per request is accepted`, async () => {
      const { publicKey, privateKey } = make();
      const jwk = { ...publicKey.export({ format: 'jwk' }), kid: `${alg}-1`, alg, use: 'sig' };
      const client = await tessera.addClient({ authMethod: 'private_key_jwt', jwks: { keys: [jwk] } });
      const manager = createTokenManager({ issuer: tessera.url, clientId: client.id, privateKey, kid: `${alg}-1`, resource: API });
      const first = await manager.getToken();
      const second = await manager.getToken({ forceRefresh: true }); // a second assertion: a replay would be refused
      assert.notEqual(first, second);
      assert.equal((await verifier.verify(second)).client_id, client.id);
    });
  }

  it('refusals are typed: invalid_client for a wrong secret, invalid_target for an unknown resource', async () => {
    const client = await tessera.addClient();
    const wrong = createTokenManager({ issuer: tessera.url, clientId: client.id, clientSecret: 'tsec_wrong-secret' });
    const refused = await rejectsWithCode(wrong.getToken(), 'oauth_error', ['tsec_wrong-secret']);
    assert.ok(refused instanceof OAuthError);
    assert.equal(refused.error, 'invalid_client');
    assert.equal(refused.status, 401);
    assert.equal(refused.attempts, 1);
    const elsewhere = createTokenManager({ issuer: tessera.url, clientId: client.id, clientSecret: client.secret, resource: 'https://other.example' });
    const target = await rejectsWithCode(elsewhere.getToken(), 'oauth_error', [client.secret]);
    assert.equal((target as OAuthError).error, 'invalid_target');
  });

  it('manager.fetch calls an API protected by @tessera/verify', async () => {
    const auth = requireAuth({ verifier, scopes: ['write'] });
    const api: Server = createServer((req, res) => {
      void auth(req, res).then((claims) => {
        if (claims) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ caller: claims.client_id }));
      });
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    try {
      const address = api.address() as { port: number };
      const client = await tessera.addClient();
      const manager = createTokenManager({ issuer: tessera.url, clientId: client.id, clientSecret: client.secret, scope: ['read', 'write'] });
      const response = await manager.fetch(`http://127.0.0.1:${address.port}/orders`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { caller: client.id });
    } finally {
      api.closeAllConnections();
      await new Promise<void>((resolve) => api.close(() => resolve()));
    }
  });
});

describe('refresh tokens from a real login', () => {
  it('rotates on every use, hands each new one to onRefreshToken, and a reused one ends the family', async () => {
    const redirectUri = 'https://app.example/callback';
    const client = await tessera.addClient({
      grantTypes: ['authorization_code', 'refresh_token'],
      redirectUris: [redirectUri],
      scopes: ['openid', 'offline_access', 'read'],
      firstParty: true,
    });
    const password = await tessera.addUser('alice');
    const options = { issuer: tessera.url, clientId: client.id, clientSecret: client.secret };

    const request = await createAuthorizationRequest({ ...options, redirectUri, scope: 'openid offline_access read' });
    const callback = await loginAt(request.url, 'alice', password);
    assert.equal(callback.searchParams.get('state'), request.state);
    assert.equal(callback.searchParams.get('iss'), tessera.url); // RFC 9207
    const tokens = await exchangeAuthorizationCode({ ...options, code: callback.searchParams.get('code') ?? '', redirectUri, codeVerifier: request.codeVerifier });
    assert.ok(tokens.refreshToken && tokens.idToken);

    const persisted: string[] = [];
    const manager = createTokenManager({
      ...options,
      refreshToken: tokens.refreshToken,
      initialAccessToken: tokens,
      onRefreshToken: (rt) => void persisted.push(rt),
    });
    assert.equal(await manager.getToken(), tokens.accessToken);
    const second = await manager.getToken({ forceRefresh: true });
    const third = await manager.getToken({ forceRefresh: true });
    assert.equal(persisted.length, 2);
    assert.equal(new Set([tokens.refreshToken, ...persisted]).size, 3);
    assert.notEqual(second, third);
    assert.equal((await verifier.verify(third)).scopes.includes('read'), true);

    // Someone presents the first, spent refresh token: Tessera revokes the family (reuse detection).
    const thief = createTokenManager({ ...options, refreshToken: tokens.refreshToken });
    const reuse = await rejectsWithCode(thief.getToken(), 'oauth_error', [tokens.refreshToken]);
    assert.equal((reuse as OAuthError).error, 'invalid_grant');
    const ended = await rejectsWithCode(manager.getToken({ forceRefresh: true }), 'oauth_error', persisted);
    assert.equal((ended as OAuthError).error, 'invalid_grant');
  });
});
