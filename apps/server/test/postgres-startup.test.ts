import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { LATEST_SCHEMA_VERSION } from '@tessera/store-sql';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '@tessera/store-sql/testing';
import { removeDir, runBin, tempDir } from './support/cli-harness.js';
import { clusterEnv, startInstance } from './support/cluster.js';

describe('PostgreSQL at start: clear refusals, never the password', () => {
  it('an unreachable PostgreSQL is one line naming the URL without its password', async () => {
    const dir = tempDir('tessera-pg-down-');
    try {
      const env = {
        TESSERA_DATA_DIR: dir,
        TESSERA_DATABASE_URL: 'postgres://tessera:hunter2@127.0.0.1:1/tessera',
        TESSERA_DATABASE_CONNECT_TIMEOUT: '1s',
        TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'),
      };
      for (const argv of [['serve'], ['migrate']]) {
        const result = await runBin(argv, env);
        assert.equal(result.code, 1, result.err);
        assert.equal(result.errLines.length, 1, result.err);
        assert.ok(!result.err.includes('hunter2'), result.err);
        assert.match(result.errLines[0] ?? '', new RegExp(`^tessera ${argv[0]}: .*postgres://tessera:\\*\\*\\*@127\\.0\\.0\\.1:1/tessera.*ECONNREFUSED`));
      }
    } finally {
      removeDir(dir);
    }
  });
});

const skip = await postgresSkipReason();

if (skip) it('tessera migrate and TESSERA_AUTO_MIGRATE on PostgreSQL', { skip }, () => undefined);
else
  describe('tessera migrate and TESSERA_AUTO_MIGRATE on PostgreSQL', () => {
    let database: TestDatabase;
    let dir: string;
    let env: Record<string, string>;
    before(async () => {
      database = await createTestDatabase();
      dir = tempDir('tessera-pg-migrate-');
      env = { ...clusterEnv(database.url), TESSERA_DATA_DIR: dir };
    });
    after(async () => {
      await database?.drop();
      if (dir) removeDir(dir);
    });

    it('with auto-migration off, a database that is behind is refused with what to do', async () => {
      const result = await runBin(['serve', '--port', '0'], { ...env, TESSERA_AUTO_MIGRATE: 'false' });
      assert.equal(result.code, 1, result.err);
      assert.match(result.errLines.at(-1) ?? '', /schema is at version 0, this Tessera needs version \d+: run "tessera migrate"/);
    });

    it('several `tessera migrate` at once apply each migration exactly once', async () => {
      const runs = await Promise.all([1, 2, 3].map(() => runBin(['migrate', '--json'], env)));
      for (const run of runs) assert.equal(run.code, 0, run.err);
      const applied = runs.map((run) => (JSON.parse(run.out) as { applied: number[] }).applied);
      assert.deepEqual(applied.flat().sort(), Array.from({ length: LATEST_SCHEMA_VERSION }, (_, i) => i + 1));
      assert.equal(applied.filter((a) => a.length > 0).length, 1, 'one run did all the work');
      const again = await runBin(['migrate'], env);
      assert.match(again.out, /schema is up to date/);
    });

    it('once migrated, the server starts with auto-migration off', async () => {
      const instance = await startInstance('manual', { ...env, TESSERA_AUTO_MIGRATE: 'false' });
      try {
        const response = await fetch(`${instance.url}/readyz`);
        assert.equal(response.status, 200);
      } finally {
        await instance.stop();
      }
    });
  });
