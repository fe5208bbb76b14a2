import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { loadConfig, startServer, type ServerConfig } from 'tessera';
import { cli, removeDir, runBin, tempDir } from './support/cli-harness.js';
import { accessToken, createClientViaBin } from './support/cli-http.js';

let root: string;
const startDir = process.cwd();
// In-process commands look for ./tessera.json: run from the temp dir so a stray file cannot leak in.
before(() => {
  root = tempDir('tessera-config-');
  process.chdir(root);
});
after(() => {
  process.chdir(startDir);
  removeDir(root);
});

let fileCount = 0;
function configFile(content: unknown, name = `config-${++fileCount}.json`): string {
  const path = join(root, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Runs `work` with the process in `dir`, where ./tessera.json is looked up. */
function inDir<T>(dir: string, work: () => T): T {
  const previous = process.cwd();
  process.chdir(dir);
  try {
    return work();
  } finally {
    process.chdir(previous);
  }
}

/** A directory with no tessera.json, so loadConfig sees only what the test gives it. */
function emptyDir(): string {
  const dir = join(root, `empty-${++fileCount}`);
  mkdirSync(dir);
  return dir;
}

const load = (flags: Record<string, string>, env: Record<string, string>): ServerConfig => inDir(emptyDir(), () => loadConfig(flags, env));

function refused(flags: Record<string, string>, env: Record<string, string>, message: RegExp): void {
  assert.throws(() => load(flags, env), (error: Error) => {
    assert.match(error.message, message);
    return true;
  });
}

describe('loadConfig precedence: flags > environment > config file > defaults', () => {
  test('defaults apply when nothing is set', () => {
    const dir = emptyDir();
    const config = inDir(dir, () => loadConfig({}, {}));
    assert.equal(config.port, 4000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.issuer, 'http://localhost:4000');
    assert.equal(config.dataDir, resolve(dir, '.tessera'));
    assert.equal(config.databasePath, resolve(dir, '.tessera', 'tessera.db'));
    assert.equal(config.masterKey, undefined);
    assert.equal(config.logLevel, 'info');
    assert.equal(config.accessTokenTtl, 600);
    assert.equal(config.maxAccessTokenTtl, 3600);
    assert.deepEqual(config.signingAlgorithms, ['ES256']);
    assert.equal(config.demoClient, true);
  });

  test('each layer overrides the one below it, setting by setting', () => {
    const file = configFile({ port: 1111, logLevel: 'warn', accessTokenTtl: '5m', signingAlgorithms: ['EdDSA', 'ES256'], host: '0.0.0.0' });
    const env = { TESSERA_PORT: '2222', TESSERA_LOG_LEVEL: 'error', TESSERA_ACCESS_TOKEN_TTL: '2m' };
    const all = load({ config: file, port: '3333', 'log-level': 'debug' }, env);
    assert.equal(all.port, 3333, 'flag beats environment and file');
    assert.equal(all.logLevel, 'debug');
    assert.equal(all.accessTokenTtl, 120, 'environment beats file when no flag');
    assert.deepEqual(all.signingAlgorithms, ['EdDSA', 'ES256'], 'file beats default');
    assert.equal(all.host, '0.0.0.0');
    assert.equal(all.issuer, 'http://localhost:3333', 'the default issuer follows the resolved port');

    const noFlags = load({ config: file }, env);
    assert.equal(noFlags.port, 2222);
    assert.equal(noFlags.logLevel, 'error');
    const fileOnly = load({ config: file }, {});
    assert.equal(fileOnly.port, 1111);
    assert.equal(fileOnly.logLevel, 'warn');
    assert.equal(fileOnly.accessTokenTtl, 300);
    assert.equal(load({}, {}).port, 4000);
  });

  test('an empty environment variable counts as unset', () => {
    const file = configFile({ port: 1111 });
    assert.equal(load({ config: file }, { TESSERA_PORT: '' }).port, 1111);
  });

  test('the config file comes from --config, else TESSERA_CONFIG, else ./tessera.json', () => {
    const flagFile = configFile({ port: 1001 });
    const envFile = configFile({ port: 1002 });
    const dir = emptyDir();
    writeFileSync(join(dir, 'tessera.json'), JSON.stringify({ port: 1003, dataDir: 'from-cwd-file' }));
    inDir(dir, () => {
      assert.equal(loadConfig({ config: flagFile }, { TESSERA_CONFIG: envFile }).port, 1001);
      assert.equal(loadConfig({}, { TESSERA_CONFIG: envFile }).port, 1002);
      const cwdConfig = loadConfig({}, {});
      assert.equal(cwdConfig.port, 1003);
      assert.equal(cwdConfig.dataDir, resolve(dir, 'from-cwd-file'));
    });
  });

  test('./tessera.json in the working directory is honoured by the real binary', async () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'tessera.json'), JSON.stringify({ dataDir: 'cwd-data' }));
    const result = await runBin(['clients', 'list'], {}, { cwd: dir });
    assert.equal(result.code, 0, result.err);
    assert.equal(result.out, 'no clients');
    assert.ok(existsSync(join(dir, 'cwd-data', 'tessera.db')), 'the database was created in the configured data dir');
  });
});

