/**
 * How much CPU other processes took while a run was measured (Linux only): the machine's busy time
 * (user + nice + system, from /proc/stat) minus that of this process and its server children.
 * On a shared 2-core box this tells a clean run from one disturbed by, say, a test suite next door.
 */
import { readFileSync } from 'node:fs';
import { childPids } from './children.mjs';

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** Jiffies (1/100 s) of user + system time of one process, all its threads, or 0 when it is gone. */
export function processJiffies(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function sample() {
  const cpu = read('/proc/stat')?.split('\n')[0];
  if (!cpu) return undefined;
  const [user, nice, system] = cpu.trim().split(/\s+/).slice(1, 4).map(Number);
  const ours = [process.pid, ...childPids()].reduce((sum, pid) => sum + processJiffies(pid), 0);
  return { busy: user + nice + system, ours, at: process.hrtime.bigint() };
}

/** Starts a measurement; the returned function answers the other processes' average CPU use in cores. */
export function watchForeignLoad() {
  const before = sample();
  return () => {
    const after = sample();
    if (!before || !after) return undefined;
    const seconds = Number(after.at - before.at) / 1e9;
    const hz = 100; // USER_HZ: the unit of /proc jiffies on Linux
    const foreign = (after.busy - before.busy - (after.ours - before.ours)) / hz;
    return Math.max(0, foreign / seconds);
  };
}
