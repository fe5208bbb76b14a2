import type { MasterKey } from '../keys/master-key.js';
import type { LoginConfig } from './config.js';
import type { PasswordHasher } from './password-hasher.js';

/** What the login features add to the engine. */
export interface LoginContext {
  readonly config: LoginConfig;
  readonly hasher: PasswordHasher;
  /** Seals grace-window responses at rest. */
  readonly masterKey: MasterKey;
  /** Applies change-log entries appended by a store call (e.g. a family revocation) to this instance at once. */
  sync(): Promise<number>;
}
