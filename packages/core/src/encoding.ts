import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** SHA-256 of a string, base64url encoded. Used for secrets and tokens we must recognise but never keep. */
export function sha256(value: string): string {
  return hash('sha256', value, 'base64url');
}

/** Constant-time comparison of two base64url digests of equal expected length. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'base64url');
  const right = Buffer.from(b, 'base64url');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A server-generated high-entropy value (256 bits by default) with a recognisable prefix such as `tsec_`. */
export function randomToken(prefix: string, bytes = 32): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Strict base64url decoding: rejects padding, foreign characters and non-canonical trailing bits,
 * which Buffer.from(…, 'base64url') would silently accept.
 */
export function decodeBase64urlStrict(value: string): Buffer | undefined {
  if (!BASE64URL.test(value) || value.length % 4 === 1) return undefined;
  const bytes = Buffer.from(value, 'base64url');
  return bytes.toString('base64url') === value ? bytes : undefined;
}
