import type { EventSink } from '../audit/events.js';
import type { Clock } from '../clock.js';
import type { NewChange, SigningAlgorithm, SigningKeyRecord } from '../model.js';
import { SIGNING_KEYS_LOCK, exclusively } from '../ports/exclusive.js';
import type { Store } from '../ports/store.js';
import { WrongMasterKeyError, masterKeyCheck, type MasterKey } from './master-key.js';
import { planKeySteps, type KeyStep, type RotationPolicy } from './rotation-policy.js';
import { createSigningKey, reencryptSigningKey } from './signing-key.js';

export interface KeyLifecycleDeps {
  store: Store;
  masterKey: MasterKey;
  clock: Clock;
  events: EventSink;
  policy: RotationPolicy;
  /** Algorithms that must each have one active key. */
  algorithms: readonly SigningAlgorithm[];
}

export const MASTER_KEY_CHECK_META = 'master_key_check';

/** Unknown kid or a step that makes no sense for the key's state; the message says which. */
export class KeyLifecycleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyLifecycleError';
  }
}

const keysChanged = (now: number): NewChange => ({ kind: 'keys.changed', target: '*', createdAt: now, expiresAt: now + 86_400_000 });

/** Turns planned steps into updated key records, saves them in one transaction, and reports each step. */
async function applySteps(
  deps: KeyLifecycleDeps,
  keys: SigningKeyRecord[],
  steps: KeyStep[],
  extra: { changes?: NewChange[]; records?: SigningKeyRecord[] } = {},
): Promise<SigningKeyRecord[]> {
  if (steps.length === 0 && !extra.records?.length) return [];
  const now = deps.clock.now();
  const byKid = new Map(keys.map((k) => [k.kid, k]));
  const changed = new Map<string, SigningKeyRecord>((extra.records ?? []).map((k) => [k.kid, k]));
  const update = (kid: string, patch: Partial<SigningKeyRecord>): void => {
    const current = changed.get(kid) ?? byKid.get(kid);
    if (!current) throw new KeyLifecycleError(`no signing key with kid "${kid}"`);
    changed.set(kid, { ...current, ...patch });
  };
  for (const step of steps) {
    switch (step.step) {
      case 'create-next':
      case 'create-active': {
        const key = createSigningKey(step.alg, deps.masterKey, now);
        changed.set(key.kid, step.step === 'create-active' ? { ...key, state: 'active', activatedAt: now } : key);
        break;
      }
      case 'activate':
        update(step.kid, { state: 'active', activatedAt: now });
        break;
      case 'retire':
        update(step.kid, { state: 'retired', retiredAt: now, removeAfter: step.removeAfter });
        break;
    }
  }
  const saved = [...changed.values()];
  await deps.store.saveSigningKeys(saved, [keysChanged(now), ...(extra.changes ?? [])]);
  for (const key of saved) reportKey(deps.events, key, byKid.get(key.kid), now);
  return saved;
}

function reportKey(events: EventSink, key: SigningKeyRecord, before: SigningKeyRecord | undefined, now: number): void {
  const base = { time: now, tokenId: key.kid, alg: key.alg, outcome: 'success' as const };
  if (!before) events.emit({ type: 'key.created', ...base });
  if (before?.state === key.state) return;
  if (key.state === 'active') events.emit({ type: 'key.activated', ...base });
  if (key.state === 'retired') events.emit({ type: 'key.retired', ...base });
  if (key.state === 'revoked') events.emit({ type: 'key.revoked', ...base });
}

/**
 * Every read-decide-write step on signing keys (schedule, manual rotation, revocation, master-key
 * re-encryption) runs under one cluster-wide lock, so two of them never interleave across processes;
 * and, under that lock, only with the master key the store is under now (a process still holding the
 * key a concurrent master-key rotation replaced must not write keys encrypted with it).
 */
function underKeyLock<T>(store: Store, masterKey: MasterKey, work: () => Promise<T>): Promise<T> {
  return exclusively(store, SIGNING_KEYS_LOCK, async () => {
    const check = await store.getMeta(MASTER_KEY_CHECK_META);
    if (check !== undefined && !masterKeyCheck.verify(masterKey, check)) throw new WrongMasterKeyError();
    return work();
  });
}

