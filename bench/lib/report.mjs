/** Turns measurements into rows, goal verdicts, a console table and the markdown report. */

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const fmtRps = (n) => int.format(n);
const fmtMs = (n) => (Number.isInteger(n) ? String(n) : n.toFixed(1));
const fmtRatio = (n) => (n === undefined ? '' : `${n.toFixed(2)}×`);

/**
 * `results` is a list of { scenario, target, result } in run order. Answers one row per result, with
 * Tessera's rows carrying its ratio to the peer and to the ceiling in the same scenario.
 */
export function buildRows(results) {
  const find = (scenarioId, targetId) => results.find((r) => r.scenario.id === scenarioId && r.target.id === targetId);
  return results.map(({ scenario, target, result, cpu }) => {
    const row = { scenario, target, result, cpu };
    if (target.id === 'tessera') {
      const peer = find(scenario.id, 'peer');
      const ceiling = find(scenario.id, 'ceiling');
      if (peer) row.vsPeer = result.rps / peer.result.rps;
      if (ceiling) row.vsCeiling = result.rps / ceiling.result.rps;
      if (peer?.cpu && cpu) row.cpuVsPeer = peer.cpu.usPerRequest / cpu.usPerRequest;
    }
    return row;
  });
}

/** PASS / MISS per scenario goal (Tessera ≥ factor × peer); INVALID when either side had errors. */
export function verdicts(rows) {
  return rows
    .filter((row) => row.target.id === 'tessera' && row.scenario.goal && row.vsPeer !== undefined)
    .map((row) => {
      const peerRow = rows.find((r) => r.scenario.id === row.scenario.id && r.target.id === 'peer');
      const valid = row.result.valid && peerRow.result.valid;
      const { factor } = row.scenario.goal;
      const verdict = !valid ? 'INVALID' : row.vsPeer >= factor ? 'PASS' : 'MISS';
      return { scenario: row.scenario, factor, ratio: row.vsPeer, verdict };
    });
}

const HEADINGS = ['Scenario', 'Target', 'req/s (median)', 'min–max', 'p50 ms', 'p99 ms', 'errors', '× peer', '× ceiling'];

function cells(row) {
  const r = row.result;
  return [
    row.scenario.title,
    row.target.label,
    fmtRps(r.rps),
    `${fmtRps(r.min)}–${fmtRps(r.max)}`,
    fmtMs(r.p50),
    fmtMs(r.p99),
    r.valid ? '0' : `${r.problems} INVALID`,
    fmtRatio(row.vsPeer),
    fmtRatio(row.vsCeiling),
  ];
}

/** Columns from the third on are numbers: right-aligned in both renderings. */
const isNumeric = (column) => column >= 2;

