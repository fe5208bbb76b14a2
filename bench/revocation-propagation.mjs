/**
 * Revocation propagation: Tessera as a child process, 3 SDK subscribers as child processes
 * (lib/revocation-subscriber.mjs: each holds @tessera/verify's revocation feed and reports over IPC
 * the moment its revocation check refuses the claims of a token it was told to watch), then
 *   1. ≥ 1,000 × POST /revoke of real access tokens, timed from the request start;
 *   2. client disables: core's disableClient on a second SQLite connection (the code path of
 *      `tessera clients disable` without the CLI's start-up), then real `tessera clients disable` runs;
 *   3. user disables the same two ways (core's disableUser, then real `tessera users disable` runs),
 *      watching claims { sub: the user, iat: just before the disable }, i.e. any access token of that
 *      user issued before it: the subject "not before" watermark must reach every subscriber.
 * Each sample is one subscriber's refusal; CLI runs are timed from spawn and from the CLI's exit.
 * Prints p50/p99. Goal: p99 ≤ 50 ms. Run after a build: node bench/revocation-propagation.mjs [--json]
 * Settings: REVOCATIONS (default 1000), ADMIN_DISABLES (200), CLI_DISABLES (20), USER_DISABLES (200),
 * USER_CLI_DISABLES (20). With --json the lines go to stderr and stdout carries the result as JSON.
 */
/* global fetch -- Node's built-in fetch (undici) */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { emit, say } from './lib/output.mjs';
import { cpuPercent, decodeJwt, freePort, waiter } from './lib/propagation-support.mjs';
import { latencySummary } from './lib/stats.mjs';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = join(root, 'apps/server/bin/tessera.js');
const subscriberScript = fileURLToPath(new URL('./lib/revocation-subscriber.mjs', import.meta.url));
const guard = fileURLToPath(new URL('./lib/orphan-guard.mjs', import.meta.url));
const SUBSCRIBERS = 3;
const REFUSAL_TIMEOUT_MS = 10_000;
const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const nowSeconds = () => Math.floor(Date.now() / 1000);

function setting(name, fallback) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number ≥ 0, got "${process.env[name]}"`);
  return value;
}

const children = [];
let dataDir;
function cleanup() {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, () => process.exit(130));

async function startServer(env) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['--import', guard, bin, 'serve', '--port', String(port), '--host', '127.0.0.1', '--issuer', url];
  const server = spawn(process.execPath, args, { env, cwd: dataDir, stdio: ['ignore', 2, 2, 'ipc'] });
  children.push(server);
  for (let i = 0; ; i++) {
    if (i > 200 || server.exitCode !== null) throw new Error('tessera did not start');
    if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) return { url, server };
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts the subscriber processes; answers `timed(key, claims, kid, act)` (see below). */
async function startSubscribers(url, reader) {
  const refusals = waiter();
  const acks = waiter();
  const subscribers = [];
  const ready = [];
  for (let i = 0; i < SUBSCRIBERS; i++) {
    const child = spawn(process.execPath, [subscriberScript, url, reader.id, reader.secret], { stdio: ['ignore', 2, 2, 'ipc'] });
    children.push(child);
    subscribers.push(child);
    ready.push(new Promise((resolve, reject) => {
      child.on('message', (message) => {
        if (message.ready) resolve();
        else if (message.watching) acks.arrived(message.watching);
        else if (message.refused) refusals.arrived(message.refused);
      });
      child.once('exit', (code) => reject(new Error(`subscriber exited with ${code}`)));
    }));
  }
  await Promise.all(ready);

  /**
   * Has every subscriber watch `claims`, then runs `act()` (the revocation) and answers the ms from
   * the start of `act` to each subscriber's refusal, plus `act`'s own marks ({ answered }, { exited }).
   */
  async function timed(key, claims, kid, act) {
    const watching = acks.expect(key, SUBSCRIBERS);
    const refused = refusals.expect(key, SUBSCRIBERS);
    for (const child of subscribers) child.send({ watch: { key, claims, kid } });
    await watching;
    const start = performance.now();
    const marks = await act();
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not every subscriber refused ${key} within ${REFUSAL_TIMEOUT_MS} ms`)), REFUSAL_TIMEOUT_MS);
    });
    const times = await Promise.race([refused, timeout]).finally(() => clearTimeout(timer));
    return { start, times, ...marks };
  }
  return { timed };
}

