import { discardEvents, type EventSink } from './audit/events.js';
import { ClientKeySets } from './client-auth/client-assertion.js';
import { ClientDirectory } from './clients/client-directory.js';
import { systemClock, type Clock } from './clock.js';
import { resolveConfig, type AuthServerConfig, type AuthServerOptions } from './config.js';
import { introspectionEndpoint } from './endpoints/introspect.js';
import { authorizationServerMetadata } from './endpoints/metadata.js';
import { revocationEndpoint } from './endpoints/revoke.js';
import { supportedGrantTypes, tokenEndpoint } from './endpoints/token.js';
import type { Engine } from './engine.js';
import { checkMasterKey } from './keys/bootstrap.js';
import { applyKeySchedule, type KeyLifecycleDeps } from './keys/key-lifecycle.js';
import { Keyring } from './keys/keyring.js';
import type { MasterKey } from './keys/master-key.js';
import { REVOCATION_KINDS, type ChangeEntry } from './model.js';
import type { Store } from './ports/store.js';
import type { EndpointRequest } from './request.js';
import { ChangeListeners, type ChangeListener } from './revocation/change-listeners.js';
import { openRevocationFeed, revocationFeedEndpoint, type RevocationFeedReader } from './revocation/feed-access.js';
import type { RevocationFeedPage } from './revocation/feed.js';
import { RevocationSet } from './revocation/revocation-set.js';
import type { TokenResponse } from './tokens/issue-access-token.js';
import { VerifiedTokenCache } from './tokens/verified-token-cache.js';
import { resolveLoginConfig, type LoginOptions } from './login/config.js';
import { LoginFlows } from './login/flows.js';
import { loginMetadata } from './login/metadata.js';
import { noPasswordHasher, type PasswordHasher } from './login/password-hasher.js';
import { revokeFamily } from './tokens/user-tokens.js';

export interface CreateAuthServerOptions {
  config: AuthServerOptions;
  store: Store;
  masterKey: MasterKey;
  clock?: Clock;
  events?: EventSink;
  /** Login features: lifetimes and grace window (login/config.ts). */
  login?: LoginOptions;
  /** Verifies and hashes user passwords (argon2id in apps/server). Without one, nobody can log in. */
  passwordHasher?: PasswordHasher;
}

/** The protocol engine, free of HTTP: each endpoint is a function of a request. */
export interface AuthServer {
  readonly config: AuthServerConfig;
  token(request: EndpointRequest): Promise<TokenResponse>;
  /** The RFC 7662 response body, already serialised. */
  introspect(request: EndpointRequest): Promise<string>;
  revoke(request: EndpointRequest): Promise<void>;
  /** RFC 8414 metadata, serialised once per key change. */
  metadataJson(): string;
  /** The public JWKS, serialised once per key change. */
  jwksJson(): string;
  /**
   * Applies changes other processes or instances wrote to the store (revocations, client and key
   * changes) since the last call. Call it on a short interval or on a notification; it is idempotent.
   */
  sync(): Promise<number>;
  /** Drops expired entries from memory and from the store. */
  prune(): Promise<void>;
  /** Whether the store answers and the current signing keys are loaded (false while a key change could not be loaded). */
  ready(): Promise<boolean>;
  /**
   * Applies the key-rotation steps that are due (see keys/rotation-policy.ts) and reloads the keys.
   * Idempotent; the server calls it at start and on a timer. Resolves with the number of keys changed.
   */
  applyKeySchedule(): Promise<number>;
  /**
   * GET /revocations: one signed page of the revocation feed after the `since` parameter (see
   * revocation/feed.ts). The caller authenticates as a client allowed the `tessera:revocations` scope;
   * otherwise `invalid_client` (401) or `insufficient_scope` (403).
   */
  revocationFeed(request: EndpointRequest): Promise<RevocationFeedPage>;
  /** Authenticates a feed reader once, for a long-lived stream that reads many pages. Same errors as revocationFeed. */
  openRevocationFeed(request: EndpointRequest): Promise<RevocationFeedReader>;
  /**
   * Subscribes to changes as this process applies them: entries read by sync() and revocations made
   * through this engine (the revoke endpoint). Entries may repeat; returns the unsubscribe function.
   */
  onChange(listener: ChangeListener): () => void;
  /** Numbers worth watching. */
  stats(): { revocations: number; verifiedTokens: number; cursor: number };
  /** The user-facing flows behind the hosted pages: authorization requests, login, consent, logout, userinfo. */
  readonly login: LoginFlows;
  /** Revokes a refresh-token family (its refresh tokens and access tokens), as reuse detection does; for the detectors. */
  revokeFamily(familyId: string): Promise<void>;
}

