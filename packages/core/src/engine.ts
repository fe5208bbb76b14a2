import type { EventSink } from './audit/events.js';
import type { ClientAuthDeps } from './client-auth/authenticate-client.js';
import type { ClientDirectory } from './clients/client-directory.js';
import type { Clock } from './clock.js';
import type { AuthServerConfig } from './config.js';
import type { Keyring } from './keys/keyring.js';
import type { LoginContext } from './login/context.js';
import type { Store } from './ports/store.js';
import type { ChangeListeners } from './revocation/change-listeners.js';
import type { RevocationSet } from './revocation/revocation-set.js';
import type { VerifiedTokenCache } from './tokens/verified-token-cache.js';

/** The state every endpoint works over. Built once by createAuthServer; endpoints never hold their own. */
export interface Engine {
  readonly config: AuthServerConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly events: EventSink;
  readonly clients: ClientDirectory;
  readonly clientAuth: ClientAuthDeps;
  readonly revocations: RevocationSet;
  /** Whoever appends a revocation and applies it locally publishes it here too (see ChangeListeners). */
  readonly changes: ChangeListeners;
  readonly verifiedTokens: VerifiedTokenCache;
  /** Settings, password hasher and sealing key of the login features (login/context.ts). */
  readonly login: LoginContext;
  /** The current keyring; replaced (never mutated) when keys change. */
  keyring(): Keyring;
}
