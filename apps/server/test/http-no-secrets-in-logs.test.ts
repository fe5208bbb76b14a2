// RFC 6749 §10.3 and Habit 4: a bearer secret never reaches the logs, even at trace level, and
// error responses never echo one. A realistic traffic mix (including misbehaving clients) runs against a
// real server; then every captured log line, with any logged byte buffers decoded, is searched.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { basic, jsonOf, portOf, postForm, rawExchange, rawRequest, send, type HttpResult } from './support/http-client.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

let t: TestServer;
/** Every bearer value the traffic used: secrets (right and wrong), tokens, assertions, Authorization values. */
const secrets = new Set<string>();
const errorBodies: string[] = [];

function remember(...values: string[]): void {
  for (const value of values) {
    secrets.add(value);
    if (value.startsWith('tsec_')) secrets.add(value.slice('tsec_'.length)); // the 43-character random part
    const dots = value.split('.');
    if (dots.length === 3 && (dots[2] ?? '').length >= 40) secrets.add(dots[2] as string); // a JWS signature alone
    if (value.startsWith('Basic ')) secrets.add(value.slice('Basic '.length));
  }
}

async function call(path: string, body: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  if (headers['authorization']) remember(headers['authorization']);
  const result = await postForm(`${t.url}${path}`, body, headers);
  if (result.status >= 400) errorBodies.push(result.text);
  return result;
}

async function token(body: string, headers: Record<string, string> = {}): Promise<string> {
  const result = await call('/token', body, headers);
  assert.equal(result.status, 200, result.text);
  const value = jsonOf(result)['access_token'] as string;
  remember(value);
  return value;
}

async function assertion(clientId: string, key: CryptoKey, kid: string): Promise<string> {
  const jwt = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(t.url)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('60s')
    .sign(key);
  remember(jwt);
  return jwt;
}

before(async () => {
  t = await startTestServer({ TESSERA_LOG_LEVEL: 'trace' });
  const a = await t.addClient();
  const p = await t.addClient({ authMethod: 'client_secret_post' });
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const { id: jwtId } = await t.addClient({ authMethod: 'private_key_jwt', jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] } });
  const wrong = `tsec_${'x'.repeat(43)}`;
  const nearMiss = `${a.secret.slice(0, -1)}${a.secret.endsWith('A') ? 'B' : 'A'}`;
  remember(a.secret, p.secret, wrong, nearMiss);
  const authA = basic(a.id, a.secret);
  const postCreds = `client_id=${p.id}&client_secret=${p.secret}`;

  // Successful traffic with all three authentication methods.
  const tokens = [await token('grant_type=client_credentials', { authorization: authA })];
  tokens.push(await token('grant_type=client_credentials&scope=write', { authorization: authA }));
  tokens.push(await token(`grant_type=client_credentials&${postCreds}`));
  const jwtBody = async (): Promise<string> => `client_assertion_type=${encodeURIComponent(ASSERTION_TYPE)}&client_assertion=${await assertion(jwtId, privateKey, 'k1')}`;
  tokens.push(await token(`grant_type=client_credentials&${await jwtBody()}`));
  for (const value of tokens) {
    assert.equal((await call('/introspect', `token=${value}`, { authorization: authA })).status, 200);
    await call('/introspect', `token=${value}&${postCreds}`);
    await call('/introspect', `token=${value}&${await jwtBody()}`);
  }
  await call('/revoke', `token=${tokens[0]}`, { authorization: authA });
  await call('/revoke', `token=${tokens[2]}&${postCreds}`);
  await call('/revoke', `token=${tokens[3]}&${await jwtBody()}`);

  // Failures: wrong and near-miss secrets, swapped clients, a replayed assertion, refused requests.
  await call('/token', 'grant_type=client_credentials', { authorization: basic(a.id, wrong) });
  await call('/token', 'grant_type=client_credentials', { authorization: basic(a.id, nearMiss) });
  await call('/token', 'grant_type=client_credentials', { authorization: basic(p.id, p.secret) });
  await call('/token', `grant_type=client_credentials&client_id=${a.id}&client_secret=${a.secret}`);
  await call('/token', `grant_type=client_credentials&client_id=${p.id}&client_secret=${wrong}`);
  await call('/introspect', `token=${tokens[1]}`, { authorization: basic(a.id, nearMiss) });
  // A credential in the client-id position (a client that swapped its id and secret; a token or a secret
  // sent as client_id). The other half is a throwaway: the harness counts whatever sits in the secret
  // position as a secret, and the real ids rightly appear in other lines.
  await call('/token', 'grant_type=client_credentials', { authorization: basic(a.secret, 'swapped-1') });
  await call('/token', `grant_type=client_credentials&client_id=${p.secret}&client_secret=swapped-2`);
  await call('/token', `grant_type=client_credentials&client_id=${tokens[1]}`);
  await call('/introspect', `token=${tokens[1]}&client_id=${wrong}`);
  const replayed = await jwtBody();
  await call('/token', `grant_type=client_credentials&${replayed}`);
  assert.equal((await call('/token', `grant_type=client_credentials&${replayed}`)).status, 401);
  await call('/token', 'grant_type=client_credentials&scope=admin', { authorization: authA });
  await call('/token', 'grant_type=client_credentials&resource=https://evil.example.com', { authorization: authA });
  await call('/revoke', `token=${tokens[1]}&${postCreds}`);
  await call('/token', `grant_type=client_credentials&grant_type=x&client_secret=${a.secret}&client_id=${a.id}`);
  await call('/introspect', `token=${tokens[1]}&token=${tokens[1]}`, { authorization: authA });
  await call('/token', `grant_type=client_credentials&scope=%ZZ&client_secret=${a.secret}`, { authorization: authA });
  await call('/token', `{"client_secret":"${a.secret}"}`, { authorization: authA, 'content-type': 'application/json' });

  // Misbehaving clients: credentials and tokens in the URL (RFC 6749 §2.3.1 forbids it, RFC 6750 §2.3 discourages it).
  const inQuery = [
    ['POST', `/token?client_id=${a.id}&client_secret=${a.secret}`],
    ['GET', `/introspect?token=${tokens[1]}`],
    ['GET', `/jwks?access_token=${tokens[1]}`],
    ['POST', `/revoke?token=${tokens[1]}&client_secret=${p.secret}`],
  ];
  for (const [method, path] of inQuery) {
    const result = await send(`${t.url}${path}`, { method, headers: { authorization: authA, 'content-type': 'application/x-www-form-urlencoded' }, body: method === 'POST' ? 'grant_type=client_credentials' : undefined });
    if (result.status >= 400) errorBodies.push(result.text);
  }

  // Malformed HTTP that Node refuses before Fastify sees it, carrying credentials in headers and body.
  const framing = [
    rawRequest('POST', '/token', { authorization: authA, 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' }, `zz\r\nclient_secret=${p.secret}\r\n0\r\n\r\n`),
    rawRequest('POST', '/introspect', { authorization: authA, 'x-pad': 'p'.repeat(17_000) }, `token=${tokens[1]}`),
  ];
  for (const bytes of framing) errorBodies.push((await rawExchange(portOf(t), bytes)).body);
});
after(() => t.close());

