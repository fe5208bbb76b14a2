import { authenticateClient } from '../client-auth/authenticate-client.js';
import type { Engine } from '../engine.js';
import type { ClientRecord } from '../model.js';
import { optionalParam, requiredParam, type EndpointRequest } from '../request.js';
import type { AccessTokenClaims } from '../tokens/jwt-access-token.js';
import { checkAccessToken } from './access-token-check.js';

export const INACTIVE_JSON = '{"active":false}';

/**
 * Who may learn about a token: the client it was issued to, a client named in its audience,
 * and a client registered for one of its audiences (a resource server introspecting its own tokens).
 * Anyone else is told `active: false`, as RFC 7662 §4 allows.
 */
export function mayIntrospect(caller: ClientRecord, claims: AccessTokenClaims): boolean {
  if (claims.client_id === caller.id) return true;
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
  return audiences.some((aud) => aud === caller.id || caller.audiences.includes(aud));
}

/** RFC 7662 §2: answers the serialised introspection response. */
export async function introspectionEndpoint(engine: Engine, request: EndpointRequest): Promise<string> {
  const caller = await authenticateClient(engine.clientAuth, request, { allowPublic: false });
  const token = requiredParam(request.params, 'token');
  optionalParam(request.params, 'token_type_hint');
  const status = checkAccessToken(engine, token);
  const permitted = status.active && mayIntrospect(caller, status.token.claims);
  const claims = status.active ? status.token.claims : status.claims;
  engine.events.emit({
    type: 'token.introspected',
    time: engine.clock.now(),
    active: permitted,
    clientId: caller.id,
    subject: claims?.sub,
    tokenId: claims?.jti,
    ip: request.context.ip,
    userAgent: request.context.userAgent,
    outcome: permitted ? 'success' : 'failure',
    reason: status.active ? (permitted ? undefined : 'not_permitted') : status.reason,
  });
  return permitted ? status.token.introspectionJson : INACTIVE_JSON;
}
