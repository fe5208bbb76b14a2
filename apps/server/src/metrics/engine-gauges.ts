import { activationAt, rotationDueAt, type AuthServer, type SigningKeyRecord, type Store } from '@tessera/core';
import { Gauge, type Registry } from 'prom-client';

export interface EngineGaugeSources {
  auth: AuthServer;
  /** Read at scrape time for the signing keys (one query per scrape, never on a request). */
  store: Pick<Store, 'listSigningKeys'>;
  /** Events waiting in the batched audit writer; the gauge exists only when given. */
  auditQueueDepth?: () => number;
  now?: () => number;
}

/** Seconds until the algorithm's next key takes over: the scheduled hand-over, or when the published next key may sign. */
function secondsToRotation(keys: readonly SigningKeyRecord[], active: SigningKeyRecord, auth: AuthServer, now: number): number {
  const policy = auth.config.rotationPolicy;
  const next = keys.find((k) => k.alg === active.alg && k.state === 'next');
  const at = next ? activationAt(next, active, policy) : rotationDueAt(active, policy);
  return (at - now) / 1000;
}

/** Gauges read from the engine when Prometheus scrapes: nothing runs between scrapes. */
export function registerEngineGauges(registry: Registry, sources: EngineGaugeSources): void {
  const now = sources.now ?? Date.now;
  const { auth } = sources;
  new Gauge({
    name: 'tessera_revocation_set_size',
    help: 'Entries in the in-memory revocation set (jtis, subject/client/session watermarks, families, keys).',
    registers: [registry],
    collect() {
      this.set(auth.stats().revocations);
    },
  });
  new Gauge({
    name: 'tessera_verified_token_cache_size',
    help: 'Access tokens in the introspection cache of verified tokens.',
    registers: [registry],
    collect() {
      this.set(auth.stats().verifiedTokens);
    },
  });
  // Both key gauges are collected in the same scrape: they share one read of the keys.
  let pending: Promise<SigningKeyRecord[] | undefined> | undefined;
  const readKeys = (): Promise<SigningKeyRecord[] | undefined> =>
    (pending ??= sources.store
      .listSigningKeys()
      .catch(() => undefined) // Store unreachable: keep the last values; /readyz and the error metrics tell the story.
      .finally(() => {
        pending = undefined;
      }));
  new Gauge({
    name: 'tessera_signing_keys',
    help: 'Signing keys in the store by algorithm and state (active signs; next is pre-published; retired is still published).',
    labelNames: ['alg', 'state'],
    registers: [registry],
    async collect() {
      const keys = await readKeys();
      if (!keys) return;
      this.reset();
      for (const key of keys) this.inc({ alg: key.alg, state: key.state });
    },
  });
  new Gauge({
    name: 'tessera_signing_key_rotation_seconds',
    help: 'Seconds until the next scheduled signing-key rotation, by algorithm (negative: overdue).',
    labelNames: ['alg'],
    registers: [registry],
    async collect() {
      const keys = await readKeys();
      if (!keys) return;
      const at = now();
      this.reset();
      for (const key of keys) if (key.state === 'active') this.set({ alg: key.alg }, secondsToRotation(keys, key, auth, at));
    },
  });
  const depth = sources.auditQueueDepth;
  if (depth) {
    new Gauge({
      name: 'tessera_audit_queue_depth',
      help: 'Audit events waiting to be written to the database.',
      registers: [registry],
      collect() {
        this.set(depth());
      },
    });
  }
}
