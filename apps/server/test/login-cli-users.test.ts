// `tessera users …` and `tessera sessions …`: one-line errors, --help, --json, and the revocation they cause.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cli, removeDir, tempDir, type CliResult } from './support/cli-harness.js';

let dir: string;
let env: Record<string, string>;
before(() => {
  dir = tempDir();
  env = { TESSERA_DATA_DIR: dir, TESSERA_LOG_LEVEL: 'silent' };
});
after(() => removeDir(dir));

function ok(result: CliResult, label: string): CliResult {
  assert.equal(result.code, 0, `${label} failed: ${result.err}`);
  return result;
}

function oneLineError(result: CliResult, pattern: RegExp): void {
  assert.equal(result.code, 2, result.out);
  assert.equal(result.errLines.length, 1, result.err);
  assert.match(result.errLines[0] ?? '', pattern);
}

describe('tessera users', () => {
  test('create with a password from stdin, then list, show and --json never print the hash', async () => {
    const created = ok(await cli(['users', 'create', 'alice', '--email', 'alice@example.com', '--password-stdin', '--json'], env, 'a long password\n'), 'create');
    const user = JSON.parse(created.out) as Record<string, unknown>;
    assert.match(String(user['id']), /^tu_/);
    assert.equal(user['hasPassword'], true);
    assert.ok(!created.out.includes('argon2'), 'no hash in the output');
    const listed = ok(await cli(['users', 'list', '--json'], env), 'list');
    assert.deepEqual((JSON.parse(listed.out) as { username: string }[]).map((u) => u.username), ['alice']);
    const shown = ok(await cli(['users', 'show', 'ALICE'], env), 'show');
    assert.match(shown.out, /username:\s+alice/);
    assert.match(shown.out, /status:\s+enabled/);
  });

  test('one-line errors: duplicates, bad usernames, short passwords, unknown users, missing arguments', async () => {
    oneLineError(await cli(['users', 'create', 'Alice'], env), /already exists/);
    oneLineError(await cli(['users', 'create', 'bad name'], env), /username must be/);
    oneLineError(await cli(['users', 'create', 'carol', '--password-stdin'], env, 'short\n'), /at least 8/);
    oneLineError(await cli(['users', 'create', 'dave', '--password-stdin'], env, ''), /no password/);
    oneLineError(await cli(['users', 'show', 'nobody'], env), /no user "nobody"/);
    oneLineError(await cli(['users', 'disable'], env), /expected USER/);
    oneLineError(await cli(['users', 'create', 'erin', '--bogus'], env), /bogus/);
  });

  test('--help describes each command', async () => {
    for (const name of ['create', 'list', 'show', 'disable', 'enable', 'delete', 'set-password', 'logout']) {
      const help = ok(await cli(['users', name, '--help'], env), `users ${name} --help`);
      assert.match(help.out, new RegExp(`Usage: .*tessera users ${name}`));
    }
    ok(await cli(['sessions', 'list', '--help'], env), 'sessions list --help');
  });

  test('disable writes a subject watermark; enable, set-password, logout and delete work', async () => {
    const disabled = ok(await cli(['users', 'disable', 'alice', '--json'], env), 'disable');
    assert.equal((JSON.parse(disabled.out) as { status: string }).status, 'disabled');
    ok(await cli(['users', 'enable', 'alice'], env), 'enable');
    ok(await cli(['users', 'set-password', 'alice', '--logout'], env, 'another long password\n'), 'set-password');
    ok(await cli(['users', 'logout', 'alice'], env), 'logout');
    const sessions = ok(await cli(['sessions', 'list', '--user', 'alice', '--json'], env), 'sessions list');
    assert.deepEqual(JSON.parse(sessions.out), []);
    oneLineError(await cli(['sessions', 'revoke', 'ts_nope'], env), /no open session/);
    ok(await cli(['users', 'delete', 'alice'], env), 'delete');
    oneLineError(await cli(['users', 'show', 'alice'], env), /no user/);
  });
});
