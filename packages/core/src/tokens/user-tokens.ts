import type { RequestContext } from '../audit/events.js';
import { randomToken, sha256 } from '../encoding.js';
import type { Engine } from '../engine.js';
import type { OAuthError } from '../errors.js';
import type { RefreshTokenRecord, SessionRecord, UserRecord } from '../login/model.js';
import type { ClientRecord } from '../model.js';
import { mintIdToken } from '../oidc/id-token.js';
import { issueAccessToken, type TokenResponse } from './issue-access-token.js';

export const REFRESH_TOKEN_PREFIX = 'trt_';

/** Whether this grant gets a refresh token: the client must be allowed the refresh_token grant, and if
 * `offline_access` is one of its scopes (OIDC-style clients), the request must have asked for it. */
export function wantsRefreshToken(client: ClientRecord, scopes: readonly string[]): boolean {
  if (!client.grantTypes.includes('refresh_token')) return false;
  return !client.scopes.includes('offline_access') || scopes.includes('offline_access');
}

/** The audience of a user's access token: the requested resources, else the client's audiences, else the issuer (for /userinfo). */
export function userAudience(engine: Engine, client: ClientRecord, resources: readonly string[]): string[] {
  if (resources.length > 0) return [...new Set(resources)];
  return client.audiences.length > 0 ? [...client.audiences] : [engine.config.issuer];
}

/** The user and login session a grant builds on; `fail` makes the error when either is gone, disabled or ended. */
export async function requireLiveLogin(
  engine: Engine,
  userId: string,
  sessionId: string,
  now: number,
  fail: (detail: string) => OAuthError,
): Promise<{ user: UserRecord; session: SessionRecord }> {
  const user = await engine.store.getUser(userId);
  if (!user || user.disabled) throw fail('user missing or disabled');
  const session = await engine.store.getSession(sessionId);
  if (!session || session.endedAt !== null || session.expiresAt <= now) throw fail('session ended');
  return { user, session };
}

export interface UserGrant {
  client: ClientRecord;
  user: UserRecord;
  sessionId: string;
  authTime: number;
  /** Scopes of the grant (the refresh token keeps these). */
  scopes: string[];
  /** Scopes of this access token (a subset of `scopes` on a narrowing refresh). */
  accessScopes?: string[];
  /** Audience of the grant (the refresh token keeps it). */
  audience: string[];
  /** Audience of this access token (a subset of `audience` when the request narrowed it, RFC 8707 §2.2). */
  accessAudience?: string[];
  familyId: string;
  /** Absolute end of the refresh family; computed for a new family when absent. */
  familyExpiresAt?: number;
  nonce: string | null;
  grantType: string;
  context: RequestContext;
  /** Issue an ID token (only when the grant's scopes include openid). */
  idToken: boolean;
  refresh: boolean;
}

/** Mints the access token (with `sid` and `fam`), the ID token and a new refresh token record; stores nothing. */
export async function mintUserTokens(
  engine: Engine,
  grant: UserGrant,
): Promise<{ response: TokenResponse; refresh: { token: string; record: RefreshTokenRecord } | undefined }> {
  const accessScopes = grant.accessScopes ?? grant.scopes;
  const response = await issueAccessToken(engine, {
    client: grant.client,
    subject: grant.user.id,
    scopes: accessScopes.filter((s) => s !== 'offline_access'),
    audience: grant.accessAudience ?? grant.audience,
    grantType: grant.grantType,
    context: grant.context,
    sessionId: grant.sessionId,
    familyId: grant.familyId,
  });
  if (accessScopes.length > 0) response.scope = accessScopes.join(' ');
  if (grant.idToken && grant.scopes.includes('openid')) {
    response.id_token = mintIdToken(engine, {
      client: grant.client,
      user: grant.user,
      scopes: accessScopes,
      sessionId: grant.sessionId,
      authTime: grant.authTime,
      nonce: grant.nonce,
      accessToken: response.access_token,
    });
  }
  if (!grant.refresh) return { response, refresh: undefined };
  const now = engine.clock.now();
  const { refreshTokenIdleTtl, refreshTokenAbsoluteTtl } = engine.login.config;
  const familyExpiresAt = grant.familyExpiresAt ?? now + refreshTokenAbsoluteTtl * 1000;
  const token = randomToken(REFRESH_TOKEN_PREFIX);
  const record: RefreshTokenRecord = {
    hash: sha256(token),
    familyId: grant.familyId,
    clientId: grant.client.id,
    userId: grant.user.id,
    sessionId: grant.sessionId,
    scopes: grant.scopes,
    audience: grant.audience,
    authTime: grant.authTime,
    createdAt: now,
    expiresAt: Math.min(now + refreshTokenIdleTtl * 1000, familyExpiresAt),
    familyExpiresAt,
    consumedAt: null,
    revokedAt: null,
    graceResponse: null,
    graceUntil: null,
  };
  response.refresh_token = token;
  return { response, refresh: { token, record } };
}

/**
 * Revokes a whole token family: every refresh token in the store, and every access token carrying
 * `fam` through a `revoke.family` change-log entry applied here at once and by other instances on sync.
 */
/** Mints a first grant's tokens and stores its refresh token, if one is issued. */
export async function issueUserTokens(engine: Engine, grant: UserGrant): Promise<TokenResponse> {
  const { response, refresh } = await mintUserTokens(engine, grant);
  if (refresh) await engine.store.insertRefreshToken(refresh.record);
  return response;
}

export async function revokeFamily(engine: Engine, familyId: string): Promise<void> {
  const now = engine.clock.now();
  await engine.store.revokeRefreshFamily(familyId, now, [
    { kind: 'revoke.family', target: familyId, createdAt: now, expiresAt: now + engine.config.maxAccessTokenTtl * 1000 + 60_000 },
  ]);
  await engine.login.sync();
}
