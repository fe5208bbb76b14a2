/**
 * The stand-alone benchmarks (bench/<script>.mjs) that `npm run bench` runs after the HTTP scenarios:
 * each as a child process of its own, one at a time, in its `--json` mode. Its progress lines are
 * forwarded (prefixed) to stderr; its stdout is the JSON result.
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const guard = fileURLToPath(new URL('./orphan-guard.mjs', import.meta.url));
const script = (name) => fileURLToPath(new URL(`../${name}`, import.meta.url));

/** In run order. `id` is the BENCH_ONLY name. */
export const MICRO_BENCHMARKS = [
  { id: 'verify', title: 'Verify throughput', script: 'verify-throughput.mjs', nodeArgs: [] },
  { id: 'propagation', title: 'Revocation propagation', script: 'revocation-propagation.mjs', nodeArgs: [] },
  { id: 'memory', title: 'Revocation memory', script: 'revocation-memory.mjs', nodeArgs: ['--expose-gc'] },
];

let running;
process.on('exit', () => running?.kill('SIGTERM'));

/**
 * Runs one benchmark to its end. Answers { bench, data, seconds, loadBefore, loadAfter } or, when it
 * failed, { bench, error, … }; never throws for a failure of the benchmark itself.
 */
export async function runMicro(bench) {
  const loadBefore = loadavg()[0];
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', guard, ...bench.nodeArgs, script(bench.script), '--json'], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running = child;
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  createInterface({ input: child.stderr }).on('line', (line) => process.stderr.write(`  [${bench.id}] ${line}\n`));
  const code = await new Promise((resolve) => {
    child.once('error', () => resolve(-1));
    child.once('exit', (exitCode, signal) => resolve(signal ?? exitCode));
  });
  running = undefined;
  const base = { bench, seconds: (performance.now() - started) / 1000, loadBefore, loadAfter: loadavg()[0] };
  if (code !== 0) return { ...base, error: `exited with ${code} (its output is above)` };
  const last = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return { ...base, data: JSON.parse(last) };
  } catch {
    return { ...base, error: `printed no JSON result (stdout: ${JSON.stringify(stdout.slice(0, 200))})` };
  }
}
