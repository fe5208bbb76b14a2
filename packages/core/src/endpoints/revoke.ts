import { authenticateClient } from '../client-auth/authenticate-client.js';
import type { Engine } from '../engine.js';
import { OAuthError } from '../errors.js';
import { optionalParam, requiredParam, type EndpointRequest } from '../request.js';
import { checkAccessToken } from './access-token-check.js';
import { looksLikeRefreshToken, revokeRefreshToken } from '../revocation/revoke-refresh-token.js';

/**
 * RFC 7009 §2: revokes an access token issued to the calling client. Unknown, invalid, expired and
 * already-revoked tokens are answered with success (§2.2); a token of another client is refused.
 */
export async function revocationEndpoint(engine: Engine, request: EndpointRequest): Promise<void> {
  const caller = await authenticateClient(engine.clientAuth, request, { allowPublic: true });
  const token = requiredParam(request.params, 'token');
  optionalParam(request.params, 'token_type_hint');
  if (looksLikeRefreshToken(token)) return revokeRefreshToken(engine, caller, token, request.context);
  const status = checkAccessToken(engine, token);
  if (!status.active) return;
  const { claims } = status.token;
  if (claims.client_id !== caller.id) {
    throw new OAuthError('unauthorized_client', 'this token was not issued to the requesting client');
  }
  const now = engine.clock.now();
  const [entry] = await engine.store.appendChanges([
    { kind: 'revoke.token', target: claims.jti, createdAt: now, expiresAt: status.token.expiresAt + engine.config.clockSkew * 1000 },
  ]);
  if (entry) {
    engine.revocations.apply(entry);
    engine.changes.publish([entry]);
  }
  engine.verifiedTokens.delete(token);
  engine.events.emit({
    type: 'token.revoked',
    time: now,
    tokenType: 'access_token',
    clientId: caller.id,
    subject: claims.sub,
    tokenId: claims.jti,
    ip: request.context.ip,
    userAgent: request.context.userAgent,
    outcome: 'success',
  });
}
