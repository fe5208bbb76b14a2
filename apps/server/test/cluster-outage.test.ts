import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { it } from 'node:test';
import { promisify } from 'node:util';
import { createTestDatabase, postgresSkipReason, testDatabaseUrl, withExclusivePostgres } from '@tessera/store-sql/testing';
import { pollUntil, removeDir, tempDir } from './support/cli-harness.js';
import { accessToken, createClientViaBin, isActive, revoke } from './support/cli-http.js';
import { clusterEnv, startCluster, type Instance } from './support/cluster.js';
import { runOutageLoad } from './support/outage-load.js';

// PostgreSQL stops for a few seconds under load: 503 temporarily_unavailable, never a wrong answer,
// and recovery without a restart (issue 7, faults). Stops the machine's local cluster on purpose; the
// test-process lock in @tessera/store-sql/testing keeps other PostgreSQL tests out meanwhile.
const exec = promisify(execFile);
const OUTAGE_MS = 3000;

/** The local cluster to stop: TESSERA_TEST_PG_CLUSTER ("15/main"), else the only one in /etc/postgresql. */
function localCluster(): { version: string; name: string } | undefined {
  const named = process.env['TESSERA_TEST_PG_CLUSTER'];
  if (named) {
    const [version, name] = named.split('/');
    return version && name ? { version, name } : undefined;
  }
  const host = new URL(testDatabaseUrl()).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host) || !existsSync('/usr/bin/pg_ctlcluster') || !existsSync('/etc/postgresql')) return undefined;
  if (process.getuid?.() !== 0) return undefined; // pg_ctlcluster needs root (or the cluster's owner: then name it explicitly)
  const versions = readdirSync('/etc/postgresql');
  return versions.length === 1 && existsSync(`/etc/postgresql/${versions[0]}/main`) ? { version: versions[0]!, name: 'main' } : undefined;
}

const cluster = localCluster();
const skip =
  (await postgresSkipReason()) ??
  (cluster ? undefined : 'no local PostgreSQL cluster this test may stop (needs pg_ctlcluster as root, or TESSERA_TEST_PG_CLUSTER=version/name)');

const pgctl = (action: 'stop' | 'start'): Promise<unknown> =>
  exec('pg_ctlcluster', ['--skip-systemctl-redirect', cluster!.version, cluster!.name, action], { timeout: 60_000 });
const answers = async (): Promise<boolean> => {
  try {
    await exec('pg_isready', ['-h', '127.0.0.1', '-p', new URL(testDatabaseUrl()).port || '5432', '-t', '1']);
    return true;
  } catch {
    return false;
  }
};

