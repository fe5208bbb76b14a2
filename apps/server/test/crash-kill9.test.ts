import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { killAllServers, removeDir, runBin, startServerProcess, tempDir, type CliResult, type ServerProcess } from './support/cli-harness.js';
import { accessToken, createClientViaBin, isActive, requestToken, revoke, type Credentials } from './support/cli-http.js';

/**
 * Crash safety: the server is killed with SIGKILL in the middle of concurrent writes (revocations over
 * HTTP, clients created by the CLI in other processes). A revocation answered 200 and a client whose
 * `clients create` exited 0 must survive; the database must pass integrity_check and the server must
 * restart on it with the same master key file.
 */
const KILL_AFTER = [3, 40, 120] as const; // successful revocations before the kill, one round each
const WORKERS = 8;
const CLI_CREATES = 3;

let dir: string;
let env: Record<string, string>;
let port: number;
let svc: Credentials;
let rs: Credentials;

before(async () => {
  dir = tempDir('tessera-crash-');
  env = { TESSERA_DATA_DIR: dir, TESSERA_DEMO_CLIENT: 'false' };
  svc = await createClientViaBin(env, 'service');
  rs = await createClientViaBin(env, 'resource server');
});

after(async () => {
  await killAllServers();
  removeDir(dir);
});

/** Starts the server on the same port every time, so the issuer (and every token issued before) stays the same. */
async function start(): Promise<ServerProcess> {
  const started = await startServerProcess(env, port === undefined ? {} : { port });
  port = started.port;
  return started;
}

const jtiOf = (token: string): string =>
  (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti: string }).jti;

async function tokens(url: string, count: number): Promise<string[]> {
  const result: string[] = [];
  while (result.length < count) {
    const batch = Math.min(10, count - result.length);
    result.push(...(await Promise.all(Array.from({ length: batch }, () => accessToken(url, svc)))));
  }
  return result;
}

/**
 * Revokes `queue` with WORKERS concurrent requests and SIGKILLs the server as soon as `killAfter`
 * revocations were answered 200, while the other requests are still in flight. Returns the
 * tokens whose revocation was acknowledged.
 */
async function revokeUntilKilled(target: ServerProcess, queue: string[], killAfter: number): Promise<string[]> {
  const acknowledged: string[] = [];
  let next = 0;
  let down = false;
  const worker = async (): Promise<void> => {
    while (!down && next < queue.length) {
      const token = queue[next++] ?? '';
      let status: number;
      try {
        status = await revoke(target.url, svc, token);
      } catch {
        down = true; // connection refused or reset: the server is gone
        return;
      }
      if (status === 200) acknowledged.push(token);
      else if (status !== 503) throw new Error(`unexpected /revoke status ${status}`);
      if (acknowledged.length >= killAfter && target.child.exitCode === null && target.child.signalCode === null) {
        target.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  return acknowledged;
}

function integrityCheck(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

function storedRevocations(path: string): Set<string> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare("SELECT target FROM changes WHERE kind = 'revoke.token'").all() as { target: string }[];
    return new Set(rows.map((r) => r.target));
  } finally {
    db.close();
  }
}

test('kill -9 during concurrent writes loses no acknowledged write and leaves a sound database', { timeout: 180_000 }, async (t) => {
  const dbPath = join(dir, 'tessera.db');
  let server = await start();
  const masterKey = readFileSync(join(dir, 'master.key'));
  const control = await accessToken(server.url, svc);
  const allRevoked: string[] = [];
  const allCreated: string[] = [];

  for (const [round, killAfter] of KILL_AFTER.entries()) {
    const running: ServerProcess = server;
    const queue = await tokens(running.url, killAfter + 80);
    const creates: Promise<CliResult>[] = Array.from({ length: CLI_CREATES }, (_v, i) =>
      runBin(['clients', 'create', '--name', `crash-${round}-${i}`, '--audience', 'https://api.example.com', '--json'], env),
    );
    const acknowledged = await revokeUntilKilled(running, queue, killAfter);
    const exit = await running.exited;
    assert.equal(exit.signal, 'SIGKILL', `round ${round}: the server was killed, not stopped (${JSON.stringify(exit)})`);
    assert.ok(acknowledged.length >= killAfter, `round ${round}: ${acknowledged.length} revocations acknowledged`);
    assert.ok(acknowledged.length < queue.length, `round ${round}: the kill came before the load finished`);
    allRevoked.push(...acknowledged);
    for (const result of await Promise.all(creates)) {
      if (result.code === 0) allCreated.push((JSON.parse(result.out) as { client: { id: string } }).client.id);
      else assert.fail(`round ${round}: clients create failed beside a crashing server: ${result.err}`);
    }
    t.diagnostic(`round ${round}: killed after ${acknowledged.length} acknowledged revocations of ${queue.length}`);

    assert.equal(integrityCheck(dbPath), 'ok', `round ${round}: integrity_check`);
    const stored = storedRevocations(dbPath);
    const lost = allRevoked.filter((token) => !stored.has(jtiOf(token)));
    assert.deepEqual(lost, [], `round ${round}: acknowledged revocations missing from the database`);

    server = await start();
    assert.deepEqual(readFileSync(join(dir, 'master.key')), masterKey, 'the master key file is unchanged');
    const stillActive: string[] = [];
    for (const token of allRevoked) if (await isActive(server.url, rs, token)) stillActive.push(jtiOf(token));
    assert.deepEqual(stillActive, [], `round ${round}: revoked tokens active again after restart`);
    assert.equal(await isActive(server.url, rs, control), true, 'a token issued before the crashes still verifies');

    const listed = await runBin(['clients', 'list', '--json'], env);
    assert.equal(listed.code, 0, listed.err);
    const ids = new Set((JSON.parse(listed.out) as { id: string }[]).map((c) => c.id));
    assert.deepEqual(allCreated.filter((id) => !ids.has(id)), [], `round ${round}: created clients missing`);
  }

  assert.equal(allCreated.length, KILL_AFTER.length * CLI_CREATES);
  const running: ServerProcess = server;
  const final = await running.stop('SIGTERM');
  assert.deepEqual(final, { code: 0, signal: null }, 'the last restart shuts down cleanly');
  assert.equal(integrityCheck(dbPath), 'ok');
});

test('a client created by the CLI while the server was down works after the restart', { timeout: 60_000 }, async () => {
  const made = await createClientViaBin(env, 'made while down');
  const server = await start();
  const response = await requestToken(server.url, made);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  const exit = await server.stop('SIGKILL');
  assert.equal(exit.signal, 'SIGKILL');
  assert.equal(integrityCheck(join(dir, 'tessera.db')), 'ok');
});
