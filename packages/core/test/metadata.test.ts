import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as oauth from 'oauth4webapi';
import { ISSUER, addClient, harness, issue, parts, req } from './support/harness.js';
import { addKeyClient, assertion, assertionParams, clientKey } from './support/assertions.js';
import { freshKeyPair } from './support/forge.js';

const ASSERTION_ALGS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];

describe('RFC 8414 authorization server metadata', () => {
  it('§2 advertises exactly the endpoints, grants and methods this server supports', async () => {
    const h = await harness();
    assert.deepEqual(JSON.parse(h.server.metadataJson()), {
      issuer: ISSUER,
      token_endpoint: `${ISSUER}/token`,
      jwks_uri: `${ISSUER}/jwks`,
      introspection_endpoint: `${ISSUER}/introspect`,
      revocation_endpoint: `${ISSUER}/revoke`,
      grant_types_supported: ['client_credentials', 'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types_supported: ['code'],
      token_endpoint_auth_methods_supported: [...METHODS, 'none'],
      token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
      introspection_endpoint_auth_methods_supported: METHODS,
      introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
      revocation_endpoint_auth_methods_supported: [...METHODS, 'none'],
      revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGS,
      // Login features (docs/login.md).
      authorization_endpoint: `${ISSUER}/authorize`,
      response_modes_supported: ['query'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      userinfo_endpoint: `${ISSUER}/userinfo`,
      end_session_endpoint: `${ISSUER}/logout`,
      device_authorization_endpoint: `${ISSUER}/device_authorization`,
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['ES256'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'at_hash', 'azp', 'preferred_username', 'name', 'updated_at', 'email', 'email_verified'],
      prompt_values_supported: ['none', 'login', 'consent'],
    });
  });

  it('§3.3 the issuer equals the issuer identifier and the iss of issued tokens (checked by oauth4webapi)', async () => {
    const h = await harness({ config: { issuer: `${ISSUER}/tenant/` } });
    const response = new Response(h.server.metadataJson(), { headers: { 'content-type': 'application/json' } });
    const as = await oauth.processDiscoveryResponse(new URL(`${ISSUER}/tenant`), response);
    assert.equal(as.issuer, `${ISSUER}/tenant`);
    const token = await issue(h.server, await addClient(h));
    assert.equal(parts(token).payload['iss'], as.issuer);
  });

  it('every advertised token_endpoint_auth_signing_alg is accepted for private_key_jwt', async () => {
    const h = await harness();
    const rsa = freshKeyPair('rsa');
    for (const alg of ASSERTION_ALGS) {
      const key = await clientKey(alg, undefined, /^(RS|PS)/.test(alg) ? rsa : undefined);
      const client = await addKeyClient(h, [key]);
      const response = await h.server.token(req(assertionParams(await assertion(h, client.id, key))));
      assert.ok(response.access_token, alg);
    }
  });
});

