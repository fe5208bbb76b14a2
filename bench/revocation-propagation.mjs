/**
 * Revocation propagation: Tessera as a child process, 3 SDK subscribers as child processes (each a
 * verify-SDK revocation check reporting over IPC the moment it refuses a token), then
 *   1. ≥ 1,000 × POST /revoke, timed from the request start to each subscriber's report;
 *   2. client disables written by a second process-like connection (core's disableClient on its own
 *      SQLite connection, the code path of `tessera clients disable` without the CLI's start-up);
 *   3. real `tessera clients disable` CLI runs, from spawn and from the CLI's exit.
 * Prints p50/p99. Goal: p99 ≤ 50 ms. Run after a build: node bench/revocation-propagation.mjs
 * Settings: REVOCATIONS (default 1000), ADMIN_DISABLES (200), CLI_DISABLES (20).
 */
/* global fetch -- Node's built-in fetch (undici) */
import { execFileSync, spawn } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = join(root, 'apps/server/bin/tessera.js');
const SUBSCRIBERS = 3;

/* ---------------- subscriber child: `node bench/revocation-propagation.mjs subscriber URL ID SECRET` ---------------- */
async function subscriber([issuer, clientId, clientSecret]) {
  const { startRevocationFeed } = await import('../packages/verify/dist/revocations/index.js');
  const jwks = await (await fetch(`${issuer}/jwks`)).json();
  const keys = new Map(jwks.keys.map((jwk) => [jwk.kid, createPublicKey({ key: jwk, format: 'jwk' })]));
  let check;
  const report = (entries) => {
    for (const e of entries) {
      // Report only once the check itself refuses a token the entry targets.
      const claims = { jti: e.kind === 'token' ? e.target : '-', sub: '-', client_id: e.kind === 'client' ? e.target : '-', iat: Math.floor(e.created_at / 1000) };
      if ((e.kind === 'token' || e.kind === 'client') && check?.isRevoked(claims, '')) process.send({ kind: e.kind, target: e.target });
    }
  };
  const pending = [];
  check = await startRevocationFeed({
    issuer,
    clientId,
    clientSecret,
    fetch,
    getKey: (kid) => keys.get(kid),
    clock: Date.now,
    onEvent: (event) => {
      if (event.type !== 'applied') return;
      if (check) report(event.entries);
      else pending.push(...event.entries);
    },
  });
  report(pending);
  process.send({ ready: true });
  process.once('disconnect', () => check.close().then(() => process.exit(0)));
}

/* ---------------- parent ---------------- */
const log = (line = '') => process.stdout.write(`${line}\n`);
const basic = (id, secret) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function summary(label, samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const f = (v) => `${v.toFixed(1)} ms`;
  return `${label.padEnd(46)} n=${String(sorted.length).padStart(5)}  p50 ${f(percentile(sorted, 0.5)).padStart(9)}  p99 ${f(percentile(sorted, 0.99)).padStart(9)}  max ${f(sorted.at(-1)).padStart(9)}`;
}

function freePort() {
  return new Promise((resolve) => {
    import('node:net').then(({ createServer }) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => resolve(port));
      });
    });
  });
}

/** Waits for `count` reports of `target` from the subscribers; resolves with the arrival times. */
function waiter() {
  const waiting = new Map();
  return {
    expect(target, count) {
      return new Promise((resolve) => waiting.set(target, { left: count, times: [], resolve }));
    },
    arrived(target) {
      const now = performance.now();
      const entry = waiting.get(target);
      if (!entry) return;
      entry.times.push(now);
      if (--entry.left === 0) {
        waiting.delete(target);
        entry.resolve(entry.times);
      }
    },
  };
}

async function cpuPercent(pid, ms) {
  const ticks = () => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  try {
    const before = ticks();
    await new Promise((r) => setTimeout(r, ms));
    return ((ticks() - before) * 10 * 100) / ms; // USER_HZ = 100
  } catch {
    return undefined;
  }
}

