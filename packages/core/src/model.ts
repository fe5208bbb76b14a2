import type { JSONWebKeySet } from 'jose';

export type SigningAlgorithm = 'ES256' | 'EdDSA' | 'RS256';
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['ES256', 'EdDSA', 'RS256'];

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
export const CLIENT_AUTH_METHODS: readonly ClientAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'none',
];

export type GrantType = 'client_credentials' | 'authorization_code' | 'refresh_token' | 'urn:ietf:params:oauth:grant-type:device_code';

/** A stored client secret: only its SHA-256 is kept. `expiresAt` is set on a secret replaced by rotation. */
export interface ClientSecretRecord {
  hash: string;
  createdAt: number;
  expiresAt: number | null;
}

/** A registered client (one per app or service). Times are epoch milliseconds. */
export interface ClientRecord {
  id: string;
  name: string;
  authMethod: ClientAuthMethod;
  secrets: ClientSecretRecord[];
  /** Inline public keys for private_key_jwt. */
  jwks: JSONWebKeySet | null;
  /** Remote public keys for private_key_jwt. */
  jwksUri: string | null;
  grantTypes: GrantType[];
  /** Scopes the client may request. */
  scopes: string[];
  /** Scopes granted when the request names none. */
  defaultScopes: string[];
  /** Resource indicators (RFC 8707) the client may obtain tokens for; the default `aud`. */
  audiences: string[];
  redirectUris: string[];
  /** Access token lifetime in seconds for this client, capped by the server's hard maximum. */
  tokenTtl: number | null;
  /** Pins this client's tokens to one signing algorithm. */
  signingAlg: SigningAlgorithm | null;
  firstParty: boolean;
  /** Where RP-initiated logout may send the browser afterwards (exact match). Absent on clients created before it existed. */
  postLogoutRedirectUris?: string[];
  disabled: boolean;
  /**
   * When the client was last disabled. Refresh tokens, authorization codes and device codes created at
   * or before it are refused for good, also after the client is enabled again (its access tokens are
   * revoked by the `revoke.client` watermark). Absent on clients never disabled.
   */
  grantsRevokedAt?: number;
  createdAt: number;
  updatedAt: number;
}

/** Whether a user grant (refresh token, code, device code) created at `createdAt` died when its client was disabled. */
export const revokedWithClient = (client: ClientRecord, createdAt: number): boolean =>
  client.grantsRevokedAt !== undefined && createdAt <= client.grantsRevokedAt;

export type KeyState = 'next' | 'active' | 'retired' | 'revoked';

/** A signing key. The private part is only ever stored encrypted under the master key. */
export interface SigningKeyRecord {
  kid: string;
  alg: SigningAlgorithm;
  state: KeyState;
  publicJwk: Record<string, unknown>;
  /** AES-256-GCM ciphertext of the private JWK (see keys/key-encryption.ts). */
  encryptedPrivateJwk: string;
  createdAt: number;
  activatedAt: number | null;
  retiredAt: number | null;
  /** When a retired key leaves the JWKS (its last token has expired). */
  removeAfter: number | null;
  revokedAt: number | null;
}

/** What a change-log entry is about. The `revoke.*` kinds form the public revocation feed. */
export type ChangeKind =
  | 'revoke.token'
  | 'revoke.subject'
  | 'revoke.client'
  | 'revoke.session'
  | 'revoke.family'
  | 'revoke.key'
  | 'client.changed'
  | 'keys.changed';

export const REVOCATION_KINDS: readonly ChangeKind[] = [
  'revoke.token',
  'revoke.subject',
  'revoke.client',
  'revoke.session',
  'revoke.family',
  'revoke.key',
];

export interface NewChange {
  kind: ChangeKind;
  /** The jti, subject, client id, session id, family id or kid the change is about. */
  target: string;
  /** Epoch ms. For watermark kinds, tokens issued before this instant are revoked. */
  createdAt: number;
  /** Epoch ms after which the entry no longer matters and may be pruned. */
  expiresAt: number;
}

/** A change-log entry with its cursor. Cursors are positive and increase in commit order. */
export interface ChangeEntry extends NewChange {
  seq: number;
}
