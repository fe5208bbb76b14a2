import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Test processes share one PostgreSQL server, and one test stops it on purpose. This file keeps them
 * apart across processes: every test using PostgreSQL registers while it uses it; the outage test takes
 * a marker (an atomic mkdir), then waits until no other process is registered. Registration waits while
 * a marker of another process exists. Entries of dead processes are ignored and removed.
 */
const ROOT = join(tmpdir(), 'tessera-postgres-tests');
const USERS = join(ROOT, 'users');
const MARKER = join(ROOT, 'outage');
const POLL_MS = 50;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function markerOwner(): number | undefined {
  try {
    const pid = Number(readFileSync(join(MARKER, 'pid'), 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
      rmSync(MARKER, { recursive: true, force: true });
      return undefined;
    }
    return pid || process.pid + 1; // being written: someone else's
  } catch {
    return undefined;
  }
}

async function until(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

/** Waits (bounded) until no other process is stopping PostgreSQL on purpose. */
export async function waitForNoOutage(timeoutMs = 180_000): Promise<void> {
  await until('another test process to finish its PostgreSQL outage test', () => {
    const owner = markerOwner();
    return owner === undefined || owner === process.pid;
  }, timeoutMs);
}

/** Registers this process as using PostgreSQL until the returned function is called. */
export async function registerPostgresUse(timeoutMs = 180_000): Promise<() => void> {
  mkdirSync(USERS, { recursive: true });
  for (;;) {
    await waitForNoOutage(timeoutMs);
    const entry = join(USERS, `${process.pid}-${Math.random().toString(36).slice(2)}`);
    writeFileSync(entry, String(process.pid));
    const owner = markerOwner();
    if (owner === undefined || owner === process.pid) return () => rmSync(entry, { force: true });
    rmSync(entry, { force: true });
  }
}

function otherUsers(): number {
  let count = 0;
  for (const name of readdirSync(USERS)) {
    const pid = Number(name.split('-')[0]);
    if (pid === process.pid) continue;
    if (alive(pid)) count += 1;
    else rmSync(join(USERS, name), { force: true });
  }
  return count;
}

/** Runs `work` (which stops and restarts PostgreSQL) once no other test process is using PostgreSQL. */
export async function withExclusivePostgres<T>(work: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  mkdirSync(USERS, { recursive: true });
  await until('the PostgreSQL outage marker', () => {
    if (markerOwner() !== undefined) return false;
    try {
      mkdirSync(MARKER);
    } catch {
      return false;
    }
    writeFileSync(join(MARKER, 'pid'), String(process.pid));
    return true;
  }, timeoutMs);
  try {
    await until('other test processes to stop using PostgreSQL', () => otherUsers() === 0, timeoutMs);
    return await work();
  } finally {
    rmSync(MARKER, { recursive: true, force: true });
  }
}
