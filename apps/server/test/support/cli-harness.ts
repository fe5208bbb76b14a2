import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from 'tessera';

/** apps/server/bin/tessera.js, resolved from dist-test/support. */
export const BIN = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/tessera.js');

export interface CliResult {
  code: number;
  out: string;
  err: string;
  /** Non-empty stderr lines. */
  errLines: string[];
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

/** A fresh temporary directory, removed by `removeDir`. */
export function tempDir(prefix = 'tessera-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** The test process's environment without any TESSERA_* variable, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('TESSERA_')) env[key] = value;
  return { ...env, ...extra };
}

/** Runs the CLI in this process with captured output. `env` is the whole environment the CLI sees. */
export async function cli(argv: string[], env: Record<string, string>, stdin = ''): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env,
    readStdin: async () => stdin,
  });
  const errText = err.join('\n');
  return { code, out: out.join('\n'), err: errText, errLines: lines(errText) };
}

/** Runs the real `tessera` binary in a child process and waits for it to exit (killed after `timeoutMs`). */
export function runBin(
  argv: string[],
  env: Record<string, string>,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      env: cleanEnv(env),
      cwd: options.cwd ?? process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, signal, out: out.trimEnd(), err, errLines: lines(err) });
    });
  });
}

/** A TCP port that was free a moment ago (bind to 0, read the port, close). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  /** Everything the server wrote to stderr so far (banner, the listening line). */
  stderr(): string;
  /** Resolves with the exit code and signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (default SIGTERM) unless the process already exited; resolves on exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every server child still running, so a failed test cannot leave one behind. */
const liveServers = new Set<ChildProcess>();

/** SIGKILLs every server child this process started that is still running; call it from after(). */
export async function killAllServers(): Promise<void> {
  const exits = [...liveServers].map(
    (child) => new Promise<void>((resolveExit) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolveExit();
      child.once('exit', () => resolveExit());
      child.kill('SIGKILL');
    }),
  );
  await Promise.all(exits);
}

const LISTENING = /^Tessera listening on (http:\/\/\S+) \(issuer (\S+)\)$/m;

/**
 * Starts `tessera serve` as a child process on a port chosen beforehand (or `options.port`, to restart
 * on the same address: the issuer, and so every token issued before, stays valid), so the issuer can name it.
 * Resolves once the server printed its listening line; rejects (after killing it) if it exits or
 * stays silent for `timeoutMs`.
 */
export async function startServerProcess(
  env: Record<string, string>,
  options: { timeoutMs?: number; args?: string[]; port?: number } = {},
): Promise<ServerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env, options.port ?? (await freePort()), options);
    } catch (error) {
      // Another process may take the probed port before the server binds it: pick another one.
      const portTaken = options.port === undefined && /EADDRINUSE/.test((error as Error).message);
      if (!portTaken || attempt === 3) throw error;
    }
  }
}

async function startOnce(env: Record<string, string>, port: number, options: { timeoutMs?: number; args?: string[] }): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--issuer', url, ...(options.args ?? [])], {
    env: cleanEnv({ TESSERA_LOG_LEVEL: 'warn', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveServers.add(child);
  let err = '';
  child.stdout?.resume();
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.on('exit', (code, signal) => {
      liveServers.delete(child);
      resolveExit({ code, signal });
    });
  });
  const stop: ServerProcess['stop'] = async (signal = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  await new Promise<void>((resolveReady, reject) => {
    const deadline = setTimeout(() => {
      void stop('SIGKILL');
      reject(new Error(`tessera serve did not start within ${options.timeoutMs ?? 20_000} ms; stderr:\n${err}`));
    }, options.timeoutMs ?? 20_000);
    const check = (): void => {
      if (LISTENING.test(err)) {
        clearTimeout(deadline);
        resolveReady();
      }
    };
    child.stderr?.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(deadline);
      reject(new Error(`tessera serve exited (code ${code}, signal ${signal}) before listening; stderr:\n${err}`));
    });
  });
  return { child, url, port, stderr: () => err, exited, stop };
}

/** The listening line's URL and issuer, as printed by `tessera serve`. */
export function listeningLine(stderr: string): { url: string; issuer: string } | undefined {
  const match = LISTENING.exec(stderr);
  return match ? { url: match[1] ?? '', issuer: match[2] ?? '' } : undefined;
}

/**
 * Calls `check` every `intervalMs` until it returns a value other than undefined/false, or the
 * deadline passes (then rejects, naming `what`). Resolves with the value and the elapsed milliseconds.
 */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 3000, intervalMs = 50 } = {},
): Promise<{ value: T; elapsedMs: number }> {
  const started = performance.now();
  for (;;) {
    const value = await check();
    const elapsedMs = performance.now() - started;
    if (value !== undefined && value !== false) return { value, elapsedMs };
    if (elapsedMs > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
