import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm, SigningKeyRecord } from '../model.js';
import type { MasterKey } from './master-key.js';

function generateDer(alg: SigningAlgorithm): Buffer {
  const privateKeyEncoding = { type: 'pkcs8', format: 'der' } as const;
  const publicKeyEncoding = { type: 'spki', format: 'der' } as const;
  switch (alg) {
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding, publicKeyEncoding }).privateKey;
    case 'EdDSA':
      return generateKeyPairSync('ed25519', { privateKeyEncoding, publicKeyEncoding }).privateKey;
    case 'RS256':
      return generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding, publicKeyEncoding }).privateKey;
  }
}

/**
 * The pair is generated as DER and parsed again, never exported straight from generateKeyPairSync's
 * KeyObjects: on Node 20 a garbage collection during `export({ format: 'jwk' })` of such a key can
 * finalise its key-generation job, which waits for the lock the export holds, and the process hangs.
 */
function generatePair(alg: SigningAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  const privateKey = createPrivateKey({ key: generateDer(alg), format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

const keyContext = (kid: string): string => `tessera:signing-key:${kid}`;

/** Creates a new signing key record in state `next`, its private part encrypted under the master key. */
export function createSigningKey(alg: SigningAlgorithm, masterKey: MasterKey, now: number): SigningKeyRecord {
  const { privateKey, publicKey } = generatePair(alg);
  const kid = randomUUID();
  const publicJwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  const privateJwk = JSON.stringify(privateKey.export({ format: 'jwk' }));
  return {
    kid,
    alg,
    state: 'next',
    publicJwk,
    encryptedPrivateJwk: masterKey.encrypt(privateJwk, keyContext(kid)),
    createdAt: now,
    activatedAt: null,
    retiredAt: null,
    removeAfter: null,
    revokedAt: null,
  };
}

/** Decrypts a key's private part. Throws WrongMasterKeyError when the master key is not the one it was stored under. */
export function decryptPrivateKey(record: SigningKeyRecord, masterKey: MasterKey): KeyObject {
  const jwk = JSON.parse(masterKey.decrypt(record.encryptedPrivateJwk, keyContext(record.kid))) as Record<string, string>;
  return createPrivateKey({ key: jwk, format: 'jwk' });
}

export function publicKeyOf(record: SigningKeyRecord): KeyObject {
  return createPublicKey({ key: record.publicJwk as Record<string, string>, format: 'jwk' });
}

/** Re-encrypts a key's private part under another master key (master-key rotation). */
export function reencryptSigningKey(record: SigningKeyRecord, from: MasterKey, to: MasterKey): SigningKeyRecord {
  const plaintext = from.decrypt(record.encryptedPrivateJwk, keyContext(record.kid));
  return { ...record, encryptedPrivateJwk: to.encrypt(plaintext, keyContext(record.kid)) };
}
