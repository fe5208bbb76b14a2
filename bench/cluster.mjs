/**
 * Cluster benchmark (issue 7): issuance and introspection throughput on SQLite vs PostgreSQL and with
 * 1 vs 2 instances behind one load generator, the database work per request, and revocation propagation
 * latency across instances (revoke at B, poll introspection at A until inactive), p50/p99.
 *
 * Run after a build, with PostgreSQL at TESSERA_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test):
 *   node bench/cluster.mjs            DURATION=5 CONNECTIONS=50 REVOCATIONS=500
 * Each PostgreSQL configuration gets a fresh database, dropped at the end.
 */
/* global fetch, URLSearchParams -- Node built-ins */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = join(root, 'apps/server/bin/tessera.js');
const baseUrl = process.env.TESSERA_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const DURATION = Number(process.env.DURATION ?? 5);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 50);
const REVOCATIONS = Number(process.env.REVOCATIONS ?? 500);
const REPEAT = Number(process.env.REPEAT ?? 3);
const CONFIGS = (process.env.CONFIGS ?? 'sqlite:1,postgres:1,postgres:2').split(',').map((c) => [c.split(':')[0], Number(c.split(':')[1])]);
const SCENARIOS = (process.env.SCENARIOS ?? 'issuance,introspection').split(',');
const TOKENS = 1000;
const log = (line = '') => process.stdout.write(`${line}\n`);
const cleanup = [];

async function admin(sql, url = baseUrl) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function freshDatabase() {
  const name = `tessera_bench_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  cleanup.push(() => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString() };
}

function tmp(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startInstance(env, port) {
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port)], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  cleanup.push(async () => {
    child.kill('SIGTERM');
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  });
  let err = '';
  await new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      err += chunk;
      if (/Tessera listening on/.test(err)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`tessera serve exited with ${code}: ${err}`)));
  });
  return `http://127.0.0.1:${port}`;
}

function createClient(env) {
  const result = spawnSync(process.execPath, [bin, 'clients', 'create', '--name', 'bench', '--scope', 'read', '--audience', 'https://api.bench', '--json'], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  const parsed = JSON.parse(result.stdout);
  return `Basic ${Buffer.from(`${parsed.client.id}:${parsed.client_secret}`).toString('base64')}`;
}

const form = (authorization) => ({ authorization, 'content-type': 'application/x-www-form-urlencoded' });

async function post(url, path, authorization, body) {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: form(authorization), body: new URLSearchParams(body) });
  return response.json().catch(() => ({}));
}

/** Starts one configuration: the database, `count` instances sharing it, one client. */
async function setUp(kind, count) {
  const masterKey = randomBytes(32).toString('base64url');
  const dataDir = tmp('tessera-bench-cluster-');
  const db = kind === 'postgres' ? await freshDatabase() : undefined;
  const env = {
    TESSERA_MASTER_KEY: masterKey,
    TESSERA_ISSUER: 'https://bench.tessera.test',
    TESSERA_LOG_LEVEL: 'warn',
    TESSERA_DEMO_CLIENT: 'false',
    TESSERA_DATA_DIR: dataDir,
    TESSERA_DATABASE_URL: db ? db.url : `sqlite://${join(dataDir, 'bench.db')}`,
    // One client at full speed from one address would hit the default rate limits (docs/rate-limiting.md).
    TESSERA_RATE_LIMIT: 'false',
  };
  const urls = [];
  for (let i = 0; i < count; i++) urls.push(await startInstance(env, await freePort()));
  const authorization = createClient(env);
  return { kind, count, db, urls, authorization };
}

