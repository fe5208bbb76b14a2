import type { Engine } from '../engine.js';
import type { ClientRecord, GrantType } from '../model.js';
import type { EndpointRequest } from '../request.js';
import type { TokenResponse } from '../tokens/issue-access-token.js';

/** One grant type of the token endpoint: what it is called, whether public clients may use it, and what it does. */
export interface GrantHandler {
  readonly grantType: GrantType;
  readonly allowsPublicClients: boolean;
  handle(engine: Engine, client: ClientRecord, request: EndpointRequest): Promise<TokenResponse> | TokenResponse;
}
