// One suite, run over real HTTP against every framework's requireAuth, with a real Tessera issuing the
// tokens: bearer extraction (RFC 6750 §2.1, §2.3), per-route scopes, and the §3 challenges.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createVerifier, type TesseraClaims, type Verifier } from '@tessera/verify';
import type { AuthOptions } from '@tessera/verify/express';
import { API, startTessera, type Tessera } from './test-server.js';

export interface RouteSpec {
  path: string;
  options: AuthOptions;
}

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** Builds and starts an app whose routes answer `view(claims)` as JSON behind requireAuth(options). */
export type StartApp = (routes: RouteSpec[]) => Promise<RunningApp>;

export const view = (claims: TesseraClaims | undefined): Record<string, unknown> => ({
  sub: claims?.sub,
  client_id: claims?.client_id,
  scopes: claims?.scopes,
});

const REALM = 'orders "v1" \\ api';

export function middlewareContract(framework: string, startApp: StartApp): void {
  describe(`${framework} middleware over HTTP, tokens from a real Tessera`, () => {
    let tessera: Tessera;
    let verifier: Verifier;
    let closed: Verifier;
    let app: RunningApp;
    let client: { id: string; secret: string };
    let readToken: string;
    let fullToken: string;

    before(async () => {
      tessera = await startTessera();
      verifier = await createVerifier({ issuer: tessera.url, audience: API });
      closed = await createVerifier({ issuer: tessera.url, audience: API });
      await closed.close();
      app = await startApp([
        { path: '/read', options: { verifier, scopes: ['read'] } },
        { path: '/admin', options: { verifier, scopes: ['admin'] } },
        { path: '/query', options: { verifier, allowQueryToken: true } },
        { path: '/realm', options: { verifier, realm: REALM } },
        { path: '/closed', options: { verifier: closed } },
      ]);
      client = await tessera.addClient();
      readToken = await tessera.token(client, 'read');
      fullToken = await tessera.token(client);
    });
    after(async () => {
      await app?.close();
      await verifier?.close();
      await tessera?.close();
    });

    const get = async (path: string, authorization?: string) => {
      const response = await fetch(`${app.url}${path}`, { headers: authorization === undefined ? {} : { authorization } });
      return { status: response.status, challenge: response.headers.get('www-authenticate'), body: await response.text() };
    };

    it('a valid token reaches the handler with its claims attached', async () => {
      const { status, body } = await get('/read', `Bearer ${readToken}`);
      assert.equal(status, 200);
      assert.deepEqual(JSON.parse(body), { sub: client.id, client_id: client.id, scopes: ['read'] });
    });

    it('the scheme is case-insensitive', async () => {
      for (const scheme of ['bearer', 'BEARER', 'BeArEr']) assert.equal((await get('/read', `${scheme} ${readToken}`)).status, 200);
    });

    it('no token, or another scheme: 401 with a bare challenge', async () => {
      for (const authorization of [undefined, `Basic ${Buffer.from('a:b').toString('base64')}`]) {
        const { status, challenge } = await get('/read', authorization);
        assert.equal(status, 401);
        assert.equal(challenge, `Bearer realm="${API}"`);
      }
    });

    it('a bad token: 401 invalid_token with a description, the token never echoed', async () => {
      const [h, , s] = fullToken.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 'admin' })).toString('base64url')}.${s}`;
      for (const token of [tampered, 'not-a-jwt', `${fullToken}x`]) {
        const { status, challenge, body } = await get('/read', `Bearer ${token}`);
        assert.equal(status, 401);
        assert.match(challenge ?? '', /^Bearer realm="[^"]+", error="invalid_token", error_description="[^"]+"$/);
        assert.equal(JSON.parse(body).error, 'invalid_token');
        for (const part of token.split('.')) assert.ok(!challenge!.includes(part) && !body.includes(part), 'token echoed');
      }
      assert.equal((await get('/read', 'Bearer ')).status, 401);
      assert.match((await get('/read', 'Bearer a b')).challenge ?? '', /error="invalid_token"/);
    });

    it('a token for another audience is invalid_token', async () => {
      const stranger = await tessera.addClient({ audiences: ['https://elsewhere.example'] });
      const { status, challenge } = await get('/read', `Bearer ${await tessera.token(stranger)}`);
      assert.equal(status, 401);
      assert.match(challenge ?? '', /error="invalid_token", error_description="the access token is not meant for this resource"/);
    });

    it('a missing route scope: 403 insufficient_scope naming the scope', async () => {
      const { status, challenge } = await get('/admin', `Bearer ${fullToken}`);
      assert.equal(status, 403);
      assert.equal(challenge, `Bearer realm="${API}", error="insufficient_scope", error_description="the access token lacks a required scope", scope="admin"`);
    });

    it('query-string tokens: 400 unless the route allows them; never two tokens at once', async () => {
      const query = `?access_token=${encodeURIComponent(readToken)}`;
      const refused = await get(`/read${query}`);
      assert.equal(refused.status, 400);
      assert.match(refused.challenge ?? '', /error="invalid_request"/);
      assert.ok(!refused.body.includes(readToken.split('.')[2]!));
      assert.equal((await get(`/query${query}`)).status, 200);
      assert.equal((await get(`/query${query}`, `Bearer ${readToken}`)).status, 400);
      assert.equal((await get(`/query${query}&access_token=x`)).status, 400);
    });

    it('challenge values are escaped (backslash, double quote)', async () => {
      const { challenge } = await get('/realm');
      assert.equal(challenge, 'Bearer realm="orders \\"v1\\" \\\\ api"');
    });

    it('a verifier that cannot decide answers 503 without a challenge', async () => {
      const { status, challenge, body } = await get('/closed', `Bearer ${readToken}`);
      assert.equal(status, 503);
      assert.equal(challenge, null);
      assert.equal(JSON.parse(body).error, 'temporarily_unavailable');
    });
  });
}
