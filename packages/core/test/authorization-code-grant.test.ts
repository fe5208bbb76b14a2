import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { s256 } from '@tessera/core';
import { parts, rejectsWith } from './support/harness.js';
import { accessWorks, authorizeParams, codeTokenRequest, loginHarness, obtainCode, REDIRECT, refreshRequest } from './support/login-harness.js';

const API = 'https://api.example';
const FILES = 'https://files.example';

describe('RFC 6749 §4.1 authorization request checks (OAuth 2.1, RFC 7636, RFC 9207)', () => {
  it('an unknown client, a missing or unregistered redirect_uri → error page, never a redirect', async () => {
    const h = await loginHarness();
    for (const extra of [
      { client_id: 'tc_unknown' },
      { client_id: undefined },
      { client_id: ['a', 'b'] },
      { redirect_uri: undefined },
      { redirect_uri: 'https://evil.example/cb' },
      { redirect_uri: `${REDIRECT}/` },
      { redirect_uri: [REDIRECT, REDIRECT] },
      { redirect_uri: `${REDIRECT}?${'x'.repeat(3000)}` },
    ]) {
      const outcome = await h.server.login.checkAuthorization(authorizeParams(h, extra));
      assert.equal(outcome.ok, false, JSON.stringify(extra).slice(0, 80));
      assert.equal(!outcome.ok && outcome.redirect, false, JSON.stringify(extra).slice(0, 80));
    }
  });

  it('other errors redirect with error, error_description and state (§4.1.2.1)', async () => {
    const h = await loginHarness();
    const cases: [Record<string, string | string[] | undefined>, string][] = [
      [{ response_type: undefined }, 'invalid_request'],
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ response_type: 'code id_token' }, 'unsupported_response_type'],
      [{ code_challenge: undefined }, 'invalid_request'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge_method: undefined }, 'invalid_request'],
      [{ code_challenge: 'short' }, 'invalid_request'],
      [{ scope: 'openid admin' }, 'invalid_scope'],
      [{ scope: 'read\u0001' }, 'invalid_scope'],
      [{ scope: ['read', 'openid'] }, 'invalid_request'],
      [{ nonce: 'n'.repeat(513) }, 'invalid_request'],
      [{ prompt: 'none login' }, 'invalid_request'],
      [{ max_age: '-1' }, 'invalid_request'],
      [{ request: 'eyJ' }, 'request_not_supported'],
      [{ request_uri: 'urn:x' }, 'request_uri_not_supported'],
      [{ resource: 'https://other.example' }, 'invalid_target'],
      [{ response_mode: 'fragment' }, 'invalid_request'],
      [{ login_hint: 'x'.repeat(5000) }, 'invalid_request'],
    ];
    for (const [extra, error] of cases) {
      const outcome = await h.server.login.checkAuthorization(authorizeParams(h, extra));
      assert.ok(!outcome.ok && outcome.redirect, JSON.stringify(extra).slice(0, 60));
      if (!outcome.ok && outcome.redirect) {
        assert.equal(outcome.error, error, JSON.stringify(extra).slice(0, 60));
        const url = new URL(h.server.login.errorRedirect(outcome.redirectUri, outcome.state, outcome.error, outcome.description));
        assert.equal(url.searchParams.get('error'), error);
        assert.equal(url.searchParams.get('state'), 'st');
        assert.equal(url.searchParams.get('iss'), 'https://issuer.example');
      }
    }
  });

  it('a client not registered for the code flow gets unauthorized_client', async () => {
    const h = await loginHarness({}, { grantTypes: ['client_credentials'], authMethod: 'client_secret_basic' });
    const outcome = await h.server.login.checkAuthorization(authorizeParams(h));
    assert.ok(!outcome.ok && outcome.redirect && outcome.error === 'unauthorized_client');
  });

  it('§4.1.2 the response carries code, state and iss (RFC 9207)', async () => {
    const h = await loginHarness();
    const { url } = await obtainCode(h);
    assert.equal(url.origin + url.pathname, REDIRECT);
    assert.match(url.searchParams.get('code') ?? '', /^tac_[A-Za-z0-9_-]{43}$/);
    assert.equal(url.searchParams.get('state'), 'st');
    assert.equal(url.searchParams.get('iss'), 'https://issuer.example');
  });
});

