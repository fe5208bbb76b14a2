import { authenticateClient } from '../client-auth/authenticate-client.js';
import type { Engine } from '../engine.js';
import { OAuthError } from '../errors.js';
import { authorizationCodeGrant } from '../grants/authorization-code.js';
import { clientCredentialsGrant } from '../grants/client-credentials.js';
import { refreshTokenGrant } from '../grants/refresh-token.js';
import { deviceCodeGrant } from '../grants/device-code.js';
import type { GrantHandler } from '../grants/grant-handler.js';
import { requiredParam, type EndpointRequest } from '../request.js';
import type { TokenResponse } from '../tokens/issue-access-token.js';

const grants = new Map<string, GrantHandler>([
  [clientCredentialsGrant.grantType, clientCredentialsGrant],
  [authorizationCodeGrant.grantType, authorizationCodeGrant],
  [refreshTokenGrant.grantType, refreshTokenGrant],
  [deviceCodeGrant.grantType, deviceCodeGrant],
]);

export const supportedGrantTypes = (): string[] => [...grants.keys()];

/** RFC 6749 §3.2: the token endpoint, as a short list of steps. */
export async function tokenEndpoint(engine: Engine, request: EndpointRequest): Promise<TokenResponse> {
  const grantType = requiredParam(request.params, 'grant_type');
  const grant = grants.get(grantType);
  if (!grant) throw new OAuthError('unsupported_grant_type', 'this grant type is not supported');
  const client = await authenticateClient(engine.clientAuth, request, { allowPublic: grant.allowsPublicClients });
  if (!client.grantTypes.includes(grant.grantType)) {
    throw new OAuthError('unauthorized_client', 'this client may not use this grant type');
  }
  try {
    return await grant.handle(engine, client, request);
  } catch (error) {
    if (error instanceof OAuthError) {
      engine.events.emit({
        type: 'token.issue_failed',
        time: engine.clock.now(),
        grantType,
        clientId: client.id,
        ip: request.context.ip,
        userAgent: request.context.userAgent,
        outcome: 'failure',
        reason: error.code,
      });
    }
    throw error;
  }
}
