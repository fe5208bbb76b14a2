import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { killAllServers, pollUntil, removeDir, runBin, startServerProcess, tempDir, type ServerProcess } from './support/cli-harness.js';
import { accessToken, createClientViaBin, isActive, type Credentials } from './support/cli-http.js';

/**
 * `tessera master-key rotate` beside a running server that holds the old master key: the server keeps
 * serving with the keys it has decrypted, and turns not ready only once a key it cannot open becomes active.
 */
const DEADLINE_MS = 3000;

let dir: string;
let env: Record<string, string>;
let server: ServerProcess;
let service: Credentials;
let resourceServer: Credentials;

before(async () => {
  dir = tempDir('tessera-master-key-running-');
  env = { TESSERA_DATA_DIR: dir, TESSERA_DEMO_CLIENT: 'false' };
  server = await startServerProcess(env);
  service = await createClientViaBin(env, 'service');
  resourceServer = await createClientViaBin(env, 'resource server');
});

after(async () => {
  await killAllServers();
  removeDir(dir);
});

const kidOf = (token: string): string =>
  (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid: string }).kid;
const readyStatus = async (): Promise<number> => (await fetch(`${server.url}/readyz`)).status;

async function bin(...argv: string[]): Promise<void> {
  const result = await runBin([...argv, '--json'], env);
  assert.equal(result.code, 0, `tessera ${argv.join(' ')}: ${result.err}`);
}

describe('master-key rotate while a server with the old master key runs', () => {
  test('the server keeps signing and verifying with its keys and stays ready', async () => {
    const before = await accessToken(server.url, service);
    await bin('master-key', 'rotate');
    // A later change proves the server has read past the re-encryption in the change log.
    const marker = await createClientViaBin(env, 'marker');
    const markerToken = await accessToken(server.url, marker);
    await bin('clients', 'disable', marker.id);
    await pollUntil('the server applied the changes after the rotation', async () => !(await isActive(server.url, resourceServer, markerToken)), { timeoutMs: DEADLINE_MS });
    assert.equal(await readyStatus(), 200);
    const afterRotation = await accessToken(server.url, service);
    assert.equal(kidOf(afterRotation), kidOf(before), 'same signing key, only its ciphertext changed');
    assert.equal(await isActive(server.url, resourceServer, before), true);
  });

  test('a signing key made with the new master key turns it not ready; the keys it holds keep working', async () => {
    const before = await accessToken(server.url, service);
    await bin('keys', 'rotate');
    await pollUntil('/readyz answers 503', async () => (await readyStatus()) === 503, { timeoutMs: DEADLINE_MS });
    const token = await accessToken(server.url, service);
    assert.equal(kidOf(token), kidOf(before), 'still the key it holds: it cannot open the new one');
    assert.equal(await isActive(server.url, resourceServer, token), true);
    assert.equal(await readyStatus(), 503, 'stays not ready: every sync retries the reload');
  });
});
