// End to end against a real listening Tessera, driven by an independent OAuth client (oauth4webapi)
// and checked by an independent JOSE library (jose). Nothing here imports the server's protocol code.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, type CryptoKey } from 'jose';
import * as oauth from 'oauth4webapi';
import { basic, postForm, send, jsonOf } from './support/http-client.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const API = 'https://api.example.com';
const REPORTS = 'https://reports.example.com';
const insecure = { [oauth.allowInsecureRequests]: true } as const;

let t: TestServer;
let as: oauth.AuthorizationServer;
let basicClient: { id: string; secret: string };
let postClient: { id: string; secret: string };
let jwtClient: { id: string; privateKey: CryptoKey; kid: string };

before(async () => {
  t = await startTestServer();
  basicClient = await t.addClient({ defaultScopes: ['read'], audiences: [API, REPORTS] });
  postClient = await t.addClient({ authMethod: 'client_secret_post' });
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = 'e2e-client-key';
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  const { id } = await t.addClient({ authMethod: 'private_key_jwt', jwks: { keys: [publicJwk] } });
  jwtClient = { id, privateKey, kid };
  const issuer = new URL(t.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
});
after(() => t.close());

const clientOf = (id: string): oauth.Client => ({ client_id: id });
const basicAuth = (): oauth.ClientAuth => oauth.ClientSecretBasic(basicClient.secret);
const jwtAuth = (): oauth.ClientAuth => oauth.PrivateKeyJwt({ key: jwtClient.privateKey, kid: jwtClient.kid });

async function clientCredentials(id: string, auth: oauth.ClientAuth, params: Record<string, string> | URLSearchParams = {}) {
  const response = await oauth.clientCredentialsGrantRequest(as, clientOf(id), auth, params, insecure);
  return oauth.processClientCredentialsResponse(as, clientOf(id), response);
}

/** RFC 9068 §4: what a resource server does with the token, using only the published metadata. */
async function verifyAccessToken(token: string, audience: string | string[] = API) {
  const jwks = createRemoteJWKSet(new URL(as.jwks_uri as string));
  const result = await jwtVerify(token, jwks, { issuer: as.issuer, audience, typ: 'at+jwt', algorithms: ['ES256'] });
  assert.equal(decodeProtectedHeader(token).typ, 'at+jwt');
  assert.equal(result.protectedHeader.typ, 'at+jwt');
  assert.equal(typeof result.protectedHeader.kid, 'string');
  for (const claim of ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti']) assert.ok(claim in result.payload, `missing ${claim}`);
  return result.payload;
}

async function rejection(promise: Promise<unknown>): Promise<oauth.ResponseBodyError> {
  const error = await promise.then(
    () => assert.fail('expected an OAuth error response'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof oauth.ResponseBodyError, `expected ResponseBodyError, got ${String(error)}`);
  return error;
}

describe('RFC 8414 / OpenID discovery', () => {
  test('oauth4webapi accepts the RFC 8414 and the OIDC discovery documents for the http://localhost issuer', async () => {
    const issuer = new URL(t.url);
    const oidc = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...insecure }));
    assert.deepEqual(oidc, as);
    assert.equal(as.issuer, t.url);
  });

  test('both well-known documents are byte-identical; token, introspection, revocation and jwks are exact, nothing phantom', async () => {
    const a = await send(`${t.url}/.well-known/oauth-authorization-server`);
    const b = await send(`${t.url}/.well-known/openid-configuration`);
    assert.equal(a.status, 200);
    assert.equal(b.status, 200);
    assert.equal(a.text, b.text);
    assert.match(String(a.headers['content-type']), /^application\/json/);
    const doc = jsonOf(a);
    assert.equal(doc['token_endpoint'], `${t.url}/token`);
    assert.equal(doc['introspection_endpoint'], `${t.url}/introspect`);
    assert.equal(doc['revocation_endpoint'], `${t.url}/revoke`);
    assert.equal(doc['jwks_uri'], `${t.url}/jwks`);
    assert.ok((doc['grant_types_supported'] as string[]).includes('client_credentials'));
    // Every advertised endpoint is one this server really routes (a GET or a POST that is not 404).
    for (const key of Object.keys(doc).filter((k) => k.endsWith('_endpoint') || k.endsWith('_uri'))) {
      const url = String(doc[key]);
      assert.ok(url.startsWith(`${t.url}/`), `${key} is on the issuer`);
      const statuses = [(await send(url)).status, (await send(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })).status];
      assert.ok(statuses.some((s) => s !== 404), `${key} (${url}) is advertised but not served`);
    }
  });

  test('RFC 7517 JWKS is public, cacheable with max-age, and holds public keys only', async () => {
    const result = await send(`${t.url}/jwks`);
    assert.equal(result.status, 200);
    assert.match(String(result.headers['cache-control']), /max-age=[1-9]\d*/);
    assert.match(String(result.headers['content-type']), /^application\/jwk-set\+json/);
    const { keys } = jsonOf(result) as { keys: Record<string, unknown>[] };
    assert.ok(keys.length >= 1);
    for (const key of keys) {
      assert.equal(typeof key['kid'], 'string');
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) assert.ok(!(secret in key), `JWKS leaks ${secret}`);
    }
  });
});