async function measure(setup, scenario) {
  const { urls, authorization } = setup;
  let requests;
  if (scenario === 'issuance') {
    requests = [{ method: 'POST', path: '/token', headers: form(authorization), body: 'grant_type=client_credentials' }];
  } else {
    const tokens = [];
    for (let i = 0; i < TOKENS; i++) tokens.push((await post(urls[i % urls.length], '/token', authorization, { grant_type: 'client_credentials' })).access_token);
    let next = 0;
    requests = [{ method: 'POST', path: '/introspect', headers: form(authorization), setupRequest: (req) => ({ ...req, body: `token=${tokens[next++ % tokens.length]}` }) }];
  }
  const run = (duration) =>
    autocannon({ url: urls.length === 1 ? urls[0] : urls, connections: CONNECTIONS, duration, requests });
  await run(2); // warm-up
  const before = setup.db ? await transactions(setup.db.name) : 0;
  const results = [];
  for (let i = 0; i < REPEAT; i++) results.push(await run(DURATION));
  await delay(1500); // PostgreSQL publishes statistics about once a second
  const after = setup.db ? await transactions(setup.db.name) : 0;
  results.sort((x, y) => x.requests.average - y.requests.average);
  const median = results[Math.floor(results.length / 2)];
  const total = results.reduce((sum, r) => sum + r.requests.total, 0);
  const bad = results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0);
  const spread = `${Math.round(results[0].requests.average)}–${Math.round(results.at(-1).requests.average)}`;
  return { rps: median.requests.average, spread, p99: median.latency.p99, bad, dbPerRequest: setup.db ? (after - before) / total : undefined };
}

async function transactions(name) {
  const [row] = await admin(`SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = '${name}'`);
  return Number(row.n);
}

/** Revoke at B, then introspect at A back to back until it answers inactive: time from revoke start. */
async function propagation(setup) {
  const [a, b] = setup.urls;
  const samples = [];
  for (let i = 0; i < REVOCATIONS; i++) {
    const { access_token: token } = await post(a, '/token', setup.authorization, { grant_type: 'client_credentials' });
    await post(a, '/introspect', setup.authorization, { token });
    const started = performance.now();
    await post(b, '/revoke', setup.authorization, { token });
    for (;;) {
      const answer = await post(a, '/introspect', setup.authorization, { token });
      if (answer.active === false) break;
      if (performance.now() - started > 5000) throw new Error('revocation did not reach the other instance within 5 s');
    }
    samples.push(performance.now() - started);
  }
  samples.sort((x, y) => x - y);
  const at = (p) => samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)].toFixed(1);
  return { p50: at(50), p99: at(99), max: samples.at(-1).toFixed(1) };
}

async function main() {
  log(`# Tessera cluster benchmark — ${new Date().toISOString()}, node ${process.version}, ${availableParallelism()} cores, load ${loadavg()[0].toFixed(2)}`);
  log(`autocannon: ${CONNECTIONS} connections, ${DURATION} s per measurement after a 2 s warm-up, in this process (it needs a core of its own).`);
  log('');
  log(`Median of ${REPEAT} runs (range in brackets).`);
  log('');
  log('| database | instances | scenario | req/s | p99 ms | non-2xx/errors | DB transactions per request |');
  log('|---|---|---|---|---|---|---|');
  for (const [kind, count] of CONFIGS) {
    const setup = await setUp(kind, count);
    for (const scenario of SCENARIOS) {
      const r = await measure(setup, scenario);
      const db = r.dbPerRequest === undefined ? 'n/a' : r.dbPerRequest.toFixed(4);
      log(`| ${kind} | ${count} | ${scenario} | ${Math.round(r.rps)} (${r.spread}) | ${r.p99} | ${r.bad} | ${db} |`);
    }
    if (kind === 'postgres' && count === 2) {
      const p = await propagation(setup);
      log('');
      log(`Revocation propagation B → A (${REVOCATIONS} revocations, from the start of POST /revoke at B to the first inactive introspection at A, polled back to back):`);
      log(`p50 ${p.p50} ms, p99 ${p.p99} ms, max ${p.max} ms`);
    }
    while (cleanup.length > 0) await cleanup.pop()(); // instances first, then the database and data directory
  }
}

try {
  await main();
} finally {
  while (cleanup.length > 0) await cleanup.pop()().catch(() => undefined);
}
