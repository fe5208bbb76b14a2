import type { RequestContext } from '../audit/events.js';
import type { Engine } from '../engine.js';
import { OAuthError } from '../errors.js';
import type { ClientRecord } from '../model.js';
import { mintAccessToken } from './jwt-access-token.js';

export interface AccessTokenGrant {
  client: ClientRecord;
  subject: string;
  scopes: string[];
  audience: string[];
  grantType: string;
  context: RequestContext;
  sessionId?: string;
  familyId?: string;
}

/** The successful token response body (RFC 6749 §5.1). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
}

/** Mints an RFC 9068 access token for a grant that has been fully checked, and reports it. */
export async function issueAccessToken(engine: Engine, grant: AccessTokenGrant): Promise<TokenResponse> {
  const { config, clock } = engine;
  const alg = grant.client.signingAlg ?? config.signingAlgorithms[0] ?? 'ES256';
  const key = engine.keyring().activeKey(alg);
  if (!key) {
    throw new OAuthError('server_error', 'no signing key is available', { detail: `no active ${alg} key` });
  }
  const lifetimeSeconds = Math.min(grant.client.tokenTtl ?? config.accessTokenTtl, config.maxAccessTokenTtl);
  const scope = grant.scopes.join(' ');
  const now = clock.now();
  const { token, claims } = await mintAccessToken(key, {
    issuer: config.issuer,
    subject: grant.subject,
    audience: grant.audience,
    clientId: grant.client.id,
    scope,
    lifetimeSeconds,
    now,
    ...(grant.sessionId === undefined ? {} : { sessionId: grant.sessionId }),
    ...(grant.familyId === undefined ? {} : { familyId: grant.familyId }),
  });
  engine.events.emit({
    type: 'token.issued',
    time: now,
    grantType: grant.grantType,
    clientId: grant.client.id,
    subject: grant.subject,
    sessionId: grant.sessionId,
    tokenId: claims.jti,
    ...(grant.familyId === undefined ? {} : { familyId: grant.familyId }),
    scope,
    audience: grant.audience,
    expiresAt: claims.exp * 1000,
    ip: grant.context.ip,
    userAgent: grant.context.userAgent,
    outcome: 'success',
  });
  const response: TokenResponse = { access_token: token, token_type: 'Bearer', expires_in: lifetimeSeconds };
  if (scope) response.scope = scope;
  return response;
}
