/**
 * `npm run bench`: starts every target server as a child process, measures each scenario against
 * each target with autocannon from this process, then runs the stand-alone benchmarks (verify throughput,
 * revocation propagation and memory; lib/micro.mjs) one at a time as child processes, prints a table and
 * writes docs/benchmarks.md.
 * Settings come from the environment (see lib/options.mjs). A missed goal never fails the run;
 * a setup failure, a measured run with errors or a failed stand-alone benchmark does (exit code 1).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calibrate } from './lib/calibrate.mjs';
import { profileChildrenInto, stopAll } from './lib/children.mjs';
import { measureCpuCost } from './lib/cpu-cost.mjs';
import { measureInterleaved } from './lib/load.mjs';
import { MICRO_BENCHMARKS, runMicro } from './lib/micro.mjs';
import { microVerdictLine, microVerdicts, withMicroSections } from './lib/micro-report.mjs';
import { microSections } from './lib/micro-sections.mjs';
import { BenchSettingError, readOptions } from './lib/options.mjs';
import { buildRows, consoleCpuTable, consoleTable, DISTURBED, markdown, verdicts } from './lib/report.mjs';
import { TargetCheckError } from './scenarios/check.mjs';
import introspection from './scenarios/introspection.mjs';
import issuance from './scenarios/issuance.mjs';
import jwks from './scenarios/jwks.mjs';
import ceiling from './targets/fastify-ceiling.mjs';
import peer from './targets/oidc-provider.mjs';
import tessera, { tesseraNoLimits } from './targets/tessera.mjs';

// tessera-nolimits runs only the issuance scenario: beside `tessera` it shows what rate limiting costs.
const ALL_TARGETS = [tessera, peer, ceiling, tesseraNoLimits];
const ALL_SCENARIOS = [issuance, introspection, jwks];
const root = fileURLToPath(new URL('../', import.meta.url));
const require = createRequire(import.meta.url);
const log = (line = '') => process.stdout.write(`${line}\n`);

function environment() {
  const autocannonPkg = JSON.parse(readFileSync(require.resolve('autocannon/package.json'), 'utf8'));
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.version,
    platform: `${platform()} ${release()}`,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown CPU',
    memory: (totalmem() / 2 ** 30).toFixed(1),
    autocannon: autocannonPkg.version,
    loadBefore: loadavg()[0].toFixed(2),
  };
}

function notes(env, options, targets, results) {
  const list = [
    `This machine has ${env.cores} core(s) and the load generator (autocannon, in the benchmark process) runs on it too: ` +
      'it takes part of a core itself, and whatever a server does off its main thread (worker threads, libuv thread pool, GC helper ' +
      'threads) competes with it. The figures compare targets on the same box; they are not capacity figures, and with ' +
      'the load generator on another machine the ratios can differ. Compare ratios rather than absolutes.',
    'Every target is a single Node process (no cluster).',
  ];
  if (targets.some((t) => t.id === 'peer') && options.scenarios.includes('issuance')) {
    list.push(
      'Both issuers sign off their event loop: oidc-provider through WebCrypto, on the libuv thread pool; Tessera on ' +
        'its signing thread (a worker thread that signs every token requested during one event-loop turn as one batch). ' +
        'Tessera also writes its audit log (one SQLite row per token) from a second worker thread; the peer keeps no audit log.',
    );
  }
  if (targets.some((t) => t.id === 'peer') && options.scenarios.includes('introspection')) {
    list.push(
      'The peer introspects **opaque** tokens (oidc-provider only introspects tokens it stores; its JWT access tokens ' +
        'are not stored), looked up in its in-memory adapter. Tessera introspects its own **JWT** access tokens.',
    );
  }
  if (targets.some((t) => t.id === 'tessera') && options.scenarios.includes('introspection')) {
    list.push(
      `With ${options.tokens} tokens cycled and a verified-token cache of 10,000 entries, Tessera verifies each ` +
        'token\'s signature once, the first time any connection sends it (every connection cycles the same list, so on a slow ' +
        'host that first pass reaches into the first measured round); later requests hit the cache (a map lookup by the token, ' +
        'the revocation check). This is the case the cache is built for: resource servers introspect the same tokens again.',
    );
  }
  const disturbed = results.flatMap((r) => r.result.runs).filter((run) => run.otherCpu > DISTURBED).length;
  if (disturbed > 0) {
    list.push(`**${disturbed} measured run(s) were disturbed**: other processes on the machine took more than ${DISTURBED} of a core ` +
      'on average (marked ⚠ under "Every measured run"). Re-run on a quiet machine before drawing conclusions.');
  }
  if (targets.some((t) => t.id === 'ceiling')) {
    list.push('The ceiling does no authentication and no cryptography: it shows what the framework and the load generator cost alone.');
  }
  const limited = results.find((r) => r.scenario.id === 'issuance' && r.target.id === 'tessera');
  const unlimited = results.find((r) => r.scenario.id === 'issuance' && r.target.id === 'tessera-nolimits');
  if (limited && unlimited) {
    const cost = 1 - limited.result.rps / unlimited.result.rps;
    list.push(
      `Rate limits (on, never reached) cost ${(cost * 100).toFixed(1)} % of issuance throughput ` +
        `(${Math.round(limited.result.rps)} vs ${Math.round(unlimited.result.rps)} req/s with TESSERA_RATE_LIMIT=false; goal ≤ 10 %).`,
    );
  }
  return list;
}

/** The stand-alone benchmarks, one child process at a time, after the HTTP servers have stopped. */
async function runMicroBenchmarks(list) {
  const results = [];
  for (const bench of list) {
    log(`\n== ${bench.title}: bench/${bench.script} --json, in a child process`);
    const result = await runMicro(bench);
    log(result.error ? `  FAILED: ${result.error}` : `  done in ${Math.round(result.seconds)} s`);
    results.push(result);
  }
  return results;
}