/** A fixed-width console table with a rule under the headings. */
function textTable(headings, lines) {
  const table = [headings, ...lines];
  const widths = headings.map((_, i) => Math.max(...table.map((line) => line[i].length)));
  const text = table.map((line) => line.map((c, i) => (isNumeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  '));
  text.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return text.join('\n');
}

function markdownTableOf(headings, lines) {
  const head = `| ${headings.join(' | ')} |`;
  const rule = `|${headings.map((_, i) => (isNumeric(i) ? '---:' : '---')).join('|')}|`;
  return [head, rule, ...lines.map((line) => `| ${line.join(' | ')} |`)].join('\n');
}

const verdictLine = (v) => `${v.scenario.title}: Tessera/peer ${v.ratio.toFixed(2)}× (target ≥ ${v.factor}×) ${v.verdict}`;

const CPU_HEADINGS = ['Scenario', 'Target', 'CPU µs/request (median)', 'min–max', 'peer ÷ Tessera'];

function cpuCells(row) {
  const list = row.cpu.runs.map((r) => r.usPerRequest);
  const failed = row.cpu.runs.reduce((sum, r) => sum + r.problems, 0);
  return [
    row.scenario.title,
    row.target.label,
    `${row.cpu.usPerRequest.toFixed(1)}${failed > 0 ? ` (${failed} failed)` : ''}`,
    `${Math.min(...list).toFixed(1)}–${Math.max(...list).toFixed(1)}`,
    fmtRatio(row.cpuVsPeer),
  ];
}

/** The fixed-rate CPU pass as a console table, or '' when it did not run. */
export function consoleCpuTable(rows, rate) {
  const measured = rows.filter((row) => row.cpu);
  if (measured.length === 0) return '';
  return `Server CPU per request at ${rate} req/s (whole server process, all threads):\n${textTable(CPU_HEADINGS, measured.map(cpuCells))}`;
}

function cpuSection(rows, options) {
  const measured = rows.filter((row) => row.cpu);
  if (measured.length === 0) return '';
  return `
## Server CPU per request at a fixed rate

Every target served the same steady ${options.cpuRate} requests/s (${options.repeat} round(s) of ${options.cpuDuration} s each, round-robin,
after the throughput runs); the CPU its whole process used (every thread, user + system, from \`/proc/<pid>/stat\`) divided
by the requests it answered. Unlike requests/s at saturation it does not depend on how the server and the load
generator share the cores, but a busy host still moves it (compare min and max). At a moderate rate a server
cannot amortise its per-wake-up costs over batches of requests, so this is the cost of a quiet hour, not of a
peak. "peer ÷ Tessera" is how many times more CPU the peer spends on one request. Not a goal of its own.

${markdownTableOf(CPU_HEADINGS, measured.map(cpuCells))}
`;
}

export function consoleTable(rows, checks) {
  return [textTable(HEADINGS, rows.map(cells)), '', ...checks.map(verdictLine)].join('\n');
}

/** Average CPU (in cores) other processes used during a run above which the run counts as disturbed. */
export const DISTURBED = 0.25;
const fmtOther = (r) => (r.otherCpu === undefined ? '' : `, ${r.otherCpu.toFixed(2)}${r.otherCpu > DISTURBED ? ' ⚠' : ''}`);

function runsTable(rows) {
  const lines = ['| Scenario | Target | runs: req/s (p50 / p99 ms, CPU cores taken by other processes) |', '|---|---|---|'];
  for (const row of rows) {
    const runs = row.result.runs.map((r) => `${fmtRps(r.rps)} (${fmtMs(r.p50)} / ${fmtMs(r.p99)}${fmtOther(r)})`).join('; ');
    lines.push(`| ${row.scenario.title} | ${row.target.label} | ${runs} |`);
  }
  return lines.join('\n');
}

/** The whole docs/benchmarks.md, from the results and a description of the environment and settings. */
export function markdown({ rows, checks, env, options, targets, scenarios, notes }) {
  const o = options;
  return `# Benchmarks

Generated by \`npm run bench\` (bench/run.mjs) on ${env.date}. Re-run it to refresh this page; do not edit by hand.

## Results

${markdownTableOf(HEADINGS, rows.map(cells))}

Requests/s is the median of ${o.repeat} measured run(s), with the slowest and fastest; p50/p99 are the
latencies of the median run. "errors" counts non-2xx answers, socket errors, timeouts and wrong bodies
in the measured runs: a result with errors is invalid.

Goals (Tessera against the peer, from the issue):

${checks.map((v) => `- ${verdictLine(v)}`).join('\n') || '- (no scenario with both Tessera and the peer was run)'}

${cpuSection(rows, o)}
<details><summary>Every measured run</summary>

${runsTable(rows)}

</details>

## Environment

- Node ${env.node}, ${env.platform}, ${env.cores} CPU core(s) (${env.cpu}), ${env.memory} GiB RAM
- autocannon ${env.autocannon}, in the parent process; each server in a child process of its own
- yardstick taken before the run: raw node:crypto ES256 ${fmtRps(env.yardstick.es256Sign)} signs/s and ${fmtRps(env.yardstick.es256Verify)} verifies/s on one core
- 1-minute load average: ${env.loadBefore} before the run, ${env.loadAfter} at its end (the run itself adds about 2)

## Settings

- ${o.connections} connections, pipelining 1, loopback (127.0.0.1), HTTP/1.1 keep-alive
- per scenario: a ${o.warmup} s warm-up of each target (not counted), then ${o.repeat} round(s) of one ${o.duration} s run per target,
  round-robin, so a disturbance falls on all targets alike
- introspection: ${o.tokens} distinct valid tokens obtained beforehand, cycled through in order by every connection
- scenarios: ${scenarios.map((s) => `**${s.title}**: ${s.detail}`).join('; ')}
- BENCH_DURATION=${o.duration} BENCH_REPEAT=${o.repeat} BENCH_CONNECTIONS=${o.connections} BENCH_WARMUP=${o.warmup} BENCH_TOKENS=${o.tokens}${o.scenarios.length < 3 ? ` BENCH_ONLY=${o.scenarios.join(',')}` : ''}

## Targets

${targets.map((t) => `**${t.label}**\n${t.setup.map((line) => (line.startsWith('  ') ? `  ${line.trim()}` : `- ${line}`)).join('\n')}`).join('\n\n')}

## Notes

${notes.map((n) => `- ${n}`).join('\n')}
`;
}