/** Checks the master key, makes sure signing keys exist, loads keys and revocations, and returns the engine. */
export async function createAuthServer(options: CreateAuthServerOptions): Promise<AuthServer> {
  const config = resolveConfig(options.config);
  const { store, masterKey } = options;
  const clock = options.clock ?? systemClock;
  const events = options.events ?? discardEvents;

  await checkMasterKey(store, masterKey);
  const keyDeps: KeyLifecycleDeps = {
    store,
    masterKey,
    clock,
    events,
    policy: config.rotationPolicy,
    algorithms: config.signingAlgorithms,
  };
  await applyKeySchedule(keyDeps);

  let cursor = await store.latestCursor();
  let keyring = Keyring.load(await store.listSigningKeys(), masterKey, clock.now());
  const revocations = new RevocationSet();
  for (const entry of await store.unexpiredChanges(REVOCATION_KINDS, clock.now())) revocations.apply(entry);

  const clients = new ClientDirectory(store);
  const changes = new ChangeListeners();
  const keySets = new ClientKeySets();
  const engine: Engine = {
    config,
    store,
    clock,
    events,
    clients,
    revocations,
    changes,
    verifiedTokens: new VerifiedTokenCache(config.introspectionCacheSize),
    login: {
      config: resolveLoginConfig(options.login),
      hasher: options.passwordHasher ?? noPasswordHasher,
      masterKey,
      sync: () => api.sync(),
    },
    keyring: () => keyring,
    clientAuth: {
      clients,
      keySets,
      store,
      events,
      now: () => clock.now(),
      assertionAudiences: [config.issuer, config.endpoints.token, config.endpoints.introspection, config.endpoints.revocation],
      maxAssertionTtl: config.maxClientAssertionTtl,
      skewSeconds: config.clockSkew,
    },
  };

  const metadata = (): string =>
    JSON.stringify({ ...authorizationServerMetadata(config, supportedGrantTypes()), ...loginMetadata(config) });
  let metadataJson = metadata();

  /**
   * Set while the signing keys in the store have changed but could not be loaded (a master key that no
   * longer opens them after `master-key rotate`, the database gone mid-read). The old keyring keeps
   * serving, every sync retries, and ready() is false meanwhile: a stale keyring must not look healthy,
   * since it neither signs with nor verifies against keys the other instances have moved on to.
   */
  let keysStale = false;
  async function reloadKeys(): Promise<void> {
    keysStale = true;
    keyring = Keyring.load(await store.listSigningKeys(), masterKey, clock.now(), keyring);
    metadataJson = metadata();
    keysStale = false;
  }

  function apply(entry: ChangeEntry): boolean {
    revocations.apply(entry);
    if (entry.kind === 'client.changed' || entry.kind === 'revoke.client') {
      clients.invalidate(entry.target);
      keySets.invalidate(entry.target);
    }
    return entry.kind === 'keys.changed' || entry.kind === 'revoke.key';
  }

  let syncing: Promise<number> | undefined;
  let syncQueued: Promise<number> | undefined;
  let lastChangeToken: number | string | undefined;
  async function syncOnce(): Promise<number> {
    // Read before the changes, so a commit landing after this read changes the token for the next call.
    const changeToken = await store.changeToken?.();
    if (!keysStale && changeToken !== undefined && changeToken === lastChangeToken) return 0;
    let applied = 0;
    let keysChanged = false;
    for (;;) {
      const batch = await store.changesSince(cursor, 1000);
      for (const entry of batch) {
        if (apply(entry)) keysChanged = true;
        cursor = entry.seq;
      }
      changes.publish(batch);
      applied += batch.length;
      if (batch.length < 1000) break;
    }
    if (keysChanged || keysStale) await reloadKeys();
    lastChangeToken = changeToken;
    return applied;
  }

  const api: AuthServer = {
    config,
    login: new LoginFlows(engine),
    token: (request) => tokenEndpoint(engine, request),
    introspect: (request) => introspectionEndpoint(engine, request),
    revoke: (request) => revocationEndpoint(engine, request),
    revokeFamily: (familyId) => revokeFamily(engine, familyId),
    revocationFeed: (request) => revocationFeedEndpoint(engine, request),
    openRevocationFeed: (request) => openRevocationFeed(engine, request),
    onChange: (listener) => changes.subscribe(listener),
    metadataJson: () => metadataJson,
    jwksJson: () => keyring.jwksJson,
    sync() {
      if (syncing === undefined) {
        syncing = syncOnce().finally(() => {
          syncing = undefined;
        });
        return syncing;
      }
      // One is under way and may have read the log before the caller's change: run once more after it,
      // shared by every caller meanwhile, so a resolved sync() has seen what was committed before the call.
      syncQueued ??= syncing
        .catch(() => 0)
        .then(() => {
          syncQueued = undefined;
          return api.sync();
        });
      return syncQueued;
    },
    async prune() {
      const now = clock.now();
      revocations.prune(now);
      engine.verifiedTokens.prune(now);
      await store.pruneExpired(now);
      await store.pruneLogin(now);
      if (keyring.reloadDueAt <= now) await reloadKeys();
    },
    async applyKeySchedule() {
      const changed = await applyKeySchedule(keyDeps);
      if (changed.length > 0) await reloadKeys();
      return changed.length;
    },
    async ready() {
      try {
        await store.ping();
        if (keysStale) return false;
        // Every configured algorithm must be able to sign: a client pinned to one would otherwise get server_error.
        return config.signingAlgorithms.every((alg) => keyring.activeKey(alg) !== undefined);
      } catch {
        return false;
      }
    },
    stats: () => ({ revocations: revocations.size, verifiedTokens: engine.verifiedTokens.size, cursor }),
  };
  return api;
}
