// A user's login through the authorization-code flow against one instance of a cluster, for tests that
// need refresh tokens. Users and clients are created with the real `tessera` binary on the shared database.
import { spawn } from 'node:child_process';
import type * as oauth from 'oauth4webapi';
import { BIN, cleanEnv } from './cli-harness.js';
import { FORM, loginForCode, REDIRECT_URI, type LoginSetup } from './login-browserless.js';

export const API_AUDIENCE = 'https://api.example.com';

/** The `tessera` binary with `stdin` on standard input; rejects unless it exits with 0. */
export function runBinWithInput(argv: string[], env: Record<string, string>, stdin: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], { env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`tessera ${argv.join(' ')} exited ${code ?? signal}: ${err}`));
    });
    child.stdin.end(stdin);
  });
}

export interface ClusterLogin {
  clientId: string;
  username: string;
  password: string;
  issuer: string;
}

/** Creates a user with a password and a public first-party code + refresh client, through the CLI. */
export async function createLoginClientAndUser(env: Record<string, string>, username = 'alice'): Promise<ClusterLogin> {
  const password = 'correct horse battery staple';
  await runBinWithInput(['users', 'create', username, '--email', `${username}@example.com`, '--password-stdin', '--json'], env, `${password}\n`);
  const created = await runBinWithInput(
    [
      'clients', 'create', '--name', `web app of ${username}`, '--public', '--first-party',
      '--grant-type', 'authorization_code', '--grant-type', 'refresh_token', '--redirect-uri', REDIRECT_URI,
      '--scope', 'openid profile email offline_access read', '--audience', API_AUDIENCE, '--json',
    ],
    env,
    '',
  );
  const clientId = (JSON.parse(created) as { client: { id: string } }).client.id;
  return { clientId, username, password, issuer: env['TESSERA_ISSUER'] ?? '' };
}

/** The metadata oauth4webapi needs, with the endpoints of one instance (the issuer stays the cluster's). */
function setupAt(url: string, login: ClusterLogin): LoginSetup {
  const as = { issuer: login.issuer, authorization_endpoint: `${url}/authorize`, token_endpoint: `${url}/token` } as oauth.AuthorizationServer;
  return { as, client: { client_id: login.clientId }, clientId: login.clientId, redirectUri: REDIRECT_URI, username: login.username, password: login.password, userId: '' };
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function postToken(url: string, body: Record<string, string>): Promise<Answer> {
  const response = await fetch(`${url}/token`, { method: 'POST', headers: FORM, body: new URLSearchParams(body).toString() });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** Logs in at `loginUrl` (hosted pages, consent), redeems the code at `redeemUrl`; resolves with the token response. */
export async function loginThroughCodeFlow(loginUrl: string, redeemUrl: string, login: ClusterLogin): Promise<{ accessToken: string; refreshToken: string }> {
  const code = await loginForCode(setupAt(loginUrl, login));
  const codeValue = code.callback.searchParams.get('code');
  if (!codeValue) throw new Error(`no code in ${code.callback.toString()}`);
  const answer = await postToken(redeemUrl, {
    grant_type: 'authorization_code',
    code: codeValue,
    redirect_uri: REDIRECT_URI,
    client_id: login.clientId,
    code_verifier: code.verifier,
  });
  const { access_token: accessToken, refresh_token: refreshToken } = answer.body;
  if (answer.status !== 200 || typeof accessToken !== 'string' || typeof refreshToken !== 'string') {
    throw new Error(`code redemption failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return { accessToken, refreshToken };
}

/** POST /token grant_type=refresh_token at one instance. */
export function refreshAt(url: string, login: ClusterLogin, refreshToken: string): Promise<Answer> {
  return postToken(url, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: login.clientId });
}
