import type { Engine } from '../engine.js';
import { verifyAccessToken, type AccessTokenClaims, type TokenRejection } from '../tokens/jwt-access-token.js';
import type { VerifiedToken } from '../tokens/verified-token-cache.js';

export type AccessTokenStatus =
  | { active: true; token: VerifiedToken }
  | { active: false; reason: TokenRejection | 'revoked'; claims?: AccessTokenClaims };

/**
 * Whether one of our access tokens is currently valid: the verified-token cache first, a full
 * signature and claims check otherwise, then expiry and the in-memory revocation set. No database read.
 */
export function checkAccessToken(engine: Engine, token: string): AccessTokenStatus {
  const now = engine.clock.now();
  let entry = engine.verifiedTokens.get(token, now);
  if (!entry) {
    const result = verifyAccessToken(token, engine.keyring(), engine.config.issuer, now, engine.config.clockSkew);
    if (!result.ok) return { active: false, reason: result.reason };
    if (result.claims.exp * 1000 <= now) return { active: false, reason: 'expired', claims: result.claims };
    entry = {
      claims: result.claims,
      kid: result.key.kid,
      expiresAt: result.claims.exp * 1000,
      introspectionJson: JSON.stringify({ active: true, token_type: 'Bearer', ...result.claims }),
    };
    engine.verifiedTokens.set(token, entry);
  }
  if (engine.revocations.isRevoked(entry.claims, entry.kid)) return { active: false, reason: 'revoked', claims: entry.claims };
  return { active: true, token: entry };
}
