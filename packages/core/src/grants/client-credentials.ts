import { OAuthError } from '../errors.js';
import { optionalParam, repeatedParam } from '../request.js';
import { grantScopes, parseScope } from '../scope.js';
import { issueAccessToken } from '../tokens/issue-access-token.js';
import type { GrantHandler } from './grant-handler.js';

/** RFC 6749 §4.4: a confidential client gets a token for itself; never a refresh token. */
export const clientCredentialsGrant = {
  grantType: 'client_credentials',
  allowsPublicClients: false,
  handle(engine, client, request) {
    const scopes = grantScopes(parseScope(optionalParam(request.params, 'scope')), client.scopes, client.defaultScopes);
    const resources = repeatedParam(request.params, 'resource');
    const unknown = resources.filter((r) => !client.audiences.includes(r));
    if (unknown.length > 0) {
      throw new OAuthError('invalid_target', 'the requested resource is not one this client may obtain tokens for');
    }
    const audience = resources.length > 0 ? [...new Set(resources)] : client.audiences;
    if (audience.length === 0) {
      throw new OAuthError('invalid_target', 'this client has no audience registered', { detail: `client ${client.id}` });
    }
    return issueAccessToken(engine, {
      client,
      subject: client.id,
      scopes,
      audience,
      grantType: 'client_credentials',
      context: request.context,
    });
  },
} satisfies GrantHandler;
