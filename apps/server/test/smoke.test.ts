import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from './support/test-server.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

test('a client gets a token and the JWKS is published', async () => {
  const { id, secret } = await t.addClient();
  const response = await fetch(`${t.url}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  assert.equal(response.status, 200);
  const body = (await response.json()) as { access_token: string; token_type: string };
  assert.equal(body.token_type, 'Bearer');
  const jwks = (await (await fetch(`${t.url}/jwks`)).json()) as { keys: unknown[] };
  assert.equal(jwks.keys.length, 1);
});
