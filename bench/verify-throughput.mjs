// Sequential access-token verification throughput: raw node:crypto, @tessera/verify, jose and fast-jwt,
// side by side on the same tokens. Run after `npx tsc -b`:  node bench/verify-throughput.mjs [--json]
// Options (environment): VERIFY_BENCH_ITERATIONS (default 5000), VERIFY_BENCH_REPETITIONS (default 7).
// With --json (how `npm run bench` runs it) the table goes to stderr and stdout carries the result as JSON.
import { generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { createVerifier } from '@tessera/verify';
import { createVerifier as createFastJwtVerifier } from 'fast-jwt';
import { jwtVerify } from 'jose';
import { emit, say } from './lib/output.mjs';
import { median } from './lib/stats.mjs';

const ITERATIONS = Number(process.env.VERIFY_BENCH_ITERATIONS ?? 5000);
const REPETITIONS = Number(process.env.VERIFY_BENCH_REPETITIONS ?? 7);
const WARMUP = Math.max(1000, Math.floor(ITERATIONS / 5));
const AUDIENCE = 'https://api.example.com';

const ALGS = {
  ES256: { digest: 'sha256', pair: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
  EdDSA: { digest: null, pair: () => generateKeyPairSync('ed25519') },
};

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token shaped like Tessera's: same header members and claims. */
function mint(alg, kid, privateKey, issuer) {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: issuer, sub: 'svc-billing', aud: AUDIENCE, exp: now + 3600, iat: now, jti: randomUUID(), client_id: 'svc-billing', scope: 'read write',
  };
  const input = `${b64({ alg, typ: 'at+jwt', kid })}.${b64(payload)}`;
  const signature = sign(ALGS[alg].digest, Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

/** Serves discovery and the JWKS, as Tessera does, so @tessera/verify starts the normal way. */
async function startIssuer(jwks) {
  const server = createServer((request, response) => {
    const issuer = `http://localhost:${server.address().port}`;
    const body = request.url === '/jwks' ? jwks : { issuer, jwks_uri: `${issuer}/jwks` };
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' }).end(JSON.stringify(body));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, issuer: `http://localhost:${server.address().port}` };
}

/** One timed run: ops per wall-clock second and per CPU second of this process (steadier on a busy box). */
async function measure(fn, token, isAsync) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  if (isAsync) for (let i = 0; i < ITERATIONS; i++) await fn(token);
  else for (let i = 0; i < ITERATIONS; i++) fn(token);
  const wall = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { wall: ITERATIONS / wall, cpu: ITERATIONS / ((used.user + used.system) / 1e6) };
}

const keys = Object.fromEntries(Object.entries(ALGS).map(([alg, spec]) => [alg, { ...spec.pair(), kid: randomUUID() }]));
const jwks = { keys: Object.entries(keys).map(([alg, k]) => ({ ...k.publicKey.export({ format: 'jwk' }), kid: k.kid, alg, use: 'sig' })) };
const { server, issuer } = await startIssuer(jwks);
const tessera = await createVerifier({ issuer, audience: AUDIENCE });

const rows = [];
for (const [alg, { publicKey, privateKey, kid }] of Object.entries(keys)) {
  const token = mint(alg, kid, privateKey, issuer);
  const digest = ALGS[alg].digest;
  const keyOptions = { key: publicKey, dsaEncoding: 'ieee-p1363' };
  const dot = token.lastIndexOf('.');
  const signingInput = Buffer.from(token.slice(0, dot));
  const signatureBytes = Buffer.from(token.slice(dot + 1), 'base64url');
  const fastJwt = createFastJwtVerifier({
    key: publicKey.export({ type: 'spki', format: 'pem' }), algorithms: [alg], allowedIss: issuer, allowedAud: AUDIENCE, checkTyp: 'at+jwt', cache: false,
  });
  const contenders = [
    { id: 'raw', name: 'raw node:crypto (split + decode + verify)', fn: (t) => {
      const d = t.lastIndexOf('.');
      if (!verify(digest, Buffer.from(t.slice(0, d)), keyOptions, Buffer.from(t.slice(d + 1), 'base64url'))) throw new Error('bad');
    } },
    { id: 'raw-predecoded', name: 'raw node:crypto (pre-decoded buffers)', fn: () => verify(digest, signingInput, keyOptions, signatureBytes) },
    { id: 'tessera-sync', name: '@tessera/verify verifySync', fn: (t) => tessera.verifySync(t) },
    { id: 'tessera-async', name: '@tessera/verify await verify', fn: (t) => tessera.verify(t), isAsync: true },
    { id: 'jose', name: 'jose jwtVerify', fn: (t) => jwtVerify(t, publicKey, { issuer, audience: AUDIENCE, typ: 'at+jwt', algorithms: [alg] }), isAsync: true },
    { id: 'fast-jwt', name: 'fast-jwt (sync, no cache)', fn: (t) => fastJwt(t) },
  ];
  for (const c of contenders) {
    for (let i = 0; i < WARMUP; i++) await c.fn(token);
    c.wall = [];
    c.cpu = [];
  }
  for (let r = 0; r < REPETITIONS; r++) {
    // Rotate the order each repetition so no contender always runs right after the same neighbour.
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + r) % contenders.length];
      const sample = await measure(c.fn, token, c.isAsync);
      c.wall.push(sample.wall);
      c.cpu.push(sample.cpu);
    }
  }
  const [rawWall, rawCpu] = [median(contenders[0].wall), median(contenders[0].cpu)];
  for (const c of contenders) {
    rows.push({ alg, id: c.id, name: c.name, wall: median(c.wall), cpu: median(c.cpu), wallRatio: median(c.wall) / rawWall, cpuRatio: median(c.cpu) / rawCpu });
  }
}
await tessera.close();
server.close();

say(`\nSequential verification, ${ITERATIONS} iterations × ${REPETITIONS} repetitions, median (node ${process.version})\n`);
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const pct = (r) => `${(r * 100).toFixed(1)} %`;
say('| alg | verifier | ops/s (wall) | vs raw | ops per CPU-s | vs raw (CPU) |');
say('|---|---|---:|---:|---:|---:|');
for (const r of rows) say(`| ${r.alg} | ${r.name} | ${fmt(r.wall)} | ${pct(r.wallRatio)} | ${fmt(r.cpu)} | ${pct(r.cpuRatio)} |`);
emit({ iterations: ITERATIONS, repetitions: REPETITIONS, warmup: WARMUP, node: process.version, rows });
