/** Error codes from RFC 6749 §5.2, RFC 7009, RFC 8707 and RFC 6750, plus 503 for an unavailable backend. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unsupported_token_type'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  /** RFC 6750 §3.1: the caller is authenticated but lacks the scope (e.g. the revocation feed). */
  | 'insufficient_scope'
  /** RFC 8628 §3.5: device flow polling answers. */
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token';

const defaultStatus: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  unsupported_token_type: 400,
  access_denied: 403,
  server_error: 500,
  temporarily_unavailable: 503,
  insufficient_scope: 403,
  authorization_pending: 400,
  slow_down: 400,
  expired_token: 400,
};

export interface OAuthErrorOptions {
  /** HTTP status; defaults to the usual status for the code. */
  status?: number;
  /** Operator-only detail: logged, never sent to the client. */
  detail?: string;
  cause?: unknown;
}

/**
 * Every protocol failure. `description` is safe to show to the client; `detail` is for operators only.
 * Never put a token, secret or password in either.
 */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  readonly description: string;
  readonly detail: string | undefined;

  constructor(code: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(`${code}: ${description}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthError';
    this.code = code;
    this.description = description;
    this.status = options.status ?? defaultStatus[code];
    this.detail = options.detail;
  }

  /** The RFC 6749 §5.2 error body. */
  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.description };
  }
}

export const isOAuthError = (value: unknown): value is OAuthError => value instanceof OAuthError;