describe('RFC 6749 §4.1.3 authorization_code grant', () => {
  it('exchanges a code for an access token with sid and fam, a refresh token and an ID token', async () => {
    const h = await loginHarness();
    const { code, sessionId } = await obtainCode(h);
    const response = await h.server.token(codeTokenRequest(h, code));
    const at = parts(response.access_token).payload;
    assert.equal(at['sub'], h.user.id);
    assert.equal(at['sid'], sessionId);
    assert.match(String(at['fam']), /^tf_/);
    assert.match(response.refresh_token ?? '', /^trt_/);
    const id = parts(response.id_token ?? '');
    assert.equal(id.header['typ'], 'JWT');
    assert.equal(id.payload['aud'], h.clientId);
    assert.equal(id.payload['nonce'], 'n-1');
    assert.equal(id.payload['sid'], sessionId);
    assert.equal(id.payload['auth_time'], Math.floor(h.clock.now() / 1000));
    assert.equal(typeof id.payload['at_hash'], 'string');
    assert.equal(response.scope, 'openid offline_access read');
  });

  it('RFC 8707 §2.2: resource at the token endpoint narrows the audience within what was authorized', async () => {
    const h = await loginHarness({}, { audiences: [API, FILES] });
    const { code } = await obtainCode(h, { resource: [API, FILES] });
    const narrow = await h.server.token(codeTokenRequest(h, code, { resource: FILES }));
    assert.equal(parts(narrow.access_token).payload['aud'], FILES);
    const refreshed = await h.server.token(refreshRequest(h, narrow.refresh_token ?? ''));
    assert.deepEqual(parts(refreshed.access_token).payload['aud'], [API, FILES], 'the refresh token holds the whole authorization');
    const other = await obtainCode(h, { resource: API });
    await rejectsWith(h.server.token(codeTokenRequest(h, other.code, { resource: FILES })), 'invalid_target', 400);
  });

  it('issues no refresh token without offline_access (the client lists it among its scopes)', async () => {
    const h = await loginHarness();
    const { code } = await obtainCode(h, { scope: 'openid read' });
    const response = await h.server.token(codeTokenRequest(h, code));
    assert.equal(response.refresh_token, undefined);
  });

  it('a code is single use: the second use fails and revokes every token issued from the first', async () => {
    const h = await loginHarness();
    const { code } = await obtainCode(h);
    const first = await h.server.token(codeTokenRequest(h, code));
    assert.equal(await accessWorks(h, first.access_token), true);
    await rejectsWith(h.server.token(codeTokenRequest(h, code)), 'invalid_grant', 400);
    assert.equal(await accessWorks(h, first.access_token), false);
    await rejectsWith(h.server.token(refreshRequest(h, first.refresh_token ?? '')), 'invalid_grant');
    assert.equal(h.events.ofType('authorization_code.reuse_detected').length, 1);
    assert.equal(h.events.ofType('authorization_code.reuse_detected')[0]?.severity, 'high');
  });

  it('a code expires after 60 s by default', async () => {
    const h = await loginHarness();
    const { code } = await obtainCode(h);
    h.clock.advance(60_000);
    await rejectsWith(h.server.token(codeTokenRequest(h, code)), 'invalid_grant');
  });

  it('is bound to the client, the redirect URI and the PKCE verifier', async () => {
    const h = await loginHarness();
    const a = await obtainCode(h);
    await rejectsWith(h.server.token(codeTokenRequest(h, a.code, { redirect_uri: `${REDIRECT}/other` })), 'invalid_grant');
    const b = await obtainCode(h);
    await rejectsWith(h.server.token(codeTokenRequest(h, b.code, { code_verifier: 'z'.repeat(43) })), 'invalid_grant');
    const c = await obtainCode(h, { code_challenge: s256('q'.repeat(43)) });
    await rejectsWith(h.server.token(codeTokenRequest(h, c.code)), 'invalid_grant');
  });

  it('rejects missing, repeated, overlong and malformed parameters with clear errors', async () => {
    const h = await loginHarness();
    const { code } = await obtainCode(h);
    const base = codeTokenRequest(h, code);
    const without = (name: string) => ({ ...base, params: Object.fromEntries(Object.entries(base.params).filter(([k]) => k !== name)) });
    for (const name of ['code', 'redirect_uri', 'code_verifier']) await rejectsWith(h.server.token(without(name)), 'invalid_request');
    await rejectsWith(h.server.token({ ...base, params: { ...base.params, code: [code, code] } }), 'invalid_request');
    await rejectsWith(h.server.token({ ...base, params: { ...base.params, code_verifier: 'short' } }), 'invalid_request');
    await rejectsWith(h.server.token({ ...base, params: { ...base.params, code: `tac_${'x'.repeat(5000)}` } }), 'invalid_grant');
    await rejectsWith(h.server.token({ ...base, params: { ...base.params, code: 'not-a-code' } }), 'invalid_grant');
    // None of those attempts consumed the code.
    assert.ok((await h.server.token(base)).access_token);
  });

  it('refuses a code whose session ended or whose user was disabled meanwhile', async () => {
    const h = await loginHarness();
    const { code, sessionId } = await obtainCode(h);
    await h.server.login.endSession(sessionId, 'admin');
    await rejectsWith(h.server.token(codeTokenRequest(h, code)), 'invalid_grant');
  });
});
