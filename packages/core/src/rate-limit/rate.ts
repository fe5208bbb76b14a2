import type { BucketLimit } from './token-bucket.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hour: 3_600_000 };

/**
 * Parses a limit written as `COUNT/PERIOD`, e.g. `1000/s`, `30/min`, `5/10s`: a bucket of COUNT tokens
 * refilled evenly over PERIOD (so COUNT is also the largest burst).
 */
export function parseRate(text: string): BucketLimit {
  const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|sec|m|min|h|hour)\s*$/.exec(text);
  if (!match) throw new Error('must look like 1000/s, 30/min or 5/10s');
  const count = Number(match[1]);
  const period = Number(match[2] ?? 1) * (UNITS[match[3] ?? 's'] ?? 1000);
  if (!(count >= 1) || !(period > 0)) throw new Error('needs a count of at least 1 and a positive period');
  return { capacity: count, perMs: count / period };
}

/** The limit back in the `COUNT/PERIOD` form, for logs and docs. */
export function formatRate(limit: BucketLimit): string {
  const perSecond = limit.perMs * 1000;
  if (Math.abs(perSecond - limit.capacity) < 1e-9) return `${limit.capacity}/s`;
  const perMinute = limit.perMs * 60_000;
  if (Math.abs(perMinute - limit.capacity) < 1e-9) return `${limit.capacity}/min`;
  return `${limit.capacity}/${Math.round(limit.capacity / limit.perMs)}ms`;
}