/** Applies whatever the schedule says is due now. Idempotent: a second call right after changes nothing. */
export async function applyKeySchedule(deps: KeyLifecycleDeps): Promise<SigningKeyRecord[]> {
  // Under the cluster-wide lock: instances starting together (or their timers) create each key once.
  return underKeyLock(deps.store, deps.masterKey, async () => {
    const keys = await deps.store.listSigningKeys();
    return applySteps(deps, keys, planKeySteps(keys, deps.clock.now(), deps.policy, deps.algorithms));
  });
}

/** A planned rotation now: the next key (or a new one) becomes active, the active key retires, a new next key is published. */
export function rotateKeysNow(deps: KeyLifecycleDeps, only?: SigningAlgorithm): Promise<SigningKeyRecord[]> {
  return underKeyLock(deps.store, deps.masterKey, () => rotateKeysLocked(deps, only));
}

async function rotateKeysLocked(deps: KeyLifecycleDeps, only?: SigningAlgorithm): Promise<SigningKeyRecord[]> {
  const keys = await deps.store.listSigningKeys();
  const now = deps.clock.now();
  const removeAfter = now + deps.policy.maxTokenLifetime + deps.policy.retirementMargin;
  const steps: KeyStep[] = [];
  for (const alg of deps.algorithms.filter((a) => only === undefined || a === only)) {
    const active = keys.find((k) => k.alg === alg && k.state === 'active');
    const next = keys.find((k) => k.alg === alg && k.state === 'next');
    steps.push(next ? { step: 'activate', kid: next.kid } : { step: 'create-active', alg });
    if (active) steps.push({ step: 'retire', kid: active.kid, removeAfter });
    steps.push({ step: 'create-next', alg });
  }
  if (steps.length === 0) throw new KeyLifecycleError(`algorithm ${only ?? ''} is not configured`);
  return applySteps(deps, keys, steps);
}

/**
 * Emergency: the key leaves the JWKS at once and every token it signed is revoked (one `revoke.key`
 * entry, no jti list). If it was signing, its successor takes over at once.
 */
export function revokeSigningKey(deps: KeyLifecycleDeps, kid: string): Promise<SigningKeyRecord[]> {
  return underKeyLock(deps.store, deps.masterKey, () => revokeKeyLocked(deps, kid));
}

async function revokeKeyLocked(deps: KeyLifecycleDeps, kid: string): Promise<SigningKeyRecord[]> {
  const keys = await deps.store.listSigningKeys();
  const key = keys.find((k) => k.kid === kid);
  if (!key) throw new KeyLifecycleError(`no signing key with kid "${kid}"`);
  if (key.state === 'revoked') return [];
  const now = deps.clock.now();
  const revoked: SigningKeyRecord = { ...key, state: 'revoked', revokedAt: now };
  const successor: KeyStep[] = [];
  if (key.state === 'active' && deps.algorithms.includes(key.alg)) {
    const next = keys.find((k) => k.alg === key.alg && k.state === 'next');
    successor.push(next ? { step: 'activate', kid: next.kid } : { step: 'create-active', alg: key.alg });
  }
  const expiresAt = now + deps.policy.maxTokenLifetime + deps.policy.retirementMargin;
  return applySteps(deps, keys, successor, {
    records: [revoked],
    changes: [{ kind: 'revoke.key', target: kid, createdAt: now, expiresAt }],
  });
}

/**
 * Re-encrypts every private key under `to` and replaces the master-key check value, in one transaction:
 * either the store is entirely under the new key or entirely under the old one.
 */
export async function reencryptAllKeys(store: Store, from: MasterKey, to: MasterKey, events: EventSink, now: number): Promise<number> {
  const count = await underKeyLock(store, from, async () => {
    const keys = await store.listSigningKeys();
    const reencrypted = keys.map((k) => reencryptSigningKey(k, from, to));
    await store.saveSigningKeys(reencrypted, [keysChanged(now)], { [MASTER_KEY_CHECK_META]: masterKeyCheck.create(to) });
    return keys.length;
  });
  events.emit({ type: 'master_key.rotated', time: now, outcome: 'success', reason: `${count} keys re-encrypted` });
  return count;
}
