import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MasterKey } from '@tessera/core';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '@tessera/store-sql/testing';
import { createVerifier, type Verifier } from '@tessera/verify';
import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import { pollUntil, removeDir, runBin, tempDir } from './support/cli-harness.js';
import { accessToken, createClientViaBin, isActive, type Credentials } from './support/cli-http.js';
import { clusterEnv, startCluster, startInstance, type Instance } from './support/cluster.js';
import { runBinWithInput } from './support/cluster-login.js';
import { assertAllOpenWith, assertConsistent, inState, keyRows } from './support/signing-key-rows.js';

// Signing keys in a cluster (issue 7): keys rotate while three instances serve and nothing fails to
// verify — at any instance's introspection, nor with JWKS-caching verifiers (jose, @tessera/verify);
// and key steps from several processes (the schedule, `keys rotate`, `keys revoke`, `master-key rotate`)
// never interleave. cluster-key-lock.test.ts forces the overlap and watches the lock itself.
const skip = await postgresSkipReason();
const ISSUER = 'https://tessera.cluster.test';
const AUDIENCE = 'https://api.example.com';
const ROTATIONS = 3;
const kidOf = (token: string): string => (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid: string }).kid;

async function rotateViaCli(env: Record<string, string>): Promise<void> {
  const result = await runBin(['keys', 'rotate', '--json'], env, { timeoutMs: 60_000 });
  assert.equal(result.code, 0, result.err);
}

