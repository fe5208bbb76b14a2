// The suite-wide log-secrecy check (test/support/test-server.ts) must not be vacuous: it records the
// credentials crossing a test server, finds them and their fragments in log lines, and fails close()
// when one was logged; and it does not cry wolf over the identifiers that are logged on purpose.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basic, jsonOf, postForm } from './support/http-client.js';
import { exchange, loginForCode, refreshRaw, setupLogin } from './support/login-browserless.js';
import { findLeaks } from './support/log-leaks.js';
import { rememberSecret, secrets } from './support/secret-recorder.js';
import { startTestServer } from './support/test-server.js';

const JWT = `eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.${'eyJqdGkiOiJhYmMiLCJzdWIiOiJ0Y194eXoifQ'}.${'S1gnatureS1gnatureS1gnatureS1gnatureS1gnatureS1gnature_-abcdefgh'}`;

test('a token, a fragment of it, its bytes in a logged Buffer, and an escaped password are all found', () => {
  rememberSecret(JWT, 'unit jwt');
  rememberSecret('ts_Sess1onIdSess1onId.SessionSecretSessionSecretSessionSecret', 'unit cookie');
  rememberSecret('pass "word" with spaces', 'unit password');
  const signature = JWT.split('.')[2] as string;
  const lines = [
    JSON.stringify({ msg: 'whole', token: JWT }),
    JSON.stringify({ msg: 'fragment', detail: `…${signature.slice(20, 43)}…` }),
    JSON.stringify({ msg: 'buffer', rawPacket: { type: 'Buffer', data: [...Buffer.from(`token=${JWT}`)] } }),
    JSON.stringify({ msg: 'password', body: 'pass "word" with spaces' }),
    JSON.stringify({ msg: 'cookie secret', cookie: 'SessionSecretSessionSecretSess' }),
  ];
  assert.equal(findLeaks(lines).length, lines.length, findLeaks(lines).join('\n'));
  assert.ok(!findLeaks(lines).join('\n').includes(signature.slice(0, 16)), 'reports do not repeat the secret');
});

test('identifiers logged on purpose are not leaks: a session id, a JWS header, a token type prefix, a short fragment', () => {
  rememberSecret(`tsec_${'Q'.repeat(5)}RandomPartOfTheClientSecret0123456789`, 'unit secret');
  const lines = [
    JSON.stringify({ msg: 'session.ended', event: { sessionId: 'ts_Sess1onIdSess1onId' } }),
    JSON.stringify({ msg: 'kid', header: JWT.split('.')[0] }),
    JSON.stringify({ msg: 'redacted', secret: 'tsec_…6789' }),
    JSON.stringify({ msg: 'short', part: (JWT.split('.')[2] as string).slice(0, 15) }),
  ];
  assert.deepEqual(findLeaks(lines), []);
});

test('a real test server fails on close when a token it issued reached its logs', async () => {
  const t = await startTestServer();
  const client = await t.addClient();
  const result = await postForm(`${t.url}/token`, 'grant_type=client_credentials', { authorization: basic(client.id, client.secret) });
  const token = jsonOf(result)['access_token'] as string;
  assert.ok(secrets.size > 0);
  assert.deepEqual(findLeaks(t.logLines), [], 'normal traffic leaks nothing');
  assert.equal(t.server.logger.level, 'trace', 'the capture is at the most verbose level');
  t.server.logger.debug({ note: `signature ${token.split('.')[2]?.slice(5, 40)}` }, 'a careless debug line');
  await assert.rejects(() => t.close(), /secrets in the server's logs \(1 lines\):\n.*access_token.*msg="a careless debug line"/);
});

test('the credentials of a whole login (oauth4webapi and fetch, nothing told to the harness) are all recorded', async () => {
  const t = await startTestServer();
  try {
    const setup = await setupLogin(t);
    const code = await loginForCode(setup);
    const tokens = await exchange(setup, code);
    const refreshed = await refreshRaw(setup, String(tokens.refresh_token));
    assert.equal(refreshed.status, 200);
    const known = (value: unknown): boolean => findLeaks([JSON.stringify({ probe: value })]).length === 1;
    const handedOut = {
      code: code.callback.searchParams.get('code'),
      'code verifier': code.verifier,
      'access token': tokens.access_token,
      'id token': tokens.id_token,
      'refresh token': tokens.refresh_token,
      'rotated refresh token': refreshed.body['refresh_token'],
      'session cookie': [...code.jar.cookies.values()].find((value) => value.startsWith('ts_')),
    };
    for (const [name, value] of Object.entries(handedOut)) {
      assert.equal(typeof value, 'string', name);
      assert.ok(known(value), `${name} is recorded`);
    }
    assert.ok(!known(setup.clientId) && !known(setup.userId), 'ids are not secrets');
  } finally {
    await t.close();
  }
});
