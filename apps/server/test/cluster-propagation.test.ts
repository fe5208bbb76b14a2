import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LATEST_SCHEMA_VERSION } from '@tessera/store-sql';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '@tessera/store-sql/testing';
import { pollUntil, removeDir, runBin, tempDir } from './support/cli-harness.js';
import { accessToken, createClientViaBin, isActive, requestToken, revoke, type Credentials } from './support/cli-http.js';
import { clusterEnv, percentile, query, startCluster, type Instance } from './support/cluster.js';

// Three `tessera serve` processes on one PostgreSQL database behave as one server (issue 7).
// Skipped when PostgreSQL is not reachable, unless TESSERA_REQUIRE_POSTGRES=1.
const skip = await postgresSkipReason();

if (skip) it('cluster of three instances on PostgreSQL', { skip }, () => undefined);
else
  describe('cluster of three instances on one PostgreSQL database', () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    let cliDir: string;
    let instances: Instance[] = [];
    let client: Credentials;
    const at = (name: string): string => instances.find((i) => i.name === name)!.url;

    before(async () => {
      database = await createTestDatabase();
      cliDir = tempDir('tessera-cluster-cli-');
      // Two algorithms and the demo client: more that a racing first start could create twice.
      env = clusterEnv(database.url, { TESSERA_SIGNING_ALGS: 'ES256,EdDSA', TESSERA_DEMO_CLIENT: 'true' });
      instances = await startCluster(['A', 'B', 'C'], env);
      client = await createClientViaBin({ ...env, TESSERA_DATA_DIR: cliDir }, 'cluster test');
    });

    after(async () => {
      await Promise.all(instances.map((instance) => instance.stop()));
      await database?.drop();
      if (cliDir) removeDir(cliDir);
    });

    it('a concurrent first start migrates once and creates one active key per algorithm and one demo client', async () => {
      const migrated = instances.filter((i) => /applied database migrations/.test(i.stderr()));
      assert.equal(migrated.length, 1, 'exactly one instance applied the migrations');
      const versions = await query<{ version: number }>(database.url, 'SELECT version FROM schema_migrations');
      assert.equal(versions.length, LATEST_SCHEMA_VERSION);
      const active = await query<{ alg: string; n: string }>(
        database.url,
        "SELECT alg, count(*) AS n FROM signing_keys WHERE state = 'active' GROUP BY alg",
      );
      assert.deepEqual(active.map((r) => [r.alg, Number(r.n)]).sort(), [['ES256', 1], ['EdDSA', 1]].sort());
      assert.equal(instances.filter((i) => /Demo client created/.test(i.stderr())).length, 1);
      const demo = await query(database.url, "SELECT id FROM clients WHERE doc::json->>'name' = 'demo'");
      assert.equal(demo.length, 1);
      const jwks = await Promise.all(instances.map(async (i) => (await fetch(`${i.url}/jwks`)).text()));
      assert.ok(jwks.every((body) => body === jwks[0]), 'every instance publishes the same JWKS');
    });

    it('a token issued at A is active at B and C; revoked at B it turns inactive at A and C', async (t) => {
      const latencies: number[] = [];
      for (let round = 0; round < 10; round++) {
        const token = await accessToken(at('A'), client);
        assert.equal(await isActive(at('B'), client, token), true);
        assert.equal(await isActive(at('C'), client, token), true);
        assert.equal(await revoke(at('B'), client, token), 200);
        const started = performance.now();
        assert.equal(await isActive(at('B'), client, token), false, 'the revoking instance knows at once');
        await Promise.all(
          ['A', 'C'].map(async (name) => {
            await pollUntil(`revocation visible at ${name}`, async () => !(await isActive(at(name), client, token)), { timeoutMs: 5000, intervalMs: 1 });
            latencies.push(performance.now() - started);
          }),
        );
      }
      t.diagnostic(
        `revocation B → A/C visible after p50 ${percentile(latencies, 50).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms ` +
          `(${latencies.length} samples; includes one introspection round trip; target < 100 ms)`,
      );
      // The bound, made robust for a shared 2-core machine: the median, not every sample (each
      // sample is bounded by the 5 s poll above; the outliers are scheduling, reported in the diagnostic).
      assert.ok(percentile(latencies, 50) < 100, `median propagation ${percentile(latencies, 50).toFixed(1)} ms, bound 100 ms`);
    });

    it('a client disabled through the CLI against the same database is refused at all three', async () => {
      const victim = await createClientViaBin({ ...env, TESSERA_DATA_DIR: cliDir }, 'to be disabled');
      const tokens = await Promise.all(instances.map((i) => accessToken(i.url, victim)));
      const result = await runBin(['clients', 'disable', victim.id], { ...env, TESSERA_DATA_DIR: cliDir });
      assert.equal(result.code, 0, result.err);
      for (const instance of instances) {
        await pollUntil(`client refused at ${instance.name}`, async () => (await requestToken(instance.url, victim)).status === 401, {
          timeoutMs: 5000,
          intervalMs: 5,
        });
        for (const token of tokens) assert.equal(await isActive(instance.url, client, token), false);
      }
    });
  });
