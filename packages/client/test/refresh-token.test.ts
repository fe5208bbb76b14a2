// The refresh_token grant (RFC 6749 §6, OAuth 2.1 rotation): every refresh sends the newest refresh token,
// hands each rotated one to onRefreshToken before the access token is used, and an invalid_grant ends the
// manager's grant (the app must log the user in again) without presenting the dead token again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTokenManager, OAuthError } from '@tessera/client';
import { useFakeIssuer } from './support/fake-issuer.js';
import { managerFor, rejectsWithCode } from './support/setup.js';

const issuer = useFakeIssuer((fake) => {
  fake.onToken = (_call, n) => ({
    status: 200,
    body: { access_token: `at-${n}`, token_type: 'Bearer', expires_in: 300, refresh_token: `rt-${n}`, scope: 'openid read' },
  });
});

describe('refresh_token grant', () => {
  it('rotates: each refresh presents the newest token and reports every new one', async () => {
    const persisted: string[] = [];
    const { manager, clock } = managerFor(issuer, { refreshToken: 'rt-0', scope: 'read', onRefreshToken: (rt) => void persisted.push(rt) });
    assert.equal(manager.grantType, 'refresh_token');
    assert.equal(await manager.getToken(), 'at-1');
    clock.advance(300_000);
    assert.equal(await manager.getToken(), 'at-2');
    assert.equal(await manager.getToken({ forceRefresh: true }), 'at-3');
    assert.deepEqual(issuer.calls.map((c) => c.params.get('refresh_token')), ['rt-0', 'rt-1', 'rt-2']);
    assert.deepEqual(issuer.calls.map((c) => c.params.get('grant_type')), ['refresh_token', 'refresh_token', 'refresh_token']);
    assert.equal(issuer.calls[0]?.params.get('scope'), 'read');
    assert.deepEqual(persisted, ['rt-1', 'rt-2', 'rt-3']);
  });

  it('sends the resource indicators with every refresh (RFC 8707 §2.2 narrowing)', async () => {
    const { manager } = managerFor(issuer, { refreshToken: 'rt-0', resource: ['https://a.example', 'https://b.example'] });
    await manager.getToken();
    assert.deepEqual(issuer.calls[0]?.params.getAll('resource'), ['https://a.example', 'https://b.example']);
  });

  it('waits for onRefreshToken before handing out the access token', async () => {
    const order: string[] = [];
    const { manager } = managerFor(issuer, {
      refreshToken: 'rt-0',
      onRefreshToken: async (rt) => {
        await new Promise<void>((resolve) => setImmediate(resolve));
        order.push(`persisted ${rt}`);
      },
    });
    order.push(`got ${await manager.getToken()}`);
    assert.deepEqual(order, ['persisted rt-1', 'got at-1']);
  });

  it('a failing onRefreshToken surfaces to the caller; the manager keeps the new token', async () => {
    const { manager } = managerFor(issuer, {
      refreshToken: 'rt-0',
      onRefreshToken: () => {
        throw new Error('disk full');
      },
    });
    await assert.rejects(manager.getToken(), /disk full/);
    assert.equal(await manager.getToken(), 'at-1');
    assert.equal(issuer.calls.length, 1);
  });

  it('keeps the refresh token when the server does not rotate it', async () => {
    issuer.queue.push({ status: 200, body: { access_token: 'at-x', token_type: 'Bearer', expires_in: 300 } });
    const persisted: string[] = [];
    const { manager } = managerFor(issuer, { refreshToken: 'rt-0', onRefreshToken: (rt) => void persisted.push(rt) });
    await manager.getToken();
    await manager.getToken({ forceRefresh: true });
    assert.deepEqual(issuer.calls.map((c) => c.params.get('refresh_token')), ['rt-0', 'rt-0']);
    assert.deepEqual(persisted, ['rt-2']);
  });

  it('invalid_grant ends the grant: later calls fail alike without a request', async () => {
    issuer.queue.push({ status: 400, body: { error: 'invalid_grant' } });
    const { manager } = managerFor(issuer, { refreshToken: 'rt-0' });
    const error = await rejectsWithCode(manager.getToken(), 'oauth_error', ['rt-0']);
    assert.ok(error instanceof OAuthError && error.error === 'invalid_grant');
    await rejectsWithCode(manager.getToken({ forceRefresh: true }), 'oauth_error');
    assert.equal(issuer.calls.length, 1);
  });

  it('retries a refresh lost to a 5xx with the same parameters (so a server grace window can replay it)', async () => {
    issuer.queue.push({ status: 503, body: {} });
    const { manager } = managerFor(issuer, { refreshToken: 'rt-0', scope: 'read' });
    assert.equal(await manager.getToken(), 'at-2');
    assert.deepEqual(issuer.calls.map((c) => c.params.toString()), [issuer.calls[0]?.params.toString(), issuer.calls[0]?.params.toString()]);
  });

  it('a public client sends its client_id and no credentials', async () => {
    const manager = createTokenManager({ issuer: issuer.url, clientId: 'cli', clientAuthMethod: 'none', refreshToken: 'rt-0' });
    await manager.getToken();
    assert.equal(issuer.calls[0]?.authorization, undefined);
    assert.equal(issuer.calls[0]?.params.get('client_id'), 'cli');
    assert.equal(issuer.calls[0]?.params.get('client_secret'), null);
  });
});
