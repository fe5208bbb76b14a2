import type { KeyObject } from 'node:crypto';
import type { SigningAlgorithm, SigningKeyRecord } from '../model.js';
import type { MasterKey } from './master-key.js';
import { digestOf, jwsSign, jwsVerify } from './jws-signature.js';
import { decryptPrivateKey, publicKeyOf } from './signing-key.js';
import { signingThread, type ThreadSigner } from './signing-thread.js';

/** A key ready for use on the hot path: KeyObjects parsed once, the JWS header pre-encoded. */
export interface LoadedKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly record: SigningKeyRecord;
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject | undefined;
  /** The private key as registered with the signing thread (see signToBase64url). */
  readonly threadSigner?: ThreadSigner;
  /** base64url of `{"alg","typ":"at+jwt","kid"}`, followed by a dot. */
  readonly accessTokenHeader: string;
}

export function signBytes(key: LoadedKey, data: string): Buffer {
  if (!key.privateKey) throw new Error(`signing key ${key.kid} has no private part loaded`);
  return jwsSign(digestOf(key.alg), key.privateKey, data);
}

/**
 * The base64url signature of `data`, made on the signing thread instead of the event loop: issuance is
 * bound by the signature, and moving it off the main thread lets the next requests overlap with it.
 */
export function signToBase64url(key: LoadedKey, data: string): Promise<string> {
  if (!key.threadSigner) return Promise.reject(new Error(`signing key ${key.kid} has no private part loaded`));
  return key.threadSigner.sign(data);
}

export function verifyBytes(key: LoadedKey, data: string, signature: Buffer): boolean {
  return jwsVerify(digestOf(key.alg), key.publicKey, data, signature);
}

/** Whether a key is published in the JWKS (and so accepted when verifying) at `now`. */
export function isPublished(record: SigningKeyRecord, now: number): boolean {
  if (record.state === 'revoked') return false;
  if (record.state === 'retired') return record.removeAfter === null || record.removeAfter > now;
  return true;
}

/**
 * The in-memory view of the signing keys: which key signs for each algorithm, which keys verify,
 * and the JWKS body serialised once. Rebuilt whenever the keys change; immutable otherwise.
 */
export class Keyring {
  readonly #byKid: Map<string, LoadedKey>;
  readonly #active: Map<SigningAlgorithm, LoadedKey>;
  /** The JWKS document as sent on the wire. */
  readonly jwksJson: string;
  readonly records: readonly SigningKeyRecord[];
  /** The next moment a published retired key must leave the JWKS (Infinity if none): reload then. */
  readonly reloadDueAt: number;

  private constructor(keys: LoadedKey[], records: SigningKeyRecord[]) {
    this.records = records;
    this.reloadDueAt = Math.min(...keys.map((k) => k.record.removeAfter ?? Infinity));
    this.#byKid = new Map(keys.map((k) => [k.kid, k]));
    this.#active = new Map(keys.filter((k) => k.record.state === 'active').map((k) => [k.alg, k]));
    this.jwksJson = JSON.stringify({ keys: keys.map((k) => k.record.publicJwk) });
  }

  /**
   * Loads the published keys at `now`. Private parts are decrypted only for active keys, so a wrong
   * master key fails here, before the server answers anything. On a reload, `previous` hands over the
   * private keys it already holds (same kid and public key): a key is decrypted and registered with the
   * signing thread once, and a master-key rotation, which changes only the ciphertexts, needs no
   * decryption at all from a server still holding the old master key.
   */
  static load(records: SigningKeyRecord[], masterKey: MasterKey, now: number, previous?: Keyring): Keyring {
    const keys = records
      .filter((r) => isPublished(r, now))
      .map((record): LoadedKey => {
        const header = { alg: record.alg, typ: 'at+jwt', kid: record.kid };
        const known = record.state === 'active' && previous ? previous.#heldPrivateKey(record) : undefined;
        const privateKey = known?.privateKey ?? (record.state === 'active' ? decryptPrivateKey(record, masterKey) : undefined);
        const threadSigner = known?.threadSigner ?? (privateKey ? signingThread.register(privateKey, digestOf(record.alg)) : undefined);
        return {
          kid: record.kid,
          alg: record.alg,
          record,
          publicKey: publicKeyOf(record),
          privateKey,
          ...(threadSigner ? { threadSigner } : {}),
          accessTokenHeader: `${Buffer.from(JSON.stringify(header)).toString('base64url')}.`,
        };
      });
    return new Keyring(keys, records);
  }

  /** This keyring's loaded private key for the same key pair as `record`, if it holds one. */
  #heldPrivateKey(record: SigningKeyRecord): LoadedKey | undefined {
    const held = this.#byKid.get(record.kid);
    if (!held?.privateKey || !held.threadSigner || held.alg !== record.alg) return undefined;
    return JSON.stringify(held.record.publicJwk) === JSON.stringify(record.publicJwk) ? held : undefined;
  }

  /** The key that signs new tokens for `alg`, if one is active. */
  activeKey(alg: SigningAlgorithm): LoadedKey | undefined {
    return this.#active.get(alg);
  }

  /** A published key by kid (active, next or retired-but-not-removed). */
  verificationKey(kid: string): LoadedKey | undefined {
    return this.#byKid.get(kid);
  }

  activeAlgorithms(): SigningAlgorithm[] {
    return [...this.#active.keys()];
  }
}
