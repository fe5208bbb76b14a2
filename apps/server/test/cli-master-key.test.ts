import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { killAllServers, removeDir, runBin, startServerProcess, tempDir } from './support/cli-harness.js';
import { accessToken, createClientViaBin } from './support/cli-http.js';

/**
 * The master key encrypts the signing keys at rest. A wrong, missing or malformed key must stop every
 * command before it writes anything; the right key, from the file or TESSERA_MASTER_KEY, must work.
 */
let root: string;
let dir: string;
let env: Record<string, string>;
let keyPath: string;
const FILES = ['tessera.db', 'tessera.db-wal', 'tessera.db-shm', 'master.key'];

before(async () => {
  root = tempDir('tessera-master-key-');
  dir = join(root, 'data'); // created by the server itself, so its mode can be checked
  env = { TESSERA_DATA_DIR: dir, TESSERA_DEMO_CLIENT: 'false' };
  keyPath = join(dir, 'master.key');
});
after(async () => {
  await killAllServers();
  removeDir(root);
});

const otherKey = (): string => randomBytes(32).toString('base64url');

/** The bytes of every file that holds Tessera's data (null when absent). */
function filesOnDisk(): Record<string, string | null> {
  return Object.fromEntries(FILES.map((f) => [f, existsSync(join(dir, f)) ? readFileSync(join(dir, f)).toString('base64') : null]));
}

/** Every row of every table, through a read-write connection that leaves no -wal/-shm behind when closed. */
function tableContents(): Record<string, unknown[]> {
  const db = new Database(join(dir, 'tessera.db'), { fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all()]));
  } finally {
    db.close();
  }
}

/** Runs the command, expects it to be refused with one stderr line matching `message`, and proves nothing changed. */
async function refusedUnchanged(argv: string[], extraEnv: Record<string, string>, message: RegExp): Promise<void> {
  const rows = tableContents();
  const bytes = filesOnDisk();
  const result = await runBin(argv, { ...env, ...extraEnv }, { timeoutMs: 15_000 });
  assert.notEqual(result.code, 0, `${argv.join(' ')} must be refused`);
  assert.equal(result.errLines.length, 1, result.err);
  assert.match(result.errLines[0] ?? '', message);
  assert.equal(result.out, '');
  assert.deepEqual(filesOnDisk(), bytes, `${argv.join(' ')} changed files on disk`);
  assert.deepEqual(tableContents(), rows, `${argv.join(' ')} changed the database`);
}

