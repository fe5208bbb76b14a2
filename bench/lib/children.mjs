/**
 * The server processes of a benchmark run: started with an IPC channel (see orphan-guard.mjs), their
 * output prefixed and forwarded, and all of them stopped on exit, on error and on Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { call } from './http.mjs';

const guard = fileURLToPath(new URL('./orphan-guard.mjs', import.meta.url));
const running = new Set();
const cleanups = [];
let cpuProfDir;

/** When set, every child is started with --cpu-prof and writes `<name>.cpuprofile` into `dir`. */
export function profileChildrenInto(dir) {
  cpuProfDir = dir;
}

/** Process ids of the children still running. */
export function childPids() {
  return [...running].map(({ child }) => child.pid);
}

/** Registers work to do once all children have stopped (temporary directories, …). */
export function onCleanup(fn) {
  cleanups.push(fn);
}

function forward(stream, name) {
  createInterface({ input: stream }).on('line', (line) => process.stderr.write(`  [${name}] ${line}\n`));
}

/** Starts `node [args]` as a child; resolves once `readyUrl` answers 200, rejects if the child dies first. */
export async function startChild(name, args, { env = process.env, cwd, readyUrl, timeoutMs = 20_000 }) {
  const profiling = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const child = spawn(process.execPath, ['--import', guard, ...profiling, ...args], {
    env,
    cwd,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const entry = { name, child, exited: undefined };
  running.add(entry);
  forward(child.stdout, name);
  forward(child.stderr, name);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      entry.exited = signal ?? code;
      running.delete(entry);
      resolve();
    });
  });
  const deadline = Date.now() + timeoutMs;
  while (entry.exited === undefined) {
    if (Date.now() > deadline) throw new Error(`${name} did not become ready at ${readyUrl} within ${timeoutMs} ms`);
    try {
      const { status } = await call(readyUrl);
      if (status === 200) return { name, pid: child.pid, isAlive: () => entry.exited === undefined, exited };
    } catch {
      // not listening yet
    }
    await delay(100);
  }
  throw new Error(`${name} exited (${entry.exited}) before it became ready`);
}

async function stopOne({ child }, graceMs) {
  const done = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = delay(graceMs, 'timeout');
  if ((await Promise.race([done, timer])) === 'timeout') {
    child.kill('SIGKILL');
    await done;
  }
}

let stopping;
/** Stops every child (SIGTERM, then SIGKILL after `graceMs`), then runs the cleanup hooks. Idempotent. */
export function stopAll(graceMs = 5000) {
  stopping ??= (async () => {
    await Promise.all([...running].map((entry) => stopOne(entry, graceMs)));
    for (const fn of cleanups.splice(0)) {
      try {
        fn();
      } catch (error) {
        process.stderr.write(`cleanup failed: ${error.message}\n`);
      }
    }
  })();
  return stopping;
}

/** Last resort on any exit path: no child outlives the benchmark. */
process.on('exit', () => {
  for (const { child } of running) child.kill('SIGKILL');
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the servers…\n`);
    stopAll(2000).finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
  });
}
