import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sha256 } from '@tessera/core';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '@tessera/store-sql/testing';
import { pollUntil, removeDir, tempDir } from './support/cli-harness.js';
import { accessToken, createClientViaBin, isActive, revoke, type Credentials } from './support/cli-http.js';
import { clusterEnv, jtiOf, query, startCluster, startInstance, type Instance } from './support/cluster.js';
import { createLoginClientAndUser, loginThroughCodeFlow, refreshAt, type ClusterLogin } from './support/cluster-login.js';

// kill -9 one of three instances in the middle of an issuance + refresh + revocation load (issue 7, faults).
const skip = await postgresSkipReason();

const WORKERS = 4;
const OPERATIONS = 120;
const KILL_AFTER = 40;
const FAMILIES = 2 * WORKERS; // refresh-token families, each refreshed by one worker only (no self-inflicted reuse)
const VICTIMS = 4; // more families, refreshed at the instance at the moment it is killed

interface Family {
  refreshToken: string;
  /** A refresh whose answer was lost with the killed instance: the token held may have been consumed. */
  inDoubt: boolean;
  /** Refused with invalid_grant after a refresh in doubt: reuse detection revoked the family. */
  revoked: boolean;
  refreshes: number;
}

if (skip) it('kill -9 of one cluster instance under load', { skip }, () => undefined);
else
  describe('kill -9 of one instance during a load of issuance and revocation', () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    let cliDir: string;
    let instances: Instance[] = [];
    let client: Credentials;
    let login: ClusterLogin;
    const families: Family[] = [];

    before(async () => {
      database = await createTestDatabase();
      cliDir = tempDir('tessera-cluster-cli-');
      env = clusterEnv(database.url);
      instances = await startCluster(['A', 'B', 'C'], env);
      client = await createClientViaBin({ ...env, TESSERA_DATA_DIR: cliDir }, 'kill test');
      login = await createLoginClientAndUser({ ...env, TESSERA_DATA_DIR: cliDir });
      for (let f = 0; f < FAMILIES + VICTIMS; f++) {
        const { refreshToken } = await loginThroughCodeFlow(instances[f % 3]!.url, instances[(f + 1) % 3]!.url, login);
        families.push({ refreshToken, inDoubt: false, revoked: false, refreshes: 0 });
      }
    });

    after(async () => {
      await Promise.all(instances.map((instance) => instance.stop('SIGKILL')));
      await database?.drop();
      if (cliDir) removeDir(cliDir);
    });

    it('the others keep serving, no committed revocation is lost, no refresh family is corrupted', { timeout: 300_000 }, async (t) => {
      const [a, b, c] = instances as [Instance, Instance, Instance];
      const committed: { token: string; at: Instance }[] = [];
      const unexpected: string[] = [];
      let started = 0;
      let afterKill = 0;
      let ambiguous = 0;
      let killed: Promise<unknown> | undefined;
      let inFlight: Promise<void>[] = [];
      const live = (): Instance[] => (killed ? [a, b] : [a, b, c]);
      const pick = (n: number): Instance => live()[n % live().length]!;

      const worker = async (w: number): Promise<void> => {
        for (;;) {
          const n = started++;
          if (n >= OPERATIONS) return;
          if (n === KILL_AFTER) {
            // Refreshes in flight at C when it dies: each may or may not have committed.
            inFlight = families.slice(FAMILIES).map(async (family) => {
              try {
                const answer = await refreshAt(c.url, login, family.refreshToken);
                if (answer.status === 200) {
                  family.refreshToken = String(answer.body['refresh_token']);
                  family.refreshes += 1;
                } else unexpected.push(`refresh at C answered ${answer.status} ${JSON.stringify(answer.body)}`);
              } catch {
                family.inDoubt = true;
                ambiguous += 1;
              }
            });
            // A few ms to let the requests reach C; no outcome depends on it.
            killed = sleep(10).then(() => c.stop('SIGKILL'));
          }
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
          // One refresh of one of this worker's own families, at a third instance.
          const family = families[w + WORKERS * (Math.floor(n / WORKERS) % 2)]!;
          if (family.revoked) continue;
          const refresher = pick(n + w + 2);
          try {
            const answer = await refreshAt(refresher.url, login, family.refreshToken);
            if (answer.status === 200) {
              family.refreshToken = String(answer.body['refresh_token']);
              family.inDoubt = false;
              family.refreshes += 1;
            } else if (answer.status === 400 && answer.body['error'] === 'invalid_grant' && family.inDoubt) {
              family.revoked = true; // the lost answer's rotation had committed: presenting the old token is reuse
            } else {
              unexpected.push(`refresh at ${refresher.name} answered ${answer.status} ${JSON.stringify(answer.body)}`);
            }
          } catch (error) {
            if (refresher === c) {
              family.inDoubt = true;
              ambiguous += 1;
            } else unexpected.push(`refresh at ${refresher.name}: ${(error as Error).message}`);
          }
        }
      };
      await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
      await killed;
      await Promise.all(inFlight);

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

      // No refresh family is corrupted: at most one active refresh token in any family; a live family's
      // active token is the one its client holds, and it still rotates at a survivor; a revoked one has none.
      const perFamily = await query<{ family_id: string; active: string }>(
        database.url,
        'SELECT family_id, count(*) FILTER (WHERE consumed_at IS NULL AND revoked_at IS NULL) AS active FROM refresh_tokens GROUP BY family_id',
      );
      assert.equal(perFamily.length, FAMILIES + VICTIMS);
      assert.deepEqual(perFamily.filter((f) => Number(f.active) > 1), [], 'no family has two active refresh tokens');
      let rotating = 0;
      for (const [i, family] of families.entries()) {
        const rows = await query<{ consumed_at: string | null; revoked_at: string | null }>(
          database.url,
          'SELECT consumed_at, revoked_at FROM refresh_tokens WHERE hash = $1',
          [sha256(family.refreshToken)],
        );
        const [held] = rows;
        assert.ok(held, `family ${i}: the token held is stored`);
        if (family.revoked) {
          assert.notEqual(held.revoked_at, null, `family ${i}: revoked`);
          continue;
        }
        if (!family.inDoubt) assert.ok(held.consumed_at === null && held.revoked_at === null, `family ${i}: the token its client holds is the active one`);
        const answer = await refreshAt((i % 2 === 0 ? a : b).url, login, family.refreshToken);
        if (family.inDoubt && answer.status === 400) continue; // the lost rotation had committed: reuse, family revoked
        assert.equal(answer.status, 200, `family ${i} still rotates: ${JSON.stringify(answer.body)}`);
        rotating += 1;
      }
      const refreshed = families.reduce((sum, f) => sum + f.refreshes, 0);
      t.diagnostic(
        `${committed.length} revocations committed, ${afterKill} operations after the kill, ${ambiguous} in doubt at the killed instance; ` +
          `${refreshed} refreshes over ${FAMILIES + VICTIMS} families (${families.slice(FAMILIES).filter((f) => f.inDoubt).length} of ${VICTIMS} refreshed at C as it died in doubt), ${families.filter((f) => f.revoked).length} revoked by reuse after a lost answer, ${rotating} live and rotating, none with two active tokens`,
      );
    });
  });
