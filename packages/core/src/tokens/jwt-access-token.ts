import { toSeconds } from '../clock.js';
import { decodeBase64urlStrict, timeOrderedUuid } from '../encoding.js';
import { signToBase64url, verifyBytes, type Keyring, type LoadedKey } from '../keys/keyring.js';

/** RFC 9068 access-token claims as Tessera issues them. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope?: string;
  /** Session id, for tokens issued from a user session. */
  sid?: string;
  /** Refresh-token family, for tokens issued through a refresh chain. */
  fam?: string;
}

export interface MintInput {
  issuer: string;
  subject: string;
  audience: string[];
  clientId: string;
  scope: string;
  lifetimeSeconds: number;
  now: number;
  sessionId?: string;
  familyId?: string;
}

/** Signs an RFC 9068 JWT access token with the given key. */
export async function mintAccessToken(key: LoadedKey, input: MintInput): Promise<{ token: string; claims: AccessTokenClaims }> {
  const iat = toSeconds(input.now);
  const claims: AccessTokenClaims = {
    iss: input.issuer,
    sub: input.subject,
    aud: input.audience.length === 1 ? (input.audience[0] as string) : input.audience,
    exp: iat + input.lifetimeSeconds,
    iat,
    jti: timeOrderedUuid(input.now),
    client_id: input.clientId,
  };
  if (input.scope) claims.scope = input.scope;
  if (input.sessionId) claims.sid = input.sessionId;
  if (input.familyId) claims.fam = input.familyId;
  const signingInput = key.accessTokenHeader + Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = await signToBase64url(key, signingInput);
  return { token: `${signingInput}.${signature}`, claims };
}

/** Why a token was not accepted; for operators and audit events, never shown to clients. */
export type TokenRejection =
  | 'malformed'
  | 'bad_header'
  | 'unknown_key'
  | 'bad_signature'
  | 'bad_claims'
  | 'wrong_issuer'
  | 'expired'
  | 'not_yet_valid';

export type VerifyResult =
  | { ok: true; claims: AccessTokenClaims; key: LoadedKey }
  | { ok: false; reason: TokenRejection };

/** Tokens above this size are not ours and are rejected before any parsing. */
export const MAX_TOKEN_LENGTH = 8192;

const ALLOWED_HEADER_KEYS = new Set(['alg', 'typ', 'kid']);

function parseJsonObject(segment: string): Record<string, unknown> | undefined {
  const bytes = decodeBase64urlStrict(segment);
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function hasValidClaimTypes(c: Record<string, unknown>): c is Record<string, unknown> & AccessTokenClaims {
  const aud = c['aud'];
  return (
    typeof c['iss'] === 'string' &&
    typeof c['sub'] === 'string' &&
    typeof c['jti'] === 'string' &&
    typeof c['client_id'] === 'string' &&
    Number.isFinite(c['exp']) &&
    Number.isFinite(c['iat']) &&
    (typeof aud === 'string' || (Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) &&
    (c['scope'] === undefined || typeof c['scope'] === 'string') &&
    (c['nbf'] === undefined || Number.isFinite(c['nbf']))
  );
}

/**
 * Verifies an access token strictly against our own published keys: only the header members we write
 * (so no `jku`, `jwk`, `x5u` or `crit` is ever honoured), the key's own algorithm, `typ: at+jwt`,
 * canonical base64url, our issuer, and the time claims with `skewSeconds` of tolerance.
 */
export function verifyAccessToken(
  token: string,
  keyring: Keyring,
  issuer: string,
  now: number,
  skewSeconds: number,
): VerifyResult {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const firstDot = token.indexOf('.');
  const lastDot = token.lastIndexOf('.');
  if (firstDot <= 0 || lastDot === firstDot || token.indexOf('.', firstDot + 1) !== lastDot) {
    return { ok: false, reason: 'malformed' };
  }
  const header = parseJsonObject(token.slice(0, firstDot));
  if (!header || Object.keys(header).some((k) => !ALLOWED_HEADER_KEYS.has(k))) return { ok: false, reason: 'bad_header' };
  const typ = header['typ'];
  if (typeof typ !== 'string' || !/^(application\/)?at\+jwt$/i.test(typ)) return { ok: false, reason: 'bad_header' };
  const kid = header['kid'];
  const key = typeof kid === 'string' ? keyring.verificationKey(kid) : undefined;
  if (!key) return { ok: false, reason: 'unknown_key' };
  if (header['alg'] !== key.alg) return { ok: false, reason: 'bad_header' };
  const signature = decodeBase64urlStrict(token.slice(lastDot + 1));
  if (!signature || !verifyBytes(key, token.slice(0, lastDot), signature)) return { ok: false, reason: 'bad_signature' };
  const claims = parseJsonObject(token.slice(firstDot + 1, lastDot));
  if (!claims || !hasValidClaimTypes(claims)) return { ok: false, reason: 'bad_claims' };
  if (claims.iss !== issuer) return { ok: false, reason: 'wrong_issuer' };
  const nowSeconds = now / 1000;
  if (claims.exp + skewSeconds <= nowSeconds) return { ok: false, reason: 'expired' };
  const nbf = claims['nbf'] as number | undefined;
  if (claims.iat - skewSeconds > nowSeconds || (nbf !== undefined && nbf - skewSeconds > nowSeconds)) {
    return { ok: false, reason: 'not_yet_valid' };
  }
  return { ok: true, claims, key };
}
