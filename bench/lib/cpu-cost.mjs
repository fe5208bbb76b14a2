/**
 * Server CPU per request at a fixed request rate (Linux only): every target gets the same steady load,
 * well below what the slowest can serve, and the CPU its whole process used (all threads, user +
 * system, from /proc/<pid>/stat) is divided by the requests answered. Unlike requests/s at saturation,
 * this does not depend on how the load generator and the server share the cores (a busy host still
 * moves it). autocannon's overallRate is approximate: the rate answered is reported beside it.
 */
import { setTimeout as delay } from 'node:timers/promises';
import autocannon from 'autocannon';
import { median } from './load.mjs';
import { processJiffies } from './noise.mjs';

const MS_PER_JIFFY = 10; // USER_HZ = 100 on Linux

/**
 * Each of `loads` is { pid, url, connections, requests, verifyBody }. Runs `repeat` rounds of one
 * `duration`-second run per load at `rate` requests/s, round-robin, after a one-second settle run.
 * Answers, per load, { usPerRequest (median), runs: [{ usPerRequest, rps, problems }] }, or undefined
 * when /proc is not there.
 */
export async function measureCpuCost(loads, { rate, duration, repeat }, onRun = () => {}) {
  if (processJiffies(process.pid) === 0) return undefined;
  const runOnce = (load, seconds) =>
    autocannon({ url: load.url, connections: load.connections, overallRate: rate, duration: seconds, requests: load.requests, verifyBody: load.verifyBody });
  for (const load of loads) await runOnce(load, 1);
  const runs = loads.map(() => []);
  for (let i = 0; i < repeat; i++) {
    for (const [index, load] of loads.entries()) {
      await delay(250);
      const before = processJiffies(load.pid);
      const result = await runOnce(load, duration);
      const cpuMs = (processJiffies(load.pid) - before) * MS_PER_JIFFY;
      const answered = result.requests.total;
      const run = {
        usPerRequest: answered > 0 ? (cpuMs * 1000) / answered : Number.NaN,
        rps: answered / duration,
        problems: result.non2xx + result.errors + result.timeouts + result.mismatches,
      };
      runs[index].push(run);
      onRun(index, run, i);
    }
  }
  return runs.map((list) => ({ usPerRequest: median(list.map((r) => r.usPerRequest)), runs: list }));
}
