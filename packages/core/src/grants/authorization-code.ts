import { sha256 } from '../encoding.js';
import type { Engine } from '../engine.js';
import { OAuthError } from '../errors.js';
import { revokedWithClient, type ClientRecord } from '../model.js';
import { isCodeVerifier, verifyS256 } from '../pkce.js';
import { requiredParam, type EndpointRequest } from '../request.js';
import { narrowedAudience, requestedResources } from './resource-indicators.js';
import { issueUserTokens, requireLiveLogin, revokeFamily, userAudience, wantsRefreshToken } from '../tokens/user-tokens.js';
import type { GrantHandler } from './grant-handler.js';

export const AUTHORIZATION_CODE_PREFIX = 'tac_';
const MAX_CODE_LENGTH = 256;

const badCode = (detail: string): OAuthError => new OAuthError('invalid_grant', 'the authorization code is invalid, expired or already used', { detail });

/**
 * RFC 6749 §4.1.3 with RFC 7636 and OAuth 2.1: a single-use code, bound to the client, the redirect URI
 * and the PKCE verifier. A second use of a code revokes every token issued from the first (§4.1.2, §10.5).
 */
export const authorizationCodeGrant = {
  grantType: 'authorization_code',
  allowsPublicClients: true,
  async handle(engine: Engine, client: ClientRecord, request: EndpointRequest) {
    const code = requiredParam(request.params, 'code');
    const redirectUri = requiredParam(request.params, 'redirect_uri');
    const verifier = requiredParam(request.params, 'code_verifier');
    if (!isCodeVerifier(verifier)) throw new OAuthError('invalid_request', 'code_verifier must be 43 to 128 unreserved characters (RFC 7636 §4.1)');
    if (code.length > MAX_CODE_LENGTH || !code.startsWith(AUTHORIZATION_CODE_PREFIX)) throw badCode('malformed code');
    const now = engine.clock.now();
    const found = await engine.store.consumeAuthorizationCode(sha256(code), now);
    if (!found) throw badCode('unknown code');
    const record = found.code;
    if (!found.firstUse) {
      await revokeFamily(engine, record.familyId);
      engine.events.emit({
        type: 'authorization_code.reuse_detected',
        severity: 'high',
        time: now,
        clientId: client.id,
        subject: record.userId,
        sessionId: record.sessionId,
        tokenId: record.familyId,
        ip: request.context.ip,
        userAgent: request.context.userAgent,
        outcome: 'failure',
        reason: 'code_reuse',
      });
      throw badCode('code used twice: its token family was revoked');
    }
    if (record.expiresAt <= now) throw badCode('expired code');
    if (record.clientId !== client.id) throw badCode(`code issued to ${record.clientId}`);
    if (revokedWithClient(client, record.createdAt)) throw badCode('code issued before the client was disabled');
    if (record.redirectUri !== redirectUri) throw badCode('redirect_uri differs from the authorization request');
    if (!verifyS256(verifier, record.codeChallenge)) throw badCode('PKCE verifier does not match the challenge');
    const { user, session } = await requireLiveLogin(engine, record.userId, record.sessionId, now, badCode);
    const audience = userAudience(engine, client, record.resources);
    return issueUserTokens(engine, {
      client,
      user,
      sessionId: record.sessionId,
      authTime: record.authTime,
      scopes: record.scopes,
      audience,
      accessAudience: narrowedAudience(requestedResources(request.params), audience),
      familyId: record.familyId,
      familyExpiresAt: Math.min(now + engine.login.config.refreshTokenAbsoluteTtl * 1000, session.expiresAt),
      nonce: record.nonce,
      grantType: 'authorization_code',
      context: request.context,
      idToken: true,
      refresh: wantsRefreshToken(client, record.scopes),
    });
  },
} satisfies GrantHandler;
