// The authorization code helpers for backends (OAuth 2.1 §4.1 with PKCE S256, RFC 7636): the /authorize URL
// they build, and the exchange they send — not retried by default, because a code is single-use.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createAuthorizationRequest, exchangeAuthorizationCode } from '@tessera/client';
import { useFakeIssuer, tokenAnswer } from './support/fake-issuer.js';
import { rejectsWithCode, SECRET } from './support/setup.js';

const issuer = useFakeIssuer((fake) => {
  fake.onToken = (_call, n) => tokenAnswer(n, { refresh_token: `rt-${n}`, id_token: 'h.p.s' });
});

const REDIRECT = 'https://app.example/callback';

describe('authorization code', () => {
  it('builds an /authorize URL with S256 PKCE, state, nonce and resources; fresh values each time', async () => {
    const client = { issuer: issuer.url, clientId: 'web', clientSecret: SECRET };
    const request = await createAuthorizationRequest({ ...client, redirectUri: REDIRECT, scope: ['openid', 'offline_access'], resource: 'https://api.example' });
    const url = new URL(request.url);
    assert.equal(`${url.origin}${url.pathname}`, `${issuer.url}/authorize`);
    const params = Object.fromEntries(url.searchParams);
    assert.deepEqual(params, {
      response_type: 'code',
      client_id: 'web',
      redirect_uri: REDIRECT,
      scope: 'openid offline_access',
      state: request.state,
      nonce: request.nonce,
      code_challenge: createHash('sha256').update(request.codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
      resource: 'https://api.example',
    });
    assert.match(request.codeVerifier, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!request.url.includes(request.codeVerifier) && !request.url.includes(SECRET));
    const again = await createAuthorizationRequest({ ...client, redirectUri: REDIRECT, scope: 'openid' });
    assert.notEqual(again.state, request.state);
    assert.notEqual(again.codeVerifier, request.codeVerifier);
  });

  it('exchanges the code with client authentication and returns every token', async () => {
    const set = await exchangeAuthorizationCode({ issuer: issuer.url, clientId: 'web', clientSecret: SECRET, code: 'c1', redirectUri: REDIRECT, codeVerifier: 'v1' });
    assert.deepEqual({ ...set, expiresAt: 0 }, { accessToken: 'at-1', tokenType: 'Bearer', expiresAt: 0, scope: 'read', refreshToken: 'rt-1', idToken: 'h.p.s' });
    const [call] = issuer.calls;
    assert.deepEqual(Object.fromEntries(call?.params ?? []), { grant_type: 'authorization_code', code: 'c1', redirect_uri: REDIRECT, code_verifier: 'v1' });
    assert.match(call?.authorization ?? '', /^Basic /);
  });

  it('does not retry an exchange unless asked to', async () => {
    issuer.queue.push({ status: 503, body: {} });
    const options = { issuer: issuer.url, clientId: 'web', clientSecret: SECRET, code: 'c1', redirectUri: REDIRECT, codeVerifier: 'v1' };
    await rejectsWithCode(exchangeAuthorizationCode(options), 'unavailable');
    assert.equal(issuer.calls.length, 1);
  });
});
