import { verify as verifySignature } from 'node:crypto';
import { checkClaims, checkScopes, type ClaimRules, type TesseraClaims } from './claims.js';
import { decodeCanonicalInto, isAscii, parseJsonObject, utf8At } from './encoding.js';
import { VerifyError } from './errors.js';
import type { HeaderCache } from './header.js';
import type { KeySet } from './key-set.js';
import type { RevocationCheck } from './revocation-check.js';

/** Tokens above this size are not Tessera's and are refused before any parsing (as the server does). */
export const MAX_TOKEN_LENGTH = 8192;

export interface LocalContext extends ClaimRules {
  readonly headers: HeaderCache;
  readonly keys: KeySet;
  readonly requiredScopes: readonly string[];
  readonly revocation: RevocationCheck | undefined;
}

/** True for a string shaped like a compact JWS (three dot-separated parts); anything else may be an opaque token. */
export function looksLikeJwt(token: string): boolean {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  return first > 0 && second > first && token.indexOf('.', second + 1) === -1;
}

const malformed = (detail: string): VerifyError => new VerifyError('token_malformed', { detail });

/**
 * Scratch space, so verifying allocates no Buffer per token. Verification is synchronous and no other code
 * runs while the bytes are in use: [0, 3·MAX) holds the signing input, then the payload; the rest the signature.
 */
const SCRATCH = Buffer.allocUnsafeSlow(4 * MAX_TOKEN_LENGTH);
const SIGNATURE_AT = 3 * MAX_TOKEN_LENGTH;

/**
 * Verifies an RFC 9068 JWT with cached state only, synchronously. Order matters for speed and safety:
 * structure, then the (cached) header and key, then the signature over the raw segments, and only then
 * is the payload decoded (canonical base64url, UTF-8, JSON without duplicate members) and its claims checked.
 */
export function verifyLocally(context: LocalContext, token: string, scopes: readonly string[] | undefined): TesseraClaims {
  if (typeof token !== 'string') throw malformed('the token is not a string');
  if (token.length > MAX_TOKEN_LENGTH) throw malformed(`the token is longer than ${MAX_TOKEN_LENGTH} characters`);
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || token.indexOf('.', second + 1) !== -1) throw malformed('not three segments');

  const header = context.headers.get(token.slice(0, first));
  const key = context.keys.get(header.kid);
  if (key === undefined) throw new VerifyError('token_unknown_key', { detail: `kid ${JSON.stringify(header.kid.slice(0, 64))}` });
  if (key === null) throw new VerifyError('token_unknown_key', { detail: 'several JWKS keys share this kid' });
  if (key.alg !== header.alg) throw new VerifyError('token_unknown_key', { detail: `key ${key.kid} is for ${key.alg}` });

  const signatureSegment = token.slice(second + 1);
  if (signatureSegment === '') throw new VerifyError('token_signature_invalid', { detail: 'no signature' });
  const signatureLength = isAscii(signatureSegment) ? decodeCanonicalInto(signatureSegment, SCRATCH, SIGNATURE_AT) : -1;
  if (signatureLength === -1) throw malformed('the signature is not canonical base64url');
  if (SCRATCH.write(token.slice(0, second), 0, 'utf8') !== second) throw malformed('the token has non-ASCII characters');
  if (
    signatureLength !== key.signatureLength ||
    !verifySignature(key.digest, SCRATCH.subarray(0, second), key.verifyKey, SCRATCH.subarray(SIGNATURE_AT, SIGNATURE_AT + signatureLength))
  ) {
    throw new VerifyError('token_signature_invalid');
  }

  const payloadLength = decodeCanonicalInto(token.slice(first + 1, second), SCRATCH, 0);
  const text = payloadLength === -1 ? undefined : utf8At(SCRATCH, 0, payloadLength);
  const object = text === undefined ? undefined : parseJsonObject(text);
  if (object === undefined) throw malformed('the payload is not a JSON object without duplicate members');
  const claims = checkClaims(object, context);
  const revocation = context.revocation;
  if (revocation !== undefined) {
    revocation.assertFresh();
    if (revocation.isRevoked(claims, header.kid)) throw new VerifyError('token_revoked');
  }
  checkScopes(claims, context.requiredScopes);
  checkScopes(claims, scopes);
  return claims;
}
