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
import { checkMasterKey, ensureActiveKeys } from './keys/bootstrap.js';
import { Keyring } from './keys/keyring.js';
import type { MasterKey } from './keys/master-key.js';
import { REVOCATION_KINDS, type ChangeEntry } from './model.js';
import type { Store } from './ports/store.js';
import type { EndpointRequest } from './request.js';
import { RevocationSet } from './revocation/revocation-set.js';
import type { TokenResponse } from './tokens/issue-access-token.js';
import { VerifiedTokenCache } from './tokens/verified-token-cache.js';

export interface CreateAuthServerOptions {
  config: AuthServerOptions;
  store: Store;
  masterKey: MasterKey;
  clock?: Clock;
  events?: EventSink;
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
  /** Whether the store answers and keys are loaded. */
  ready(): Promise<boolean>;
  /** Numbers worth watching. */
  stats(): { revocations: number; verifiedTokens: number; cursor: number };
}

/** Checks the master key, makes sure signing keys exist, loads keys and revocations, and returns the engine. */
export async function createAuthServer(options: CreateAuthServerOptions): Promise<AuthServer> {
  const config = resolveConfig(options.config);
  const { store, masterKey } = options;
  const clock = options.clock ?? systemClock;
  const events = options.events ?? discardEvents;

  await checkMasterKey(store, masterKey);
  await ensureActiveKeys(store, masterKey, config.signingAlgorithms, clock.now(), events);

  let cursor = await store.latestCursor();
  let keyring = Keyring.load(await store.listSigningKeys(), masterKey, clock.now());
  const revocations = new RevocationSet();
  for (const entry of await store.unexpiredChanges(REVOCATION_KINDS, clock.now())) revocations.apply(entry);

  const clients = new ClientDirectory(store);
  const keySets = new ClientKeySets();
  const engine: Engine = {
    config,
    store,
    clock,
    events,
    clients,
    revocations,
    verifiedTokens: new VerifiedTokenCache(config.introspectionCacheSize),
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

  const metadata = (): string => JSON.stringify(authorizationServerMetadata(config, supportedGrantTypes()));
  let metadataJson = metadata();

  async function reloadKeys(): Promise<void> {
    keyring = Keyring.load(await store.listSigningKeys(), masterKey, clock.now());
    metadataJson = metadata();
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
  async function syncOnce(): Promise<number> {
    let applied = 0;
    let keysChanged = false;
    for (;;) {
      const batch = await store.changesSince(cursor, 1000);
      for (const entry of batch) {
        if (apply(entry)) keysChanged = true;
        cursor = entry.seq;
      }
      applied += batch.length;
      if (batch.length < 1000) break;
    }
    if (keysChanged) await reloadKeys();
    return applied;
  }

  return {
    config,
    token: (request) => tokenEndpoint(engine, request),
    introspect: (request) => introspectionEndpoint(engine, request),
    revoke: (request) => revocationEndpoint(engine, request),
    metadataJson: () => metadataJson,
    jwksJson: () => keyring.jwksJson,
    sync() {
      syncing ??= syncOnce().finally(() => {
        syncing = undefined;
      });
      return syncing;
    },
    async prune() {
      const now = clock.now();
      revocations.prune(now);
      engine.verifiedTokens.prune(now);
      await store.pruneExpired(now);
      if (keyring.records.some((r) => r.state === 'retired' && r.removeAfter !== null && r.removeAfter <= now)) {
        await reloadKeys();
      }
    },
    async ready() {
      try {
        await store.ping();
        return keyring.activeAlgorithms().length > 0;
      } catch {
        return false;
      }
    },
    stats: () => ({ revocations: revocations.size, verifiedTokens: engine.verifiedTokens.size, cursor }),
  };
}
