import type { AuthServerConfig } from '../config.js';
import { CLAIMS_SUPPORTED, OIDC_SCOPES } from '../oidc/claims.js';

/** The discovery fields of the login features (RFC 8414, RFC 9207, RFC 8628, OIDC Discovery 1.0). */
export function loginMetadata(config: AuthServerConfig): Record<string, unknown> {
  const issuer = config.issuer;
  return {
    authorization_endpoint: `${issuer}/authorize`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    userinfo_endpoint: `${issuer}/userinfo`,
    end_session_endpoint: `${issuer}/logout`,
    device_authorization_endpoint: `${issuer}/device_authorization`,
    scopes_supported: [...OIDC_SCOPES],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...config.signingAlgorithms],
    claims_supported: CLAIMS_SUPPORTED,
    prompt_values_supported: ['none', 'login', 'consent'],
  };
}
