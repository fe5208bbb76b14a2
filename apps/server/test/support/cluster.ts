import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { BIN, cleanEnv, freePort } from './cli-harness.js';

/** One `tessera serve` process of a cluster. */
export interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  /** The last 256 KiB the process wrote to stderr. */
  stderr(): string;
  /** The last 8 MiB the process wrote to stdout (the JSON log lines). */
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM (default) or SIGKILL; resolves on exit. */
  stop(signal?: NodeJS.Signals): Promise<unknown>;
}

const KEEP = 256 * 1024;
const KEEP_LOG = 8 * 1024 * 1024;
const LISTENING = /^Tessera listening on (http:\/\/\S+)/m;

/** The environment every instance of one cluster shares: one database, one master key, one issuer. */
export function clusterEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TESSERA_DATABASE_URL: databaseUrl,
    TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'),
    TESSERA_ISSUER: 'https://tessera.cluster.test',
    TESSERA_LOG_LEVEL: 'warn',
    TESSERA_DEMO_CLIENT: 'false',
    TESSERA_DATABASE_POOL_SIZE: '4',
    ...extra,
  };
}

/** Starts `tessera serve` on a free loopback port with its own data directory; resolves once it listens. */
export async function startInstance(name: string, env: Record<string, string>, timeoutMs = 30_000): Promise<Instance> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `tessera-cluster-${name}-`));
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port)], {
    env: cleanEnv({ ...env, TESSERA_DATA_DIR: dataDir }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out = (out + chunk).slice(-KEEP_LOG);
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err = (err + chunk).slice(-KEEP);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, signal });
    });
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<unknown> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL');
      reject(new Error(`instance ${name} did not start within ${timeoutMs} ms; stderr:\n${err}`));
    }, timeoutMs);
    const check = (): void => {
      if (!LISTENING.test(err)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stderr?.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`instance ${name} exited (code ${code}, signal ${signal}) before listening; stderr:\n${err}`));
    });
  });
  return { name, url: `http://127.0.0.1:${port}`, child, stderr: () => err, stdout: () => out, exited, stop };
}

/** Starts several instances at the same moment (the concurrent first start is part of what is tested). */
export async function startCluster(names: string[], env: Record<string, string>): Promise<Instance[]> {
  const results = await Promise.allSettled(names.map((name) => startInstance(name, env)));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((instance) => instance.stop('SIGKILL')));
    throw failed.reason;
  }
  return started;
}

/** Runs one query against the test database (for assertions on what was stored). */
export async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The `jti` of a JWT, read without verification (the test only needs to name the row). */
export function jtiOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti?: string };
  return payload.jti ?? '';
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
