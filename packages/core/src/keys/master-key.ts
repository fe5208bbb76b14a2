import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { decodeBase64urlStrict } from '../encoding.js';

/** A 256-bit key that encrypts signing keys at rest (AES-256-GCM). */
export class MasterKey {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  static generate(): MasterKey {
    return new MasterKey(randomBytes(32));
  }

  /**
   * Parses the base64url (or padded base64) text form; throws with a clear message when it is not exactly
   * 32 bytes. Strict: a stray character is refused, not skipped as Buffer.from would.
   */
  static parse(text: string): MasterKey {
    const key = decodeBase64urlStrict(text.trim().replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_'));
    if (key?.length !== 32) {
      throw new Error('the master key must be 32 bytes encoded as base64url (43 characters)');
    }
    return new MasterKey(key);
  }

  toString(): string {
    return this.#key.toString('base64url');
  }

  /** Encrypts `plaintext`, binding it to `context` (authenticated, not encrypted) so ciphertexts cannot be swapped. */
  encrypt(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** Decrypts what {@link encrypt} produced; throws {@link WrongMasterKeyError} if the key or context differ. */
  decrypt(ciphertext: string, context: string): string {
    const raw = ciphertext.startsWith('v1.') ? Buffer.from(ciphertext.slice(3), 'base64url') : Buffer.alloc(0);
    if (raw.length < 12 + 16) throw new WrongMasterKeyError();
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    try {
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
    } catch {
      throw new WrongMasterKeyError();
    }
  }
}

export class WrongMasterKeyError extends Error {
  constructor() {
    super('the master key does not decrypt the stored signing keys (wrong TESSERA_MASTER_KEY or key file?)');
    this.name = 'WrongMasterKeyError';
  }
}

const CHECK_CONTEXT = 'tessera:master-key-check';
const CHECK_PLAINTEXT = 'tessera master key check v1';

/** A value stored beside the data that proves a master key is the right one before anything is written. */
export const masterKeyCheck = {
  create: (key: MasterKey): string => key.encrypt(CHECK_PLAINTEXT, CHECK_CONTEXT),
  verify: (key: MasterKey, stored: string): boolean => {
    try {
      return key.decrypt(stored, CHECK_CONTEXT) === CHECK_PLAINTEXT;
    } catch {
      return false;
    }
  },
};
