import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Algorithm } from './options.js';

/** A JWKS key ready for the hot path: the KeyObject and the exact arguments node:crypto verify takes. */
export interface VerificationKey {
  readonly kid: string;
  readonly alg: Algorithm;
  readonly key: KeyObject;
  /** Second argument of crypto.verify: null for EdDSA. */
  readonly digest: 'sha256' | null;
  /** Third argument of crypto.verify, allocated once. */
  readonly verifyKey: { readonly key: KeyObject; readonly dsaEncoding: 'ieee-p1363' };
  /** Exact length of a valid signature, in bytes. */
  readonly signatureLength: number;
}

/** kid → key; `null` marks a kid that several keys share, which no token may use. */
export type KeyMap = ReadonlyMap<string, VerificationKey | null>;

/** What kty/crv each algorithm needs (the key's own `alg` must also equal the token's). */
const KEY_TYPES: Record<Algorithm, { kty: string; crv?: string; type: string; curve?: string }> = {
  ES256: { kty: 'EC', crv: 'P-256', type: 'ec', curve: 'prime256v1' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', type: 'ed25519' },
  RS256: { kty: 'RSA', type: 'rsa' },
};

const MIN_RSA_BITS = 2048;

/** Imports one JWK, or explains why it is not usable for verifying the accepted algorithms. */
export function importJwk(jwk: Record<string, unknown>, algorithms: ReadonlySet<string>): VerificationKey | string {
  const { kid, alg, kty, use } = jwk;
  if (typeof kid !== 'string' || kid === '') return 'no kid';
  if (typeof alg !== 'string' || !algorithms.has(alg)) return `alg ${String(alg)} is not accepted`;
  const expected = KEY_TYPES[alg as Algorithm];
  if (kty !== expected.kty || (expected.crv !== undefined && jwk['crv'] !== expected.crv)) return `kty/crv do not fit ${alg}`;
  if (use !== undefined && use !== 'sig') return 'not a signature key';
  const ops = jwk['key_ops'];
  if (ops !== undefined && !(Array.isArray(ops) && ops.includes('verify'))) return 'key_ops exclude verify';
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) return 'a private or symmetric key must never be published';
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch (error) {
    return `not a valid key (${(error as Error).message})`;
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType !== expected.type || (expected.curve !== undefined && details.namedCurve !== expected.curve)) {
    return `key type does not fit ${alg}`;
  }
  let signatureLength = 64;
  if (alg === 'RS256') {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) return `RSA modulus shorter than ${MIN_RSA_BITS} bits`;
    signatureLength = Math.ceil(bits / 8);
  }
  return Object.freeze({
    kid,
    alg: alg as Algorithm,
    key,
    digest: alg === 'EdDSA' ? null : 'sha256',
    verifyKey: Object.freeze({ key, dsaEncoding: 'ieee-p1363' as const }),
    signatureLength,
  });
}

/** Imports a JWK Set; unusable keys are skipped and reported in `skipped`. */
export function importJwks(body: unknown, algorithms: ReadonlySet<string>): { keys: KeyMap; skipped: string[] } {
  const list = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) throw new Error('the JWKS has no "keys" array');
  const keys = new Map<string, VerificationKey | null>();
  const skipped: string[] = [];
  for (const jwk of list) {
    if (typeof jwk !== 'object' || jwk === null) continue;
    const result = importJwk(jwk as Record<string, unknown>, algorithms);
    if (typeof result === 'string') {
      skipped.push(`${String((jwk as { kid?: unknown }).kid)}: ${result}`);
    } else {
      keys.set(result.kid, keys.has(result.kid) ? null : result);
    }
  }
  return { keys, skipped };
}
