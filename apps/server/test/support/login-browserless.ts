// Drives the hosted login pages with fetch and a tiny cookie jar, the way a browser without JavaScript would.
import { createUser, systemClock, discardEvents, type NewClientInput } from '@tessera/core';
import * as oauth from 'oauth4webapi';
import { argon2idHasher as argon2idHasherForTests } from 'tessera';
import { rememberSecret } from './secret-recorder.js';
import type { TestServer } from './test-server.js';

export class CookieJar {
  readonly cookies = new Map<string, string>();
  absorb(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

export async function fetchWithJar(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (jar.cookies.size > 0) headers.set('cookie', jar.header());
  const response = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.absorb(response);
  return response;
}

/** The value of a hidden input in a page. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match?.[1] && match?.[1] !== '') throw new Error(`no hidden field ${name} in page:\n${html.slice(0, 500)}`);
  return match[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export interface LoginSetup {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  clientId: string;
  redirectUri: string;
  username: string;
  password: string;
  userId: string;
}

export const REDIRECT_URI = 'https://app.example/callback';

/** Creates a user and a public first-party code+refresh client on the server; discovers its metadata. */
export async function setupLogin(server: TestServer, clientInput: Partial<NewClientInput> = {}, username = 'alice'): Promise<LoginSetup> {
  const password = 'correct horse battery staple';
  rememberSecret(password, 'password');
  const user = await createUser(
    { store: server.server.runtime.store, clock: systemClock, events: discardEvents, hasher: argon2idHasherForTests, maxAccessTokenTtl: 3600 },
    { username, email: `${username}@example.com`, name: 'Alice Example', password },
  );
  const { id } = await server.addClient({
    authMethod: 'none',
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: [REDIRECT_URI],
    scopes: ['openid', 'profile', 'email', 'offline_access', 'read'],
    audiences: ['https://api.example.com'],
    firstParty: true,
    postLogoutRedirectUris: ['https://app.example/bye'],
    ...clientInput,
  });
  const issuer = new URL(server.url);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }));
  return { as, client: { client_id: id }, clientId: id, redirectUri: REDIRECT_URI, username, password, userId: user.id };
}

export interface CodeResult {
  jar: CookieJar;
  callback: URL;
  verifier: string;
  nonce: string;
  state: string;
}

/** The setup's /authorize URL for a code flow with S256 PKCE over `verifier` (a fresh one when absent). */
export async function authorizationUrl(
  setup: LoginSetup,
  { scope, state, nonce, verifier = oauth.generateRandomCodeVerifier() }: { scope: string; state?: string; nonce?: string; verifier?: string },
): Promise<URL> {
  const url = new URL(setup.as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: setup.clientId,
    redirect_uri: setup.redirectUri,
    response_type: 'code',
    scope,
    ...(state === undefined ? {} : { state }),
    ...(nonce === undefined ? {} : { nonce }),
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  return url;
}

/** /authorize → login form → (consent) → the redirect carrying the code. */
export async function loginForCode(
  setup: LoginSetup,
  options: { scope?: string; jar?: CookieJar; consent?: 'allow' | 'deny'; password?: string } = {},
): Promise<CodeResult> {
  const jar = options.jar ?? new CookieJar();
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = await authorizationUrl(setup, { scope: options.scope ?? 'openid profile email offline_access read', state, nonce, verifier });
  let response = await fetchWithJar(jar, url.toString());
  if (response.status === 200) {
    let html = await response.text();
    if (html.includes('action="/login"')) {
      response = await fetchWithJar(jar, new URL('/login', url).toString(), {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({
          csrf: hiddenField(html, 'csrf'),
          authorize: hiddenField(html, 'authorize'),
          username: setup.username,
          password: options.password ?? setup.password,
        }).toString(),
      });
      if (response.status === 200) html = await response.text();
    }
    if (response.status === 200 && html.includes('action="/consent"')) {
      response = await fetchWithJar(jar, new URL('/consent', url).toString(), {
        method: 'POST',
        headers: FORM,
        body: new URLSearchParams({ csrf: hiddenField(html, 'csrf'), authorize: hiddenField(html, 'authorize'), decision: options.consent ?? 'allow' }).toString(),
      });
    }
  }
  const location = response.headers.get('location');
  if (response.status !== 303 || !location) throw new Error(`expected a redirect to the client, got ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return { jar, callback: new URL(location), verifier, nonce, state };
}

/** Exchanges the code with oauth4webapi, validating the ID token and nonce. */
export async function exchange(setup: LoginSetup, code: CodeResult): Promise<oauth.TokenEndpointResponse> {
  const params = oauth.validateAuthResponse(setup.as, setup.client, code.callback, code.state);
  const response = await oauth.authorizationCodeGrantRequest(setup.as, setup.client, oauth.None(), params, setup.redirectUri, code.verifier, {
    [oauth.allowInsecureRequests]: true,
  });
  return oauth.processAuthorizationCodeResponse(setup.as, setup.client, response, { expectedNonce: code.nonce, requireIdToken: true });
}

/** A raw refresh request; resolves with status and JSON body. */
export async function refreshRaw(setup: LoginSetup, refreshToken: string, extra: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(setup.as.token_endpoint!, {
    method: 'POST',
    headers: FORM,
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: setup.clientId, ...extra }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export { systemClock, discardEvents };
