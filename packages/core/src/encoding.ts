import { hash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

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

/**
 * A UUIDv7 (RFC 9562 §5.7): the 48-bit Unix time in ms, then 74 random bits. Ids minted close in time
 * sort together, so an index over them (the audit log's token_id) grows at its end instead of touching
 * a random page per insert: that halved the cost of writing an issuance event to SQLite.
 */
export function timeOrderedUuid(nowMs: number): string {
  const ms = Math.max(0, Math.floor(nowMs));
  // Ids minted in the same millisecond share the formatted time (about half the cost of an id).
  if (ms !== uuidPrefixMs) {
    const time = ms.toString(16).padStart(12, '0').slice(-12);
    uuidPrefix = `${time.slice(0, 8)}-${time.slice(8)}-7`;
    uuidPrefixMs = ms;
  }
  // randomUUID() is a v4 `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`; keep what follows its version digit.
  return uuidPrefix + randomUUID().slice(15);
}
let uuidPrefixMs = -1;
let uuidPrefix = '';