/** Runs the CLI once; resolves with the time it exited. */
function cli(env, args) {
  const started = spawn(process.execPath, [bin, ...args], { env, cwd: dataDir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  started.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    started.once('exit', (code) => {
      const exited = performance.now();
      if (code === 0) resolve({ exited });
      else reject(new Error(`tessera ${args.join(' ')} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

async function main() {
  const counts = {
    revocations: setting('REVOCATIONS', 1000),
    clientApi: setting('ADMIN_DISABLES', 200),
    clientCli: setting('CLI_DISABLES', 20),
    userApi: setting('USER_DISABLES', 200),
    userCli: setting('USER_CLI_DISABLES', 20),
  };
  const core = await import('../packages/core/dist/index.js');
  const { openSqliteStore } = await import('../packages/store-sql/dist/index.js');

  dataDir = mkdtempSync(join(tmpdir(), 'tessera-propagation-'));
  const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith('TESSERA_'));
  const env = { ...Object.fromEntries(inherited), TESSERA_DATA_DIR: dataDir, TESSERA_DEMO_CLIENT: 'false', TESSERA_LOG_LEVEL: 'warn' };

  // Clients and users, written the way the CLI writes them: through core on the server's database.
  execFileSync(process.execPath, [bin, 'clients', 'list'], { env, cwd: dataDir, stdio: 'ignore' }); // creates the database and key
  const store = await openSqliteStore({ filename: join(dataDir, 'tessera.db') });
  const admin = { store, clock: core.systemClock, events: core.discardEvents, maxAccessTokenTtl: 3600 };
  const makeClient = async (scopes) => {
    const { client, secret } = await core.createClient(admin, { name: 'bench', scopes, audiences: ['https://api.example.com'] });
    return { id: client.id, secret };
  };
  const reader = await makeClient([core.REVOCATION_FEED_SCOPE]);
  const app = await makeClient(['read']);
  const doomedClients = [];
  for (let i = 0; i < counts.clientApi + counts.clientCli; i++) doomedClients.push(await makeClient(['read']));
  const doomedUsers = [];
  for (let i = 0; i < counts.userApi + counts.userCli; i++) {
    doomedUsers.push(await core.createUser({ ...admin, hasher: undefined }, { username: `bench-user-${i}`, password: null }));
  }

  const { url, server } = await startServer(env);
  const token = async (client) => {
    const response = await fetch(`${url}/token`, { method: 'POST', headers: { ...FORM, authorization: basic(client.id, client.secret) }, body: 'grant_type=client_credentials' });
    if (!response.ok) throw new Error(`POST /token answered ${response.status}`);
    return (await response.json()).access_token;
  };
  const { timed } = await startSubscribers(url, reader);
  const idleCpu = await cpuPercent(server.pid, 3000);

  const samples = Object.fromEntries(
    ['revoke', 'revoke-response', 'revoke-after-response', 'client-api', 'client-cli-spawn', 'client-cli-exit', 'user-api', 'user-cli-spawn', 'user-cli-exit']
      .map((id) => [id, []]),
  );
  const record = ({ start, times, answered, exited }, spawnId, exitId) => {
    for (const at of times) {
      samples[spawnId].push(at - start);
      if (answered !== undefined) samples['revoke-after-response'].push(at - answered);
      if (exitId) samples[exitId].push(at - exited);
    }
    if (answered !== undefined) samples['revoke-response'].push(answered - start);
  };

  // 1. POST /revoke of real tokens, one at a time; each subscriber watches the token's own claims.
  say(`POST /revoke × ${counts.revocations}…`);
  const tokens = [];
  for (let i = 0; i < counts.revocations; i++) tokens.push(await token(app));
  for (const jwt of tokens) {
    const { header, payload } = decodeJwt(jwt);
    record(await timed(payload.jti, payload, header.kid, async () => {
      const response = await fetch(`${url}/revoke`, { method: 'POST', headers: { ...FORM, authorization: basic(app.id, app.secret) }, body: `token=${jwt}` });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`POST /revoke answered ${response.status}`);
      return { answered: performance.now() };
    }), 'revoke');
  }

  // 2. Client disables (a real token of each client is watched), from another connection and by the CLI.
  say(`client disables: ${counts.clientApi} through core, ${counts.clientCli} by the CLI…`);
  for (const [i, client] of doomedClients.entries()) {
    const { header, payload } = decodeJwt(await token(client));
    if (i < counts.clientApi) record(await timed(client.id, payload, header.kid, () => core.disableClient(admin, client.id).then(() => ({}))), 'client-api');
    else record(await timed(client.id, payload, header.kid, () => cli(env, ['clients', 'disable', client.id])), 'client-cli-spawn', 'client-cli-exit');
  }

  // 3. User disables: claims of an access token of the user issued just before the disable.
  say(`user disables: ${counts.userApi} through core, ${counts.userCli} by the CLI…`);
  const kid = tokens.length > 0 ? decodeJwt(tokens[0]).header.kid : decodeJwt(await token(app)).header.kid;
  for (const [i, user] of doomedUsers.entries()) {
    const claims = { jti: randomUUID(), sub: user.id, client_id: app.id, iat: nowSeconds(), scope: 'read' };
    if (i < counts.userApi) record(await timed(user.id, claims, kid, () => core.disableUser(admin, user.id).then(() => ({}))), 'user-api');
    else record(await timed(user.id, claims, kid, () => cli(env, ['users', 'disable', user.id])), 'user-cli-spawn', 'user-cli-exit');
  }
  await store.close();

  const result = {
    subscribers: SUBSCRIBERS,
    node: process.version,
    cores: availableParallelism(),
    loadAfter: loadavg()[0],
    idleServerCpuPercent: idleCpu,
    counts,
    paths: Object.fromEntries(Object.entries(samples).map(([id, list]) => [id, latencySummary(list)])),
  };
  report(result);
  emit(result);
}

const LABELS = {
  'revoke': 'POST /revoke → subscriber refuses (per sub.)',
  'revoke-response': '  the /revoke response itself',
  'revoke-after-response': '  subscriber refuses, from the /revoke response',
  'client-api': 'disableClient on another connection → refuses',
  'client-cli-spawn': '`tessera clients disable` spawn → refuses',
  'client-cli-exit': '  … measured from the CLI process exit',
  'user-api': 'disableUser on another connection → refuses',
  'user-cli-spawn': '`tessera users disable` spawn → refuses',
  'user-cli-exit': '  … measured from the CLI process exit',
};

function report(result) {
  const f = (v) => `${v.toFixed(1)} ms`.padStart(9);
  say(`revocation propagation: 1 Tessera + ${result.subscribers} SDK subscriber processes, loopback, node ${result.node}, ` +
    `${result.cores} cores, load ${result.loadAfter.toFixed(2)}`);
  for (const [id, s] of Object.entries(result.paths)) {
    if (s.n > 0) say(`${LABELS[id].padEnd(46)} n=${String(s.n).padStart(5)}  p50 ${f(s.p50)}  p99 ${f(s.p99)}  max ${f(s.max)}`);
  }
  if (result.idleServerCpuPercent !== undefined) {
    say(`server CPU while idle with ${result.subscribers} streams (10 ms store poll): ${result.idleServerCpuPercent.toFixed(1)} %`);
  }
  for (const id of ['revoke', 'user-api']) {
    const { p99 } = result.paths[id];
    if (p99 !== undefined) say(`goal p99 ≤ 50 ms for ${id}: ${p99.toFixed(1)} ms → ${p99 <= 50 ? 'met' : 'MISSED'}`);
  }
}

try {
  await main();
} catch (error) {
  process.stderr.write(`revocation-propagation failed: ${error.stack ?? error}\n`);
  process.exitCode = 1;
} finally {
  cleanup();
}
