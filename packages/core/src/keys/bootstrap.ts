import { SIGNING_KEYS_LOCK, exclusively } from '../ports/exclusive.js';
import type { Store } from '../ports/store.js';
import { MASTER_KEY_CHECK_META as CHECK_META } from './key-lifecycle.js';
import { WrongMasterKeyError, masterKeyCheck, type MasterKey } from './master-key.js';
import { decryptPrivateKey } from './signing-key.js';

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
  // First start: decided once across instances, so two started with different keys cannot both pass.
  await exclusively(store, SIGNING_KEYS_LOCK, async () => {
    const raced = await store.getMeta(CHECK_META);
    if (raced !== undefined) {
      if (!masterKeyCheck.verify(masterKey, raced)) throw new WrongMasterKeyError();
      return;
    }
    const keys = await store.listSigningKeys();
    const sample = keys.find((k) => k.state !== 'revoked');
    if (sample) decryptPrivateKey(sample, masterKey);
    await store.setMeta(CHECK_META, masterKeyCheck.create(masterKey));
  });
}
