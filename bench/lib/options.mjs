/** Benchmark settings, read once from the environment so a quick smoke run needs no flags. */

/** A mistake in the settings: reported as one line, without a stack. */
export class BenchSettingError extends Error {
  name = 'BenchSettingError';
}

function positiveNumber(env, name, fallback, { integer = false } = {}) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new BenchSettingError(`${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  }
  return value;
}

function list(env, name, known) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [...known];
  const wanted = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !known.includes(w));
  if (unknown.length > 0) throw new BenchSettingError(`${name}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return known.filter((k) => wanted.includes(k));
}

/**
 * BENCH_DURATION   seconds per measured repetition (default 10)
 * BENCH_REPEAT     measured repetitions per target and scenario (default 3)
 * BENCH_CONNECTIONS concurrent connections (default 50)
 * BENCH_WARMUP     warm-up seconds before the repetitions, not counted (default 3)
 * BENCH_TOKENS     distinct tokens cycled through by the introspection scenario (default 1000)
 * BENCH_ONLY       comma list of scenarios to run (default all): HTTP scenarios and the stand-alone
 *                  benchmarks verify, propagation, memory (lib/micro.mjs)
 * BENCH_TARGETS    comma list of targets to start (default all)
 * BENCH_OUT        markdown report path, relative to the repository root; "none" skips it (default docs/benchmarks.md)
 * BENCH_CPU_PROF   directory: run every server child with --cpu-prof and write <target>.cpuprofile there
 * BENCH_CPU_RATE   requests/s of the fixed-rate pass that measures server CPU per request (default 2000; "off" skips it)
 * BENCH_CPU_DURATION seconds per run of that pass (default 5; it runs BENCH_REPEAT rounds)
 */
export function readOptions(env, { scenarios, targets }) {
  const out = env['BENCH_OUT']?.trim() || 'docs/benchmarks.md';
  return Object.freeze({
    duration: positiveNumber(env, 'BENCH_DURATION', 10),
    repeat: positiveNumber(env, 'BENCH_REPEAT', 3, { integer: true }),
    connections: positiveNumber(env, 'BENCH_CONNECTIONS', 50, { integer: true }),
    warmup: positiveNumber(env, 'BENCH_WARMUP', 3),
    tokens: positiveNumber(env, 'BENCH_TOKENS', 1000, { integer: true }),
    scenarios: list(env, 'BENCH_ONLY', scenarios),
    targets: list(env, 'BENCH_TARGETS', targets),
    out: out === 'none' ? undefined : out,
    cpuProfDir: env['BENCH_CPU_PROF']?.trim() || undefined,
    cpuRate: env['BENCH_CPU_RATE']?.trim() === 'off' ? undefined : positiveNumber(env, 'BENCH_CPU_RATE', 2000, { integer: true }),
    cpuDuration: positiveNumber(env, 'BENCH_CPU_DURATION', 5),
  });
}
