import type { UserRecord } from '../login/model.js';

/** OpenID Connect scopes Tessera understands; `offline_access` asks for a refresh token. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/** Standard claims (OIDC Core §5.4) the granted scopes release. */
export function userClaims(user: UserRecord, scopes: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: user.id };
  if (scopes.includes('profile')) {
    claims['preferred_username'] = user.username;
    if (user.name) claims['name'] = user.name;
    claims['updated_at'] = Math.floor(user.updatedAt / 1000);
  }
  if (scopes.includes('email') && user.email) {
    claims['email'] = user.email;
    claims['email_verified'] = false;
  }
  return claims;
}

export const CLAIMS_SUPPORTED = ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'at_hash', 'azp', 'preferred_username', 'name', 'updated_at', 'email', 'email_verified'];
