/**
 * Memory held by the verify SDK's revocation state for N revoked, unexpired token ids (UUID jtis,
 * as Tessera issues them). Run after a build:  node --expose-gc bench/revocation-memory.mjs [N] [--json]
 * Prints heap + array-buffer growth after a full GC, for the SDK's compact table and, for
 * comparison, a plain Map<string, number> of the same ids. Goal: ≤ 100 MB for 1,000,000 jtis.
 * N defaults to MEMORY_JTIS or 1,000,000. With --json (how `npm run bench` runs it) the lines go to
 * stderr and stdout carries the result as JSON.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RevocationState } from '../packages/verify/dist/revocations/index.js';
import { emit, say } from './lib/output.mjs';

if (typeof globalThis.gc !== 'function') {
  console.error('run with --expose-gc: node --expose-gc bench/revocation-memory.mjs');
  process.exit(2);
}
const count = Number(process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? process.env.MEMORY_JTIS ?? 1_000_000);
if (!Number.isInteger(count) || count <= 0) {
  console.error(`N must be a positive integer, got ${count}`);
  process.exit(2);
}
const now = Date.now();
const expiresAt = now + 3_600_000;

/** heapUsed + arrayBuffers after two full collections. */
function held() {
  globalThis.gc();
  globalThis.gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Ids as they arrive from the feed: parsed out of JSON, so flat strings (not the cons strings randomUUID builds). */
function ids(n) {
  return JSON.parse(JSON.stringify(Array.from({ length: n }, () => randomUUID())));
}

/** Growth of the heap from before the ids existed to after they were dropped: what the structure keeps. */
function measure(label, build) {
  const before = held();
  let jtis = ids(count);
  const started = performance.now();
  const structure = build(jtis);
  const elapsed = performance.now() - started;
  const probe = jtis[Math.floor(count / 2)];
  jtis = null;
  const bytes = held() - before;
  return { label, structure, probe, bytes, elapsed };
}

const results = [
  measure('SDK RevocationState (16-byte table)', (jtis) => {
    const state = new RevocationState();
    for (const jti of jtis) state.apply({ seq: 1, kind: 'token', target: jti, created_at: now, expires_at: expiresAt }, now);
    return state;
  }),
  measure('Map<string, number> (for comparison)', (jtis) => {
    const map = new Map();
    for (const jti of jtis) map.set(jti, expiresAt);
    return map;
  }),
];

const claims = (jti) => ({ jti, sub: 'user', client_id: 'client', iat: Math.floor(now / 1000) });
const state = results[0].structure;
if (!state.isRevoked(claims(results[0].probe), 'kid') || state.isRevoked(claims(randomUUID()), 'kid')) {
  console.error('lookup check failed');
  process.exit(1);
}
let hits = 0;
const lookups = 1_000_000;
const probes = ids(1000);
const t0 = performance.now();
for (let i = 0; i < lookups; i++) if (state.isRevoked(claims(probes[i % 1000]), 'kid')) hits++;
const lookupNs = ((performance.now() - t0) * 1e6) / lookups;

say(`revoked unexpired jtis: ${count.toLocaleString('en')} (node ${process.version})`);
for (const r of results) {
  say(`${r.label.padEnd(40)} ${(r.bytes / 1e6).toFixed(1).padStart(7)} MB   ${(r.bytes / count).toFixed(1).padStart(6)} B/jti   built in ${r.elapsed.toFixed(0)} ms`);
}
say(`isRevoked on a miss: ${lookupNs.toFixed(0)} ns/lookup (${hits} hits)`);
const perMillion = (results[0].bytes / 1e6) * (1_000_000 / count);
say(`goal ≤ 100 MB per 1M jtis: ${perMillion.toFixed(1)} MB → ${perMillion <= 100 ? 'met' : 'MISSED'}`);
emit({
  count,
  node: process.version,
  structures: results.map((r) => ({ label: r.label, bytes: r.bytes, bytesPerJti: r.bytes / count, buildMs: r.elapsed })),
  sdkMbPerMillion: perMillion,
  lookupNs,
});
