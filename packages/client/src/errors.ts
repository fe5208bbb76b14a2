/**
 * Why the token manager could not produce a token, as a stable string you can `switch` on.
 * - `oauth_error`: the authorization server refused the request (an {@link OAuthError}; read `error`).
 * - `unavailable`: network errors, timeouts, 5xx or 429 answers, still failing after the retries.
 * - `invalid_response`: the server answered 200 with something that is not a usable token response.
 * - `discovery_failed`: the RFC 8414 metadata could not be loaded or does not speak for the issuer.
 * - `closed`: `close()` was called.
 */
export type TokenErrorCode = 'oauth_error' | 'unavailable' | 'invalid_response' | 'discovery_failed' | 'closed';

/** The `error` values of RFC 6749 §5.2 and RFC 8707 §2; other strings pass through as the server sent them. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | (string & {});

export interface TokenErrorOptions {
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  /** How many requests were sent before giving up. */
  attempts?: number;
  cause?: unknown;
}

/**
 * Every failure of the token manager. Messages name the endpoint and the reason, never a secret, an
 * assertion or a token, so they are safe to log.
 */
export class TokenError extends Error {
  override name = 'TokenError';
  readonly code: TokenErrorCode;
  readonly status: number | undefined;
  readonly attempts: number;

  constructor(code: TokenErrorCode, message: string, options: TokenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.attempts = options.attempts ?? 0;
  }

  /** True when trying again later may succeed (`unavailable`); false when configuration or grant is wrong. */
  get retryable(): boolean {
    return this.code === 'unavailable';
  }
}

/**
 * The authorization server answered with an RFC 6749 §5.2 error. Never retried: `invalid_client` means
 * the credentials are wrong, `invalid_grant` that the refresh token is spent, revoked or expired (the user
 * must log in again), `invalid_scope`/`invalid_target` that the client may not ask for that.
 */
export class OAuthError extends TokenError {
  override name = 'OAuthError';
  declare readonly code: 'oauth_error';
  /** The RFC 6749 `error` code. */
  readonly error: OAuthErrorCode;
  /** The server's `error_description`, if any. Kept out of `message`: it is the server's text, not ours. */
  readonly errorDescription: string | undefined;

  constructor(error: OAuthErrorCode, errorDescription: string | undefined, options: TokenErrorOptions & { endpoint: string }) {
    super('oauth_error', `${options.endpoint} refused the request: ${error}`, options);
    this.error = error;
    this.errorDescription = errorDescription;
  }
}

export function isTokenError(value: unknown): value is TokenError {
  return value instanceof TokenError;
}
