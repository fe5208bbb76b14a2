import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { killAllServers, removeDir, pollUntil, runBin, startServerProcess, tempDir, type ServerProcess } from './support/cli-harness.js';
import { accessToken, createClientViaBin, isActive, requestToken, type Credentials } from './support/cli-http.js';

/**
 * The operator workflow: a server runs as its own process; the CLI, in other processes, changes
 * clients in the same data directory; the running server applies each change within a bounded time.
 * Latency is reported as a diagnostic, never asserted (the bound below is only a deadline).
 */
const DEADLINE_MS = 3000;
const POLL_MS = 50;

let dir: string;
let env: Record<string, string>;
let server: ServerProcess | undefined;
let url: string;
let resourceServer: Credentials;

before(async () => {
  dir = tempDir('tessera-live-');
  env = { TESSERA_DATA_DIR: dir, TESSERA_DEMO_CLIENT: 'false' };
  server = await startServerProcess(env);
  url = server.url;
  resourceServer = await createClientViaBin(env, 'resource server');
});

after(async () => {
  await killAllServers();
  removeDir(dir);
});

async function tessera(...argv: string[]): Promise<void> {
  const result = await runBin(argv, env);
  assert.equal(result.code, 0, `tessera ${argv.join(' ')}: ${result.err}`);
}

describe('changes made by the CLI reach a running server', () => {
  test('the server prints its listening URL and issuer on stderr', () => {
    assert.match(server?.stderr() ?? '', new RegExp(`^Tessera listening on ${url} \\(issuer ${url}\\)$`, 'm'));
  });

  test('a client created by the CLI gets a token from the running server at once', async (t) => {
    const client = await createClientViaBin(env, 'fresh');
    const { elapsedMs } = await pollUntil('the new client gets a token', async () => (await requestToken(url, client)).status === 200, {
      timeoutMs: DEADLINE_MS,
      intervalMs: POLL_MS,
    });
    t.diagnostic(`new client usable after ${elapsedMs.toFixed(0)} ms`);
    const token = await accessToken(url, client);
    assert.equal(await isActive(url, resourceServer, token), true);
  });

  test('clients disable: its token introspects inactive and it can no longer get tokens', async (t) => {
    const client = await createClientViaBin(env, 'to disable');
    const token = await accessToken(url, client);
    assert.equal(await isActive(url, resourceServer, token), true);

    await tessera('clients', 'disable', client.id);
    const { elapsedMs } = await pollUntil(
      'the token is inactive and the client is refused',
      async () => !(await isActive(url, resourceServer, token)) && (await requestToken(url, client)).status === 401,
      { timeoutMs: DEADLINE_MS, intervalMs: POLL_MS },
    );
    t.diagnostic(`disable observed ${elapsedMs.toFixed(0)} ms after the CLI exited`);
    const refused = await requestToken(url, client);
    assert.equal(refused.status, 401);
    assert.equal(refused.body['error'], 'invalid_client');
    assert.equal(await isActive(url, resourceServer, token), false);

    await tessera('clients', 'enable', client.id);
    const { elapsedMs: enabledMs } = await pollUntil('the client gets tokens again', async () => (await requestToken(url, client)).status === 200, {
      timeoutMs: DEADLINE_MS,
      intervalMs: POLL_MS,
    });
    t.diagnostic(`enable observed after ${enabledMs.toFixed(0)} ms`);
    assert.equal(await isActive(url, resourceServer, token), false, 'a token revoked by disable stays revoked');
  });

  test('clients rotate-secret --grace 0: the old secret stops working, the new one works', async (t) => {
    const client = await createClientViaBin(env, 'rotate now');
    const token = await accessToken(url, client);
    const result = await runBin(['clients', 'rotate-secret', client.id, '--grace', '0', '--json'], env);
    assert.equal(result.code, 0, result.err);
    const fresh: Credentials = { id: client.id, secret: (JSON.parse(result.out) as { client_secret: string }).client_secret };

    const { elapsedMs } = await pollUntil(
      'old secret refused and new secret accepted',
      async () => (await requestToken(url, client)).status === 401 && (await requestToken(url, fresh)).status === 200,
      { timeoutMs: DEADLINE_MS, intervalMs: POLL_MS },
    );
    t.diagnostic(`rotate --grace 0 observed after ${elapsedMs.toFixed(0)} ms`);
    assert.equal((await requestToken(url, client)).body['error'], 'invalid_client');
    assert.equal(await isActive(url, resourceServer, token), true, 'rotating a secret does not revoke issued tokens');
  });

  test('clients rotate-secret --grace 1h: both the old and the new secret work', async (t) => {
    const client = await createClientViaBin(env, 'rotate with grace');
    await accessToken(url, client);
    const result = await runBin(['clients', 'rotate-secret', client.id, '--grace', '1h', '--json'], env);
    assert.equal(result.code, 0, result.err);
    const fresh: Credentials = { id: client.id, secret: (JSON.parse(result.out) as { client_secret: string }).client_secret };

    const { elapsedMs } = await pollUntil('the new secret is accepted', async () => (await requestToken(url, fresh)).status === 200, {
      timeoutMs: DEADLINE_MS,
      intervalMs: POLL_MS,
    });
    t.diagnostic(`rotate --grace 1h observed after ${elapsedMs.toFixed(0)} ms`);
    assert.equal((await requestToken(url, client)).status, 200, 'the previous secret still works during the grace period');
    assert.equal((await requestToken(url, fresh)).status, 200);
  });

  test('clients delete: its token introspects inactive and it can no longer get tokens', async (t) => {
    const client = await createClientViaBin(env, 'to delete');
    const token = await accessToken(url, client);
    await tessera('clients', 'delete', client.id);
    const { elapsedMs } = await pollUntil(
      'the deleted client is refused and its token inactive',
      async () => (await requestToken(url, client)).status === 401 && !(await isActive(url, resourceServer, token)),
      { timeoutMs: DEADLINE_MS, intervalMs: POLL_MS },
    );
    t.diagnostic(`delete observed after ${elapsedMs.toFixed(0)} ms`);
  });

  test('SIGTERM stops the server with exit code 0', async () => {
    const running = server;
    assert.ok(running);
    const exit = await running.stop('SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null });
    await assert.rejects(fetch(`${url}/healthz`), 'nothing listens after shutdown');
  });
});