/** A log line as text, plus any byte buffers pino serialised as {type:'Buffer',data:[…]} decoded back to text. */
function readable(line: string): string {
  const decoded: string[] = [line];
  JSON.parse(line, (_key, value: unknown) => {
    const buffer = value as { type?: unknown; data?: unknown };
    if (buffer && buffer.type === 'Buffer' && Array.isArray(buffer.data)) decoded.push(Buffer.from(buffer.data as number[]).toString('latin1'));
    return value;
  });
  return decoded.join('\n');
}

test('the traffic really was logged at trace level (so the search below is not vacuous)', () => {
  assert.ok(t.logLines.some((line) => line.includes('"incoming request"')));
  assert.ok(t.logLines.some((line) => line.includes('"token.issued"')));
  assert.ok(t.logLines.some((line) => line.includes('"client.authentication_failed"')));
  assert.ok(t.logLines.some((line) => line.includes('"token.revoked"')));
  assert.ok(t.logLines.some((line) => line.includes('"level":10')), 'trace lines exist');
  assert.ok(secrets.size > 30);
});

test('no log line holds an access token, client secret, client assertion or Authorization value', () => {
  const leaks: string[] = [];
  for (const line of t.logLines) {
    const text = readable(line);
    for (const secret of secrets) if (text.includes(secret)) leaks.push(`${secret.slice(0, 12)}… in ${line.slice(0, 160)}`);
  }
  assert.deepEqual(leaks, []);
});

test('requests with credentials in the URL are still logged, with the query left out', () => {
  const urls = t.logLines.filter((line) => line.includes('"incoming request"')).map((line) => (JSON.parse(line) as { req: { url: string } }).req.url);
  assert.ok(urls.includes('/token?[redacted]'));
  assert.ok(urls.includes('/introspect?[redacted]'));
});

test('error responses never echo a token or secret', () => {
  assert.ok(errorBodies.length > 15);
  for (const body of errorBodies) {
    for (const secret of secrets) assert.ok(!body.includes(secret), `error body echoes ${secret.slice(0, 12)}…: ${body.slice(0, 200)}`);
  }
});
