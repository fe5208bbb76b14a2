import type { RequestContext } from '../audit/events.js';
import { sha256 } from '../encoding.js';
import type { Engine } from '../engine.js';
import { OAuthError } from '../errors.js';
import type { ClientRecord } from '../model.js';
import { REFRESH_TOKEN_PREFIX, revokeFamily } from '../tokens/user-tokens.js';

export const looksLikeRefreshToken = (token: string): boolean => token.startsWith(REFRESH_TOKEN_PREFIX) && token.length <= 128;

/**
 * RFC 7009 §2.1 for refresh tokens: revoking one revokes its whole family (every refresh token and,
 * through `revoke.family`, every access token of the grant). Unknown tokens are a silent success.
 */
export async function revokeRefreshToken(engine: Engine, caller: ClientRecord, token: string, context: RequestContext): Promise<void> {
  const record = await engine.store.getRefreshToken(sha256(token));
  if (!record) return;
  if (record.clientId !== caller.id) throw new OAuthError('unauthorized_client', 'this token was not issued to the requesting client');
  await revokeFamily(engine, record.familyId);
  engine.events.emit({
    type: 'refresh_token.revoked',
    time: engine.clock.now(),
    clientId: caller.id,
    subject: record.userId,
    sessionId: record.sessionId,
    tokenId: record.familyId,
    ip: context.ip,
    userAgent: context.userAgent,
    outcome: 'success',
  });
}
