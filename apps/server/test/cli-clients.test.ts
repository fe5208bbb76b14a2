import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sha256 } from '@tessera/core';
import { COMMANDS } from 'tessera';
import { cli, removeDir, runBin, tempDir, type CliResult } from './support/cli-harness.js';

let dir: string;
let env: Record<string, string>;
const AUD = 'https://api.example.com';
const startDir = process.cwd();

// In-process commands look for ./tessera.json: run from the temp dir so a stray file cannot leak in.
before(() => {
  dir = tempDir();
  env = { TESSERA_DATA_DIR: dir };
  process.chdir(dir);
});
after(() => {
  process.chdir(startDir);
  removeDir(dir);
});

interface ClientJson {
  id: string;
  name: string;
  disabled: boolean;
  scopes: string[];
  defaultScopes: string[];
  audiences: string[];
  grantTypes: string[];
  authMethod: string;
  tokenTtl: number | null;
  jwks: { keys: Record<string, unknown>[] } | null;
  jwksUri: string | null;
  secrets: { createdAt: string; expiresAt: string | null; active: boolean }[];
}

function ok(result: CliResult, label: string): CliResult {
  assert.equal(result.code, 0, `${label} failed: ${result.err}`);
  assert.deepEqual(result.errLines, [], `${label} wrote to stderr`);
  return result;
}

async function createJson(...args: string[]): Promise<{ client: ClientJson; client_secret: string | null }> {
  const result = ok(await cli(['clients', 'create', ...args, '--json'], env), 'clients create');
  return JSON.parse(result.out) as { client: ClientJson; client_secret: string | null };
}

function publicJwks(): { keys: Record<string, unknown>[] } {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' }] };
}

describe('tessera clients create', () => {
  test('the real binary prints the client and, once, its secret', async () => {
    const result = await runBin(['clients', 'create', '--name', 'billing', '--scope', 'read write', '--audience', AUD], env);
    assert.equal(result.code, 0, result.err);
    assert.deepEqual(result.errLines, []);
    const id = /^client_id:\s+(tc_\S+)$/m.exec(result.out)?.[1];
    const secret = /^client_secret: (tsec_\S+)$/m.exec(result.out)?.[1];
    assert.ok(id && secret, result.out);
    assert.equal(result.out.split(secret).length, 2, 'the secret is printed exactly once');
    assert.match(result.out, /shown only this once/);
  });

  test('records name, scopes, default scope, audiences, grant type, auth method and token TTL', async () => {
    const { client, client_secret } = await createJson(
      '--name', 'reports', '--scope', 'read write admin', '--default-scope', 'read',
      '--audience', AUD, '--audience', 'https://other.example.com',
      '--grant-type', 'client_credentials', '--token-ttl', '15m', '--auth-method', 'client_secret_post',
    );
    assert.match(client.id, /^tc_/);
    assert.match(client_secret ?? '', /^tsec_[A-Za-z0-9_-]{43}$/);
    assert.equal(client.name, 'reports');
    assert.deepEqual(client.scopes, ['read', 'write', 'admin']);
    assert.deepEqual(client.defaultScopes, ['read']);
    assert.deepEqual(client.audiences, [AUD, 'https://other.example.com']);
    assert.deepEqual(client.grantTypes, ['client_credentials']);
    assert.equal(client.authMethod, 'client_secret_post');
    assert.equal(client.tokenTtl, 900);
    assert.equal(client.secrets.length, 1);
  });

  test('private_key_jwt with --jwks FILE stores the public keys and issues no secret', async () => {
    const file = join(dir, 'client-jwks.json');
    writeFileSync(file, JSON.stringify(publicJwks()));
    const { client, client_secret } = await createJson('--name', 'signer', '--audience', AUD, '--auth-method', 'private_key_jwt', '--jwks', file);
    assert.equal(client_secret, null);
    assert.equal(client.authMethod, 'private_key_jwt');
    assert.equal(client.jwks?.keys.length, 1);
    assert.equal(client.jwks?.keys[0]?.['kid'], 'k1');
    assert.deepEqual(client.secrets, []);
    const text = ok(await cli(['clients', 'show', client.id], env), 'clients show');
    assert.match(text.out, /jwks:\s+1 key\(s\)/);
    assert.doesNotMatch(text.out, /client_secret/);
  });

  test('private_key_jwt with --jwks-uri stores the URI and issues no secret', async () => {
    const jwksUri = 'https://signer.example.com/.well-known/jwks.json';
    const { client, client_secret } = await createJson('--name', 'remote', '--audience', AUD, '--auth-method', 'private_key_jwt', '--jwks-uri', jwksUri);
    assert.equal(client_secret, null);
    assert.equal(client.jwksUri, jwksUri);
    assert.equal(client.jwks, null);
  });

  test('--public is refused for client_credentials with a clear message', async () => {
    const result = await cli(['clients', 'create', '--name', 'spa', '--audience', AUD, '--public'], env);
    assert.equal(result.code, 2);
    assert.deepEqual(result.errLines, ['tessera clients create: a public client cannot use client_credentials']);
    assert.equal(result.out, '');
  });
});