async function main() {
  const revocations = Number(process.env.REVOCATIONS ?? 1000);
  const adminDisables = Number(process.env.ADMIN_DISABLES ?? 200);
  const cliDisables = Number(process.env.CLI_DISABLES ?? 20);
  const { createClient, disableClient, discardEvents, systemClock, REVOCATION_FEED_SCOPE } = await import('../packages/core/dist/index.js');
  const { openSqliteStore } = await import('../packages/store-sql/dist/index.js');

  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-propagation-'));
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TESSERA_'))), TESSERA_DATA_DIR: dataDir, TESSERA_DEMO_CLIENT: 'false', TESSERA_LOG_LEVEL: 'warn' };
  const children = [];
  const cleanup = () => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  try {
    // Clients, written the way the CLI writes them: through core on the server's database.
    execFileSync(process.execPath, [bin, 'clients', 'list'], { env, cwd: dataDir, stdio: 'ignore' }); // creates the database and key
    const store = await openSqliteStore({ filename: join(dataDir, 'tessera.db') });
    const admin = { store, clock: systemClock, events: discardEvents, maxAccessTokenTtl: 3600 };
    const make = async (scopes) => {
      const { client, secret } = await createClient(admin, { name: 'bench', scopes, audiences: ['https://api.example.com'] });
      return { id: client.id, secret };
    };
    const reader = await make([REVOCATION_FEED_SCOPE]);
    const app = await make(['read']);
    const doomed = [];
    for (let i = 0; i < adminDisables + cliDisables; i++) doomed.push(await make(['read']));

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--host', '127.0.0.1', '--issuer', url], { env, cwd: dataDir, stdio: ['ignore', 'inherit', 'inherit'] });
    children.push(server);
    for (let i = 0; ; i++) {
      if (i > 200) throw new Error('tessera did not start');
      if (await fetch(`${url}/healthz`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 50));
    }

    const arrivals = waiter();
    const ready = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const child = spawn(process.execPath, [fileURLToPath(import.meta.url), 'subscriber', url, reader.id, reader.secret], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      ready.push(new Promise((resolve, reject) => {
        child.on('message', (message) => (message.ready ? resolve() : arrivals.arrived(message.target)));
        child.once('exit', (code) => reject(new Error(`subscriber exited with ${code}`)));
      }));
    }
    await Promise.all(ready);
    const idleCpu = await cpuPercent(server.pid, 3000);

    // 1. POST /revoke, one at a time, each timed to every subscriber.
    const tokens = [];
    for (let i = 0; i < revocations; i++) {
      const response = await fetch(`${url}/token`, { method: 'POST', headers: { ...FORM, authorization: basic(app.id, app.secret) }, body: 'grant_type=client_credentials' });
      tokens.push((await response.json()).access_token);
    }
    const revokeLatency = [];
    const revokeResponse = [];
    const afterResponse = [];
    for (const token of tokens) {
      const jti = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).jti;
      const seen = arrivals.expect(jti, SUBSCRIBERS);
      const start = performance.now();
      const response = await fetch(`${url}/revoke`, { method: 'POST', headers: { ...FORM, authorization: basic(app.id, app.secret) }, body: `token=${token}` });
      await response.arrayBuffer();
      const answered = performance.now();
      revokeResponse.push(answered - start);
      for (const at of await seen) {
        revokeLatency.push(at - start);
        afterResponse.push(at - answered);
      }
    }

    // 2. Client disabled from another connection (what the CLI does), picked up by the server's poll.
    const adminLatency = [];
    for (const client of doomed.slice(0, adminDisables)) {
      const seen = arrivals.expect(client.id, SUBSCRIBERS);
      const start = performance.now();
      await disableClient(admin, client.id);
      for (const at of await seen) adminLatency.push(at - start);
    }
    await store.close();

    // 3. The real CLI.
    const fromSpawn = [];
    const fromExit = [];
    for (const client of doomed.slice(adminDisables)) {
      const seen = arrivals.expect(client.id, SUBSCRIBERS);
      const start = performance.now();
      const cli = spawn(process.execPath, [bin, 'clients', 'disable', client.id], { env, cwd: dataDir, stdio: 'ignore' });
      const exited = await new Promise((resolve) => cli.once('exit', () => resolve(performance.now())));
      for (const at of await seen) {
        fromSpawn.push(at - start);
        fromExit.push(at - exited);
      }
    }

    const load = loadavg()[0].toFixed(2);
    log(`revocation propagation: 1 Tessera + ${SUBSCRIBERS} SDK subscriber processes, loopback, node ${process.version}, ${availableParallelism()} cores, load ${load}`);
    log(summary('POST /revoke → subscriber refuses (per sub.)', revokeLatency));
    log(summary('  the /revoke response itself', revokeResponse));
    log(summary('  subscriber refuses, from the /revoke response', afterResponse));
    log(summary('disableClient on another connection → refuses', adminLatency));
    if (fromSpawn.length > 0) {
      log(summary('`tessera clients disable` spawn → refuses', fromSpawn));
      log(summary('  … measured from the CLI process exit', fromExit));
    }
    if (idleCpu !== undefined) log(`server CPU while idle with ${SUBSCRIBERS} streams (10 ms store poll): ${idleCpu.toFixed(1)} %`);
    const p99 = percentile([...revokeLatency].sort((a, b) => a - b), 0.99);
    log(`goal p99 ≤ 50 ms for /revoke: ${p99.toFixed(1)} ms → ${p99 <= 50 ? 'met' : 'MISSED'}`);
  } finally {
    for (const child of children.splice(0)) child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'subscriber') await subscriber(process.argv.slice(3));
else await main();
