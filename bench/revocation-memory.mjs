/**
 * Memory held by the verify SDK's revocation state for N revoked, unexpired token ids (UUID jtis,
 * as Tessera issues them). Run after a build:  node --expose-gc bench/revocation-memory.mjs [N]
 * Prints heap + array-buffer growth after a full GC, for the SDK's compact table and, for
 * comparison, a plain Map<string, number> of the same ids. Goal: ≤ 100 MB for 1,000,000 jtis.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { RevocationState } from '../packages/verify/dist/revocations/index.js';

if (typeof globalThis.gc !== 'function') {
  console.error('run with --expose-gc: node --expose-gc bench/revocation-memory.mjs');
  process.exit(2);
}
const count = Number(process.argv[2] ?? 1_000_000);
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

console.log(`revoked unexpired jtis: ${count.toLocaleString('en')} (node ${process.version})`);
for (const r of results) {
  console.log(`${r.label.padEnd(40)} ${(r.bytes / 1e6).toFixed(1).padStart(7)} MB   ${(r.bytes / count).toFixed(1).padStart(6)} B/jti   built in ${r.elapsed.toFixed(0)} ms`);
}
console.log(`isRevoked on a miss: ${lookupNs.toFixed(0)} ns/lookup (${hits} hits)`);
const sdk = results[0].bytes / 1e6;
console.log(`goal ≤ 100 MB per 1M jtis: ${((sdk * 1_000_000) / count).toFixed(1)} MB → ${sdk * (1_000_000 / count) <= 100 ? 'met' : 'MISSED'}`);
