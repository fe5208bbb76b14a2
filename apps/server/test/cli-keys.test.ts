import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { killAllServers, pollUntil, removeDir, runBin, startServerProcess, tempDir, type ServerProcess } from './support/cli-harness.js';
import { accessToken, createClientViaBin, isActive, type Credentials } from './support/cli-http.js';

/**
 * The key commands of the operator's runbook, run as real processes against the data of a running
 * server: list, planned rotation, emergency revocation. The server must apply each within a deadline.
 */
const DEADLINE_MS = 3000;
const POLL_MS = 50;

interface KeyView {
  kid: string;
  alg: string;
  state: string;
  published: boolean;
  createdAt: string;
  activatesAt: string | null;
  retiresAt: string | null;
  removedAt: string | null;
}

let dir: string;
let env: Record<string, string>;
let server: ServerProcess | undefined;
let url: string;
let service: Credentials;
let resourceServer: Credentials;

before(async () => {
  dir = tempDir('tessera-keys-');
  env = { TESSERA_DATA_DIR: dir, TESSERA_DEMO_CLIENT: 'false' };
  server = await startServerProcess(env);
  url = server.url;
  service = await createClientViaBin(env, 'service');
  resourceServer = await createClientViaBin(env, 'resource server');
});

after(async () => {
  await killAllServers();
  removeDir(dir);
});

async function keysJson(...argv: string[]): Promise<KeyView[]> {
  const result = await runBin(['keys', ...argv, '--json'], env);
  assert.equal(result.code, 0, `tessera keys ${argv.join(' ')}: ${result.err}`);
  return JSON.parse(result.out) as KeyView[];
}

const kidOf = (token: string): string =>
  (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid: string }).kid;

async function publishedKids(): Promise<string[]> {
  const jwks = (await (await fetch(`${url}/jwks`)).json()) as { keys: { kid: string }[] };
  return jwks.keys.map((k) => k.kid);
}

describe('tessera keys against a running server', () => {
  test('keys list shows the active key with its schedule; the next key appears only in the pre-publication window', async () => {
    const keys = await keysJson('list');
    const active = keys.filter((k) => k.state === 'active');
    assert.equal(active.length, 1, JSON.stringify(keys));
    assert.equal(keys.filter((k) => k.state === 'next').length, 0, 'a fresh server is a month away from its first rotation');
    const key = active[0] as KeyView;
    assert.equal(key.alg, 'ES256');
    assert.equal(Date.parse(key.retiresAt ?? '') - Date.parse(key.createdAt), 30 * 24 * 3600 * 1000, 'default rotation interval 30d');
    assert.deepEqual(await publishedKids(), [key.kid]);

    const text = await runBin(['keys', 'list'], env);
    assert.equal(text.code, 0);
    assert.match(text.out, new RegExp(`^${key.kid}\\s+ES256\\s+active\\s+created ${key.createdAt}\\s+retires ${key.retiresAt}`, 'm'));
  });

  test('keys rotate: a new key signs, the old one keeps verifying its tokens, a next key is pre-published', async (t) => {
    const oldActive = (await keysJson('list')).find((k) => k.state === 'active')?.kid;
    const oldToken = await accessToken(url, service);
    assert.equal(kidOf(oldToken), oldActive);

    await keysJson('rotate');
    const after = await keysJson('list');
    const newActive = after.find((k) => k.state === 'active');
    const newNext = after.find((k) => k.state === 'next');
    assert.equal(after.find((k) => k.kid === oldActive)?.state, 'retired');
    assert.ok(newActive && newActive.kid !== oldActive, 'a new active key');
    assert.ok(newNext && newNext.kid !== newActive.kid, 'the following key is already published');
    assert.equal(newNext.activatesAt, newActive.retiresAt, 'it takes over when the new active key retires');

    const { elapsedMs } = await pollUntil('the running server signs with the new key', async () => kidOf(await accessToken(url, service)) === newActive.kid, {
      timeoutMs: DEADLINE_MS,
      intervalMs: POLL_MS,
    });
    t.diagnostic(`rotation applied by the server after ${elapsedMs.toFixed(0)} ms`);
    assert.equal(await isActive(url, resourceServer, oldToken), true, 'a token of the retired key stays valid');
    const kids = await publishedKids();
    for (const kid of [oldActive, newActive.kid, newNext.kid]) assert.ok(kids.includes(kid ?? ''), `${kid} is published`);

    await keysJson('rotate');
    const third = await keysJson('list');
    assert.equal(third.find((k) => k.kid === newNext.kid)?.state, 'active', 'a second rotation activates the pre-published key');
  });

  test('keys revoke: the key leaves the JWKS, its tokens are inactive, other keys are unaffected', async (t) => {
    const victim = kidOf(await accessToken(url, service));
    const victimToken = await accessToken(url, service);
    const retired = (await keysJson('list')).find((k) => k.state === 'retired');
    assert.ok(retired, 'the key retired by the previous test is still published');

    const changed = await keysJson('revoke', victim);
    assert.ok(changed.some((k) => k.kid === victim && k.state === 'revoked'), JSON.stringify(changed));

    const { elapsedMs } = await pollUntil('the revoked key is gone from the JWKS', async () => !(await publishedKids()).includes(victim), {
      timeoutMs: DEADLINE_MS,
      intervalMs: POLL_MS,
    });
    t.diagnostic(`revocation applied by the server after ${elapsedMs.toFixed(0)} ms`);
    assert.equal(await isActive(url, resourceServer, victimToken), false, 'a token of the revoked key is inactive');
    const fresh = await accessToken(url, service);
    assert.notEqual(kidOf(fresh), victim, 'another key signs at once');
    assert.equal(await isActive(url, resourceServer, fresh), true);
    const states = await keysJson('list');
    assert.equal(states.filter((k) => k.state === 'active').length, 1, 'exactly one active key per algorithm');
    assert.equal(states.find((k) => k.kid === victim)?.published, false);
  });

  test('bad input: an unknown kid and a missing kid fail with a one-line reason and change nothing', async () => {
    const before = await keysJson('list');
    for (const argv of [['keys', 'revoke', 'no-such-kid'], ['keys', 'revoke'], ['keys', 'rotate', '--alg', 'HS256']]) {
      const result = await runBin(argv, env);
      assert.notEqual(result.code, 0, argv.join(' '));
      assert.equal(result.errLines.length, 1, `${argv.join(' ')}: ${result.err}`);
    }
    assert.deepEqual(await keysJson('list'), before);
  });

  test('every keys command has --help', async () => {
    for (const command of ['list', 'rotate', 'revoke']) {
      const result = await runBin(['keys', command, '--help'], env);
      assert.equal(result.code, 0, command);
      assert.match(result.out, new RegExp(`tessera keys ${command}`));
    }
  });
});