describe('loadConfig refuses bad configuration, naming the source', () => {
  test('an unknown key in the config file', () => {
    const file = configFile({ port: 4001, prot: 4002 });
    refused({ config: file }, {}, /unknown setting "prot"/);
    refused({}, { TESSERA_CONFIG: file }, new RegExp(`config file ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  });

  test('a config file that is not a JSON object, or is missing', () => {
    refused({ config: configFile('{"port": 4001,') }, {}, /cannot read config file/);
    refused({ config: configFile('[1, 2]') }, {}, /must contain a JSON object/);
    refused({ config: join(root, 'nowhere.json') }, {}, /cannot read config file .*nowhere\.json/);
  });

  test('a bad value names the flag, variable or file key it came from', () => {
    refused({}, { TESSERA_PORT: 'abc' }, /^TESSERA_PORT: must be an integer/);
    refused({ port: 'abc' }, {}, /^--port: must be an integer/);
    refused({ config: configFile({ port: 'abc' }) }, {}, /^config file "port": must be an integer/);
    refused({}, { TESSERA_PORT: '70000' }, /^TESSERA_PORT:/);
    refused({}, { TESSERA_LOG_LEVEL: 'loud' }, /^TESSERA_LOG_LEVEL: must be one of/);
    refused({}, { TESSERA_ACCESS_TOKEN_TTL: '0' }, /^TESSERA_ACCESS_TOKEN_TTL: must be longer than zero/);
    refused({}, { TESSERA_ACCESS_TOKEN_TTL: 'soon' }, /^TESSERA_ACCESS_TOKEN_TTL: "soon" is not a duration/);
    refused({}, { TESSERA_SIGNING_ALGS: 'ES256,HS256' }, /^TESSERA_SIGNING_ALGS: unknown algorithm "HS256"/);
    refused({}, { TESSERA_TRUST_PROXY: 'maybe' }, /^TESSERA_TRUST_PROXY: must be true or false/);
    refused({ config: configFile({ demoClient: 'perhaps' }) }, {}, /^config file "demoClient": must be true or false/);
  });

  test('a bad flag loses to nothing: it is refused even when the environment is fine', () => {
    refused({ 'log-level': 'chatty' }, { TESSERA_LOG_LEVEL: 'info' }, /^--log-level:/);
  });

  test('TESSERA_DATABASE_URL: postgres:// is refused clearly while unsupported, never echoing the password', (t) => {
    for (const url of ['postgres://tessera:hunter2@db.internal/tessera', 'postgresql://tessera:hunter2@db.internal/tessera']) {
      let config: ServerConfig | undefined;
      try {
        config = load({}, { TESSERA_DATABASE_URL: url });
      } catch (error) {
        assert.match((error as Error).message, /^TESSERA_DATABASE_URL: PostgreSQL is not supported yet/);
        assert.ok(!(error as Error).message.includes('hunter2'));
      }
      if (config !== undefined) {
        // A build that supports PostgreSQL must select it, never fall back to SQLite silently.
        t.diagnostic(`this build accepts ${url.split(':')[0]}://; checking that it is selected`);
        assert.equal((config as unknown as { postgres?: { url: string } }).postgres?.url, url);
      }
    }
    assert.throws(
      () => load({}, { TESSERA_DATABASE_URL: 'mysql://root:hunter2@db/x' }),
      (error: Error) => /^TESSERA_DATABASE_URL: unsupported scheme/.test(error.message) && !error.message.includes('hunter2'),
    );
    refused({}, { TESSERA_DATABASE_URL: 'sqlite://' }, /sqlite:\/\/ needs a file path/);
  });

  test('the real binary refuses a bad environment with one line naming the variable', async () => {
    for (const argv of [['serve'], ['clients', 'list']]) {
      const result = await runBin(argv, { TESSERA_DATA_DIR: join(root, 'never'), TESSERA_PORT: 'abc' });
      assert.equal(result.code, 2);
      assert.equal(result.errLines.length, 1, result.err);
      assert.match(result.errLines[0] ?? '', new RegExp(`^tessera ${argv.join(' ')}: TESSERA_PORT: must be an integer`));
    }
    assert.ok(!existsSync(join(root, 'never')), 'a refused configuration creates no data directory');
    const pgEnv = { TESSERA_DATA_DIR: join(root, 'pg-data'), TESSERA_DATABASE_URL: 'postgres://u:hunter2@127.0.0.1:1/db', TESSERA_DATABASE_CONNECT_TIMEOUT: '1s' };
    const pg = await runBin(['clients', 'list'], pgEnv);
    assert.notEqual(pg.code, 0, 'no PostgreSQL answers here: refused either way');
    assert.equal(pg.errLines.length, 1, pg.err);
    assert.match(pg.errLines[0] ?? '', /^tessera clients list: /);
    assert.ok(!pg.err.includes('hunter2'), 'the password is never printed');
  });
});