if (skip) it('signing keys in a cluster', { skip }, () => undefined);
else {
  describe('key rotation while three instances serve', () => {
    let database: TestDatabase;
    let env: Record<string, string>;
    let cli: Record<string, string>;
    let cliDir: string;
    let instances: Instance[] = [];
    let client: Credentials;

    before(async () => {
      database = await createTestDatabase();
      cliDir = tempDir('tessera-cluster-cli-');
      // A 1 s JWKS max-age lets the verifiers below refresh between rotations within the test's time.
      env = clusterEnv(database.url, { TESSERA_JWKS_MAX_AGE: '1s' });
      cli = { ...env, TESSERA_DATA_DIR: cliDir };
      instances = await startCluster(['A', 'B', 'C'], env);
      client = await createClientViaBin(cli, 'rotation load', AUDIENCE);
    });
    after(async () => {
      await Promise.all(instances.map((instance) => instance.stop()));
      await database?.drop();
      if (cliDir) removeDir(cliDir);
    });

    it('every token issued by any instance verifies at every introspection and with JWKS-caching verifiers, across rotations', { timeout: 300_000 }, async (t) => {
      // A fresh cluster has an active key and no next key; the first rotation publishes one. From then
      // on each rotation activates a key every instance and every verifier already holds.
      await rotateViaCli(cli);
      const nextKid = async (): Promise<string> => inState(await keyRows(database.url), 'next')[0]!.kid;
      const published = async (kid: string): Promise<boolean> =>
        (await Promise.all(instances.map(async (i) => (await (await fetch(`${i.url}/jwks`)).text()).includes(kid)))).every(Boolean);
      await pollUntil('the next key published by every instance', async () => published(await nextKid()), { timeoutMs: 10_000, intervalMs: 10 });

      // The verifiers reach the cluster through a "balancer": requests to the issuer's URL go to A, B, C in turn.
      const fetchedKids = { jose: new Set<string>(), verify: new Set<string>() };
      let turn = 0;
      const balancer = (who: keyof typeof fetchedKids) => async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
        const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
        const target = new URL(`${url.pathname}${url.search}`, instances[turn++ % instances.length]!.url);
        const response = await fetch(target, init);
        if (url.pathname === '/jwks') {
          const body = await response.clone().text();
          fetchedKids[who] = new Set((JSON.parse(body) as { keys: { kid: string }[] }).keys.map((k) => k.kid));
        }
        return response;
      };
      const joseKeys = createRemoteJWKSet(new URL(`${ISSUER}/jwks`), { cacheMaxAge: 1000, cooldownDuration: 1000, [customFetch]: balancer('jose') });
      const verifier: Verifier = await createVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksCooldownMs: 1000, fetch: balancer('verify') });

      const failures: string[] = [];
      const byKid = new Map<string, Set<string>>(); // kid → instances that issued with it
      let checked = 0;
      let running = true;
      const worker = async (w: number): Promise<void> => {
        for (let n = w; running; n += 3) {
          const issuer = instances[n % instances.length]!;
          const token = await accessToken(issuer.url, client);
          const kid = kidOf(token);
          for (const instance of instances) {
            try {
              if (!(await isActive(instance.url, client, token))) failures.push(`${issuer.name}→${instance.name} introspection: inactive (kid ${kid})`);
            } catch (error) {
              failures.push(`${issuer.name}→${instance.name} introspection: ${(error as Error).message}`);
            }
          }
          await jwtVerify(token, joseKeys, { issuer: ISSUER, audience: AUDIENCE }).catch((error: Error) => failures.push(`jose (kid ${kid}): ${error.message}`));
          await verifier.verify(token).catch((error: Error) => failures.push(`@tessera/verify (kid ${kid}): ${error.message}`));
          if (!byKid.has(kid)) byKid.set(kid, new Set());
          byKid.get(kid)!.add(issuer.name);
          checked += 1;
        }
      };
      const load = Promise.all([0, 1, 2].map((w) => worker(w)));
      const rotated: string[] = [];
      try {
        for (let r = 0; r < ROTATIONS; r++) {
          // The pre-publication rule, observed: both verifiers hold the next key before it signs.
          const next = await nextKid();
          await pollUntil(`verifiers fetched next key ${next}`, () => fetchedKids.jose.has(next) && fetchedKids.verify.has(next), { timeoutMs: 30_000, intervalMs: 20 });
          await rotateViaCli(cli);
          const active = inState(await keyRows(database.url), 'active')[0]!.kid;
          assert.equal(active, next, 'the published next key became active');
          rotated.push(active);
          // Every instance signs with the new key (it learnt the rotation), under load.
          await pollUntil(`every instance signing with ${active}`, () => byKid.get(active)?.size === instances.length, { timeoutMs: 30_000, intervalMs: 20 });
        }
        // And once through the schedule: an instance whose policy makes the active key due (3 s interval,
        // 2 s pre-publication) starts meanwhile; its start-up schedule step rotates under the same lock.
        const next = await nextKid();
        const activatedAt = Number(inState(await keyRows(database.url), 'active')[0]!.activated_at);
        await pollUntil('the active key due under a 3 s interval, the next key held by the verifiers', () =>
          Date.now() > activatedAt + 3100 && fetchedKids.jose.has(next) && fetchedKids.verify.has(next), { timeoutMs: 30_000, intervalMs: 20 });
        const scheduler = await startInstance('S', { ...env, TESSERA_KEY_PREPUBLICATION: '2s', TESSERA_KEY_ROTATION_INTERVAL: '3s' });
        await scheduler.stop();
        assert.equal(inState(await keyRows(database.url), 'active')[0]!.kid, next, 'the schedule activated the published next key');
        rotated.push(next);
        await pollUntil(`every instance signing with ${next}`, () => byKid.get(next)?.size === instances.length, { timeoutMs: 30_000, intervalMs: 20 });
      } finally {
        running = false;
        await load;
        await verifier.close();
      }
      assert.deepEqual(failures, [], `verification failures: ${failures.slice(0, 5).join(' | ')}`);
      assertConsistent(await keyRows(database.url), 'after the rotations');
      t.diagnostic(`${ROTATIONS} rotations by \`keys rotate\` and 1 by the schedule under load: ${checked} tokens checked (each at 3 introspections, jose and @tessera/verify), ` +
        `${byKid.size} signing keys seen, 0 failures`);
    });

    it('concurrent `keys rotate` from two processes, beside a starting instance whose schedule is due: one whole step each', { timeout: 300_000 }, async (t) => {
      const outcomes: string[] = [];
      if (inState(await keyRows(database.url), 'next').length === 0) await rotateViaCli(cli); // the schedule above left no next key
      for (let round = 0; round < 3; round++) {
        const before = await keyRows(database.url);
        assertConsistent(before, 'before');
        const beforeActive = inState(before, 'active')[0]!;
        // In the last round an instance with a 3 s rotation interval starts meanwhile: its start-up
        // schedule finds the active key due (a time condition, read from the database).
        const withSchedule = round === 2;
        if (withSchedule) {
          const due = Number(beforeActive.activated_at) + 3000;
          await pollUntil('the active key due under a 3 s interval', () => Date.now() > due + 100, { timeoutMs: 30_000, intervalMs: 100 });
        }
        const scheduled = withSchedule
          ? startInstance('D', { ...env, TESSERA_JWKS_MAX_AGE: '1s', TESSERA_KEY_PREPUBLICATION: '2s', TESSERA_KEY_ROTATION_INTERVAL: '3s' })
          : undefined;
        await Promise.all([rotateViaCli(cli), rotateViaCli(cli)]);
        const d = await scheduled;
        await d?.stop();
        const afterRows = await keyRows(database.url);
        assertConsistent(afterRows, `round ${round}`);
        const retired = inState(afterRows, 'retired').length - inState(before, 'retired').length;
        const created = afterRows.length - before.length;
        if (!withSchedule) {
          // Two whole steps: each retired one key and created one next key. Interleaved, both would
          // have activated the same next key (one retirement) and created two next keys.
          assert.equal(retired, 2, 'two retirements');
          assert.equal(created, 2, 'two new next keys');
        } else {
          // The schedule's step, if it ran, came wholly before or after the manual ones.
          assert.ok(retired === 2 || retired === 3, `retirements: ${retired}`);
        }
        outcomes.push(`${retired} retired/${created} created`);
        const active = inState(afterRows, 'active')[0]!.kid;
        for (const instance of instances) {
          await pollUntil(`${instance.name} signing with ${active}`, async () => kidOf(await accessToken(instance.url, client)) === active, { timeoutMs: 10_000, intervalMs: 10 });
        }
      }
      t.diagnostic(`rounds: ${outcomes.join(', ')}`);
    });

    it('`keys revoke` of the active key concurrent with `keys rotate`: either order, one active key, the key revoked everywhere', { timeout: 120_000 }, async () => {
      const before = await keyRows(database.url);
      const victim = inState(before, 'active')[0]!.kid;
      const token = await accessToken(instances[0]!.url, client);
      assert.equal(kidOf(token), victim);
      const [revoked] = await Promise.all([runBin(['keys', 'revoke', victim, '--json'], cli, { timeoutMs: 60_000 }), rotateViaCli(cli)]);
      assert.equal(revoked.code, 0, revoked.err);
      const rows = await keyRows(database.url);
      assertConsistent(rows, 'after revoke + rotate');
      assert.equal(rows.find((r) => r.kid === victim)?.state, 'revoked');
      for (const instance of instances) {
        await pollUntil(`key revocation felt at ${instance.name}`, async () => !(await isActive(instance.url, client, token)), { timeoutMs: 10_000, intervalMs: 5 });
        assert.ok(!(await (await fetch(`${instance.url}/jwks`)).text()).includes(victim), `${instance.name} no longer publishes the revoked key`);
      }
    });
  });

  describe('master-key rotation and key steps from several processes', () => {
    let database: TestDatabase;
    let cliDir: string;
    before(async () => {
      database = await createTestDatabase();
      cliDir = tempDir('tessera-master-cli-');
    });
    after(async () => {
      await database?.drop();
      if (cliDir) removeDir(cliDir);
    });

    it('a key step racing `master-key rotate` lands wholly before it or is refused: every key opens with the new master key', { timeout: 180_000 }, async (t) => {
      const env = { ...clusterEnv(database.url), TESSERA_DATA_DIR: cliDir };
      // Initialise the database (migrations, master-key check, first key) with one instance start and stop.
      const first = await startInstance('init', env);
      await first.stop();
      await rotateViaCli(env);
      const newKey = MasterKey.generate();
      const steps = Promise.all([0, 1, 2].map(() => runBin(['keys', 'rotate', '--json'], env, { timeoutMs: 60_000 })));
      const masterRotation = runBinWithInput(['master-key', 'rotate', '--new-key-stdin', '--json'], env, newKey.toString());
      const [results] = await Promise.all([steps, masterRotation]);
      const refused = results.filter((r) => r.code !== 0);
      for (const r of refused) assert.match(r.err, /master key/i, r.err);

      const rows = await keyRows(database.url);
      assertConsistent(rows, 'after the race');
      // Throws if a key was encrypted under the old master key after the re-encryption.
      assertAllOpenWith(rows, newKey);
      // And an instance started with the new key loads them.
      const started = await startInstance('new-key', { ...env, TESSERA_MASTER_KEY: newKey.toString() });
      assert.equal((await fetch(`${started.url}/readyz`)).status, 200);
      await started.stop();
      t.diagnostic(`3 concurrent \`keys rotate\` with the old master key beside \`master-key rotate\`: ${results.length - refused.length} before it, ${refused.length} refused after it; ${rows.length} keys all open with the new key`);
    });
  });
}
