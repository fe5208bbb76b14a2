/**
 * Output of a stand-alone benchmark (bench/<name>.mjs). Run by hand it prints its human-readable lines
 * on stdout; with `--json` (how bench/run.mjs runs it) those lines go to stderr as progress and stdout
 * carries exactly one JSON document, the result.
 */
export const JSON_MODE = process.argv.includes('--json');

/** A human-readable line: stdout normally, stderr in JSON mode. */
export function say(line = '') {
  (JSON_MODE ? process.stderr : process.stdout).write(`${line}\n`);
}

/** Ends the benchmark's output: the JSON result in JSON mode (the human lines were already said). */
export function emit(result) {
  if (JSON_MODE) process.stdout.write(`${JSON.stringify(result)}\n`);
}
