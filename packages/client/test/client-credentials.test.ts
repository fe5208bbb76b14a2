// RFC 6749 §4.4 client_credentials through the token manager: discovery once, the request it sends
// (client_secret_basic per §2.3.1, client_secret_post, scope, RFC 8707 resource), caching, refresh ahead
// of expiry with an injected clock, forceRefresh and invalidate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useFakeIssuer, tokenAnswer } from './support/fake-issuer.js';
import { managerFor, SECRET } from './support/setup.js';

const issuer = useFakeIssuer();

describe('client_credentials', () => {
  it('discovers the token endpoint once and sends grant, scope and resources with Basic credentials', async () => {
    const { manager } = managerFor(issuer, {
      clientId: 'svc:a b',
      clientSecret: 'p@ss:w rd',
      scope: ['read', 'write'],
      resource: ['https://a.example', 'https://b.example'],
    });
    assert.equal(await manager.getToken(), 'at-1');
    assert.equal(issuer.metadataRequests, 1);
    const [call] = issuer.calls;
    assert.equal(call?.params.get('grant_type'), 'client_credentials');
    assert.equal(call?.params.get('scope'), 'read write');
    assert.deepEqual(call?.params.getAll('resource'), ['https://a.example', 'https://b.example']);
    assert.equal(call?.params.get('client_secret'), null);
    // RFC 6749 §2.3.1: each part form-urlencoded, then Basic.
    const decoded = Buffer.from(call?.authorization?.replace(/^Basic /, '') ?? '', 'base64').toString();
    assert.equal(decoded, 'svc%3Aa+b:p%40ss%3Aw+rd');
    assert.equal(manager.grantType, 'client_credentials');
  });

  it('client_secret_post puts the credentials in the body instead', async () => {
    const { manager } = managerFor(issuer, { clientAuthMethod: 'client_secret_post' });
    await manager.getToken();
    const [call] = issuer.calls;
    assert.equal(call?.authorization, undefined);
    assert.equal(call?.params.get('client_id'), 'svc');
    assert.equal(call?.params.get('client_secret'), SECRET);
  });

  it('serves the cached token until the refresh window, then gets a new one', async () => {
    const { manager, clock } = managerFor(issuer, { refreshSkewSeconds: 30 });
    const first = await manager.getTokenSet();
    assert.equal(first.accessToken, 'at-1');
    assert.equal(first.expiresAt, clock.time + 300_000);
    assert.equal(first.scope, 'read');
    clock.advance(269_999);
    assert.equal(await manager.getToken(), 'at-1');
    assert.equal(issuer.calls.length, 1);
    clock.advance(1); // 30 s before expiry
    assert.equal(await manager.getToken(), 'at-2');
    assert.equal(issuer.calls.length, 2);
  });

  it('caps the skew at half the lifetime of short-lived tokens', async () => {
    issuer.onToken = (_call, n) => tokenAnswer(n, { expires_in: 20 });
    const { manager, clock } = managerFor(issuer, { refreshSkewSeconds: 60 });
    assert.equal(await manager.getToken(), 'at-1');
    clock.advance(9_999);
    assert.equal(await manager.getToken(), 'at-1');
    clock.advance(1);
    assert.equal(await manager.getToken(), 'at-2');
  });

  it('uses defaultExpiresInSeconds when the answer has no expires_in', async () => {
    issuer.onToken = (_call, n) => ({ status: 200, body: { access_token: `at-${n}`, token_type: 'bearer' } });
    const { manager, clock } = managerFor(issuer, { defaultExpiresInSeconds: 100, refreshSkewSeconds: 0 });
    const set = await manager.getTokenSet();
    assert.equal(set.expiresAt, clock.time + 100_000);
    assert.equal(set.scope, undefined);
  });

  it('forceRefresh and invalidate get a new token; invalidate ignores a token already replaced', async () => {
    const { manager } = managerFor(issuer);
    assert.equal(await manager.getToken(), 'at-1');
    assert.equal(await manager.getToken({ forceRefresh: true }), 'at-2');
    manager.invalidate('at-1'); // stale: keeps at-2
    assert.equal(await manager.getToken(), 'at-2');
    manager.invalidate('at-2');
    assert.equal(await manager.getToken(), 'at-3');
    manager.invalidate();
    assert.equal(await manager.getToken(), 'at-4');
  });

  it('starts from an initial access token without a request', async () => {
    const expiresAt = Date.UTC(2026, 0, 1) + 600_000; // the fake clock starts at 2026-01-01
    const { manager } = managerFor(issuer, { initialAccessToken: { accessToken: 'given', expiresAt } });
    assert.equal(await manager.getToken(), 'given');
    assert.equal(issuer.calls.length, 0);
  });

  it('skips discovery when metadata is given', async () => {
    const { manager } = managerFor(issuer, { metadata: { issuer: issuer.url, tokenEndpoint: `${issuer.url}/token` } });
    await manager.getToken();
    assert.equal(issuer.metadataRequests, 0);
  });
});
