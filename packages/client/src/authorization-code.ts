import { createHash, randomBytes } from 'node:crypto';
import type { ClientOptions } from './options.js';
import { TokenEndpoint } from './token-endpoint.js';
import type { TokenSet } from './token-response.js';

/** What a backend keeps (in its server-side session) between redirecting to /authorize and the callback. */
export interface AuthorizationRequest {
  /** Send the browser here. */
  readonly url: string;
  /** Compare with the callback's `state` (CSRF). */
  readonly state: string;
  /** The PKCE verifier (RFC 7636) for the exchange. Never sent to the browser. */
  readonly codeVerifier: string;
  /** The OIDC nonce put in the request, to compare with the ID token's `nonce` if you read it. */
  readonly nonce: string;
}

const random = (): string => randomBytes(32).toString('base64url');

/**
 * Builds an authorization code request with PKCE S256, state and nonce (OAuth 2.1 §4.1.1). Discovers the
 * authorization endpoint unless `metadata` is given.
 */
export async function createAuthorizationRequest(
  options: ClientOptions & { redirectUri: string; scope: string | readonly string[]; resource?: string | readonly string[]; extra?: Record<string, string> },
): Promise<AuthorizationRequest> {
  const endpoint = new TokenEndpoint(options);
  const metadata = await endpoint.metadata();
  if (!metadata.authorizationEndpoint) throw new TypeError('the issuer publishes no authorization_endpoint');
  const state = random();
  const nonce = random();
  const codeVerifier = random();
  const url = new URL(metadata.authorizationEndpoint);
  const scope = typeof options.scope === 'string' ? options.scope : options.scope.join(' ');
  url.search = new URLSearchParams({
    ...options.extra,
    response_type: 'code',
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    scope,
    state,
    nonce,
    code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const resources = options.resource === undefined ? [] : typeof options.resource === 'string' ? [options.resource] : options.resource;
  for (const resource of resources) url.searchParams.append('resource', resource);
  return { url: url.toString(), state, codeVerifier, nonce };
}

/**
 * Exchanges an authorization code for tokens (RFC 6749 §4.1.3 with PKCE). The caller checks the callback's
 * `state` (and `iss`, RFC 9207) first. Not retried by default: a code is single-use, and a retry after a
 * lost answer only gets `invalid_grant`. The ID token is returned as received, not validated.
 */
export async function exchangeAuthorizationCode(
  options: ClientOptions & { code: string; redirectUri: string; codeVerifier: string; signal?: AbortSignal },
): Promise<TokenSet> {
  const endpoint = new TokenEndpoint({ ...options, retry: options.retry ?? false });
  const grant = new URLSearchParams({
    grant_type: 'authorization_code',
    code: options.code,
    redirect_uri: options.redirectUri,
    code_verifier: options.codeVerifier,
  });
  return endpoint.request(grant, { signal: options.signal, defaultExpiresIn: 60 });
}
