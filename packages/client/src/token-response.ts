import { OAuthError, TokenError } from './errors.js';
import type { HttpAnswer } from './http.js';
import { retryAfterMs } from './http.js';
import { TransientFailure } from './retry.js';

/** A successful token response, with the expiry turned into an instant. */
export interface TokenSet {
  readonly accessToken: string;
  /** Always `Bearer` (other types are refused). */
  readonly tokenType: 'Bearer';
  /** Expiry in epoch milliseconds, counted from when the request was sent (conservative). */
  readonly expiresAt: number;
  /** The granted scope, when the server said (RFC 6749 §5.1). */
  readonly scope: string | undefined;
  /** A new refresh token, when the server issued one. */
  readonly refreshToken: string | undefined;
  /** An OpenID Connect ID token, when the server issued one. Not validated here. */
  readonly idToken: string | undefined;
}

const MAX_EXPIRES_IN = 366 * 24 * 3600;



const optionalString = (body: Record<string, unknown>, name: string): string | undefined =>
  typeof body[name] === 'string' && body[name] !== '' ? body[name] : undefined;

/**
 * Turns one token endpoint answer into a TokenSet, or throws: an OAuthError for RFC 6749 §5.2 errors
 * (never retried), a TransientFailure for 5xx/429 (retried), a TokenError `invalid_response` otherwise.
 * No message contains any part of the body's tokens.
 */
export function readTokenAnswer(answer: HttpAnswer, context: { endpoint: string; sentAt: number; defaultExpiresIn: number; now: number; attempt: number }): TokenSet {
  const { endpoint } = context;
  const invalid = (reason: string, status: number): TokenError =>
    new TokenError('invalid_response', `${endpoint}: ${reason}`, { status, attempts: context.attempt });
  const { status, json } = answer;
  if (status >= 500 || status === 429) {
    const error = new TokenError('unavailable', `${endpoint}: answered with status ${status}`, { status });
    throw new TransientFailure(error, retryAfterMs(answer.headers, context.now));
  }
  if (status !== 200) {
    const code = json && typeof json['error'] === 'string' && /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,100}$/.test(json['error']) ? json['error'] : undefined;
    if (code === undefined) throw invalid(`answered with status ${status} without an OAuth error`, status);
    const description = json ? optionalString(json, 'error_description') : undefined;
    throw new OAuthError(code, description, { endpoint, status, attempts: context.attempt });
  }
  if (json === undefined) throw invalid('answered 200 without a JSON object', status);
  const accessToken = optionalString(json, 'access_token');
  if (accessToken === undefined) throw invalid('answered 200 without an access_token', status);
  const tokenType = json['token_type'];
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw invalid('answered with a token_type other than Bearer', status);
  }
  const expiresIn = json['expires_in'] ?? context.defaultExpiresIn;
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0 || expiresIn > MAX_EXPIRES_IN) {
    throw invalid('answered with an unusable expires_in', status);
  }
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresAt: context.sentAt + expiresIn * 1000,
    scope: optionalString(json, 'scope'),
    refreshToken: optionalString(json, 'refresh_token'),
    idToken: optionalString(json, 'id_token'),
  };
}
