import { MasterKey, reencryptAllKeys, type EventSink } from '@tessera/core';
import { masterKeyPaths, promotePendingMasterKey, writeMasterKeyFile } from './master-key-file.js';
import type { Runtime } from './runtime.js';

export type MasterKeyRotationStep = 'staged' | 'reencrypted' | 'promoted';

export interface MasterKeyRotationOptions {
  /** The new key. Required when the current key comes from TESSERA_MASTER_KEY (so it can never be lost). */
  newKey?: MasterKey;
  /** Test seam: stop as if the process died right after this step. */
  interruptAfter?: MasterKeyRotationStep;
}

/**
 * Re-encrypts every signing key under a new master key. With a key file the new key is first staged in
 * `master.key.new`, then the database is re-encrypted in one transaction, then the staged file replaces
 * the old one. An interruption at any point leaves a working store: before the commit the old key still
 * opens it; after the commit the next start finds the staged file and finishes the rotation.
 *
 * The re-encryption runs under the cluster-wide signing-keys lock (`reencryptAllKeys`), the one the key
 * schedule of every running instance and `tessera keys rotate|revoke` take: none of them can interleave
 * with it, and one that comes after it with the old master key is refused (WrongMasterKeyError) instead
 * of writing a key the new master key cannot open.
 */
export async function rotateMasterKey(
  runtime: Runtime,
  events: EventSink,
  options: MasterKeyRotationOptions = {},
): Promise<{ newKey: MasterKey; keys: number; keyFile: string | undefined }> {
  const fromEnvironment = runtime.config.masterKey !== undefined;
  if (fromEnvironment && !options.newKey) {
    throw new Error('the master key comes from TESSERA_MASTER_KEY: pass the new key on standard input (--new-key-stdin)');
  }
  const newKey = options.newKey ?? MasterKey.generate();
  const interrupt = (step: MasterKeyRotationStep): void => {
    if (options.interruptAfter === step) throw new Error(`master-key rotation interrupted after ${step}`);
  };
  const paths = masterKeyPaths(runtime.config.dataDir);
  if (!fromEnvironment) writeMasterKeyFile(paths.pending, newKey, false);
  interrupt('staged');
  const keys = await reencryptAllKeys(runtime.store, runtime.masterKey, newKey, events, Date.now());
  interrupt('reencrypted');
  if (!fromEnvironment) promotePendingMasterKey(runtime.config.dataDir);
  interrupt('promoted');
  return { newKey, keys, keyFile: fromEnvironment ? undefined : paths.current };
}