describe('RFC 6749 §4.4 client_credentials with each client authentication method', () => {
  test('client_secret_basic: token verifies against the remote JWKS (RFC 9068 issuer, audience, typ at+jwt)', async () => {
    const response = await clientCredentials(basicClient.id, basicAuth());
    assert.equal(response.token_type, 'bearer');
    assert.ok(Number(response.expires_in) > 0);
    assert.equal(response.scope, 'read');
    assert.equal(response.refresh_token, undefined);
    const claims = await verifyAccessToken(response.access_token, [API, REPORTS]);
    assert.equal(claims['client_id'], basicClient.id);
    assert.equal(claims.sub, basicClient.id);
    assert.equal(claims['scope'], 'read');
  });

  test('client_secret_post', async () => {
    const response = await clientCredentials(postClient.id, oauth.ClientSecretPost(postClient.secret));
    const claims = await verifyAccessToken(response.access_token);
    assert.equal(claims['client_id'], postClient.id);
    assert.equal(claims.aud, API);
  });

  test('private_key_jwt (RFC 7523 §2.2) with an ES256 key generated by jose', async () => {
    const response = await clientCredentials(jwtClient.id, jwtAuth(), { scope: 'write' });
    const claims = await verifyAccessToken(response.access_token);
    assert.equal(claims['client_id'], jwtClient.id);
    assert.equal(claims['scope'], 'write');
  });

  test('RFC 6749 §3.3 scope: a subset is granted, an unknown scope is invalid_scope', async () => {
    const granted = await clientCredentials(basicClient.id, basicAuth(), { scope: 'read write' });
    assert.equal(granted.scope, 'read write');
    const error = await rejection(clientCredentials(basicClient.id, basicAuth(), { scope: 'read admin' }));
    assert.equal(error.error, 'invalid_scope');
    assert.equal(error.status, 400);
  });

  test('RFC 8707 resource: one or several registered resources set aud, an unregistered one is invalid_target', async () => {
    const one = await clientCredentials(basicClient.id, basicAuth(), { resource: REPORTS });
    assert.equal((await verifyAccessToken(one.access_token, REPORTS)).aud, REPORTS);
    const both = await clientCredentials(basicClient.id, basicAuth(), new URLSearchParams([['resource', API], ['resource', REPORTS]]));
    assert.deepEqual((await verifyAccessToken(both.access_token)).aud, [API, REPORTS]);
    const error = await rejection(clientCredentials(basicClient.id, basicAuth(), { resource: 'https://evil.example.com' }));
    assert.equal(error.error, 'invalid_target');
    assert.equal(error.status, 400);
  });

  test('RFC 6749 §5.1/§5.2 Cache-Control: no-store on token responses and on token errors', async () => {
    const ok = await postForm(`${t.url}/token`, 'grant_type=client_credentials', { authorization: basic(basicClient.id, basicClient.secret) });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['cache-control'], 'no-store');
    const bad = await postForm(`${t.url}/token`, 'grant_type=client_credentials&scope=admin', { authorization: basic(basicClient.id, basicClient.secret) });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers['cache-control'], 'no-store');
    assert.equal(jsonOf(bad)['error'], 'invalid_scope');
    const unsupported = await postForm(`${t.url}/token`, 'grant_type=password', { authorization: basic(basicClient.id, basicClient.secret) });
    assert.equal(jsonOf(unsupported)['error'], 'unsupported_grant_type');
    assert.equal(unsupported.headers['cache-control'], 'no-store');
  });

  test('RFC 6749 §5.2 invalid_client is 401 with a WWW-Authenticate challenge (seen by oauth4webapi)', async () => {
    const request = oauth.clientCredentialsGrantRequest(as, clientOf(basicClient.id), oauth.ClientSecretBasic('tsec_wrong'), {}, insecure);
    const error = await oauth.processClientCredentialsResponse(as, clientOf(basicClient.id), await request).then(
      () => assert.fail('a wrong secret must be refused'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof oauth.WWWAuthenticateChallengeError);
    assert.equal(error.status, 401);
    assert.equal(error.cause[0]?.scheme, 'basic');
    assert.equal(error.response.headers.get('cache-control'), 'no-store');
    assert.equal(((await error.response.json()) as { error: string }).error, 'invalid_client');
  });
});

