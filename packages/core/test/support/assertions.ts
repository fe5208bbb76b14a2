// private_key_jwt helpers (RFC 7523): client key pairs made with jose and assertions signed with SignJWT.
import { randomUUID, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { FormParams } from '@tessera/core';
import { ISSUER, addClient, type Harness, type TestClient } from './harness.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface ClientKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey | KeyObject;
  publicJwk: JWK;
}

/** A client key pair; pass `pair` to reuse one key (e.g. one RSA key for RS256 and PS256). */
export async function clientKey(
  alg = 'ES256',
  kid: string = randomUUID(),
  pair?: { privateKey: CryptoKey | KeyObject; publicKey: CryptoKey | KeyObject },
): Promise<ClientKey> {
  const { privateKey, publicKey } = pair ?? (await generateKeyPair(alg, { extractable: true }));
  return { alg, kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

export async function addKeyClient(h: Harness, keys: ClientKey[]): Promise<TestClient> {
  return addClient(h, { authMethod: 'private_key_jwt', jwks: { keys: keys.map((k) => k.publicJwk) } });
}

export interface AssertionOptions {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  /** Seconds relative to the clock; null leaves exp out. */
  expIn?: number | null;
  jti?: string | null;
  nbfIn?: number;
  header?: Record<string, unknown>;
}

/** A client assertion at the harness clock: iss = sub = client id, aud = issuer, exp in 60 s, fresh jti. */
export async function assertion(h: Harness, clientId: string, key: ClientKey, options: AssertionOptions = {}): Promise<string> {
  const now = Math.floor(h.clock.now() / 1000);
  const payload: JWTPayload = {
    iss: options.iss ?? clientId,
    sub: options.sub ?? clientId,
    aud: options.aud ?? ISSUER,
    iat: now,
  };
  const expIn = options.expIn === undefined ? 60 : options.expIn;
  if (expIn !== null) payload.exp = now + expIn;
  const jti = options.jti === undefined ? randomUUID() : options.jti;
  if (jti !== null) payload.jti = jti;
  if (options.nbfIn !== undefined) payload.nbf = now + options.nbfIn;
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...options.header }).sign(key.privateKey);
}

export function assertionParams(jwt: string, extra: Record<string, string> = {}): FormParams {
  return { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: jwt, ...extra };
}
