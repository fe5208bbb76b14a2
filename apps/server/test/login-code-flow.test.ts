// End to end with oauth4webapi: authorization code + PKCE through the hosted pages, ID token, userinfo,
// refresh rotation (a chain of 10), reuse detection, the parallel-refresh race, logout.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { authorizationUrl, CookieJar, exchange, fetchWithJar, FORM, hiddenField, loginForCode, refreshRaw, setupLogin, type LoginSetup } from './support/login-browserless.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const userinfoStatus = async (setup: LoginSetup, accessToken: string): Promise<number> =>
  (await fetch(setup.as.userinfo_endpoint!, { headers: { authorization: `Bearer ${accessToken}` } })).status;

describe('authorization code + PKCE, end to end (RFC 6749 §4.1, RFC 7636, RFC 9207, OIDC)', () => {
  let server: TestServer;
  let setup: LoginSetup;
  before(async () => {
    server = await startTestServer({ TESSERA_LOG_LEVEL: 'warn' });
    setup = await setupLogin(server);
  });
  after(() => server.close());

  it('advertises the flow in discovery', () => {
    assert.equal(setup.as.authorization_endpoint, `${server.url}/authorize`);
    assert.deepEqual(setup.as.response_types_supported, ['code']);
    assert.deepEqual(setup.as.code_challenge_methods_supported, ['S256']);
    assert.equal(setup.as.authorization_response_iss_parameter_supported, true);
    assert.ok(setup.as.grant_types_supported?.includes('authorization_code'));
    assert.ok(setup.as.grant_types_supported?.includes('refresh_token'));
    assert.equal(setup.as.userinfo_endpoint, `${server.url}/userinfo`);
  });

  it('logs in through the form, returns state and iss, and exchanges the code for tokens with a valid ID token', async () => {
    const code = await loginForCode(setup);
    assert.equal(code.callback.origin + code.callback.pathname, setup.redirectUri);
    assert.equal(code.callback.searchParams.get('state'), code.state);
    assert.equal(code.callback.searchParams.get('iss'), server.url);
    assert.match(code.callback.searchParams.get('code') ?? '', /^tac_/);
    const tokens = await exchange(setup, code);
    assert.match(tokens.refresh_token ?? '', /^trt_[A-Za-z0-9_-]{43}$/);
    const claims = oauth.getValidatedIdTokenClaims(tokens)!;
    assert.equal(claims.sub, setup.userId);
    assert.equal(claims['nonce'], code.nonce);
    assert.equal(typeof claims['auth_time'], 'number');
    assert.match(String(claims['sid']), /^ts_/);
    const userinfo = await oauth.processUserInfoResponse(setup.as, setup.client, setup.userId, await oauth.userInfoRequest(setup.as, setup.client, tokens.access_token, { [oauth.allowInsecureRequests]: true }));
    assert.equal(userinfo['email'], 'alice@example.com');
    assert.equal(userinfo['preferred_username'], 'alice');
  });

  it('sets a HttpOnly, SameSite=Lax session cookie and reuses the session without a second login', async () => {
    const jar = new CookieJar();
    const first = await loginForCode(setup, { jar });
    assert.ok([...jar.cookies.keys()].includes('tessera_session'));
    const second = await loginForCode({ ...setup, password: 'not used: the session answers' }, { jar });
    assert.ok(second.callback.searchParams.get('code'));
    assert.notEqual(first.callback.searchParams.get('code'), second.callback.searchParams.get('code'));
  });

  it('refuses a second use of a code and revokes what the first use issued', async () => {
    const code = await loginForCode(setup);
    const tokens = await exchange(setup, code);
    assert.equal(await userinfoStatus(setup, tokens.access_token), 200);
    await assert.rejects(exchange(setup, code), (e: unknown) => e instanceof oauth.ResponseBodyError && e.error === 'invalid_grant');
    assert.equal(await userinfoStatus(setup, tokens.access_token), 401);
    assert.equal((await refreshRaw(setup, tokens.refresh_token!)).status, 400);
  });

  it('a wrong or missing password re-renders the form with 400 (no 401 without a challenge) and logs no error', async () => {
    const jar = new CookieJar();
    const form = await (await fetchWithJar(jar, (await authorizationUrl(setup, { scope: 'openid' })).toString())).text();
    const logged = server.logLines.length;
    for (const password of ['not the password', '']) {
      const response = await fetchWithJar(jar, `${server.url}/login`, {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ csrf: hiddenField(form, 'csrf'), authorize: hiddenField(form, 'authorize'), username: setup.username, password }).toString(),
      });
      assert.equal(response.status, 400);
      assert.equal(response.headers.get('www-authenticate'), null);
      assert.match(await response.text(), /action="\/login"/);
    }
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const errors = server.logLines.slice(logged).filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    assert.deepEqual(errors, []);
  });

  it('binds the code to the PKCE verifier', async () => {
    const code = await loginForCode(setup);
    await assert.rejects(
      exchange(setup, { ...code, verifier: oauth.generateRandomCodeVerifier() }),
      (e: unknown) => e instanceof oauth.ResponseBodyError && e.error === 'invalid_grant',
    );
  });

  it('rotates the refresh token 10 times; every new pair works', async () => {
    let tokens = await exchange(setup, await loginForCode(setup));
    const seen = new Set<string>([tokens.refresh_token!]);
    for (let i = 0; i < 10; i++) {
      const response = await oauth.refreshTokenGrantRequest(setup.as, setup.client, oauth.None(), tokens.refresh_token!, { [oauth.allowInsecureRequests]: true });
      tokens = await oauth.processRefreshTokenResponse(setup.as, setup.client, response);
      assert.ok(tokens.refresh_token && !seen.has(tokens.refresh_token), 'a new refresh token every time');
      seen.add(tokens.refresh_token);
      assert.equal(await userinfoStatus(setup, tokens.access_token), 200);
    }
  });

  it('RFC 8707 §2.2 at refresh: a granted resource narrows the audience, another is invalid_target and costs nothing', async () => {
    const tokens = await exchange(setup, await loginForCode(setup));
    const refresh = async (refreshToken: string, resource: string) =>
      oauth.processRefreshTokenResponse(
        setup.as,
        setup.client,
        await oauth.refreshTokenGrantRequest(setup.as, setup.client, oauth.None(), refreshToken, {
          additionalParameters: { resource },
          [oauth.allowInsecureRequests]: true,
        }),
      );
    await assert.rejects(refresh(tokens.refresh_token!, 'https://elsewhere.example'), (e: unknown) => e instanceof oauth.ResponseBodyError && e.error === 'invalid_target');
    const narrowed = await refresh(tokens.refresh_token!, 'https://api.example.com');
    const payload = JSON.parse(Buffer.from(narrowed.access_token.split('.')[1]!, 'base64url').toString('utf8')) as { aud: unknown };
    assert.equal(payload.aud, 'https://api.example.com');
  });

  it('detects reuse of a rotated refresh token and kills the whole family (refresh and access tokens)', async () => {
    const first = await exchange(setup, await loginForCode(setup));
    const second = await refreshRaw(setup, first.refresh_token!);
    assert.equal(second.status, 200);
    const latestAccess = String(second.body['access_token']);
    const latestRefresh = String(second.body['refresh_token']);
    assert.equal(await userinfoStatus(setup, latestAccess), 200);
    const replay = await refreshRaw(setup, first.refresh_token!);
    assert.equal(replay.status, 400);
    assert.equal(replay.body['error'], 'invalid_grant');
    assert.equal(await userinfoStatus(setup, latestAccess), 401, 'access tokens of the family are revoked');
    assert.equal(await userinfoStatus(setup, first.access_token), 401);
    assert.equal((await refreshRaw(setup, latestRefresh)).status, 400, 'the newest refresh token is revoked too');
    assert.ok(server.logLines.some((l) => l.includes('refresh_token.reuse_detected')), 'a high-severity event is logged');
  });

  it('parallel refreshes with the same token have exactly one winner', async () => {
    const tokens = await exchange(setup, await loginForCode(setup));
    const results = await Promise.all(Array.from({ length: 6 }, () => refreshRaw(setup, tokens.refresh_token!)));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    for (const r of results.filter((x) => x.status !== 200)) assert.equal(r.body['error'], 'invalid_grant');
  });

  it('narrows scope on refresh but refuses to widen it', async () => {
    const tokens = await exchange(setup, await loginForCode(setup, { scope: 'openid offline_access read' }));
    const narrowed = await refreshRaw(setup, tokens.refresh_token!, { scope: 'openid' });
    assert.equal(narrowed.status, 200);
    assert.equal(narrowed.body['scope'], 'openid');
    const widened = await refreshRaw(setup, String(narrowed.body['refresh_token']), { scope: 'openid email' });
    assert.equal(widened.status, 400);
    assert.equal(widened.body['error'], 'invalid_scope');
  });

  it('revoking a refresh token (RFC 7009) revokes its family', async () => {
    const tokens = await exchange(setup, await loginForCode(setup));
    const response = await oauth.revocationRequest(setup.as, setup.client, oauth.None(), tokens.refresh_token!, { [oauth.allowInsecureRequests]: true });
    await oauth.processRevocationResponse(response);
    assert.equal((await refreshRaw(setup, tokens.refresh_token!)).status, 400);
    assert.equal(await userinfoStatus(setup, tokens.access_token), 401);
  });

  it('RP-initiated logout ends the session, revokes its tokens and returns to the registered URI', async () => {
    const code = await loginForCode(setup);
    const tokens = await exchange(setup, code);
    const url = new URL('/logout', server.url);
    url.search = new URLSearchParams({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://app.example/bye', state: 'xyz' }).toString();
    const confirm = await fetchWithJar(code.jar, url.toString());
    assert.equal(confirm.status, 200);
    const html = await confirm.text();
    const done = await fetchWithJar(code.jar, `${server.url}/logout`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({
        csrf: hiddenField(html, 'csrf'),
        id_token_hint: hiddenField(html, 'id_token_hint'),
        post_logout_redirect_uri: hiddenField(html, 'post_logout_redirect_uri'),
        state: hiddenField(html, 'state'),
      }).toString(),
    });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), 'https://app.example/bye?state=xyz');
    assert.equal(code.jar.cookies.has('tessera_session'), false);
    assert.equal(await userinfoStatus(setup, tokens.access_token), 401);
    assert.equal((await refreshRaw(setup, tokens.refresh_token!)).status, 400);
    const unregistered = new URL('/logout', server.url);
    unregistered.search = new URLSearchParams({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/' }).toString();
    assert.equal((await fetch(unregistered)).status, 400);
  });
});