async function main() {
  const everyScenario = [...ALL_SCENARIOS, ...MICRO_BENCHMARKS].map((s) => s.id);
  const options = readOptions(process.env, { scenarios: everyScenario, targets: ALL_TARGETS.map((t) => t.id) });
  const scenarios = ALL_SCENARIOS.filter((s) => options.scenarios.includes(s.id));
  const micros = MICRO_BENCHMARKS.filter((b) => options.scenarios.includes(b.id));
  const wanted = ALL_TARGETS.filter((t) => options.targets.includes(t.id) && scenarios.some((s) => s.targets.includes(t.id)));
  if (options.cpuProfDir) {
    mkdirSync(options.cpuProfDir, { recursive: true });
    profileChildrenInto(resolve(options.cpuProfDir));
  }
  const env = environment();
  log(`Tessera benchmarks · Node ${env.node} · ${env.cores} cores · ${options.connections} connections · ` +
    `${options.warmup} s warm-up + ${options.repeat} × ${options.duration} s · load average ${env.loadBefore}`);
  if (Number(env.loadBefore) > 0.5) log(`note: 1-minute load average ${env.loadBefore}; watch the per-run "other processes" figures`);
  env.yardstick = calibrate();
  log(`yardstick: raw node:crypto ES256 ${Math.round(env.yardstick.es256Sign)} signs/s, ${Math.round(env.yardstick.es256Verify)} verifies/s on one core`);

  const targets = [];
  for (const target of wanted) {
    log(`starting ${target.label}…`);
    targets.push(await target.start());
  }

  const results = [];
  for (const scenario of scenarios) {
    log(`\n== ${scenario.title}: ${scenario.detail}`);
    const runTargets = targets.filter((t) => scenario.targets.includes(t.id));
    const loads = [];
    for (const target of runTargets) {
      const prepared = await scenario.prepare(target, options);
      log(`  ${target.label}: checked (${prepared.checked})`);
      loads.push({ pid: target.pid, url: target.url, connections: options.connections, requests: prepared.requests, verifyBody: prepared.verifyBody });
    }
    log(`  warm-up ${options.warmup} s each, then ${options.repeat} round(s) over the targets…`);
    const measured = await measureInterleaved(loads, options, (index, run, i) => {
      const problems = run.non2xx + run.errors + run.timeouts + run.mismatches;
      const trouble = problems === 0 ? '' : `  !! non2xx ${run.non2xx}, errors ${run.errors}, timeouts ${run.timeouts}, ` +
        `wrong bodies ${run.mismatches}, statuses ${JSON.stringify(run.statusCodes)}`;
      const other = run.otherCpu === undefined ? '' : `, other processes ${run.otherCpu.toFixed(2)} cores`;
      log(`    round ${i + 1}/${options.repeat} ${runTargets[index].label}: ${Math.round(run.rps)} req/s, ` +
        `p50 ${run.p50} ms, p99 ${run.p99} ms${other}${trouble}`);
    });
    let cpu;
    if (options.cpuRate !== undefined) {
      log(`  server CPU per request at ${options.cpuRate} req/s: ${options.repeat} round(s) of ${options.cpuDuration} s per target…`);
      cpu = await measureCpuCost(loads, { rate: options.cpuRate, duration: options.cpuDuration, repeat: options.repeat }, (index, run, i) => {
        const trouble = run.problems === 0 ? '' : `  !! ${run.problems} failed request(s)`;
        log(`    round ${i + 1}/${options.repeat} ${runTargets[index].label}: ${run.usPerRequest.toFixed(1)} µs CPU per request ` +
          `(${Math.round(run.rps)} req/s answered)${trouble}`);
      });
      if (cpu === undefined) log('  (no /proc here: CPU per request not measured)');
    }
    for (const [index, result] of measured.entries()) {
      if (result.warmupProblems > 0) log(`  (${runTargets[index].label}: warm-up had ${result.warmupProblems} failed request(s))`);
      results.push({ scenario, target: runTargets[index], result, ...(cpu ? { cpu: cpu[index] } : {}) });
    }
  }

  env.loadAfter = loadavg()[0].toFixed(2);
  const rows = buildRows(results);
  const checks = verdicts(rows);
  if (rows.length > 0) log(`\n${consoleTable(rows, checks)}`);
  const cpuTable = consoleCpuTable(rows, options.cpuRate);
  if (cpuTable) log(`\n${cpuTable}`);

  await stopAll(); // the servers are done; the stand-alone benchmarks start their own
  const micro = await runMicroBenchmarks(micros);
  const microChecks = microVerdicts(micro);
  if (microChecks.length > 0) log(`\n${microChecks.map(microVerdictLine).join('\n')}`);

  if (options.out) {
    const path = resolve(root, options.out);
    mkdirSync(dirname(path), { recursive: true });
    const httpDoc = rows.length === 0 ? undefined
      : markdown({ rows, checks, env, options, targets, scenarios, notes: notes(env, options, targets, results) });
    writeFileSync(path, withMicroSections(httpDoc, microSections(micro), env));
    log(`\nwrote ${options.out}`);
  }
  if (micro.some((m) => m.error)) {
    log('\nSome stand-alone benchmarks failed (see above).');
    process.exitCode = 1;
  }
  if (rows.some((row) => !row.result.valid)) {
    log('\nSome measured runs had errors: those results are invalid (see above).');
    process.exitCode = 1;
  }
}

try {
  await main();
} catch (error) {
  const expected = error instanceof BenchSettingError || error instanceof TargetCheckError;
  process.stderr.write(`\nbenchmark failed: ${expected ? error.message : (error.stack ?? error)}\n`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
