/** Helpers of bench/revocation-propagation.mjs: ports, subscriber bookkeeping, CPU sampling. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Waits for `count` messages about `key` (one per subscriber); resolves with their arrival times. */
export function waiter() {
  const waiting = new Map();
  return {
    expect(key, count) {
      return new Promise((resolve) => waiting.set(key, { left: count, times: [], resolve }));
    },
    arrived(key) {
      const now = performance.now();
      const entry = waiting.get(key);
      if (!entry) return;
      entry.times.push(now);
      if (--entry.left === 0) {
        waiting.delete(key);
        entry.resolve(entry.times);
      }
    },
  };
}

/** Percent of one core process `pid` used over the next `ms` (Linux /proc; undefined elsewhere). */
export async function cpuPercent(pid, ms) {
  const ticks = () => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
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

/** The header and payload of a compact JWS, decoded (no verification: the token is our own). */
export function decodeJwt(token) {
  const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  return { header, payload };
}
