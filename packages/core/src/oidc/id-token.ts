import { createHash, randomUUID } from 'node:crypto';
import { toSeconds } from '../clock.js';
import type { Engine } from '../engine.js';
import { OAuthError } from '../errors.js';
import { signBytes, type LoadedKey } from '../keys/keyring.js';
import type { ClientRecord } from '../model.js';
import type { UserRecord } from '../login/model.js';
import { userClaims } from './claims.js';

export interface IdTokenInput {
  client: ClientRecord;
  user: UserRecord;
  scopes: string[];
  sessionId: string;
  authTime: number;
  nonce: string | null;
  accessToken: string;
}

/** OIDC Core §3.2.2.9: left half of the hash of the access token, with the hash of the signing algorithm. */
function atHash(key: LoadedKey, accessToken: string): string {
  const digest = key.alg === 'EdDSA' ? 'sha512' : 'sha256';
  const full = createHash(digest).update(accessToken, 'ascii').digest();
  return full.subarray(0, full.length / 2).toString('base64url');
}

/** Signs an OpenID Connect ID token (typ JWT) with the key that signs the client's access tokens. */
export function mintIdToken(engine: Engine, input: IdTokenInput): string {
  const alg = input.client.signingAlg ?? engine.config.signingAlgorithms[0] ?? 'ES256';
  const key = engine.keyring().activeKey(alg);
  if (!key) throw new OAuthError('server_error', 'no signing key is available', { detail: `no active ${alg} key` });
  const iat = toSeconds(engine.clock.now());
  const claims: Record<string, unknown> = {
    ...userClaims(input.user, input.scopes),
    iss: engine.config.issuer,
    aud: input.client.id,
    azp: input.client.id,
    iat,
    exp: iat + engine.login.config.idTokenTtl,
    auth_time: toSeconds(input.authTime),
    sid: input.sessionId,
    jti: randomUUID(),
    at_hash: atHash(key, input.accessToken),
  };
  if (input.nonce !== null) claims['nonce'] = input.nonce;
  const header = Buffer.from(JSON.stringify({ alg: key.alg, typ: 'JWT', kid: key.kid })).toString('base64url');
  const signingInput = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signingInput}.${signBytes(key, signingInput).toString('base64url')}`;
}
