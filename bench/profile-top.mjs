/**
 * Prints the functions with the most self time in a V8 .cpuprofile, e.g. one written by
 * `BENCH_CPU_PROF=/tmp/prof BENCH_TARGETS=tessera BENCH_ONLY=issuance npm run bench`.
 * Usage: node bench/profile-top.mjs FILE.cpuprofile [N=25]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const [file, count = '25'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/profile-top.mjs FILE.cpuprofile [N]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const root = fileURLToPath(new URL('../', import.meta.url));

// Self time per node: the sampling interval times the samples that landed on it.
const byId = new Map(profile.nodes.map((node) => [node.id, { node, self: 0 }]));
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) byId.get(profile.samples[i]).self += deltas[i + 1] ?? 0;

const where = ({ url, lineNumber }) => {
  if (!url) return '';
  const path = url.startsWith('file://') ? relative(root, fileURLToPath(url)) : url;
  return `${path}:${lineNumber + 1}`;
};
const totals = new Map();
let total = 0;
for (const { node, self } of byId.values()) {
  const frame = node.callFrame;
  const key = `${frame.functionName || '(anonymous)'}  ${where(frame)}`;
  totals.set(key, (totals.get(key) ?? 0) + self);
  total += self;
}
// Idle time (waiting for I/O, e.g. while another target is measured) is left out of the percentages.
const idle = [...totals].filter(([k]) => k.startsWith('(idle)')).reduce((s, [, v]) => s + v, 0);
const busy = total - idle;
process.stdout.write(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy\n`);
process.stdout.write('  self ms   % busy  function  location\n');
const ranked = [...totals].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]);
for (const [key, self] of ranked.slice(0, Number(count))) {
  process.stdout.write(`${(self / 1000).toFixed(0).padStart(8)}  ${((100 * self) / busy).toFixed(1).padStart(6)}%  ${key}\n`);
}
