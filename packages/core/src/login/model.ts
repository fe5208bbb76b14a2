/** Records of the login features (users, sessions, codes, refresh tokens, consents). Times are epoch ms. */

/** A person who logs in. `id` (`tu_…`) is the token subject; the username is unique ignoring case. */
export interface UserRecord {
  id: string;
  username: string;
  email: string | null;
  /** Display name, for the `profile` scope. */
  name: string | null;
  /** PHC string from the PasswordHasher; null means the user cannot log in with a password. */
  passwordHash: string | null;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A login session (one browser), named by the session cookie and the `sid` claim. */
export interface SessionRecord {
  /** Public handle (`ts_…`), shown to operators and put in `sid`; not enough to use the session. */
  id: string;
  /** SHA-256 of the secret half of the session cookie (`<id>.<secret>`). */
  secretHash: string;
  userId: string;
  /** When the user last authenticated (the ID token's auth_time). */
  authTime: number;
  createdAt: number;
  lastSeenAt: number;
  /** Absolute end of the session. */
  expiresAt: number;
  endedAt: number | null;
  ip: string | null;
  userAgent: string | null;
}

/** An authorization code (RFC 6749 §4.1.2); only the SHA-256 of the code is stored. */
export interface AuthorizationCodeRecord {
  hash: string;
  clientId: string;
  userId: string;
  sessionId: string;
  redirectUri: string;
  scopes: string[];
  resources: string[];
  /** RFC 7636 S256 challenge. */
  codeChallenge: string;
  nonce: string | null;
  authTime: number;
  /** The token family every token issued from this code belongs to (so a replay can revoke them). */
  familyId: string;
  createdAt: number;
  expiresAt: number;
  consumedAt: number | null;
}

/** A refresh token; only its SHA-256 is stored. Each rotation makes a new record in the same family. */
export interface RefreshTokenRecord {
  hash: string;
  familyId: string;
  clientId: string;
  userId: string;
  sessionId: string;
  scopes: string[];
  audience: string[];
  authTime: number;
  createdAt: number;
  /** Idle expiry of this token (never later than familyExpiresAt). */
  expiresAt: number;
  /** Absolute expiry of the whole family. */
  familyExpiresAt: number;
  /** Set when it was rotated; a second use after this is reuse (outside the grace window). */
  consumedAt: number | null;
  revokedAt: number | null;
  /** The token response given on rotation, sealed under the master key, kept only for the grace window. */
  graceResponse: string | null;
  graceUntil: number | null;
}

/** What a user allowed a client (remembered consent). */
export interface ConsentRecord {
  userId: string;
  clientId: string;
  scopes: string[];
  updatedAt: number;
}

export type DeviceCodeState = 'pending' | 'approved' | 'denied' | 'consumed';

/** An RFC 8628 device authorization; only the SHA-256 of the device code is stored. */
export interface DeviceCodeRecord {
  hash: string;
  /** Normalised user code (upper case, no dash). */
  userCode: string;
  clientId: string;
  scopes: string[];
  resources: string[];
  state: DeviceCodeState;
  userId: string | null;
  sessionId: string | null;
  authTime: number | null;
  familyId: string;
  interval: number;
  lastPolledAt: number | null;
  createdAt: number;
  expiresAt: number;
}
