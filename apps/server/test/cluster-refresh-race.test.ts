import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sha256 } from '@tessera/core';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '@tessera/store-sql/testing';
import { pollUntil, removeDir, tempDir } from './support/cli-harness.js';
import { createClientViaBin, isActive, type Credentials } from './support/cli-http.js';
import { clusterEnv, query, startCluster, type Instance } from './support/cluster.js';
import { createLoginClientAndUser, loginThroughCodeFlow, refreshAt, type Answer, type ClusterLogin } from './support/cluster-login.js';

// The same refresh token raced at A, B and C in parallel (issue 7, proof): the rotation is one
// conditional UPDATE, so exactly one instance rotates; what the others answer is the rule of
// packages/core/src/grants/refresh-token.ts — reuse (family revoked) without a grace window, the very
// same pair within one — and a reuse after the window revokes the family at all three.
const skip = await postgresSkipReason();
const ROUNDS = 4;
const GRACE_SECONDS = 5;

interface Row {
  hash: string;
  consumed_at: string | null;
  revoked_at: string | null;
  grace_until: string | null;
}

async function family(url: string, refreshToken: string): Promise<{ id: string; rows: Row[] }> {
  const [own] = await query<{ family_id: string }>(url, 'SELECT family_id FROM refresh_tokens WHERE hash = $1', [sha256(refreshToken)]);
  assert.ok(own, 'the refresh token is stored');
  const rows = await query<Row>(url, 'SELECT hash, consumed_at, revoked_at, grace_until FROM refresh_tokens WHERE family_id = $1', [own.family_id]);
  return { id: own.family_id, rows };
}
const active = (rows: Row[]): Row[] => rows.filter((r) => r.consumed_at === null && r.revoked_at === null);

/** The three refreshes leave together: each waits for the same promise before its request. */
async function race(instances: Instance[], login: ClusterLogin, refreshToken: string): Promise<Answer[]> {
  let go!: () => void;
  const start = new Promise<void>((resolve) => (go = resolve));
  const racing = instances.map(async (instance) => {
    await start;
    return refreshAt(instance.url, login, refreshToken);
  });
  go();
  return Promise.all(racing);
}

async function inactiveEverywhere(instances: Instance[], caller: Credentials, tokens: string[]): Promise<void> {
  for (const instance of instances) {
    for (const token of tokens) {
      await pollUntil(`family revocation visible at ${instance.name}`, async () => !(await isActive(instance.url, caller, token)), { timeoutMs: 10_000, intervalMs: 5 });
    }
  }
}