describe('master key handling', () => {
  test('the first start creates <data-dir>/master.key with mode 0600 and says so', async () => {
    const server = await startServerProcess(env);
    assert.equal(statSync(keyPath).mode & 0o777, 0o600);
    assert.equal(statSync(dir).mode & 0o777, 0o700, 'the data directory is private too');
    assert.match(readFileSync(keyPath, 'utf8'), /^[A-Za-z0-9_-]{43}\n$/);
    assert.ok(server.stderr().includes(`created master key file ${keyPath} (mode 0600)`), server.stderr());
    const client = await createClientViaBin(env, 'svc');
    await accessToken(server.url, client);
    assert.deepEqual(await server.stop('SIGTERM'), { code: 0, signal: null });
  });

  test('the private signing keys are stored encrypted: no "d" member anywhere', () => {
    const db = new Database(join(dir, 'tessera.db'), { fileMustExist: true });
    let rows: { kid: string; public_jwk: string; encrypted_private_jwk: string }[];
    try {
      rows = db.prepare('SELECT kid, public_jwk, encrypted_private_jwk FROM signing_keys').all() as typeof rows;
    } finally {
      db.close();
    }
    assert.ok(rows.length >= 1, 'the server created a signing key');
    for (const row of rows) {
      const publicJwk = JSON.parse(row.public_jwk) as Record<string, unknown>;
      assert.equal('d' in publicJwk, false);
      assert.equal(publicJwk['kid'], row.kid);
      assert.match(row.encrypted_private_jwk, /^v1\.[A-Za-z0-9_-]+$/);
      const sealed = Buffer.from(row.encrypted_private_jwk.slice(3), 'base64url').toString('latin1');
      assert.ok(!sealed.includes('"d"') && !row.encrypted_private_jwk.includes('"d"'), 'the private JWK is not readable');
    }
    const raw = readFileSync(join(dir, 'tessera.db')).toString('latin1');
    assert.ok(!raw.includes('"d":"'), 'no private JWK member in the database file');
    assert.ok(!raw.includes(readFileSync(keyPath, 'utf8').trim()), 'the master key is not in the database');
  });

  test('a wrong TESSERA_MASTER_KEY is refused by serve and the CLI, and nothing changes', async () => {
    const wrong = otherKey();
    const message = /^tessera (serve|clients list|clients create): the master key does not decrypt the stored signing keys/;
    await refusedUnchanged(['serve', '--port', '0'], { TESSERA_MASTER_KEY: wrong }, message);
    await refusedUnchanged(['clients', 'list'], { TESSERA_MASTER_KEY: wrong }, message);
    await refusedUnchanged(['clients', 'create', '--name', 'x', '--audience', 'https://api.example.com'], { TESSERA_MASTER_KEY: wrong }, message);
  });

  test('a wrong key file is refused and nothing changes', async () => {
    const original = readFileSync(keyPath);
    writeFileSync(keyPath, `${otherKey()}\n`, { mode: 0o600 });
    try {
      await refusedUnchanged(['serve', '--port', '0'], {}, /^tessera serve: the master key does not decrypt/);
    } finally {
      writeFileSync(keyPath, original, { mode: 0o600 });
    }
  });

  test('a missing key file beside an existing database is refused, and no new key is made', async () => {
    const aside = join(root, 'master.key.aside');
    renameSync(keyPath, aside);
    try {
      await refusedUnchanged(['serve', '--port', '0'], {}, /^tessera serve: no master key: .*master\.key is missing .*Restore the key file or set TESSERA_MASTER_KEY/);
      await refusedUnchanged(['clients', 'list'], {}, /^tessera clients list: no master key/);
      assert.equal(existsSync(keyPath), false, 'no replacement key file was written');
    } finally {
      renameSync(aside, keyPath);
    }
  });

  test('a malformed master key is refused, naming where it came from', async () => {
    const key = readFileSync(keyPath, 'utf8').trim();
    const malformed = [
      'not-a-key',
      randomBytes(32).toString('hex'), // what `openssl rand -hex 32` prints: 64 characters, 48 bytes as base64
      randomBytes(31).toString('base64url'),
      `${key.slice(0, 20)}!${key.slice(20)}`, // a stray character must not be skipped silently
      `${key}$`,
    ];
    for (const value of malformed) {
      await refusedUnchanged(['serve', '--port', '0'], { TESSERA_MASTER_KEY: value }, /^tessera serve: TESSERA_MASTER_KEY: .*32 bytes/);
    }
    await refusedUnchanged(['clients', 'list', '--master-key', 'not-a-key'], {}, /^tessera clients list: --master-key: .*32 bytes/);
    const config = join(root, 'bad-key.json');
    writeFileSync(config, JSON.stringify({ masterKey: 'not-a-key' }));
    await refusedUnchanged(['clients', 'list', '--config', config], {}, /^tessera clients list: config file "masterKey": .*32 bytes/);
  });

  test('TESSERA_MASTER_KEY set to the key in the file works, with or without the file', async () => {
    const key = readFileSync(keyPath, 'utf8').trim();
    const withKey = { ...env, TESSERA_MASTER_KEY: key };
    const server = await startServerProcess(withKey);
    const client = await createClientViaBin(withKey, 'with env key');
    await accessToken(server.url, client);
    assert.deepEqual(await server.stop('SIGTERM'), { code: 0, signal: null });

    const aside = join(root, 'master.key.aside');
    renameSync(keyPath, aside);
    try {
      const listed = await runBin(['clients', 'list', '--json'], withKey);
      assert.equal(listed.code, 0, listed.err);
      assert.ok((JSON.parse(listed.out) as { id: string }[]).some((c) => c.id === client.id));
      assert.equal(existsSync(keyPath), false, 'with TESSERA_MASTER_KEY no key file is written');
      const base64 = Buffer.from(key, 'base64url').toString('base64'); // `openssl rand -base64 32` style, padded
      const padded = await runBin(['clients', 'list'], { ...env, TESSERA_MASTER_KEY: base64 });
      assert.equal(padded.code, 0, `the padded base64 form is accepted too: ${padded.err}`);
    } finally {
      renameSync(aside, keyPath);
    }
  });

  test('the key file is never rewritten by a normal start', async () => {
    const original = readFileSync(keyPath);
    const mtime = statSync(keyPath).mtimeMs;
    const server = await startServerProcess(env);
    assert.deepEqual(await server.stop('SIGTERM'), { code: 0, signal: null });
    assert.deepEqual(readFileSync(keyPath), original);
    assert.equal(statSync(keyPath).mtimeMs, mtime);
    assert.doesNotMatch(server.stderr(), /created master key file/);
  });
});
