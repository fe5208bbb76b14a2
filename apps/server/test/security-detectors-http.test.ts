// The detectors wired into a real listening server: credential stuffing on the hosted login form raises a
// high alert and locks the source IP out through the login throttle.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { CookieJar, fetchWithJar, FORM, hiddenField, setupLogin, type LoginSetup } from './support/login-browserless.js';
import { startTestServer, type TestServer } from './support/test-server.js';

describe('anomaly detectors in the server', () => {
  let server: TestServer;
  let setup: LoginSetup;
  let challenge: string;
  before(async () => {
    server = await startTestServer();
    setup = await setupLogin(server);
    challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier());
  });
  after(() => server.close());

  const attempt = async (jar: CookieJar, username: string, password: string) => {
    const query = new URLSearchParams({ client_id: setup.clientId, redirect_uri: setup.redirectUri, response_type: 'code', scope: 'openid', state: 's', code_challenge: challenge, code_challenge_method: 'S256' });
    const html = await (await fetchWithJar(jar, `${server.url}/authorize?${query.toString()}`)).text();
    const response = await fetchWithJar(jar, `${server.url}/login`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({ csrf: hiddenField(html, 'csrf'), authorize: hiddenField(html, 'authorize'), username, password }).toString(),
      redirect: 'manual',
    });
    return { status: response.status, retryAfter: Number(response.headers.get('retry-after') ?? 0) };
  };

  it('credential stuffing (many accounts from one IP): a high alert, and the IP is locked out for every account', async () => {
    const jar = new CookieJar();
    for (let k = 0; k < 22; k++) {
      const { status } = await attempt(jar, `victim${k}@mail.example`, 'Summer2026!');
      assert.ok(status === 400 || status === 429, `attempt ${k}: ${status}`);
    }
    const alerts = server.logLines
      .filter((line) => line.includes('"security.alert_raised"'))
      .map((line) => (JSON.parse(line) as { event: Record<string, unknown> }).event)
      .filter((event) => event['detector'] === 'login_failures');
    assert.equal(alerts.length, 1, 'one incident, one alert');
    assert.equal(alerts[0]?.['severity'], 'high');
    assert.equal(alerts[0]?.['action'], 'throttle');
    assert.ok(!JSON.stringify(alerts).includes('victim'), 'no username in the alert');
    // Even the real user with the right password is refused from that address for the lockout (30 min).
    const locked = await attempt(jar, setup.username, setup.password);
    assert.equal(locked.status, 429);
    assert.ok(locked.retryAfter > 25 * 60, `Retry-After ${locked.retryAfter} s`);
  });
});
