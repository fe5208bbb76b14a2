import { sign, verify, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '../model.js';

/** The digest a JWS algorithm signs with (RFC 7518): SHA-256 for ES256 and RS256, none (built in) for EdDSA. */
export const digestOf = (alg: SigningAlgorithm): string | null => (alg === 'EdDSA' ? null : 'sha256');

/** A JWS signature over `data`; ECDSA signatures are r || s (IEEE P1363), as JWS needs, not DER. */
export function jwsSign(digest: string | null, key: KeyObject, data: string): Buffer {
  return sign(digest, Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' });
}

export function jwsVerify(digest: string | null, key: KeyObject, data: string, signature: Buffer): boolean {
  return verify(digest, Buffer.from(data), { key, dsaEncoding: 'ieee-p1363' }, signature);
}
