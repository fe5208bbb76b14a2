import { sha256 } from '../encoding.js';
import type { Engine } from '../engine.js';
import { OAuthError } from '../errors.js';
import type { RefreshTokenRecord } from '../login/model.js';
import { revokedWithClient, type ClientRecord } from '../model.js';
import { optionalParam, requiredParam, type EndpointRequest } from '../request.js';
import { parseScope } from '../scope.js';
import { narrowedAudience, requestedResources } from './resource-indicators.js';
import type { TokenResponse } from '../tokens/issue-access-token.js';
import { mintUserTokens, REFRESH_TOKEN_PREFIX, requireLiveLogin, revokeFamily } from '../tokens/user-tokens.js';
import type { GrantHandler } from './grant-handler.js';

const MAX_REFRESH_TOKEN_LENGTH = 128;
const GRACE_CONTEXT = 'tessera refresh grace v1';

const badToken = (detail: string): OAuthError => new OAuthError('invalid_grant', 'the refresh token is invalid, expired or revoked', { detail });

interface GraceEnvelope {
  /** The scope parameter of the rotating request: a retry must repeat it exactly. */
  scope: string | null;
  /** The resource parameters of the rotating request, as requestedResources answers them (absent: none). */
  resources?: string[];
  clientId: string;
  response: TokenResponse;
}

async function reuseDetected(engine: Engine, client: ClientRecord, record: RefreshTokenRecord, request: EndpointRequest): Promise<never> {
  await revokeFamily(engine, record.familyId);
  engine.events.emit({
    type: 'refresh_token.reuse_detected',
    severity: 'high',
    time: engine.clock.now(),
    clientId: client.id,
    subject: record.userId,
    sessionId: record.sessionId,
    tokenId: record.familyId,
    ip: request.context.ip,
    userAgent: request.context.userAgent,
    outcome: 'failure',
    reason: 'refresh_token_reuse',
  });
  throw badToken('reuse of a rotated refresh token: the whole family was revoked');
}

/** Within the grace window, an identical retry gets the very pair the first rotation produced. */
function graceReplay(engine: Engine, client: ClientRecord, record: RefreshTokenRecord, scope: string | null, resources: string[]): TokenResponse | undefined {
  const now = engine.clock.now();
  if (record.graceResponse === null || record.graceUntil === null || record.graceUntil <= now) return undefined;
  let envelope: GraceEnvelope;
  try {
    envelope = JSON.parse(engine.login.masterKey.decrypt(record.graceResponse, `${GRACE_CONTEXT}:${record.hash}`)) as GraceEnvelope;
  } catch {
    return undefined;
  }
  if (envelope.clientId !== client.id || envelope.scope !== scope) return undefined;
  if ((envelope.resources ?? []).join(' ') !== resources.join(' ')) return undefined;
  return envelope.response;
}

/**
 * RFC 6749 §6 with OAuth 2.1 rotation: every use returns a new refresh token and consumes the old one in
 * one conditional update (exactly one of two concurrent uses wins). Presenting a consumed token again is
 * reuse: the whole family is revoked — its refresh tokens and, through `revoke.family`, its access tokens.
 * Scope and audience (`resource`, RFC 8707 §2.2) may be narrowed for the new access token, never widened;
 * the new refresh token keeps the whole grant.
 */
export const refreshTokenGrant = {
  grantType: 'refresh_token',
  allowsPublicClients: true,
  async handle(engine: Engine, client: ClientRecord, request: EndpointRequest): Promise<TokenResponse> {
    const token = requiredParam(request.params, 'refresh_token');
    const scopeParam = optionalParam(request.params, 'scope') ?? null;
    const resources = requestedResources(request.params);
    if (token.length > MAX_REFRESH_TOKEN_LENGTH || !token.startsWith(REFRESH_TOKEN_PREFIX)) throw badToken('malformed refresh token');
    const hash = sha256(token);
    const record = await engine.store.getRefreshToken(hash);
    if (!record) throw badToken('unknown refresh token');
    if (record.clientId !== client.id) throw badToken(`refresh token of client ${record.clientId}`);
    if (record.revokedAt !== null) throw badToken('revoked refresh token');
    if (revokedWithClient(client, record.createdAt)) {
      await revokeFamily(engine, record.familyId);
      throw badToken('refresh token issued before the client was disabled');
    }
    if (record.consumedAt !== null) {
      const replay = graceReplay(engine, client, record, scopeParam, resources);
      if (replay) {
        engine.events.emit({
          type: 'token.refreshed',
          time: engine.clock.now(),
          clientId: client.id,
          subject: record.userId,
          sessionId: record.sessionId,
          tokenId: record.familyId,
          scope: replay.scope ?? '',
          grace: true,
          ip: request.context.ip,
          userAgent: request.context.userAgent,
          outcome: 'success',
        });
        return replay;
      }
      return reuseDetected(engine, client, record, request);
    }
    const now = engine.clock.now();
    if (record.expiresAt <= now || record.familyExpiresAt <= now) throw badToken('expired refresh token');
    const requested = parseScope(scopeParam ?? undefined);
    const wider = requested.filter((s) => !record.scopes.includes(s));
    if (wider.length > 0) {
      throw new OAuthError('invalid_scope', 'a refresh may narrow the scope but never widen it', { detail: `not granted: ${wider.join(' ').slice(0, 200)}` });
    }
    const accessAudience = narrowedAudience(resources, record.audience);
    const { user } = await requireLiveLogin(engine, record.userId, record.sessionId, now, badToken);

    const { response, refresh } = await mintUserTokens(engine, {
      client,
      user,
      sessionId: record.sessionId,
      authTime: record.authTime,
      scopes: record.scopes,
      accessScopes: requested.length > 0 ? requested : record.scopes,
      audience: record.audience,
      accessAudience,
      familyId: record.familyId,
      familyExpiresAt: record.familyExpiresAt,
      nonce: null,
      grantType: 'refresh_token',
      context: request.context,
      idToken: true,
      refresh: true,
    });
    const graceSeconds = engine.login.config.refreshGraceSeconds;
    const grace =
      graceSeconds > 0
        ? {
            response: engine.login.masterKey.encrypt(
              JSON.stringify({ scope: scopeParam, resources, clientId: client.id, response } satisfies GraceEnvelope),
              `${GRACE_CONTEXT}:${hash}`,
            ),
            until: now + graceSeconds * 1000,
          }
        : null;
    const won = await engine.store.rotateRefreshToken(hash, now, refresh!.record, grace);
    if (!won) {
      // A concurrent rotation got there first: a retry within the grace window, or reuse.
      const current = await engine.store.getRefreshToken(hash);
      const replay = current && current.revokedAt === null ? graceReplay(engine, client, current, scopeParam, resources) : undefined;
      if (replay) return replay;
      return reuseDetected(engine, client, current ?? record, request);
    }
    engine.events.emit({
      type: 'token.refreshed',
      time: now,
      clientId: client.id,
      subject: user.id,
      sessionId: record.sessionId,
      tokenId: record.familyId,
      scope: response.scope ?? '',
      grace: false,
      ip: request.context.ip,
      userAgent: request.context.userAgent,
      outcome: 'success',
    });
    return response;
  },
} satisfies GrantHandler;
