// RFC 8628 end to end with oauth4webapi: the device asks, a person enters the code on /device, signs in
// and approves, the device's polling gets tokens.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { CookieJar, fetchWithJar, FORM, hiddenField, setupLogin, type LoginSetup } from './support/login-browserless.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

describe('device authorization grant, end to end (RFC 8628)', () => {
  let server: TestServer;
  let setup: LoginSetup;
  before(async () => {
    server = await startTestServer({ TESSERA_LOG_LEVEL: 'warn' });
    setup = await setupLogin(server, { grantTypes: [DEVICE, 'refresh_token'], redirectUris: [], firstParty: false, postLogoutRedirectUris: [] });
  });
  after(() => server.close());

  async function personApproves(verificationUri: string, decision: 'allow' | 'deny'): Promise<string> {
    const jar = new CookieJar();
    const page = await fetchWithJar(jar, verificationUri);
    assert.equal(page.status, 200);
    let html = await page.text();
    const userCode = /name="user_code"[^>]*value="([^"]*)"/.exec(html)?.[1] ?? '';
    let response = await fetchWithJar(jar, `${server.url}/device`, { method: 'POST', headers: FORM, body: new URLSearchParams({ csrf: hiddenField(html, 'csrf'), user_code: userCode.toLowerCase() }).toString() });
    html = await response.text();
    assert.match(html, /action="\/device\/login"/);
    response = await fetchWithJar(jar, `${server.url}/device/login`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({ csrf: hiddenField(html, 'csrf'), user_code: hiddenField(html, 'user_code'), username: setup.username, password: setup.password }).toString(),
    });
    html = await response.text();
    assert.match(html, /Allow this device\?/);
    response = await fetchWithJar(jar, `${server.url}/device/decide`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({ csrf: hiddenField(html, 'csrf'), user_code: hiddenField(html, 'user_code'), decision }).toString(),
    });
    assert.equal(response.status, 200);
    return response.text();
  }

  const pollOnce = (deviceCode: string) =>
    fetch(setup.as.token_endpoint!, { method: 'POST', headers: FORM, body: new URLSearchParams({ grant_type: DEVICE, device_code: deviceCode, client_id: setup.clientId }).toString() }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }),
    );

  it('advertises the endpoint; pending, then slow_down, then tokens after approval', async () => {
    assert.equal(setup.as.device_authorization_endpoint, `${server.url}/device_authorization`);
    const started = await oauth.processDeviceAuthorizationResponse(
      setup.as,
      setup.client,
      await oauth.deviceAuthorizationRequest(setup.as, setup.client, oauth.None(), new URLSearchParams({ scope: 'openid offline_access read' }), insecure),
    );
    assert.match(started.user_code, /^[B-Z]{4}-[B-Z]{4}$/);
    assert.equal((await pollOnce(started.device_code)).body['error'], 'authorization_pending');
    const done = await personApproves(started.verification_uri_complete!, 'allow');
    assert.match(done, /Device connected/);
    await new Promise((r) => setTimeout(r, 5_100));
    const tokens = await oauth.processGenericTokenEndpointResponse(
      setup.as,
      setup.client,
      await oauth.deviceCodeGrantRequest(setup.as, setup.client, oauth.None(), started.device_code, insecure),
    );
    assert.ok(tokens.access_token);
    assert.match(tokens.refresh_token ?? '', /^trt_/);
    const info = await fetch(setup.as.userinfo_endpoint!, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(info.status, 200);
  });

  it('slow_down when the device polls faster than the interval', async () => {
    const started = await oauth.processDeviceAuthorizationResponse(
      setup.as,
      setup.client,
      await oauth.deviceAuthorizationRequest(setup.as, setup.client, oauth.None(), new URLSearchParams({ scope: 'read' }), insecure),
    );
    assert.equal((await pollOnce(started.device_code)).body['error'], 'authorization_pending');
    const fast = await pollOnce(started.device_code);
    assert.equal(fast.status, 400);
    assert.equal(fast.body['error'], 'slow_down');
  });

  it('access_denied when the person refuses; a wrong code is refused on the page', async () => {
    const started = await oauth.processDeviceAuthorizationResponse(
      setup.as,
      setup.client,
      await oauth.deviceAuthorizationRequest(setup.as, setup.client, oauth.None(), new URLSearchParams({ scope: 'read' }), insecure),
    );
    assert.match(await personApproves(started.verification_uri_complete!, 'deny'), /not connected/);
    assert.equal((await pollOnce(started.device_code)).body['error'], 'access_denied');
    const jar = new CookieJar();
    const html = await (await fetchWithJar(jar, `${server.url}/device`)).text();
    const wrong = await fetchWithJar(jar, `${server.url}/device`, { method: 'POST', headers: FORM, body: new URLSearchParams({ csrf: hiddenField(html, 'csrf'), user_code: 'BBBB-BBBB' }).toString() });
    assert.equal(wrong.status, 400);
    assert.match(await wrong.text(), /aria-describedby="code-error"/);
  });
});
