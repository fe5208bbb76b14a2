import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { disableClient, disableUser, enableClient } from '@tessera/core';
import { parts, rejectsWith, req } from './support/harness.js';
import { accessWorks, codeTokenRequest, loginHarness, loginTokens, obtainCode, refreshRequest } from './support/login-harness.js';

const API = 'https://api.example';
const FILES = 'https://files.example';

describe('RFC 6749 §6 refresh_token grant with rotation (OAuth 2.1 §4.3, BCP 9700 §4.14)', () => {
  it('rotates on every use: a new refresh token each time, the old one consumed', async () => {
    const h = await loginHarness();
    let tokens = await loginTokens(h);
    const fam = parts(tokens.access_token).payload['fam'];
    for (let i = 0; i < 10; i++) {
      const next = await h.server.token(refreshRequest(h, tokens.refresh_token ?? ''));
      assert.notEqual(next.refresh_token, tokens.refresh_token);
      assert.equal(parts(next.access_token).payload['fam'], fam, 'the family stays the same');
      assert.ok(next.id_token);
      tokens = { ...next, sessionId: tokens.sessionId };
    }
    assert.equal(h.events.ofType('token.refreshed').length, 10);
  });

  it('reuse of a rotated token → invalid_grant, the family is revoked (refresh and access tokens), a high-severity event', async () => {
    const h = await loginHarness();
    const first = await loginTokens(h);
    const second = await h.server.token(refreshRequest(h, first.refresh_token ?? ''));
    assert.equal(await accessWorks(h, second.access_token), true);
    await rejectsWith(h.server.token(refreshRequest(h, first.refresh_token ?? '')), 'invalid_grant', 400);
    assert.equal(await accessWorks(h, second.access_token), false);
    assert.equal(await accessWorks(h, first.access_token), false);
    await rejectsWith(h.server.token(refreshRequest(h, second.refresh_token ?? '')), 'invalid_grant');
    const [event] = h.events.ofType('refresh_token.reuse_detected');
    assert.equal(event?.severity, 'high');
    assert.equal(event?.subject, h.user.id);
    assert.ok(!JSON.stringify(h.events.events).includes(first.refresh_token ?? 'x'), 'no token in any event');
    // Another login of the same user is unaffected.
    const other = await loginTokens(h);
    assert.equal(await accessWorks(h, other.access_token), true);
  });

  it('grace window: an identical retry gets the same pair; after the window it is reuse', async () => {
    const h = await loginHarness({ refreshGraceSeconds: 5 });
    const tokens = await loginTokens(h);
    const first = await h.server.token(refreshRequest(h, tokens.refresh_token ?? ''));
    h.clock.advance(4_000);
    assert.deepEqual(await h.server.token(refreshRequest(h, tokens.refresh_token ?? '')), first);
    h.clock.advance(1_000);
    await rejectsWith(h.server.token(refreshRequest(h, tokens.refresh_token ?? '')), 'invalid_grant');
    assert.equal(await accessWorks(h, first.access_token), false);
  });

  it('grace window: a retry with different parameters is reuse', async () => {
    const h = await loginHarness({ refreshGraceSeconds: 10 });
    const tokens = await loginTokens(h);
    await h.server.token(refreshRequest(h, tokens.refresh_token ?? ''));
    await rejectsWith(h.server.token(refreshRequest(h, tokens.refresh_token ?? '', { scope: 'openid' })), 'invalid_grant');
  });

  it('exactly one of several parallel refreshes wins', async () => {
    const h = await loginHarness();
    const tokens = await loginTokens(h);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => h.server.token(refreshRequest(h, tokens.refresh_token ?? ''))));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  });

  it('scope can be narrowed, never widened; the refresh token keeps the original scope', async () => {
    const h = await loginHarness();
    const tokens = await loginTokens(h);
    const narrow = await h.server.token(refreshRequest(h, tokens.refresh_token ?? '', { scope: 'read' }));
    assert.equal(narrow.scope, 'read');
    assert.equal(parts(narrow.access_token).payload['scope'], 'read');
    await rejectsWith(h.server.token(refreshRequest(h, narrow.refresh_token ?? '', { scope: 'read email' })), 'invalid_scope');
    const full = await h.server.token(refreshRequest(h, narrow.refresh_token ?? ''));
    assert.equal(full.scope, 'openid offline_access read');
  });

  it('RFC 8707 §2.2: resource narrows the access token audience; the refresh token keeps the whole grant', async () => {
    const h = await loginHarness({}, { audiences: [API, FILES] });
    const tokens = await loginTokens(h);
    assert.deepEqual(parts(tokens.access_token).payload['aud'], [API, FILES]);
    const narrow = await h.server.token(refreshRequest(h, tokens.refresh_token ?? '', { resource: FILES }));
    assert.equal(parts(narrow.access_token).payload['aud'], FILES);
    const both = await h.server.token(refreshRequest(h, narrow.refresh_token ?? '', { resource: [FILES, API, FILES] }));
    assert.deepEqual([...(parts(both.access_token).payload['aud'] as string[])].sort(), [API, FILES]);
    const full = await h.server.token(refreshRequest(h, both.refresh_token ?? ''));
    assert.deepEqual(parts(full.access_token).payload['aud'], [API, FILES]);
  });

  it('RFC 8707 §2.2: a resource outside the grant → invalid_target, and the refresh token stays usable', async () => {
    const h = await loginHarness({}, { audiences: [API, FILES] });
    const tokens = await loginTokens(h, { resource: API });
    assert.equal(parts(tokens.access_token).payload['aud'], API);
    await rejectsWith(h.server.token(refreshRequest(h, tokens.refresh_token ?? '', { resource: FILES })), 'invalid_target', 400);
    await rejectsWith(h.server.token(refreshRequest(h, tokens.refresh_token ?? '', { resource: [API, 'https://other.example'] })), 'invalid_target', 400);
    const next = await h.server.token(refreshRequest(h, tokens.refresh_token ?? '', { resource: API }));
    assert.equal(parts(next.access_token).payload['aud'], API);
    assert.equal(h.events.ofType('refresh_token.reuse_detected').length, 0);
  });

  it('grace window: a retry must repeat the resource parameters too', async () => {
    const h = await loginHarness({ refreshGraceSeconds: 10 }, { audiences: [API, FILES] });
    const tokens = await loginTokens(h);
    const first = await h.server.token(refreshRequest(h, tokens.refresh_token ?? '', { resource: [FILES, API] }));
    assert.deepEqual(await h.server.token(refreshRequest(h, tokens.refresh_token ?? '', { resource: [API, FILES] })), first, 'same set, other order');
    await rejectsWith(h.server.token(refreshRequest(h, tokens.refresh_token ?? '', { resource: API })), 'invalid_grant');
    assert.equal(await accessWorks(h, first.access_token), false, 'a different retry is reuse: the family is revoked');
  });

  it('disabling the client kills its refresh tokens and pending codes for good; enabling it again does not revive them', async () => {
    const h = await loginHarness();
    const tokens = await loginTokens(h);
    const { code } = await obtainCode(h);
    h.clock.advance(1_000);
    await disableClient(h.admin, h.clientId);
    await h.server.sync();
    await rejectsWith(h.server.token(refreshRequest(h, tokens.refresh_token ?? '')), 'invalid_client', 401);
    h.clock.advance(1_000);
    await enableClient(h.admin, h.clientId);
    await h.server.sync();
    await rejectsWith(h.server.token(refreshRequest(h, tokens.refresh_token ?? '')), 'invalid_grant', 400);
    await rejectsWith(h.server.token(codeTokenRequest(h, code)), 'invalid_grant', 400);
    assert.equal(await accessWorks(h, tokens.access_token), false);
    assert.equal(h.events.ofType('refresh_token.reuse_detected').length, 0, 'not reuse: the family died with the client');
    const fresh = await loginTokens(h);
    const next = await h.server.token(refreshRequest(h, fresh.refresh_token ?? ''));
    assert.equal(await accessWorks(h, next.access_token), true, 'grants made after the re-enable work');
  });

  it('idle and absolute lifetimes', async () => {
    const h = await loginHarness({ refreshTokenIdleTtl: 3_600, refreshTokenAbsoluteTtl: 7_200, sessionAbsoluteTtl: 86_400 });
    const tokens = await loginTokens(h);
    h.clock.advance(3_600_000);
    await rejectsWith(h.server.token(refreshRequest(h, tokens.refresh_token ?? '')), 'invalid_grant');
    const again = await loginTokens(h);
    h.clock.advance(3_000_000);
    const r1 = await h.server.token(refreshRequest(h, again.refresh_token ?? ''));
    h.clock.advance(3_000_000);
    const r2 = await h.server.token(refreshRequest(h, r1.refresh_token ?? ''));
    h.clock.advance(1_300_000);
    await rejectsWith(h.server.token(refreshRequest(h, r2.refresh_token ?? '')), 'invalid_grant');
  });

  it('is bound to the client and refused once the user is disabled', async () => {
    const h = await loginHarness();
    const tokens = await loginTokens(h);
    await rejectsWith(h.server.token(req({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '', client_id: 'tc_other' })), 'invalid_client');
    await disableUser(h.users, 'alice');
    await h.server.sync();
    await rejectsWith(h.server.token(refreshRequest(h, tokens.refresh_token ?? '')), 'invalid_grant');
    assert.equal(await accessWorks(h, tokens.access_token), false);
  });

  it('rejects missing, repeated, overlong and foreign refresh tokens', async () => {
    const h = await loginHarness();
    const tokens = await loginTokens(h);
    await rejectsWith(h.server.token(req({ grant_type: 'refresh_token', client_id: h.clientId })), 'invalid_request');
    await rejectsWith(h.server.token(refreshRequest(h, tokens.refresh_token ?? '', { refresh_token: [tokens.refresh_token ?? '', 'x'] } as never)), 'invalid_request');
    await rejectsWith(h.server.token(refreshRequest(h, `trt_${'a'.repeat(500)}`)), 'invalid_grant');
    await rejectsWith(h.server.token(refreshRequest(h, 'tsec_notarefreshtoken')), 'invalid_grant');
    await rejectsWith(h.server.token(refreshRequest(h, `trt_${'a'.repeat(43)}`)), 'invalid_grant');
    assert.ok((await h.server.token(refreshRequest(h, tokens.refresh_token ?? ''))).access_token, 'the real token still works');
  });

  it('RFC 7009: revoking a refresh token revokes its family', async () => {
    const h = await loginHarness();
    const tokens = await loginTokens(h);
    await h.server.revoke(req({ token: tokens.refresh_token ?? '', client_id: h.clientId }));
    await rejectsWith(h.server.token(refreshRequest(h, tokens.refresh_token ?? '')), 'invalid_grant');
    assert.equal(await accessWorks(h, tokens.access_token), false);
  });
});
