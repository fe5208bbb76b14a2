import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { runStoreContract } from '@tessera/core/testing';
import { openSqliteStore } from '@tessera/store-sql';

const dir = mkdtempSync(join(tmpdir(), 'tessera-sqlite-contract-'));
after(() => rmSync(dir, { recursive: true, force: true }));

runStoreContract('SQLite file', () => openSqliteStore({ filename: join(dir, 'contract.db') }));
runStoreContract('SQLite in memory', () => openSqliteStore({ filename: ':memory:' }));