describe('tessera clients list|show|disable|enable|rotate-secret|delete', () => {
  test('each prints JSON with --json, and the changes show in the next read', async () => {
    const { client } = await createJson('--name', 'lifecycle', '--audience', AUD);
    const list = JSON.parse(ok(await cli(['clients', 'list', '--json'], env), 'list').out) as ClientJson[];
    assert.ok(list.some((c) => c.id === client.id && c.name === 'lifecycle'));
    const shown = JSON.parse(ok(await cli(['clients', 'show', client.id, '--json'], env), 'show').out) as ClientJson;
    assert.equal(shown.id, client.id);
    assert.equal(shown.disabled, false);

    const disabled = JSON.parse(ok(await cli(['clients', 'disable', client.id, '--json'], env), 'disable').out) as ClientJson;
    assert.equal(disabled.disabled, true);
    const listed = JSON.parse(ok(await cli(['clients', 'list', '--json'], env), 'list').out) as ClientJson[];
    assert.equal(listed.find((c) => c.id === client.id)?.disabled, true);
    const enabled = JSON.parse(ok(await cli(['clients', 'enable', client.id, '--json'], env), 'enable').out) as ClientJson;
    assert.equal(enabled.disabled, false);

    const rotated = JSON.parse(ok(await cli(['clients', 'rotate-secret', client.id, '--grace', '24h', '--json'], env), 'rotate').out) as {
      client: ClientJson;
      client_secret: string;
      grace_seconds: number;
    };
    assert.equal(rotated.grace_seconds, 86_400);
    assert.match(rotated.client_secret, /^tsec_/);
    const [fresh, previous] = rotated.client.secrets;
    assert.ok(fresh && previous, 'the new secret and the previous one, in grace');
    assert.equal(fresh.expiresAt, null);
    assert.equal(Date.parse(previous.expiresAt ?? '') - Date.parse(fresh.createdAt), 86_400_000);
    assert.deepEqual(rotated.client.secrets.map((s) => s.active), [true, true]);

    const deleted = JSON.parse(ok(await cli(['clients', 'delete', client.id, '--json'], env), 'delete').out) as { deleted: string };
    assert.deepEqual(deleted, { deleted: client.id });
    const gone = await cli(['clients', 'show', client.id], env);
    assert.equal(gone.code, 2);
    assert.deepEqual(gone.errLines, [`tessera clients show: no client with id "${client.id}"`]);
  });

  test('the secret appears in the output of create and rotate-secret only, never its hash', async () => {
    const created = ok(await cli(['clients', 'create', '--name', 'secretive', '--audience', AUD, '--json'], env), 'create');
    const { client, client_secret: first } = JSON.parse(created.out) as { client: ClientJson; client_secret: string };
    assert.ok(created.out.includes(first));
    const rotated = ok(await cli(['clients', 'rotate-secret', client.id, '--grace', '1h'], env), 'rotate-secret');
    const second = /^client_secret: (tsec_\S+)$/m.exec(rotated.out)?.[1] ?? '';
    assert.ok(second !== '' && second !== first, rotated.out);
    assert.ok(!rotated.out.includes(first), 'rotate-secret does not repeat the previous secret');
    const forbidden = [first, second, sha256(first), sha256(second)];
    const reads = [
      ['clients', 'list'],
      ['clients', 'list', '--json'],
      ['clients', 'show', client.id],
      ['clients', 'show', client.id, '--json'],
      ['clients', 'disable', client.id, '--json'],
      ['clients', 'enable', client.id],
      ['clients', 'enable', client.id, '--json'],
    ];
    for (const argv of reads) {
      const result = ok(await cli(argv, env), argv.join(' '));
      for (const value of forbidden) {
        assert.ok(!result.out.includes(value) && !result.err.includes(value), `${argv.join(' ')} printed a secret or its hash`);
      }
    }
  });
});

