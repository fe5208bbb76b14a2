/**
 * Every reason a token is refused or a verifier cannot work, as a stable string you can `switch` on.
 * `token_*` codes describe the token (the caller should get a new one); the others describe the
 * verifier's own state (the caller should retry later).
 */
export type VerifyErrorCode =
  | 'token_malformed'
  | 'token_header_invalid'
  | 'token_unsupported_alg'
  | 'token_unknown_key'
  | 'token_signature_invalid'
  | 'token_claims_invalid'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_wrong_issuer'
  | 'token_wrong_audience'
  | 'token_wrong_type'
  | 'token_insufficient_scope'
  | 'token_revoked'
  | 'token_inactive'
  | 'discovery_failed'
  | 'jwks_unavailable'
  | 'introspection_failed'
  | 'revocations_stale'
  | 'verifier_closed';

/** A client-safe sentence per code. It never contains any part of the token. */
const DESCRIPTIONS: Record<VerifyErrorCode, string> = {
  token_malformed: 'the access token is malformed',
  token_header_invalid: 'the access token header is not acceptable',
  token_unsupported_alg: 'the access token is signed with an algorithm that is not accepted',
  token_unknown_key: 'the access token is signed with an unknown key',
  token_signature_invalid: 'the access token signature is invalid',
  token_claims_invalid: 'the access token claims are missing or malformed',
  token_expired: 'the access token has expired',
  token_not_yet_valid: 'the access token is not valid yet',
  token_wrong_issuer: 'the access token was issued by another server',
  token_wrong_audience: 'the access token is not meant for this resource',
  token_wrong_type: 'the token is not an access token',
  token_insufficient_scope: 'the access token lacks a required scope',
  token_revoked: 'the access token has been revoked',
  token_inactive: 'the access token is not active',
  discovery_failed: 'the authorization server metadata could not be loaded',
  jwks_unavailable: 'the signing keys could not be loaded',
  introspection_failed: 'the token could not be introspected',
  revocations_stale: 'the revocation list is out of date',
  verifier_closed: 'the verifier has been closed',
};

/** Codes that mean "the verifier cannot decide now", as opposed to "this token is bad". */
const UNAVAILABLE: ReadonlySet<VerifyErrorCode> = new Set([
  'discovery_failed',
  'jwks_unavailable',
  'introspection_failed',
  'revocations_stale',
  'verifier_closed',
]);

export interface VerifyErrorOptions {
  /** Operator-only detail for logs; may name a kid or a URL, never a token. */
  detail?: string;
  cause?: unknown;
}

/** The one error type `verify` throws. `message` is safe to show to the token's presenter. */
export class VerifyError extends Error {
  override readonly name = 'VerifyError';
  readonly code: VerifyErrorCode;
  /** Operator-only detail; not for clients. */
  readonly detail: string | undefined;

  constructor(code: VerifyErrorCode, options: VerifyErrorOptions = {}) {
    super(DESCRIPTIONS[code], options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = options.detail;
  }

  /** True when the verifier could not decide (keys, feed or introspection unavailable): retry later, 503. */
  get unavailable(): boolean {
    return UNAVAILABLE.has(this.code);
  }
}

export function isVerifyError(value: unknown): value is VerifyError {
  return value instanceof VerifyError;
}
