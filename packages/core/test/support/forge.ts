// Builds hand-made JWTs for the forged-token suites: signed with the engine's genuine key (taken from the
// store and decrypted with the master key), so each test proves one check rather than a bad signature.
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { SigningAlgorithm } from '@tessera/core';
import { decryptPrivateKey } from '../../dist/keys/signing-key.js';
import type { Harness } from './harness.js';

export interface GenuineKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
}

export async function genuineKey(h: Harness, alg: SigningAlgorithm = 'ES256'): Promise<GenuineKey> {
  const record = (await h.store.listSigningKeys()).find((k) => k.alg === alg && k.state === 'active');
  if (!record) throw new Error(`no active ${alg} key`);
  return { kid: record.kid, alg, privateKey: decryptPrivateKey(record, h.masterKey) };
}

/**
 * A fresh key pair parsed from DER. Exporting the KeyObjects of generateKeyPairSync as JWK can deadlock
 * Node 20 when a garbage collection runs during the export (see src/keys/signing-key.ts).
 */
export function freshKeyPair(type: 'ec' | 'rsa'): { privateKey: KeyObject; publicKey: KeyObject } {
  const privateKeyEncoding = { type: 'pkcs8', format: 'der' } as const;
  const publicKeyEncoding = { type: 'spki', format: 'der' } as const;
  const der = type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding, publicKeyEncoding }).privateKey
    : generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding, publicKeyEncoding }).privateKey;
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

export const b64 = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function signature(key: { alg: SigningAlgorithm; privateKey: KeyObject }, signingInput: string): string {
  const digest = key.alg === 'EdDSA' ? null : 'sha256';
  return sign(digest, Buffer.from(signingInput), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}

/** A compact JWS over raw segments (already base64url) signed with `key`. */
export function signSegments(key: { alg: SigningAlgorithm; privateKey: KeyObject }, header: string, payload: string): string {
  const input = `${header}.${payload}`;
  return `${input}.${signature(key, input)}`;
}

/** Claims shaped like a genuine Tessera access token at `now` (ms). */
export function goodClaims(clientId: string, now: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(now / 1000);
  return {
    iss: 'https://issuer.example',
    sub: clientId,
    aud: 'https://api.example',
    exp: iat + 600,
    iat,
    jti: randomUUID(),
    client_id: clientId,
    scope: 'read',
    ...overrides,
  };
}

/** A token with the genuine key: header {alg, typ: at+jwt, kid} merged with `header`, claims as given. */
export function forge(key: GenuineKey, claims: unknown, header: Record<string, unknown> = {}): string {
  return signSegments(key, b64({ alg: key.alg, typ: 'at+jwt', kid: key.kid, ...header }), b64(claims));
}