describe('refresh grace window (TESSERA_REFRESH_GRACE)', () => {
  let server: TestServer;
  let setup: LoginSetup;
  before(async () => {
    server = await startTestServer({ TESSERA_LOG_LEVEL: 'warn', TESSERA_REFRESH_GRACE: '5s' });
    setup = await setupLogin(server);
  });
  after(() => server.close());

  it('an identical retry within the window gets the same new pair; different parameters count as reuse', async () => {
    const tokens = await exchange(setup, await loginForCode(setup));
    const first = await refreshRaw(setup, tokens.refresh_token!);
    const retry = await refreshRaw(setup, tokens.refresh_token!);
    assert.equal(first.status, 200);
    assert.deepEqual(retry, first);
    assert.equal(await userinfoStatus(setup, String(first.body['access_token'])), 200);
    const different = await refreshRaw(setup, tokens.refresh_token!, { scope: 'openid' });
    assert.equal(different.status, 400);
    assert.equal(await userinfoStatus(setup, String(first.body['access_token'])), 401);
  });

  it('parallel refreshes within the window all get the one winning pair', async () => {
    const tokens = await exchange(setup, await loginForCode(setup));
    const results = await Promise.all(Array.from({ length: 4 }, () => refreshRaw(setup, tokens.refresh_token!)));
    assert.ok(results.every((r) => r.status === 200));
    assert.equal(new Set(results.map((r) => r.body['refresh_token'])).size, 1);
  });
});
