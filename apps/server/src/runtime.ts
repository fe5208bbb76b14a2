import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MasterKey, WrongMasterKeyError, checkMasterKey, systemClock, type ClientAdminDeps, type EventSink, type Store } from '@tessera/core';
import { openSqliteStore } from '@tessera/store-sql';
import type { ServerConfig } from './config/load-config.js';

export interface Runtime {
  config: ServerConfig;
  store: Store;
  masterKey: MasterKey;
  /** True when this call created the database (first start). */
  fresh: boolean;
  /** Notes worth telling the operator (e.g. a key file was created). */
  notices: string[];
  adminDeps(events: EventSink): ClientAdminDeps;
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
  const path = join(config.dataDir, 'master.key');
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o077;
    if (mode !== 0) notices.push(`warning: ${path} is readable by other users; run chmod 600 on it`);
    try {
      return MasterKey.parse(readFileSync(path, 'utf8'));
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
  writeFileSync(path, `${key.toString()}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  notices.push(`created master key file ${path} (mode 0600); back it up, it decrypts the signing keys`);
  return key;
}

/** Opens the data directory: the database (created and migrated if needed) and the master key. */
export async function openRuntime(config: ServerConfig): Promise<Runtime> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const fresh = !existsSync(config.databasePath);
  const notices: string[] = [];
  const masterKey = loadMasterKey(config, fresh, notices);
  const store = await openSqliteStore({ filename: config.databasePath });
  try {
    await checkMasterKey(store, masterKey);
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
    close: () => store.close(),
  };
}
