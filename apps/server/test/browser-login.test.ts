// A real browser (Debian's chromium driven by playwright-core) logs in through the hosted pages,
// consents, lands on the client's redirect with a code, and logs out. Screenshot: test-artifacts/login.png.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { authorizationUrl, setupLogin, type LoginSetup } from './support/login-browserless.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const CHROMIUM = '/usr/bin/chromium';
const required = process.env['TESSERA_REQUIRE_BROWSER'] === '1';
const available = existsSync(CHROMIUM);
if (!available && required) throw new Error(`TESSERA_REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: run apt-get install -y chromium`);
const skip = available ? false : `${CHROMIUM} is not installed (apt-get install -y chromium); set TESSERA_REQUIRE_BROWSER=1 to make this fail instead`;

/** apps/server/dist-test → repository root. */
const ARTIFACTS = resolve(import.meta.dirname, '../../../test-artifacts');

describe('hosted login in a real browser', { skip }, () => {
  let server: TestServer;
  let setup: LoginSetup;
  let app: Server;
  let appUrl: string;
  let profile: string;
  before(async () => {
    server = await startTestServer({ TESSERA_LOG_LEVEL: 'warn' });
    // The "client app": a loopback page the browser is redirected to.
    app = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>app</title><h1>Back in the app</h1>'));
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    const address = app.address();
    appUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    setup = await setupLogin(server, {
      firstParty: false,
      redirectUris: [`${appUrl}/callback`],
      postLogoutRedirectUris: [`${appUrl}/bye`],
    });
    setup = { ...setup, redirectUri: `${appUrl}/callback` };
    profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-'));
  });
  after(async () => {
    await server.close();
    await new Promise((r) => app.close(r));
    rmSync(profile, { recursive: true, force: true });
  });

  it('logs in, consents, lands on the redirect with a code, exchanges it, then logs out', async () => {
    const { chromium } = await import('playwright-core');
    // A fresh profile directory (playwright passes it as --user-data-dir).
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      const verifier = oauth.generateRandomCodeVerifier();
      const url = await authorizationUrl(setup, { scope: 'openid profile email offline_access', state: 'browser-state', nonce: 'browser-nonce', verifier });
      const response = await page.goto(url.toString());
      assert.equal(response?.status(), 200);
      assert.match(response?.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/);
      await page.getByLabel('Username').waitFor();
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'login.png'), fullPage: true });

      // A wrong password first: the error is announced and tied to the fields.
      await page.getByLabel('Username').fill(setup.username);
      await page.getByLabel('Password').fill('wrong password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').waitFor();
      assert.match(await page.getByRole('alert').innerText(), /Incorrect username or password/);
      assert.equal(await page.getByLabel('Password').getAttribute('aria-describedby'), 'login-error');

      await page.getByLabel('Password').fill(setup.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Allow access?' }).waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'consent.png'), fullPage: true });
      await Promise.all([page.waitForURL(`${appUrl}/callback**`), page.getByRole('button', { name: 'Allow' }).click()]);
      const landed = new URL(page.url());
      assert.equal(landed.searchParams.get('state'), 'browser-state');
      assert.equal(landed.searchParams.get('iss'), server.url);
      const params = oauth.validateAuthResponse(setup.as, setup.client, landed, 'browser-state');
      const tokens = await oauth.processAuthorizationCodeResponse(
        setup.as,
        setup.client,
        await oauth.authorizationCodeGrantRequest(setup.as, setup.client, oauth.None(), params, setup.redirectUri, verifier, { [oauth.allowInsecureRequests]: true }),
        { expectedNonce: 'browser-nonce', requireIdToken: true },
      );

      const logout = new URL('/logout', server.url);
      logout.search = new URLSearchParams({ id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${appUrl}/bye` }).toString();
      await page.goto(logout.toString());
      await Promise.all([page.waitForURL(`${appUrl}/bye**`), page.getByRole('button', { name: 'Sign out' }).click()]);
      const info = await fetch(setup.as.userinfo_endpoint!, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      assert.equal(info.status, 401, 'the session and its tokens ended');
    } finally {
      await browser.close();
    }
  });
});
