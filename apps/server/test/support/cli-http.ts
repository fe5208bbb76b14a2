import { runBin } from './cli-harness.js';

export interface Credentials {
  id: string;
  secret: string;
}

const FORM = 'application/x-www-form-urlencoded';
const basic = (c: Credentials): string => `Basic ${Buffer.from(`${encodeURIComponent(c.id)}:${encodeURIComponent(c.secret)}`).toString('base64')}`;

async function post(url: string, path: string, who: Credentials, body: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: basic(who), 'content-type': FORM },
    body: new URLSearchParams(body).toString(),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

/** POST /token with client_credentials; resolves with the status and the parsed body. */
export function requestToken(url: string, who: Credentials, scope?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return post(url, '/token', who, scope === undefined ? { grant_type: 'client_credentials' } : { grant_type: 'client_credentials', scope });
}

/** Gets an access token or throws with the server's answer. */
export async function accessToken(url: string, who: Credentials): Promise<string> {
  const { status, body } = await requestToken(url, who);
  if (status !== 200 || typeof body['access_token'] !== 'string') throw new Error(`token request failed: ${status} ${JSON.stringify(body)}`);
  return body['access_token'];
}

/** Whether `caller` is told the token is active by POST /introspect (throws unless the answer is 200). */
export async function isActive(url: string, caller: Credentials, token: string): Promise<boolean> {
  const { status, body } = await post(url, '/introspect', caller, { token });
  if (status !== 200) throw new Error(`introspection failed: ${status} ${JSON.stringify(body)}`);
  return body['active'] === true;
}

/** POST /revoke by the token's own client; resolves with the HTTP status. */
export async function revoke(url: string, who: Credentials, token: string): Promise<number> {
  return (await post(url, '/revoke', who, { token })).status;
}

/** `tessera clients create … --json` in a child process; returns the new client's id and secret. */
export async function createClientViaBin(
  env: Record<string, string>,
  name: string,
  audience = 'https://api.example.com',
): Promise<Credentials> {
  const result = await runBin(['clients', 'create', '--name', name, '--scope', 'read write', '--audience', audience, '--json'], env);
  if (result.code !== 0) throw new Error(`clients create failed (${result.code}): ${result.err}`);
  const parsed = JSON.parse(result.out) as { client: { id: string }; client_secret: string };
  return { id: parsed.client.id, secret: parsed.client_secret };
}
