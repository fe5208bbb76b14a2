import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openSqliteStore } from '@tessera/store-sql';
import { BIN, cleanEnv, cli, killAllServers, pollUntil, removeDir, runBin, startServerProcess, tempDir } from './support/cli-harness.js';
import { basic, postForm, tokenFor } from './support/http-client.js';

const AUD = 'https://api.example.com';
const startDir = process.cwd();
let dir: string;
let env: Record<string, string>;
let client: { id: string; secret: string };
const jtis: string[] = [];

const jtiOf = (token: string): string => String((JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { jti: string }).jti);
const jsonLines = (text: string): Record<string, unknown>[] => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

before(async () => {
  dir = tempDir('tessera-audit-');
  // A flush interval far longer than the test: every event written below is written by the SIGTERM flush.
  env = { TESSERA_DATA_DIR: dir, TESSERA_AUDIT_FLUSH_INTERVAL: '60s' };
  process.chdir(dir);
  const created = await runBin(['clients', 'create', '--name', 'svc', '--scope', 'read', '--audience', AUD, '--json'], env);
  assert.equal(created.code, 0, created.err);
  const json = JSON.parse(created.out) as { client: { id: string }; client_secret: string };
  client = { id: json.client.id, secret: json.client_secret };
  const server = await startServerProcess(env);
  for (let i = 0; i < 25; i++) jtis.push(jtiOf(await tokenFor(server.url, client)));
  const token = await tokenFor(server.url, client);
  jtis.push(jtiOf(token));
  const auth = { authorization: basic(client.id, client.secret) };
  assert.equal((await postForm(`${server.url}/introspect`, `token=${token}`, auth)).status, 200);
  assert.equal((await postForm(`${server.url}/revoke`, `token=${token}`, auth)).status, 200);
  assert.equal((await postForm(`${server.url}/introspect`, `token=${token}`, auth)).status, 200);
  assert.equal((await postForm(`${server.url}/token`, 'grant_type=client_credentials', { authorization: basic(client.id, 'wrong-secret') })).status, 401);
  const exit = await server.stop('SIGTERM');
  assert.equal(exit.code, 0);
});

after(async () => {
  await killAllServers();
  process.chdir(startDir);
  removeDir(dir);
});

