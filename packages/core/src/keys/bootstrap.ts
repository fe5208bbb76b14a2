import type { EventSink } from '../audit/events.js';
import type { SigningAlgorithm, SigningKeyRecord } from '../model.js';
import type { Store } from '../ports/store.js';
import { MasterKey, WrongMasterKeyError, masterKeyCheck } from './master-key.js';
import { createSigningKey, decryptPrivateKey } from './signing-key.js';

const CHECK_META = 'master_key_check';

/**
 * Proves the master key is the one the data was written under, before anything is written.
 * On an empty store it records the check value for next time.
 */
export async function checkMasterKey(store: Store, masterKey: MasterKey): Promise<void> {
  const stored = await store.getMeta(CHECK_META);
  if (stored !== undefined) {
    if (!masterKeyCheck.verify(masterKey, stored)) throw new WrongMasterKeyError();
    return;
  }
  const keys = await store.listSigningKeys();
  const sample = keys.find((k) => k.state !== 'revoked');
  if (sample) decryptPrivateKey(sample, masterKey);
  await store.setMeta(CHECK_META, masterKeyCheck.create(masterKey));
}

/** Makes sure each configured algorithm has an active key, creating and activating one where missing. */
export async function ensureActiveKeys(
  store: Store,
  masterKey: MasterKey,
  algorithms: readonly SigningAlgorithm[],
  now: number,
  events: EventSink,
): Promise<void> {
  const keys = await store.listSigningKeys();
  const created: SigningKeyRecord[] = [];
  for (const alg of algorithms) {
    if (keys.some((k) => k.alg === alg && k.state === 'active')) continue;
    created.push({ ...createSigningKey(alg, masterKey, now), state: 'active', activatedAt: now });
  }
  if (created.length === 0) return;
  await store.saveSigningKeys(created, [{ kind: 'keys.changed', target: '*', createdAt: now, expiresAt: now + 86_400_000 }]);
  for (const key of created) {
    events.emit({ type: 'key.created', time: now, tokenId: key.kid, alg: key.alg, outcome: 'success' });
    events.emit({ type: 'key.activated', time: now, tokenId: key.kid, alg: key.alg, outcome: 'success' });
  }
}

export { MasterKey };
