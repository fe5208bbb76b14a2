import { authenticateClient } from '../client-auth/authenticate-client.js';
import type { Engine } from '../engine.js';
import { OAuthError } from '../errors.js';
import type { ClientRecord } from '../model.js';
import { optionalParam, type EndpointRequest } from '../request.js';
import { parseFeedParams, readFeedPage, REVOCATION_FEED_SCOPE, type RevocationFeedPage } from './feed.js';

/** An authenticated reader of the revocation feed (one per request or per stream). */
export interface RevocationFeedReader {
  readonly clientId: string;
  /** One signed page after `since` (see readFeedPage). */
  page(since: number, limit?: number): Promise<RevocationFeedPage>;
  /** Whether the client may still read the feed (not disabled, scope still allowed); streams ask before each push. */
  stillAllowed(): Promise<boolean>;
}

const mayRead = (client: ClientRecord | undefined): boolean =>
  client !== undefined && !client.disabled && client.scopes.includes(REVOCATION_FEED_SCOPE);

/**
 * Authenticates the caller for the revocation feed. A confidential client whose allowed scopes include
 * `tessera:revocations` may read it; no access token is involved. Failing authentication is
 * `invalid_client` (401); an authenticated client without the scope gets `insufficient_scope` (403),
 * because the request is well-formed and the caller known, it is simply not entitled to the resource.
 */
export async function openRevocationFeed(engine: Engine, request: EndpointRequest): Promise<RevocationFeedReader> {
  const client = await authenticateClient(engine.clientAuth, request, { allowPublic: false });
  if (!mayRead(client)) {
    throw new OAuthError('insufficient_scope', `this client may not read the revocation feed (needs scope ${REVOCATION_FEED_SCOPE})`, {
      detail: `client ${client.id} lacks ${REVOCATION_FEED_SCOPE}`,
    });
  }
  const deps = {
    store: engine.store,
    keyring: () => engine.keyring(),
    issuer: engine.config.issuer,
    algorithm: engine.config.signingAlgorithms[0] ?? 'ES256',
    now: () => engine.clock.now(),
  };
  return {
    clientId: client.id,
    page: (since, limit) => readFeedPage(deps, since, limit ?? parseFeedParams(undefined, undefined).limit),
    stillAllowed: async () => mayRead(await engine.clients.get(client.id)),
  };
}

/** GET /revocations: authenticates, then answers the page asked for by the `since` and `limit` parameters. */
export async function revocationFeedEndpoint(engine: Engine, request: EndpointRequest): Promise<RevocationFeedPage> {
  const reader = await openRevocationFeed(engine, request);
  const { since, limit } = parseFeedParams(optionalParam(request.params, 'since'), optionalParam(request.params, 'limit'));
  return reader.page(since, limit);
}
