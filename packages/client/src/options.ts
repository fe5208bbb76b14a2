import type { AssertionAlgorithm, PrivateKeyInput } from './client-assertion.js';
import type { IssuerMetadata } from './discovery.js';
import type { RetryPolicy } from './retry.js';

/** A confidential client with a secret (the default method is client_secret_basic). */
export interface SecretAuthentication {
  clientSecret: string;
  clientAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  privateKey?: never;
}

/** A client registered with public keys: signs an RFC 7523 assertion per request (private_key_jwt). */
export interface PrivateKeyAuthentication {
  privateKey: PrivateKeyInput;
  /** `kid` header of the assertions; defaults to the JWK's `kid` when the key is a JWK. */
  kid?: string;
  /** Defaults to the key's natural algorithm: ES256 (P-256), ES384, ES512, EdDSA (Ed25519), RS256 (RSA). */
  alg?: AssertionAlgorithm;
  /** `aud` of the assertions; defaults to the issuer identifier (RFC 7523 as updated by RFC 7523bis). */
  assertionAudience?: string;
  clientAuthMethod?: 'private_key_jwt';
  clientSecret?: never;
}

/** A public client (no credentials), e.g. a CLI holding a refresh token from the device flow. Needs `refreshToken`. */
export interface PublicClientAuthentication {
  clientAuthMethod: 'none';
  clientSecret?: never;
  privateKey?: never;
}

export type ClientAuthentication = SecretAuthentication | PrivateKeyAuthentication | PublicClientAuthentication;

/** Where the client finds the authorization server: everything but the grant. */
export type ClientOptions = ClientAuthentication & {
  /** The issuer identifier, exactly as in the tokens' `iss` and the metadata's `issuer`. */
  issuer: string;
  clientId: string;
  /** Skip discovery: use this metadata (e.g. from `discoverIssuer`, shared by many managers). */
  metadata?: IssuerMetadata;
  /** Where the RFC 8414 metadata lives; defaults to `${issuer}/.well-known/oauth-authorization-server`. */
  discoveryUrl?: string;
  /** Timeout of each HTTP request, in milliseconds. Default 10 000. */
  timeoutMs?: number;
  /** Retries of network errors, timeouts, 5xx and 429. `false` sends each request once. */
  retry?: Partial<RetryPolicy> | false;
  /** HTTP client (proxies, tests). Default: the global fetch. */
  fetch?: typeof fetch;
  /** Current time in milliseconds (tests). Default: Date.now. */
  clock?: () => number;
  /** Waits between retries (tests inject one that does not wait). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform in [0, 1), for the backoff jitter. Default: Math.random. */
  random?: () => number;
};

/** An access token the app already holds (e.g. from the authorization code exchange), so the first call needs no request. */
export interface InitialAccessToken {
  accessToken: string;
  /** Expiry, in epoch milliseconds. */
  expiresAt: number;
  scope?: string | undefined;
}

export type TokenManagerOptions = ClientOptions & {
  /** Scopes to ask for (a space-separated string or a list); default: the client's default scopes. */
  scope?: string | readonly string[];
  /**
   * RFC 8707 resource indicators: the APIs the token is for (its `aud`). Default: the client's audiences
   * with client_credentials; the whole grant with a refresh token, which a resource only narrows (§2.2).
   */
  resource?: string | readonly string[];
  /**
   * Use the refresh_token grant instead of client_credentials: the refresh token the app holds. Tessera
   * rotates it on every use; the manager keeps the newest and hands each one to `onRefreshToken`.
   */
  refreshToken?: string;
  /**
   * Called with every rotated refresh token, before the new access token is handed out. Persist it here
   * (the previous one is now spent: presenting it again revokes the whole family). If it rejects, the
   * call that caused the refresh rejects with that error; the manager still keeps the new token in memory.
   */
  onRefreshToken?: (refreshToken: string) => void | Promise<void>;
  /** An access token to start with (with `refreshToken`, after a code exchange). */
  initialAccessToken?: InitialAccessToken;
  /**
   * Refresh this many seconds before expiry (capped at half the token's lifetime). Default 60. Within
   * this window callers wait for the refresh; if it fails as `unavailable`, they get the still-valid token.
   */
  refreshSkewSeconds?: number;
  /** Lifetime assumed when a token response has no `expires_in`, in seconds. Default 60. */
  defaultExpiresInSeconds?: number;
};

/** Options after defaults and checks. */
export interface ResolvedClient {
  issuer: string;
  clientId: string;
  metadata: IssuerMetadata | undefined;
  discoveryUrl: string | undefined;
  timeoutMs: number;
  retry: RetryPolicy;
  fetch: typeof fetch;
  clock: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 5000 };