async function refusedEverywhere(instances: Instance[], login: ClusterLogin, refreshToken: string): Promise<void> {
  for (const instance of instances) {
    const answer = await refreshAt(instance.url, login, refreshToken);
    assert.equal(answer.status, 400, `${instance.name}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body['error'], 'invalid_grant');
  }
}

function cluster(name: string, extra: Record<string, string>, body: (c: { instances: () => Instance[]; login: () => ClusterLogin; caller: () => Credentials; url: () => string }) => void): void {
  describe(name, () => {
    let database: TestDatabase;
    let cliDir: string;
    let instances: Instance[] = [];
    let login: ClusterLogin;
    let caller: Credentials;
    before(async () => {
      database = await createTestDatabase();
      cliDir = tempDir('tessera-cluster-cli-');
      const env = clusterEnv(database.url, extra);
      instances = await startCluster(['A', 'B', 'C'], env);
      const cli = { ...env, TESSERA_DATA_DIR: cliDir };
      login = await createLoginClientAndUser(cli);
      caller = await createClientViaBin(cli, 'resource server'); // registered for the tokens' audience: may introspect them
    });
    after(async () => {
      await Promise.all(instances.map((instance) => instance.stop()));
      await database?.drop();
      if (cliDir) removeDir(cliDir);
    });
    body({ instances: () => instances, login: () => login, caller: () => caller, url: () => database.url });
  });
}

if (skip) it('refresh token raced across a cluster', { skip }, () => undefined);
else {
  cluster('refresh token raced at A, B and C, no grace window (the default)', {}, (c) => {
    it('exactly one instance rotates; the other two see reuse and the family is revoked at all three', { timeout: 180_000 }, async (t) => {
      const tally: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const [a, b, cc] = c.instances() as [Instance, Instance, Instance];
        // Logged in at one instance, the code redeemed at another.
        const first = await loginThroughCodeFlow(c.instances()[round % 3]!.url, c.instances()[(round + 1) % 3]!.url, c.login());
        const answers = await race([a, b, cc], c.login(), first.refreshToken);
        const winners = answers.filter((x) => x.status === 200);
        assert.equal(winners.length, 1, `exactly one success: ${JSON.stringify(answers.map((x) => [x.status, x.body['error']]))}`);
        for (const loser of answers.filter((x) => x.status !== 200)) {
          assert.equal(loser.status, 400);
          assert.equal(loser.body['error'], 'invalid_grant');
        }
        tally.push(['A', 'B', 'C'][answers.findIndex((x) => x.status === 200)]!);
        const won = winners[0]!.body as { access_token: string; refresh_token: string };
        assert.notEqual(won.refresh_token, first.refreshToken);

        // The losers presented a token already consumed: the whole family is revoked, in the database…
        const fam = await family(c.url(), first.refreshToken);
        assert.equal(fam.rows.length, 2, 'one rotation: the original and the winner’s token');
        assert.deepEqual(active(fam.rows), [], 'no refresh token of the family is left active');
        assert.ok(fam.rows.every((r) => r.revoked_at !== null));
        const logged = await query(c.url(), "SELECT 1 FROM changes WHERE kind = 'revoke.family' AND target = $1", [fam.id]);
        assert.ok(logged.length >= 1, 'revoke.family is in the change log');
        // …and at every instance: the winner's refresh token is refused, every access token of the family inactive.
        await refusedEverywhere(c.instances(), c.login(), won.refresh_token);
        await inactiveEverywhere(c.instances(), c.caller(), [first.accessToken, won.access_token]);
      }
      t.diagnostic(`${ROUNDS} races of 3 parallel refreshes: 1 success + 2 invalid_grant each, family revoked at A, B and C; winners: ${tally.join(' ')}`);
    });
  });

  cluster(`refresh token raced at A, B and C with a ${GRACE_SECONDS} s grace window`, { TESSERA_REFRESH_GRACE: `${GRACE_SECONDS}s` }, (c) => {
    it('one rotation: the three answers are the same pair, the family stays intact; a reuse after the window revokes it at all three', { timeout: 180_000 }, async (t) => {
      const families: { original: string; current: string; accessTokens: string[] }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const first = await loginThroughCodeFlow(c.instances()[round % 3]!.url, c.instances()[(round + 2) % 3]!.url, c.login());
        const answers = await race(c.instances(), c.login(), first.refreshToken);
        assert.deepEqual(answers.map((x) => x.status), [200, 200, 200], JSON.stringify(answers.map((x) => x.body)));
        const pairs = new Set(answers.map((x) => `${String(x.body['access_token'])} ${String(x.body['refresh_token'])}`));
        assert.equal(pairs.size, 1, 'the two retries got the very pair of the one rotation');
        const won = answers[0]!.body as { access_token: string; refresh_token: string };

        const fam = await family(c.url(), first.refreshToken);
        assert.equal(fam.rows.length, 2, 'exactly one rotation happened');
        assert.deepEqual(active(fam.rows).map((r) => r.hash), [sha256(won.refresh_token)], 'the family has exactly one active token: the one returned');
        assert.ok(fam.rows.every((r) => r.revoked_at === null), 'the family is intact');
        for (const instance of c.instances()) assert.equal(await isActive(instance.url, c.caller(), won.access_token), true);

        // Intact means usable: the new token rotates once more, at the next instance.
        const next = await refreshAt(c.instances()[(round + 1) % 3]!.url, c.login(), won.refresh_token);
        assert.equal(next.status, 200, JSON.stringify(next.body));
        const nextBody = next.body as { access_token: string; refresh_token: string };
        const after = await family(c.url(), first.refreshToken);
        assert.deepEqual(active(after.rows).map((r) => r.hash), [sha256(nextBody.refresh_token)]);
        families.push({ original: first.refreshToken, current: nextBody.refresh_token, accessTokens: [first.accessToken, won.access_token, nextBody.access_token] });
      }

      // Past every grace window (read from the database: a time condition, not a synchronisation sleep).
      const until = Math.max(...(await query<{ g: string }>(c.url(), 'SELECT max(grace_until) AS g FROM refresh_tokens')).map((r) => Number(r.g)));
      await pollUntil('every grace window over', () => Date.now() > until + 50, { timeoutMs: 30_000, intervalMs: 100 });
      for (const [i, fam] of families.entries()) {
        const reuse = await refreshAt(c.instances()[i % 3]!.url, c.login(), fam.original);
        assert.equal(reuse.status, 400, JSON.stringify(reuse.body));
        assert.equal(reuse.body['error'], 'invalid_grant');
        const rows = (await family(c.url(), fam.original)).rows;
        assert.ok(rows.length === 3 && rows.every((r) => r.revoked_at !== null), 'every refresh token of the family is revoked');
        await refusedEverywhere(c.instances(), c.login(), fam.current);
        await inactiveEverywhere(c.instances(), c.caller(), fam.accessTokens);
      }
      t.diagnostic(`${ROUNDS} races of 3 parallel refreshes within a ${GRACE_SECONDS} s grace window: 3 identical answers, 1 rotation, family intact; ` +
        `${families.length} reuses after the window: family revoked, refused and inactive at A, B and C`);
    });
  });
}
