// The hosted pages over HTTP: security headers, CSRF on every form, error page vs error redirect,
// bad /authorize and /token input, no user enumeration, and the brute-force brake.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { CookieJar, fetchWithJar, FORM, hiddenField, setupLogin, type LoginSetup } from './support/login-browserless.js';
import { startTestServer, type TestServer } from './support/test-server.js';

describe('hosted login pages over HTTP', () => {
  let server: TestServer;
  let setup: LoginSetup;
  let challenge: string;
  before(async () => {
    server = await startTestServer({ TESSERA_LOG_LEVEL: 'warn' });
    setup = await setupLogin(server);
    challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier());
  });
  after(() => server.close());

  const authorizeUrl = (extra: Record<string, string | null> = {}, repeat: [string, string][] = []): string => {
    const params = new URLSearchParams();
    const base: Record<string, string | null> = {
      client_id: setup.clientId,
      redirect_uri: setup.redirectUri,
      response_type: 'code',
      scope: 'openid read',
      state: 's1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    };
    for (const [k, v] of Object.entries(base)) if (v !== null) params.append(k, v);
    for (const [k, v] of repeat) params.append(k, v);
    return `${server.url}/authorize?${params}`;
  };

  it('serves the login page with CSP, frame protection, no-store, a CSRF cookie and labelled fields', async () => {
    const jar = new CookieJar();
    const response = await fetchWithJar(jar, authorizeUrl());
    assert.equal(response.status, 200);
    const csp = response.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /form-action 'self' https:\/\/app\.example/);
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const setCookie = response.headers.getSetCookie().join('\n');
    assert.match(setCookie, /tessera_csrf=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
    const html = await response.text();
    assert.match(html, /<label for="username">/);
    assert.match(html, /<label for="password">/);
    assert.ok(!/<script|style=/.test(html), 'no script and no inline style');
    const css = await fetch(`${server.url}/assets/tessera.css`);
    assert.equal(css.status, 200);
    assert.match(css.headers.get('content-type') ?? '', /text\/css/);
  });

  it('an unknown client or unregistered redirect URI gets an error page, never a redirect', async () => {
    for (const url of [
      authorizeUrl({ client_id: 'tc_nobody' }),
      authorizeUrl({ redirect_uri: 'https://evil.example/cb' }),
      authorizeUrl({ redirect_uri: null }),
      authorizeUrl({}, [['redirect_uri', 'https://evil.example/cb']]),
      authorizeUrl({ client_id: 'x'.repeat(500) }),
    ]) {
      const response = await fetch(url, { redirect: 'manual' });
      assert.equal(response.status, 400, url);
      assert.equal(response.headers.get('location'), null);
      assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    }
  });

  it('every other bad parameter redirects back with error, state and iss', async () => {
    const cases: [string, string][] = [
      [authorizeUrl({ response_type: null }), 'invalid_request'],
      [authorizeUrl({ response_type: 'token' }), 'unsupported_response_type'],
      [authorizeUrl({}, [['response_type', 'code']]), 'invalid_request'],
      [authorizeUrl({ code_challenge: null }), 'invalid_request'],
      [authorizeUrl({ code_challenge_method: 'plain' }), 'invalid_request'],
      [authorizeUrl({}, [['code_challenge', challenge]]), 'invalid_request'],
      [authorizeUrl({ scope: 'openid admin' }), 'invalid_scope'],
      [authorizeUrl({ nonce: 'n'.repeat(600) }), 'invalid_request'],
      [authorizeUrl({ prompt: 'none' }), 'login_required'],
    ];
    for (const [url, error] of cases) {
      const response = await fetch(url, { redirect: 'manual' });
      assert.equal(response.status, 303, url);
      const location = new URL(response.headers.get('location') ?? '');
      assert.equal(location.origin + location.pathname, setup.redirectUri);
      assert.equal(location.searchParams.get('error'), error, url);
      assert.equal(location.searchParams.get('state'), 's1');
      assert.equal(location.searchParams.get('iss'), server.url);
    }
  });

  it('refuses form posts without the CSRF token', async () => {
    const jar = new CookieJar();
    const html = await (await fetchWithJar(jar, authorizeUrl())).text();
    const body = { authorize: hiddenField(html, 'authorize'), username: setup.username, password: setup.password };
    for (const csrf of [undefined, 'x'.repeat(43)]) {
      const response = await fetchWithJar(jar, `${server.url}/login`, { method: 'POST', headers: FORM, body: new URLSearchParams({ ...body, ...(csrf ? { csrf } : {}) }).toString() });
      assert.equal(response.status, 403);
    }
    const noCookie = await fetch(`${server.url}/login`, { method: 'POST', headers: FORM, body: new URLSearchParams({ ...body, csrf: hiddenField(html, 'csrf') }).toString(), redirect: 'manual' });
    assert.equal(noCookie.status, 403);
    for (const path of ['/consent', '/logout']) {
      const response = await fetchWithJar(jar, `${server.url}${path}`, { method: 'POST', headers: FORM, body: 'decision=allow' });
      assert.equal(response.status, 403, path);
    }
  });

  it('answers an unknown user and a wrong password alike, then slows a brute force down (429 + Retry-After)', async () => {
    const attempt = async (jar: CookieJar, username: string, password: string) => {
      const html = await (await fetchWithJar(jar, authorizeUrl())).text();
      const response = await fetchWithJar(jar, `${server.url}/login`, {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ csrf: hiddenField(html, 'csrf'), authorize: hiddenField(html, 'authorize'), username, password }).toString(),
      });
      return { status: response.status, html: await response.text(), retryAfter: response.headers.get('retry-after') };
    };
    const jar = new CookieJar();
    const unknown = await attempt(jar, 'nobody-here', 'some password');
    const wrong = await attempt(jar, setup.username, 'some password');
    assert.equal(unknown.status, 400);
    assert.equal(wrong.status, 400);
    assert.equal(wrong.retryAfter, null);
    const message = (html: string) => /role="alert">([^<]*)</.exec(html)?.[1];
    assert.equal(message(unknown.html), message(wrong.html));
    assert.match(wrong.html, /aria-describedby="login-error"/);
    await attempt(jar, setup.username, 'some password');
    await attempt(jar, setup.username, 'some password');
    const throttled = await attempt(jar, setup.username, 'some password');
    assert.equal(throttled.status, 429);
    assert.ok(Number(throttled.retryAfter) >= 1);
    assert.match(throttled.html, /Too many failed attempts/);
  });

  it('/token: bad authorization_code and refresh_token input gets clear RFC 6749 §5.2 errors', async () => {
    const post = async (body: string) => {
      const response = await fetch(`${server.url}/token`, { method: 'POST', headers: FORM, body });
      return { status: response.status, body: (await response.json()) as { error: string; error_description: string } };
    };
    const id = `client_id=${setup.clientId}`;
    const cases: [string, string][] = [
      [`grant_type=authorization_code&${id}`, 'invalid_request'],
      [`grant_type=authorization_code&${id}&code=tac_x&redirect_uri=${encodeURIComponent(setup.redirectUri)}`, 'invalid_request'],
      [`grant_type=authorization_code&${id}&code=tac_x&code=tac_y&redirect_uri=x&code_verifier=${'a'.repeat(43)}`, 'invalid_request'],
      [`grant_type=authorization_code&${id}&code=tac_x&redirect_uri=x&code_verifier=short`, 'invalid_request'],
      [`grant_type=authorization_code&${id}&code=${'c'.repeat(5000)}&redirect_uri=x&code_verifier=${'a'.repeat(43)}`, 'invalid_grant'],
      [`grant_type=refresh_token&${id}`, 'invalid_request'],
      [`grant_type=refresh_token&${id}&refresh_token=a&refresh_token=b`, 'invalid_request'],
      [`grant_type=refresh_token&${id}&refresh_token=trt_${'z'.repeat(43)}`, 'invalid_grant'],
      [`grant_type=refresh_token&${id}&refresh_token=%00`, 'invalid_request'],
      [`grant_type=authorization_code&client_id=tc_nobody&code=tac_x&redirect_uri=x&code_verifier=${'a'.repeat(43)}`, 'invalid_client'],
    ];
    for (const [body, error] of cases) {
      const result = await post(body);
      assert.equal(result.body.error, error, body.slice(0, 120));
      assert.ok(result.body.error_description.length > 0);
    }
  });
});

describe('cookies when the issuer is https', () => {
  let server: TestServer;
  before(async () => {
    // The issuer is https; the test talks to the loopback listener directly.
    server = await startTestServer({ TESSERA_LOG_LEVEL: 'warn', TESSERA_ISSUER: 'https://login.example' });
  });
  after(() => server.close());

  it('uses __Host- cookie names with Secure, HttpOnly and SameSite=Lax', async () => {
    const { id } = await server.addClient({
      authMethod: 'none',
      grantTypes: ['authorization_code'],
      redirectUris: ['https://app.example/cb'],
      scopes: ['openid'],
      firstParty: true,
    });
    const challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier());
    const query = new URLSearchParams({ client_id: id, redirect_uri: 'https://app.example/cb', response_type: 'code', code_challenge: challenge, code_challenge_method: 'S256' });
    const response = await fetch(`${server.url}/authorize?${query}`);
    assert.equal(response.status, 200);
    assert.match(response.headers.getSetCookie().join('\n'), /^__Host-tessera_csrf=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Secure$/m);
  });
});