describe('RFC 7662 introspection and RFC 7009 revocation', () => {
  test('introspect → active with RFC 9068 claims, revoke → 200, introspect again → active false', async () => {
    const { access_token: token } = await clientCredentials(basicClient.id, basicAuth());
    const first = await oauth.processIntrospectionResponse(as, clientOf(basicClient.id), await oauth.introspectionRequest(as, clientOf(basicClient.id), basicAuth(), token, insecure));
    assert.equal(first.active, true);
    assert.equal(first.client_id, basicClient.id);
    assert.equal(first.iss, t.url);
    assert.equal(first.token_type, 'Bearer');
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, clientOf(basicClient.id), basicAuth(), token, insecure));
    const second = await oauth.processIntrospectionResponse(as, clientOf(basicClient.id), await oauth.introspectionRequest(as, clientOf(basicClient.id), basicAuth(), token, insecure));
    assert.deepEqual(second, { active: false });
    // §2.2: revoking again (already revoked) still succeeds.
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, clientOf(basicClient.id), basicAuth(), token, insecure));
  });

  test('the same cycle with private_key_jwt for every call (a fresh assertion each time)', async () => {
    const { access_token: token } = await clientCredentials(jwtClient.id, jwtAuth());
    const client = clientOf(jwtClient.id);
    const before = await oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, jwtAuth(), token, insecure));
    assert.equal(before.active, true);
    assert.equal(before.sub, jwtClient.id);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, jwtAuth(), token, insecure));
    const afterRevoke = await oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, jwtAuth(), token, insecure));
    assert.equal(afterRevoke.active, false);
  });

  test('introspection and revocation answers carry Cache-Control: no-store', async () => {
    const { access_token: token } = await clientCredentials(basicClient.id, basicAuth());
    const authorization = basic(basicClient.id, basicClient.secret);
    const introspection = await postForm(`${t.url}/introspect`, `token=${token}`, { authorization });
    assert.equal(introspection.headers['cache-control'], 'no-store');
    assert.match(String(introspection.headers['content-type']), /^application\/json/);
    const revocation = await postForm(`${t.url}/revoke`, `token=${token}`, { authorization });
    assert.equal(revocation.status, 200);
    assert.equal(revocation.headers['cache-control'], 'no-store');
  });

  test('RFC 7009 §2.1: a client cannot revoke a token issued to another client', async () => {
    const { access_token: token } = await clientCredentials(basicClient.id, basicAuth());
    const error = await rejection(
      oauth.revocationRequest(as, clientOf(postClient.id), oauth.ClientSecretPost(postClient.secret), token, insecure).then((r) => oauth.processRevocationResponse(r)),
    );
    assert.equal(error.error, 'unauthorized_client');
    const still = await oauth.processIntrospectionResponse(as, clientOf(basicClient.id), await oauth.introspectionRequest(as, clientOf(basicClient.id), basicAuth(), token, insecure));
    assert.equal(still.active, true);
  });

  test('RFC 7662 §2.1: introspection requires client authentication (401 + WWW-Authenticate)', async () => {
    const result = await postForm(`${t.url}/introspect`, 'token=abc');
    assert.equal(result.status, 401);
    assert.match(String(result.headers['www-authenticate']), /^Basic realm="tessera"/);
    assert.equal(result.headers['cache-control'], 'no-store');
    assert.equal(jsonOf(result)['error'], 'invalid_client');
  });
});

describe('health endpoints', () => {
  test('/healthz and /readyz answer 200 JSON and are not cached', async () => {
    for (const [path, status] of [['/healthz', 'ok'], ['/readyz', 'ready']] as const) {
      const result = await send(`${t.url}${path}`);
      assert.equal(result.status, 200, path);
      assert.deepEqual(jsonOf(result), { status });
      assert.equal(result.headers['cache-control'], 'no-store');
    }
  });
});