describe('audit log: written in batches, flushed on SIGTERM, read by the CLI', () => {
  test('SIGTERM flush: every event of the run is in the audit log although no timer flush happened', async () => {
    const result = await cli(['audit', 'export', '--since', '1h', '--format', 'jsonl'], env);
    assert.equal(result.code, 0, result.err);
    const events = jsonLines(result.out);
    const count = (type: string): number => events.filter((e) => e['type'] === type).length;
    assert.equal(count('token.issued'), 26);
    assert.equal(count('token.introspected'), 2);
    assert.equal(count('token.revoked'), 1);
    assert.equal(count('client.authentication_failed'), 1);
    assert.equal(count('client.created'), 1, 'the CLI writes its events too');
    assert.ok(count('key.created') >= 1, 'key bootstrap at first start');
    assert.deepEqual(events.filter((e) => e['type'] === 'token.issued').map((e) => e['tokenId']), jtis);
    const issued = events.find((e) => e['type'] === 'token.issued');
    assert.equal(issued?.['ip'], '127.0.0.1');
    assert.equal(typeof issued?.['seq'], 'number');
    assert.match(String(issued?.['at']), /^\d{4}-\d{2}-\d{2}T/);
    assert.ok(!result.out.includes(client.secret), 'no secret in the audit log');
    assert.match(result.err, /^exported \d+ events$/);
  });

  test('audit tail: the last N matching events as text or JSON lines; filters by client, type and since', async () => {
    const text = await cli(['audit', 'tail', '--client', client.id, '--type', 'token.issued', '-n', '3'], env);
    assert.equal(text.code, 0, text.err);
    const lines = text.out.split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[2] ?? '', new RegExp(`^\\S+Z  token\\.issued  success  client=${client.id}  subject=${client.id}  token=${jtis[25]}  ip=127\\.0\\.0\\.1  grantType=client_credentials  scope=read  audience=\\["https://api\\.example\\.com"\\]  expiresAt=\\S+Z$`));
    const revoked = await cli(['audit', 'tail', '--type', 'token.revoked,token.introspected', '--json'], env);
    assert.deepEqual(jsonLines(revoked.out).map((e) => e['type']), ['token.introspected', 'token.revoked', 'token.introspected']);
    const none = await cli(['audit', 'tail', '--subject', 'nobody', '--since', '2099-01-01'], env);
    assert.equal(none.code, 0);
    assert.equal(none.out, '');
    assert.equal(none.err, 'no matching audit events');
  });

  test('tokens show JTI: issued, introspected by, revoked by — from the audit log', async () => {
    const jti = jtis[25] ?? '';
    const shown = await cli(['tokens', 'show', jti], env);
    assert.equal(shown.code, 0, shown.err);
    assert.match(shown.out, new RegExp(`^token ${jti}\\n  client     ${client.id}`));
    assert.match(shown.out, new RegExp(`issued to ${client.id} \\(client_credentials`));
    assert.match(shown.out, new RegExp(`introspected by ${client.id}: active`));
    assert.match(shown.out, new RegExp(`revoked by ${client.id}`));
    assert.match(shown.out, new RegExp(`introspected by ${client.id}: inactive \\(revoked\\)`));
    const json = JSON.parse((await cli(['tokens', 'show', jti, '--json'], env)).out) as { entries: { note: string }[] };
    assert.equal(json.entries.length, 4);
  });

  test('bad input: one line on stderr and exit code 2', async () => {
    const cases: [string[], RegExp][] = [
      [['tokens', 'show', 'no-such-jti'], /no audit events for token "no-such-jti"/],
      [['audit', 'tail', '--since', 'yesterday'], /--since "yesterday" is neither a duration/],
      [['audit', 'tail', '-n', '0'], /--lines must be an integer/],
      [['audit', 'tail', '--type', 'DROP TABLE'], /--type takes event types/],
      [['audit', 'export', '--format', 'jsonl'], /--since is required/],
      [['audit', 'export', '--since', '1h', '--format', 'csv'], /--format "csv" is not supported/],
      [['audit', 'export', '--since', '1h', '--until', '2h'], /--until must be later than --since/],
      [['alerts', 'ack', 'tal_missing'], /no alert "tal_missing"/],
      [['alerts', 'list', '--limit', 'many'], /--limit must be an integer/],
      [['audit', 'tail', 'extra'], /expected no arguments/],
    ];
    for (const [argv, reason] of cases) {
      const result = await cli(argv, env);
      assert.equal(result.code, 2, `${argv.join(' ')}: ${result.err}`);
      assert.equal(result.errLines.length, 1, `${argv.join(' ')}: ${result.err}`);
      assert.match(result.err, reason);
    }
  });

  test('alerts list and ack: unacknowledged alerts, acknowledged once, by the operator', async () => {
    const store = await openSqliteStore({ filename: join(dir, 'tessera.db') });
    try {
      await store.insertAlert({
        id: 'tal_cli1',
        raisedAt: Date.now(),
        detector: 'issuance_spike',
        severity: 'medium',
        action: 'alert',
        summary: 'client minted 40x its baseline',
        clientId: client.id,
        subject: null,
        sessionId: null,
        tokenId: null,
        ip: null,
        details: { rate: 400, baseline: 10 },
        ackedAt: null,
        ackedBy: null,
      });
    } finally {
      await store.close();
    }
    const listed = await cli(['alerts', 'list', '--unacked', '--json'], env);
    assert.equal(listed.code, 0, listed.err);
    const alerts = JSON.parse(listed.out) as { id: string; ackedAt: string | null; raisedAt: string }[];
    assert.deepEqual(alerts.map((a) => a.id), ['tal_cli1']);
    assert.match(alerts[0]?.raisedAt ?? '', /Z$/);
    const text = await cli(['alerts', 'list'], env);
    assert.match(text.out, new RegExp(`^tal_cli1  OPEN   \\S+  medium    issuance_spike  client minted 40x its baseline  client=${client.id}$`));
    const acked = await cli(['alerts', 'ack', 'tal_cli1'], env);
    assert.equal(acked.code, 0, acked.err);
    assert.equal(acked.out, 'acknowledged tal_cli1');
    const again = await cli(['alerts', 'ack', 'tal_cli1', '--json'], env);
    assert.equal((JSON.parse(again.out) as { acked: boolean }).acked, false);
    assert.equal((await cli(['alerts', 'list', '--unacked'], env)).out, 'no unacknowledged alerts');
  });

  test('audit tail -f prints new events as they are written and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [BIN, 'audit', 'tail', '-f', '--json', '--type', 'client.created'], { env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await pollUntil('the existing client.created event', () => jsonLines(out).length === 1, { timeoutMs: 15_000 });
      const created = await cli(['clients', 'create', '--name', 'second', '--scope', 'read', '--audience', AUD, '--json'], env);
      const id = (JSON.parse(created.out) as { client: { id: string } }).client.id;
      await pollUntil('the new client.created event', () => jsonLines(out).length === 2, { timeoutMs: 15_000 });
      assert.equal(jsonLines(out)[1]?.['clientId'], id);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});
