import { sha256 } from '../encoding.js';
import type { Engine } from '../engine.js';
import { OAuthError } from '../errors.js';
import { DEVICE_CODE_GRANT, DEVICE_CODE_PREFIX } from '../login/device.js';
import { revokedWithClient, type ClientRecord } from '../model.js';
import { requiredParam, type EndpointRequest } from '../request.js';
import { issueUserTokens, requireLiveLogin, userAudience, wantsRefreshToken } from '../tokens/user-tokens.js';
import type { GrantHandler } from './grant-handler.js';
import { narrowedAudience, requestedResources } from './resource-indicators.js';

const bad = (detail: string): OAuthError => new OAuthError('invalid_grant', 'the device code is invalid or already used', { detail });

/**
 * RFC 8628 §3.4–3.5: the device polls with its device code. Answers authorization_pending until the
 * user decides, slow_down when it polls faster than the interval, expired_token, access_denied; once
 * approved, exactly one poll (a conditional update) gets the tokens.
 */
export const deviceCodeGrant = {
  grantType: DEVICE_CODE_GRANT,
  allowsPublicClients: true,
  async handle(engine: Engine, client: ClientRecord, request: EndpointRequest) {
    const deviceCode = requiredParam(request.params, 'device_code');
    if (deviceCode.length > 128 || !deviceCode.startsWith(DEVICE_CODE_PREFIX)) throw bad('malformed device code');
    const hash = sha256(deviceCode);
    const record = await engine.store.getDeviceCode(hash);
    if (!record) throw bad('unknown device code');
    if (record.clientId !== client.id) throw bad(`device code of client ${record.clientId}`);
    if (revokedWithClient(client, record.createdAt)) throw bad('device code issued before the client was disabled');
    const now = engine.clock.now();
    if (record.expiresAt <= now) throw new OAuthError('expired_token', 'the device code has expired; start again');
    const expected = { state: record.state, lastPolledAt: record.lastPolledAt };
    if (record.lastPolledAt !== null && now - record.lastPolledAt < record.interval * 1000) {
      // §3.5: the interval grows by 5 seconds for this and every later request.
      const interval = Math.min(record.interval + 5, 60);
      await engine.store.updateDeviceCode(hash, expected, { lastPolledAt: now, interval });
      throw new OAuthError('slow_down', `poll at most every ${interval} seconds`);
    }
    if (!(await engine.store.updateDeviceCode(hash, expected, { lastPolledAt: now }))) {
      throw new OAuthError('slow_down', `poll at most every ${record.interval + 5} seconds`);
    }
    switch (record.state) {
      case 'pending':
        throw new OAuthError('authorization_pending', 'the user has not finished yet');
      case 'denied':
        throw new OAuthError('access_denied', 'the user denied the request', { status: 400 });
      case 'consumed':
        throw bad('device code already used');
      case 'approved':
        break;
    }
    const audience = userAudience(engine, client, record.resources);
    const accessAudience = narrowedAudience(requestedResources(request.params), audience);
    if (!(await engine.store.updateDeviceCode(hash, { state: 'approved' }, { state: 'consumed' }))) throw bad('device code already used');
    if (!record.userId || !record.sessionId || record.authTime === null) throw bad('approved without a user session');
    // The session the approval started may have ended since (logout everywhere, a revoked session).
    const { user, session } = await requireLiveLogin(engine, record.userId, record.sessionId, now, bad);
    return issueUserTokens(engine, {
      client,
      user,
      sessionId: record.sessionId,
      authTime: record.authTime,
      scopes: record.scopes,
      audience,
      accessAudience,
      familyId: record.familyId,
      familyExpiresAt: Math.min(now + engine.login.config.refreshTokenAbsoluteTtl * 1000, session.expiresAt),
      nonce: null,
      grantType: DEVICE_CODE_GRANT,
      context: request.context,
      idToken: true,
      refresh: wantsRefreshToken(client, record.scopes),
    });
  },
} satisfies GrantHandler;
