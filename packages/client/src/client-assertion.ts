import { constants, createPrivateKey, KeyObject, randomUUID, sign, type JsonWebKey } from 'node:crypto';

/** Signature algorithms for private_key_jwt assertions. Asymmetric only: never `none`, never HMAC. */
export const ASSERTION_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256'] as const;
export type AssertionAlgorithm = (typeof ASSERTION_ALGORITHMS)[number];

/** A private key as a KeyObject, a PEM string (PKCS#8, SEC1 or PKCS#1) or a private JWK. */
export type PrivateKeyInput = KeyObject | string | JsonWebKey;

/** What signing needs, resolved once when the token manager is created. */
export interface AssertionSigner {
  readonly alg: AssertionAlgorithm;
  readonly kid: string | undefined;
  readonly key: KeyObject;
}

const CURVE_ALG: Record<string, AssertionAlgorithm> = { 'prime256v1': 'ES256', 'secp384r1': 'ES384', 'secp521r1': 'ES512' };
const EC_HASH: Record<string, string> = { ES256: 'sha256', ES384: 'sha384', ES512: 'sha512' };

function toKeyObject(input: PrivateKeyInput): KeyObject {
  if (typeof input === 'string') return createPrivateKey(input);
  if (input instanceof KeyObject) return input;
  return createPrivateKey({ key: input, format: 'jwk' });
}

/** The algorithms a key can sign with; the first is the default. */
function algorithmsFor(key: KeyObject): AssertionAlgorithm[] {
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const alg = CURVE_ALG[key.asymmetricKeyDetails?.namedCurve ?? ''];
      return alg ? [alg] : [];
    }
    case 'ed25519':
      return ['EdDSA'];
    case 'rsa':
      return ['RS256', 'PS256'];
    case 'rsa-pss':
      return ['PS256'];
    default:
      return [];
  }
}

/**
 * Checks the key and algorithm up front (TypeError on a mismatch) so a misconfigured service fails at
 * start. The messages name key types and algorithms, never key material.
 */
export function createSigner(input: PrivateKeyInput, alg: AssertionAlgorithm | undefined, kid: string | undefined): AssertionSigner {
  let key: KeyObject;
  try {
    key = toKeyObject(input);
  } catch (error) {
    throw new TypeError('privateKey is not a readable private key (KeyObject, PEM or private JWK)', { cause: error });
  }
  if (key.type !== 'private') throw new TypeError('privateKey must be a private key');
  const usable = algorithmsFor(key);
  if (usable.length === 0) throw new TypeError(`privateKey of type ${key.asymmetricKeyType ?? 'unknown'} cannot sign client assertions`);
  if (alg !== undefined && !usable.includes(alg)) throw new TypeError(`alg ${alg} does not fit a ${key.asymmetricKeyType} key (use ${usable.join(' or ')})`);
  if (key.asymmetricKeyType?.startsWith('rsa') && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) {
    throw new TypeError('RSA keys must have at least 2048 bits');
  }
  const jwkKid = typeof input === 'object' && 'kid' in input && typeof input.kid === 'string' ? input.kid : undefined;
  return { alg: alg ?? (usable[0] as AssertionAlgorithm), kid: kid ?? jwkKid, key };
}

const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function signature(signer: AssertionSigner, data: Buffer): Buffer {
  switch (signer.alg) {
    case 'EdDSA':
      return sign(null, data, signer.key);
    case 'RS256':
      return sign('sha256', data, signer.key);
    case 'PS256':
      return sign('sha256', data, { key: signer.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    default:
      return sign(EC_HASH[signer.alg] ?? 'sha256', data, { key: signer.key, dsaEncoding: 'ieee-p1363' });
  }
}

/**
 * An RFC 7523 §3 client assertion: iss = sub = client id, the audience, a fresh jti (the server refuses a
 * replay), iat and a short exp. One per request; never cached or reused.
 */
export function clientAssertion(signer: AssertionSigner, claims: { clientId: string; audience: string; nowMs: number; lifetimeSeconds: number }): string {
  const iat = Math.floor(claims.nowMs / 1000);
  const header = b64(signer.kid === undefined ? { alg: signer.alg, typ: 'JWT' } : { alg: signer.alg, typ: 'JWT', kid: signer.kid });
  const payload = b64({
    iss: claims.clientId,
    sub: claims.clientId,
    aud: claims.audience,
    jti: randomUUID(),
    iat,
    exp: iat + claims.lifetimeSeconds,
  });
  const input = `${header}.${payload}`;
  return `${input}.${signature(signer, Buffer.from(input)).toString('base64url')}`;
}
