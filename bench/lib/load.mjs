/** Load generation with autocannon: warm-ups, then measured repetitions summarised by their median. */
import { setTimeout as delay } from 'node:timers/promises';
import autocannon from 'autocannon';
import { watchForeignLoad } from './noise.mjs';

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** What went wrong in one autocannon result: non-2xx answers, socket errors, timeouts, wrong bodies. */
function problemsOf(result) {
  return {
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, count])),
  };
}

const problemCount = (p) => p.non2xx + p.errors + p.timeouts + p.mismatches;

function runOnce(load, duration) {
  return autocannon({
    url: load.url,
    connections: load.connections,
    pipelining: 1,
    duration,
    requests: load.requests,
    verifyBody: load.verifyBody,
  });
}

/**
 * Measures the targets of one scenario. Each of `loads` is { url, connections, requests, verifyBody },
 * where `verifyBody(text)` must be true for a correct answer (a false counts as a mismatch).
 * Every target is warmed up first; then the repetitions go round-robin over the targets, so a
 * disturbance on a shared machine (another process, a slow minute) falls on all of them alike.
 * Answers, per load, the runs and their summary (see summarize).
 */
export async function measureInterleaved(loads, { warmup, duration, repeat }, onRun = () => {}) {
  const warmupProblems = [];
  for (const load of loads) warmupProblems.push(problemCount(problemsOf(await runOnce(load, warmup))));
  const runs = loads.map(() => []);
  for (let i = 0; i < repeat; i++) {
    for (const [index, load] of loads.entries()) {
      await delay(250);
      const foreignLoad = watchForeignLoad();
      const result = await runOnce(load, duration);
      const run = {
        otherCpu: foreignLoad(),
        rps: result.requests.average,
        total: result.requests.total,
        p50: result.latency.p50,
        p99: result.latency.p99,
        ...problemsOf(result),
      };
      runs[index].push(run);
      onRun(index, run, i);
    }
  }
  return runs.map((list, index) => ({ ...summarize(list), warmupProblems: warmupProblems[index] }));
}

/**
 * The median requests/s with min and max, the latency percentiles of the median run, and whether
 * any measured run had a problem (which makes the result invalid).
 */
export function summarize(runs) {
  const byRps = [...runs].sort((a, b) => a.rps - b.rps);
  const mid = byRps[Math.floor((byRps.length - 1) / 2)];
  const problems = runs.reduce((sum, run) => sum + problemCount(run), 0);
  return {
    runs,
    rps: median(runs.map((r) => r.rps)),
    min: byRps[0].rps,
    max: byRps[byRps.length - 1].rps,
    p50: mid.p50,
    p99: mid.p99,
    problems,
    valid: problems === 0,
  };
}

export { problemCount };