it('PostgreSQL stopped under load: 503 temporarily_unavailable on /revoke, no wrong answer, recovery by itself', { skip: skip ?? false, timeout: 180_000 }, async (t) => {
  await withExclusivePostgres(async () => {
    const database = await createTestDatabase();
    const cliDir = tempDir('tessera-outage-cli-');
    let instances: Instance[] = [];
    try {
      const env = clusterEnv(database.url, { TESSERA_DATABASE_STATEMENT_TIMEOUT: '2s', TESSERA_DATABASE_CONNECT_TIMEOUT: '1s', TESSERA_LOG_LEVEL: 'warn' });
      instances = await startCluster(['A', 'B'], env);
      const [a, b] = instances as [Instance, Instance];
      const client = await createClientViaBin({ ...env, TESSERA_DATA_DIR: cliDir }, 'outage test');
      const revokedBefore = await accessToken(a.url, client);
      assert.equal(await revoke(a.url, client, revokedBefore), 200);
      await pollUntil('revocation known at B', async () => !(await isActive(b.url, client, revokedBefore)), { timeoutMs: 5000, intervalMs: 5 });

      const load = runOutageLoad(instances, client, revokedBefore);
      let stopped = false;
      let outageMs = 0;
      try {
        await pollUntil('revocations succeeding before the outage', () => load.okSince(0) >= 2 * instances.length, { timeoutMs: 10_000 });
        const stoppedAt = load.mark();
        await pgctl('stop');
        stopped = true;
        await pollUntil('PostgreSQL down', async () => !(await answers()), { timeoutMs: 10_000 });
        // The outage lasts a few seconds, and until every instance has refused 20 revocations.
        const downSince = performance.now();
        const longEnough = (): boolean => performance.now() - downSince >= OUTAGE_MS && load.everyInstanceSince(stoppedAt, false, 20);
        await pollUntil('every instance answering 503 on /revoke', longEnough, { timeoutMs: 30_000 }).catch(
          async (error: unknown) => {
            const report = await load.stop();
            throw new Error(`${(error as Error).message}; ${JSON.stringify(report.counts)}; wrong: ${report.wrong.slice(0, 5).join(' | ')}\n${instances.map((i) => i.stderr().slice(-3000)).join('\n---\n')}`);
          },
        );
        outageMs = performance.now() - downSince;
      } finally {
        if (stopped || !(await answers())) {
          await pgctl('start');
          await pollUntil('PostgreSQL up again', answers, { timeoutMs: 30_000, intervalMs: 100 });
        }
      }
      const upSince = performance.now();
      const restartedAt = load.mark();
      await pollUntil('revocations succeeding again at every instance', () => load.everyInstanceSince(restartedAt, true), { timeoutMs: 30_000, intervalMs: 50 });
      const recoveryMs = performance.now() - upSince;
      const report = await load.stop();
      assert.deepEqual(report.wrong, [], 'no answer other than 200 or 503 temporarily_unavailable, never active:true for a revoked token');

      // Cross-instance propagation works again (LISTEN reconnected, or the poll caught up).
      const token = await accessToken(a.url, client);
      assert.equal(await revoke(a.url, client, token), 200);
      await pollUntil('revocation after recovery known at B', async () => !(await isActive(b.url, client, token)), { timeoutMs: 5000, intervalMs: 5 });
      // The 10 ms sync poll failed on every tick meanwhile; the log got one line when it started, one
      // summary per 10 s, and one line when it recovered (store-watch.ts), per instance.
      const syncLines = (instance: Instance, kind: RegExp): number =>
        instance.stdout().split('\n').filter((line) => line.includes('could not apply changes from the store') && kind.test(line)).length;
      for (const instance of instances) {
        await pollUntil(`sync recovery logged by ${instance.name}`, () => syncLines(instance, /recovered after \d+ ms/) >= 1, { timeoutMs: 30_000, intervalMs: 20 }).catch((error: unknown) => {
          const warnings = instance.stdout().split('\n').filter((line) => line.includes('"level":40') || line.includes('"level":50'));
          throw new Error(`${(error as Error).message}; ${warnings.length} warning lines:\n${warnings.slice(0, 10).join('\n')}\n…\n${warnings.slice(-5).join('\n')}`);
        });
      }
      const summaryBound = Math.ceil((outageMs + recoveryMs + 30_000) / 10_000);
      const perInstance = instances.map((i) => ({
        name: i.name,
        first: syncLines(i, /; retrying/),
        summaries: syncLines(i, /still failing/),
        recovered: syncLines(i, /recovered after/),
        total: i.stdout().split('\n').filter((line) => line.includes('could not apply changes from the store')).length,
        listen: i.stdout().split('\n').filter((line) => line.includes('change notifications (LISTEN) lost')).length,
      }));
      for (const lines of perInstance) {
        assert.equal(lines.first, 1, `${lines.name}: one line when the failures started`);
        assert.equal(lines.recovered, 1, `${lines.name}: one line when they ended`);
        assert.ok(lines.summaries <= summaryBound, `${lines.name}: at most one summary per 10 s (${lines.summaries})`);
        assert.equal(lines.total, lines.first + lines.summaries + lines.recovered);
      }
      const recoveredAfter = instances.map((i) => /could not apply changes from the store: recovered after (\d+) ms \((\d+) failures\)/.exec(i.stdout())?.slice(1, 3).join(' ms, ') ?? '?');
      t.diagnostic(`sync warnings per instance: ${JSON.stringify(perInstance)}; recovered after ${recoveredAfter.join(' failures | ')} failures`);
      t.diagnostic(`outage ${outageMs.toFixed(0)} ms, every instance answered 200 again ${recoveryMs.toFixed(0)} ms after PostgreSQL did`);
      t.diagnostic(`operations: ${JSON.stringify(report.counts)}`);
    } finally {
      await Promise.all(instances.map((instance) => instance.stop('SIGKILL')));
      await database.drop();
      removeDir(cliDir);
    }
  });
});
