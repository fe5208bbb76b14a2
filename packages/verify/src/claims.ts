import { VerifyError } from './errors.js';

/**
 * The claims of a verified Tessera access token (RFC 9068), with `scope` parsed once into `scopes`.
 * Any other claim the token carries stays on the object; read it with `(claims as Record<string, unknown>)[name]`.
 */
export interface TesseraClaims {
  readonly iss: string;
  /** The resource owner, or the client itself for client_credentials. */
  readonly sub: string;
  readonly aud: string | readonly string[];
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  readonly nbf?: number;
  /** Unique token id; the revocation feed names tokens by it. */
  readonly jti: string;
  readonly client_id: string;
  /** The raw space-separated scope claim, when present. */
  readonly scope?: string;
  /** `scope` split into its tokens; empty when the token has none. */
  readonly scopes: readonly string[];
  /** Session id, for tokens issued from a user session. */
  readonly sid?: string;
  /** Refresh-token family, for tokens issued through a refresh chain. */
  readonly fam?: string;
}

/** What claim checks need from the verifier's configuration. */
export interface ClaimRules {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly toleranceSeconds: number;
  readonly clock: () => number;
}

const NO_SCOPES: readonly string[] = Object.freeze([]);

const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
const isDate = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isOptionalText = (value: unknown): boolean => value === undefined || typeof value === 'string';

function audienceMatches(aud: unknown, audiences: readonly string[]): boolean | undefined {
  if (typeof aud === 'string') return audiences.includes(aud);
  if (!Array.isArray(aud) || aud.length === 0) return undefined;
  let match = false;
  for (const value of aud) {
    if (typeof value !== 'string') return undefined;
    if (audiences.includes(value)) match = true;
  }
  return match;
}

/** Parsed scope claims: a client's tokens repeat the same scope string, so each is split once. Bounded. */
const SCOPE_CACHE = new Map<string, readonly string[]>();
const SCOPE_CACHE_SIZE = 256;

function parseScopes(scope: string | undefined): readonly string[] {
  if (scope === undefined || scope === '') return NO_SCOPES;
  let scopes = SCOPE_CACHE.get(scope);
  if (scopes !== undefined) return scopes;
  scopes = Object.freeze(scope.split(' '));
  if (scopes.includes('')) throw new VerifyError('token_claims_invalid', { detail: 'scope has empty tokens' });
  if (SCOPE_CACHE.size >= SCOPE_CACHE_SIZE) SCOPE_CACHE.clear();
  SCOPE_CACHE.set(scope, scopes);
  return scopes;
}

/**
 * Checks the claims of a token whose signature was verified (or of an introspection answer) and turns the
 * object into TesseraClaims in place, adding `scopes`. Throws the VerifyError for the first failed rule.
 */
export function checkClaims(claims: Record<string, unknown>, rules: ClaimRules): TesseraClaims {
  const { iss, exp, iat, nbf, scope } = claims;
  if (
    !isText(iss) || !isText(claims['sub']) || !isText(claims['jti']) || !isText(claims['client_id']) ||
    !isDate(exp) || !isDate(iat) || (nbf !== undefined && !isDate(nbf)) ||
    !isOptionalText(scope) || !isOptionalText(claims['sid']) || !isOptionalText(claims['fam'])
  ) {
    throw new VerifyError('token_claims_invalid', { detail: 'a required claim is missing or has the wrong type' });
  }
  if (iss !== rules.issuer) throw new VerifyError('token_wrong_issuer');
  const audience = audienceMatches(claims['aud'], rules.audiences);
  if (audience === undefined) throw new VerifyError('token_claims_invalid', { detail: 'aud is missing or malformed' });
  if (!audience) throw new VerifyError('token_wrong_audience');
  const now = rules.clock() / 1000;
  const tolerance = rules.toleranceSeconds;
  if (exp <= now - tolerance) throw new VerifyError('token_expired');
  if ((nbf !== undefined && nbf > now + tolerance) || iat > now + tolerance) throw new VerifyError('token_not_yet_valid');
  claims['scopes'] = parseScopes(scope as string | undefined);
  return claims as unknown as TesseraClaims;
}

/** Throws token_insufficient_scope unless the claims carry every one of `scopes`. */
export function checkScopes(claims: TesseraClaims, scopes: readonly string[] | undefined): void {
  if (scopes === undefined) return;
  for (const scope of scopes) {
    if (!claims.scopes.includes(scope)) throw new VerifyError('token_insufficient_scope', { detail: `missing scope ${scope}` });
  }
}

/** True when the claims carry every one of `scopes`. */
export function hasScopes(claims: TesseraClaims, scopes: readonly string[]): boolean {
  return scopes.every((scope) => claims.scopes.includes(scope));
}