describe('every command acts on the data the configuration names', () => {
  test('sqlite:///path puts the database at that path, not in the data dir', async () => {
    const dataDir = join(root, 'sqlite-url-data');
    const dbPath = join(root, 'elsewhere', 'custom.db');
    const env = { TESSERA_DATA_DIR: dataDir, TESSERA_DATABASE_URL: `sqlite://${dbPath}` };
    assert.equal(load({}, env).databasePath, dbPath);
    const created = await cli(['clients', 'create', '--name', 'via-url', '--audience', 'https://api.example.com'], env);
    assert.equal(created.code, 0, created.err);
    assert.ok(existsSync(dbPath));
    assert.ok(!existsSync(join(dataDir, 'tessera.db')));
    assert.ok(existsSync(join(dataDir, 'master.key')), 'the master key file stays in the data dir');
    const listed = await cli(['clients', 'list'], env);
    assert.match(listed.out, /via-url/);
    const other = await cli(['clients', 'list'], { TESSERA_DATA_DIR: dataDir });
    assert.doesNotMatch(other.out, /via-url/, 'without the URL the data dir database is a different one');
  });

  test('TESSERA_DATA_DIR and --data-dir: a client made by the CLI is served by a server on that dir', async () => {
    const dataDir = join(root, 'shared-data');
    const made = await createClientViaBin({ TESSERA_DATA_DIR: dataDir }, 'from-cli');
    const viaFlag = await cli(['clients', 'show', made.id, '--data-dir', dataDir, '--json'], {});
    assert.equal(viaFlag.code, 0, viaFlag.err);
    assert.equal((JSON.parse(viaFlag.out) as { name: string }).name, 'from-cli');

    const config = { ...load({}, { TESSERA_DATA_DIR: dataDir, TESSERA_PORT: '0' }), issuer: 'http://localhost:1' };
    const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
    const server = await startServer(config, sink);
    try {
      assert.equal(server.runtime.config.dataDir, dataDir);
      const token = await accessToken(server.url, made);
      assert.equal(token.split('.').length, 3);
      const listed = (await server.runtime.store.listClients()).map((c) => c.name);
      assert.deepEqual(listed, ['from-cli'], 'the server sees the CLI client and created no demo client');
    } finally {
      await server.close();
    }
  });
});