describe('help and usage errors', () => {
  test("every command's --help exits 0 and prints its usage", async () => {
    for (const command of COMMANDS) {
      const result = await cli([...command.name.split(' '), '--help'], env);
      assert.equal(result.code, 0, command.name);
      assert.match(result.out, /^Usage: /m, command.name);
      assert.ok(result.out.includes(`tessera ${command.name}`), command.name);
      assert.deepEqual(result.errLines, [], command.name);
    }
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const result = await cli(argv, env);
      assert.equal(result.code, 0, argv.join(' '));
      assert.match(result.out, /Usage: tessera <command>/);
    }
  });

  test('tessera with no arguments prints the help and exits 2', async () => {
    const result = await runBin([], env);
    assert.equal(result.code, 2);
    assert.match(result.out, /Usage: tessera <command>/);
    assert.match(result.out, /clients rotate-secret/);
  });

  test('an unknown command exits 2 with one line on stderr', async () => {
    for (const argv of [['frobnicate'], ['clients', 'frobnicate']]) {
      const result = await runBin(argv, env);
      assert.equal(result.code, 2, argv.join(' '));
      assert.equal(result.errLines.length, 1, result.err);
      assert.match(result.errLines[0] ?? '', /^tessera: unknown command "/);
      assert.equal(result.out, '');
    }
  });

  test('bad input exits non-zero with exactly one stderr line naming the command, and writes nothing', async () => {
    const jwksFile = join(dir, 'private-jwks.json');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(jwksFile, JSON.stringify({ keys: [privateKey.export({ format: 'jwk' })] }));
    const { client } = await createJson('--name', 'target', '--audience', AUD);
    const before = ok(await cli(['clients', 'list', '--json'], env), 'list').out;
    const create = ['clients', 'create', '--name', 'x', '--audience', AUD];
    const cases: [string, string[], RegExp][] = [
      ['clients create', ['clients', 'create', '--audience', AUD], /--name is required/],
      ['clients create', [...create, '--bogus'], /Unknown option '--bogus'/],
      ['clients create', [...create, '--token-ttl', '5x'], /--token-ttl: "5x" is not a duration/],
      ['clients create', [...create, '--token-ttl', '2h'], /token TTL must be between 1 and 3600 seconds/],
      ['clients create', ['clients', 'create', '--name', 'x', '--audience', 'not a uri'], /audience must be an absolute URI/],
      ['clients create', ['clients', 'create', '--name', 'x'], /needs at least one --audience/],
      ['clients create', [...create, 'extra'], /expected no arguments/],
      ['clients create', [...create, '--auth-method', 'private_key_jwt'], /exactly one of --jwks or --jwks-uri/],
      ['clients create', [...create, '--auth-method', 'private_key_jwt', '--jwks', jwksFile], /public keys only/],
      ['clients create', [...create, '--auth-method', 'private_key_jwt', '--jwks', join(dir, 'missing.json')], /--jwks .*missing\.json/],
      ['clients create', [...create, '--grant-type', 'password'], /unsupported grant type "password"/],
      ['clients list', ['clients', 'list', 'extra'], /expected no arguments/],
      ['clients show', ['clients', 'show'], /expected CLIENT_ID/],
      ['clients show', ['clients', 'show', client.id, 'extra'], /expected CLIENT_ID/],
      ['clients show', ['clients', 'show', 'tc_nope'], /no client with id "tc_nope"/],
      ['clients disable', ['clients', 'disable', 'tc_nope'], /no client with id "tc_nope"/],
      ['clients enable', ['clients', 'enable', 'tc_nope'], /no client with id "tc_nope"/],
      ['clients delete', ['clients', 'delete', 'tc_nope'], /no client with id "tc_nope"/],
      ['clients rotate-secret', ['clients', 'rotate-secret', 'tc_nope'], /no client with id "tc_nope"/],
      ['clients rotate-secret', ['clients', 'rotate-secret', client.id, '--grace', 'soon'], /--grace: "soon" is not a duration/],
      ['clients list', ['clients', 'list', '--port', 'abc'], /--port: must be an integer/],
    ];
    for (const [command, argv, message] of cases) {
      const result = await cli(argv, env);
      const label = argv.join(' ');
      assert.notEqual(result.code, 0, label);
      assert.equal(result.errLines.length, 1, `${label}: ${result.err}`);
      assert.ok(result.errLines[0]?.startsWith(`tessera ${command}: `), `${label}: ${result.err}`);
      assert.match(result.errLines[0] ?? '', message, label);
      assert.equal(result.out, '', label);
    }
    assert.equal(ok(await cli(['clients', 'list', '--json'], env), 'list').out, before, 'refused commands changed nothing');
  });

  test('through the real binary a refused command prints one line and no stack trace', async () => {
    for (const [argv, command] of [
      [['clients', 'create', '--audience', AUD], 'clients create'],
      [['clients', 'create', '--name', 'x', '--audience', 'nope'], 'clients create'],
      [['clients', 'disable', 'tc_nope'], 'clients disable'],
      [['clients', 'rotate-secret', 'tc_nope', '--grace', '1y'], 'clients rotate-secret'],
    ] as const) {
      const result = await runBin([...argv], env);
      assert.notEqual(result.code, 0, argv.join(' '));
      assert.equal(result.errLines.length, 1, result.err);
      assert.ok(result.errLines[0]?.startsWith(`tessera ${command}: `), result.err);
      assert.equal(result.out, '');
    }
  });
});
