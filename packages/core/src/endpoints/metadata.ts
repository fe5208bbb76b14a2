import { CLIENT_ASSERTION_ALGORITHMS } from '../client-auth/client-assertion.js';
import type { AuthServerConfig } from '../config.js';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];

/**
 * RFC 8414 authorization server metadata, advertising exactly what this server does. The same document
 * is served as OpenID Connect discovery; it names no authorization endpoint because there is none yet.
 */
export function authorizationServerMetadata(
  config: AuthServerConfig,
  grantTypes: string[],
): Record<string, unknown> {
  return {
    issuer: config.issuer,
    token_endpoint: config.endpoints.token,
    jwks_uri: config.endpoints.jwks,
    introspection_endpoint: config.endpoints.introspection,
    revocation_endpoint: config.endpoints.revocation,
    grant_types_supported: grantTypes,
    response_types_supported: [],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGORITHMS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGORITHMS,
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS, 'none'],
    revocation_endpoint_auth_signing_alg_values_supported: CLIENT_ASSERTION_ALGORITHMS,
  };
}
