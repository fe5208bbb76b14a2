/** The docs/benchmarks.md sections of the stand-alone benchmarks (see micro-report.mjs). */
import { microVerdicts, microVerdictLine } from './micro-report.mjs';

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const pct = (ratio) => `${(ratio * 100).toFixed(1)} %`;
const ms = (v) => (v === undefined ? '–' : v.toFixed(1));
const load = (r) => `1-minute load average ${r.loadBefore.toFixed(2)} before, ${r.loadAfter.toFixed(2)} after; ${Math.round(r.seconds)} s`;

function verifySection({ data }) {
  const rows = data.rows.map((r) => `| ${r.alg} | ${r.name} | ${int.format(r.wall)} | ${pct(r.wallRatio)} | ${int.format(r.cpu)} | ${pct(r.cpuRatio)} |`);
  return `Sequential verification of the same Tessera-shaped access token (\`typ: at+jwt\`, Tessera's claims) in one
process, by each verifier in turn: ${int.format(data.iterations)} iterations × ${data.repetitions} interleaved repetitions after a
warm-up, medians (\`bench/verify-throughput.mjs\`). "Raw" splits the token, decodes the signature and calls
\`crypto.verify\`, the least any verifier must do. The goal is judged per CPU-second of the process, which a
shared machine disturbs less than the wall clock; both are shown.

| alg | verifier | ops/s (wall) | vs raw | ops per CPU-s | vs raw (CPU) |
|---|---|---:|---:|---:|---:|
${rows.join('\n')}`;
}

const PATHS = [
  ['revoke', '`POST /revoke` start → each subscriber refuses the token'],
  ['revoke-response', '… of which the `/revoke` response itself'],
  ['revoke-after-response', '… each subscriber refuses, from the `/revoke` response'],
  ['client-api', 'client disabled by core `disableClient` on another SQLite connection (the CLI\'s write) → refused'],
  ['client-cli-spawn', '`tessera clients disable` CLI spawn → refused (includes Node start-up)'],
  ['client-cli-exit', '… from the CLI process exit (negative: refused before it exited)'],
  ['user-api', 'user disabled by core `disableUser` on another SQLite connection (the CLI\'s write) → refused'],
  ['user-cli-spawn', '`tessera users disable` CLI spawn → refused (includes Node start-up)'],
  ['user-cli-exit', '… from the CLI process exit (negative: refused before it exited)'],
];

function propagationSection({ data }) {
  const rows = PATHS.filter(([id]) => data.paths[id]?.n > 0).map(([id, label]) => {
    const s = data.paths[id];
    return `| ${label} | ${int.format(s.n)} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.max)} |`;
  });
  const idle = data.idleServerCpuPercent === undefined ? '' : ` The server used ${data.idleServerCpuPercent.toFixed(1)} % of a core while idle with ${data.subscribers} streams open.`;
  return `One Tessera server and ${data.subscribers} \`@tessera/verify\` revocation-feed subscribers, each a process of its own, on
loopback (\`bench/revocation-propagation.mjs\`). Before each revocation every subscriber is given the claims of
the token to watch; a sample is one subscriber's revocation check refusing them, timed from the start of the
revocation. \`/revoke\` and client disables watch real access tokens; user disables watch the claims of an
access token of that user issued just before the disable (\`sub\` = the user, \`iat\` = that second), which
only the user's "not before" watermark revokes. Revocations run one at a time.${idle}

| path | samples | p50 ms | p99 ms | max ms |
|---|---:|---:|---:|---:|
${rows.join('\n')}`;
}

function memorySection({ data }) {
  const rows = data.structures.map((s) => `| ${s.label.replace(/</g, '&lt;')} | ${(s.bytes / 1e6).toFixed(1)} | ${s.bytesPerJti.toFixed(1)} | ${int.format(s.buildMs)} |`);
  return `Memory the SDK's revocation state keeps for ${int.format(data.count)} revoked, unexpired UUID \`jti\`s (heap + array
buffers after full GCs, before the ids were made and after they were dropped), beside a \`Map<string, number>\`
of the same ids (\`node --expose-gc bench/revocation-memory.mjs\`). \`isRevoked\` on a miss: ${data.lookupNs.toFixed(0)} ns.

| structure | MB held | bytes per jti | built in ms |
|---|---:|---:|---:|
${rows.join('\n')}`;
}

const BODIES = { verify: verifySection, propagation: propagationSection, memory: memorySection };

/** One `## …` section per result: what was measured, the numbers, and its goals with verdicts. */
export function microSections(results) {
  return results.map((result) => {
    const goals = microVerdicts([result]).map((v) => `- ${microVerdictLine(v)}`).join('\n');
    const body = result.error ? `**The benchmark failed**: ${result.error}` : BODIES[result.bench.id](result);
    return `## ${result.bench.title}\n\n${body}\n\nGoals (from the issue):\n\n${goals}\n\n_${load(result)}._\n`;
  }).join('\n');
}
