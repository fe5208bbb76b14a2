export { createTokenManager } from './token-manager.js';
export type { TokenManager, AccessToken, GetTokenOptions } from './token-manager.js';
export type {
  TokenManagerOptions,
  ClientOptions,
  ClientAuthentication,
  SecretAuthentication,
  PrivateKeyAuthentication,
  PublicClientAuthentication,
  InitialAccessToken,
} from './options.js';
export type { RetryPolicy } from './retry.js';
export type { TokenSet } from './token-response.js';
export { ASSERTION_ALGORITHMS, type AssertionAlgorithm, type PrivateKeyInput } from './client-assertion.js';
export { discoverIssuer, type DiscoveryOptions } from './discover.js';
export type { IssuerMetadata } from './discovery.js';
export { createAuthorizationRequest, exchangeAuthorizationCode, type AuthorizationRequest } from './authorization-code.js';
export { TokenError, OAuthError, isTokenError, type TokenErrorCode, type OAuthErrorCode } from './errors.js';
