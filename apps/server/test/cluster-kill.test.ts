import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '@tessera/store-sql/testing';
import { pollUntil, removeDir, tempDir } from './support/cli-harness.js';
import { accessToken, createClientViaBin, isActive, revoke, type Credentials } from './support/cli-http.js';
import { clusterEnv, jtiOf, query, startCluster, startInstance, type Instance } from './support/cluster.js';

// kill -9 one of three instances in the middle of an issuance + revocation load (issue 7, faults).
const skip = await postgresSkipReason();

const WORKERS = 4;
const OPERATIONS = 120;
const KILL_AFTER = 40;

if (skip) it('kill -9 of one cluster instance under load', { skip }, () => undefined);
else
  describe('kill -9 of one instance during a load of issuance and revocation', () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    let cliDir: string;
    let instances: Instance[] = [];
    let client: Credentials;

    before(async () => {
      database = await createTestDatabase();
      cliDir = tempDir('tessera-cluster-cli-');
      env = clusterEnv(database.url);
      instances = await startCluster(['A', 'B', 'C'], env);
      client = await createClientViaBin({ ...env, TESSERA_DATA_DIR: cliDir }, 'kill test');
    });

    after(async () => {
      await Promise.all(instances.map((instance) => instance.stop('SIGKILL')));
      await database?.drop();
      if (cliDir) removeDir(cliDir);
    });

    it('the others keep serving and no committed revocation is lost', async (t) => {
      const [a, b, c] = instances as [Instance, Instance, Instance];
      const committed: { token: string; at: Instance }[] = [];
      const unexpected: string[] = [];
      let started = 0;
      let afterKill = 0;
      let ambiguous = 0;
      let killed: Promise<unknown> | undefined;
      const live = (): Instance[] => (killed ? [a, b] : [a, b, c]);
      const pick = (n: number): Instance => live()[n % live().length]!;

      const worker = async (w: number): Promise<void> => {
        for (;;) {
          const n = started++;
          if (n >= OPERATIONS) return;
          if (n === KILL_AFTER) killed = c.stop('SIGKILL');
          const wasKilled = killed !== undefined;
          const issuer = pick(n + w);
          const revoker = pick(n + w + 1);
          try {
            const token = await accessToken(issuer.url, client);
            const status = await revoke(revoker.url, client, token);
            if (status === 200) committed.push({ token, at: revoker });
            else unexpected.push(`revoke at ${revoker.name} answered ${status}`);
            if (wasKilled) afterKill += 1;
          } catch (error) {
            // Only the killed instance may fail; what it was doing is in doubt, not counted as committed.
            if (issuer === c || revoker === c) ambiguous += 1;
            else unexpected.push(`${issuer.name}→${revoker.name}: ${(error as Error).message}`);
          }
        }
      };
      await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
      await killed;

      assert.deepEqual(unexpected, []);
      assert.ok(afterKill > 0, 'the surviving instances served requests after the kill');
      const stored = new Set(
        (await query<{ target: string }>(database.url, "SELECT target FROM changes WHERE kind = 'revoke.token'")).map((r) => r.target),
      );
      const lost = committed.filter(({ token }) => !stored.has(jtiOf(token)));
      assert.deepEqual(lost.map((l) => l.at.name), [], 'every revocation answered 200 is in the database');

      // Every committed revocation holds at the survivors, and at an instance started after the crash.
      const late = await startInstance('D', env);
      instances.push(late);
      for (const instance of [a, b, late]) {
        for (const { token } of committed) {
          await pollUntil(`revocation known at ${instance.name}`, async () => !(await isActive(instance.url, client, token)), {
            timeoutMs: 5000,
            intervalMs: 5,
          });
        }
      }
      t.diagnostic(`${committed.length} revocations committed, ${afterKill} operations after the kill, ${ambiguous} in doubt at the killed instance`);
    });
  });
