import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MasterKey } from '@tessera/core';

/** Where the master key lives when TESSERA_MASTER_KEY is not set, and its staging file during rotation. */
export const masterKeyPaths = (dataDir: string): { current: string; pending: string } => ({
  current: join(dataDir, 'master.key'),
  pending: join(dataDir, 'master.key.new'),
});

export function readMasterKeyFile(path: string): MasterKey {
  return MasterKey.parse(readFileSync(path, 'utf8'));
}

/** Writes a key file readable by its owner only; `exclusive` refuses to overwrite an existing file. */
export function writeMasterKeyFile(path: string, key: MasterKey, exclusive: boolean): void {
  if (!exclusive) rmSync(path, { force: true });
  writeFileSync(path, `${key.toString()}\n`, { mode: 0o600, flag: 'wx' });
}

/** The staged key of an interrupted rotation, if any. */
export function pendingMasterKey(dataDir: string): MasterKey | undefined {
  const { pending } = masterKeyPaths(dataDir);
  if (!existsSync(pending)) return undefined;
  try {
    return readMasterKeyFile(pending);
  } catch {
    return undefined;
  }
}

/** Makes the staged key the current one (an atomic rename on the same file system). */
export function promotePendingMasterKey(dataDir: string): void {
  const { current, pending } = masterKeyPaths(dataDir);
  renameSync(pending, current);
}
