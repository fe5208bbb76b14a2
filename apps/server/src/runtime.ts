import { existsSync, mkdirSync, statSync } from 'node:fs';
import { MasterKey, WrongMasterKeyError, checkMasterKey, systemClock, type ClientAdminDeps, type EventSink, type Store } from '@tessera/core';
import { openStoreOrExplain, type StoreWatchHandlers } from './database.js';
import type { ServerConfig } from './config/load-config.js';
import { masterKeyPaths, pendingMasterKey, promotePendingMasterKey, readMasterKeyFile, writeMasterKeyFile } from './master-key-file.js';

export interface Runtime {
  config: ServerConfig;
  store: Store;
  masterKey: MasterKey;
  /** True when this call created the database (first start). */
  fresh: boolean;
  /** Notes worth telling the operator (e.g. a key file was created). */
  notices: string[];
  adminDeps(events: EventSink): ClientAdminDeps;
  /** PostgreSQL: cross-instance change notifications (LISTEN/NOTIFY) and background connection errors. */
  watchStore?: (handlers: StoreWatchHandlers) => () => void;
  close(): Promise<void>;
}

/** A problem the operator must fix before Tessera can run; the message says what to do. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

function loadMasterKey(config: ServerConfig, fresh: boolean, notices: string[]): MasterKey {
  if (config.masterKey !== undefined) {
    try {
      return MasterKey.parse(config.masterKey);
    } catch (error) {
      throw new StartupError(`TESSERA_MASTER_KEY: ${(error as Error).message}`);
    }
  }
  const path = masterKeyPaths(config.dataDir).current;
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o077;
    if (mode !== 0) notices.push(`warning: ${path} is readable by other users; run chmod 600 on it`);
    try {
      return readMasterKeyFile(path);
    } catch (error) {
      throw new StartupError(`${path}: ${(error as Error).message}`);
    }
  }
  if (!fresh) {
    throw new StartupError(
      `no master key: ${path} is missing and TESSERA_MASTER_KEY is unset, but the database already exists. ` +
        'Restore the key file or set TESSERA_MASTER_KEY; a new key cannot decrypt the existing signing keys.',
    );
  }
  const key = MasterKey.generate();
  writeMasterKeyFile(path, key, true);
  notices.push(`created master key file ${path} (mode 0600); back it up, it decrypts the signing keys`);
  return key;
}

/**
 * Checks the master key against the data. If it is wrong but an interrupted `master-key rotate` left a
 * staged key file that is right (the database was re-encrypted, the file not yet renamed), finishes that
 * rotation by promoting the staged file.
 */
async function checkOrRecoverMasterKey(config: ServerConfig, store: Store, masterKey: MasterKey, notices: string[]): Promise<MasterKey> {
  try {
    await checkMasterKey(store, masterKey);
    return masterKey;
  } catch (error) {
    const staged = config.masterKey === undefined ? pendingMasterKey(config.dataDir) : undefined;
    if (!(error instanceof WrongMasterKeyError) || !staged) throw error;
    await checkMasterKey(store, staged);
    promotePendingMasterKey(config.dataDir);
    notices.push('finished an interrupted master-key rotation: the staged key file is now the master key');
    return staged;
  }
}

/** Opens the data directory: the database (created and migrated if needed) and the master key. */
export async function openRuntime(config: ServerConfig): Promise<Runtime> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const notices: string[] = [];
  const opened = await openStoreOrExplain(config, (isFresh) => loadMasterKey(config, isFresh, notices));
  const { store, fresh } = opened;
  let masterKey = opened.masterKey;
  if (opened.migrationsApplied.length > 0) notices.push(`applied database migrations ${opened.migrationsApplied.join(', ')} to ${opened.where}`);
  try {
    masterKey = await checkOrRecoverMasterKey(config, store, masterKey, notices);
  } catch (error) {
    await store.close();
    if (error instanceof WrongMasterKeyError) {
      throw new StartupError(`${error.message}; nothing was changed`);
    }
    throw error;
  }
  return {
    config,
    store,
    masterKey,
    fresh,
    notices,
    adminDeps: (events) => ({ store, clock: systemClock, events, maxAccessTokenTtl: config.maxAccessTokenTtl }),
    ...(opened.watch ? { watchStore: opened.watch } : {}),
    close: () => store.close(),
  };
}
