import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { disableClient, enableClient } from '@tessera/core';
import { addClient, basic, harness, issue, rejectsWith, req } from './support/harness.js';

const cc = { grant_type: 'client_credentials' };

describe('RFC 6749 §2.3.1 client_secret_basic', () => {
  it('authenticates with HTTP Basic credentials', async () => {
    const h = await harness();
    const client = await addClient(h);
    const response = await h.server.token(req(cc, basic(client.id, client.secret)));
    assert.equal(response.token_type, 'Bearer');
  });

  it('form-urldecodes the id and secret inside the Basic credentials', async () => {
    const h = await harness();
    const client = await addClient(h);
    const encodeAll = (v: string): string => [...v].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('');
    assert.ok((await h.server.token(req(cc, basic(client.id, client.secret, encodeAll)))).access_token);
  });

  it('accepts the scheme name case-insensitively and a matching client_id in the body', async () => {
    const h = await harness();
    const client = await addClient(h);
    const header = basic(client.id, client.secret).replace('Basic', 'bAsIc');
    assert.ok((await h.server.token(req({ ...cc, client_id: client.id }, header))).access_token);
  });

  it('answers invalid_request when the body client_id differs from the Basic one', async () => {
    const h = await harness();
    const client = await addClient(h);
    const other = await addClient(h);
    await rejectsWith(h.server.token(req({ ...cc, client_id: other.id }, basic(client.id, client.secret))), 'invalid_request', 400);
  });

  it('answers invalid_client for malformed Basic credentials', async () => {
    const h = await harness();
    const client = await addClient(h);
    for (const header of ['Basic', 'Basic !!!', `Basic ${Buffer.from(client.id).toString('base64')}`, `Basic ${Buffer.from(`:${client.secret}`).toString('base64')}`]) {
      await rejectsWith(h.server.token(req(cc, header)), 'invalid_client', 401);
    }
    await rejectsWith(h.server.token(req(cc, `Basic ${Buffer.from(`${client.id}:%zz`).toString('base64')}`)), 'invalid_client', 401);
  });
});

describe('RFC 6749 §2.3.1 client_secret_post', () => {
  it('authenticates with client_id and client_secret in the body', async () => {
    const h = await harness();
    const client = await addClient(h, { authMethod: 'client_secret_post' });
    assert.ok((await h.server.token(req({ ...cc, client_id: client.id, client_secret: client.secret }))).access_token);
  });

  it('answers invalid_client for a client_secret without client_id', async () => {
    const h = await harness();
    const client = await addClient(h, { authMethod: 'client_secret_post' });
    await rejectsWith(h.server.token(req({ ...cc, client_secret: client.secret })), 'invalid_client', 401);
  });
});

describe('RFC 6749 §2.3 one registered method per client', () => {
  it('refuses client_secret_post for a client registered for client_secret_basic', async () => {
    const h = await harness();
    const client = await addClient(h);
    await rejectsWith(h.server.token(req({ ...cc, client_id: client.id, client_secret: client.secret })), 'invalid_client', 401);
  });

  it('refuses client_secret_basic for a client registered for client_secret_post', async () => {
    const h = await harness();
    const client = await addClient(h, { authMethod: 'client_secret_post' });
    await rejectsWith(h.server.token(req(cc, basic(client.id, client.secret))), 'invalid_client', 401);
  });

  it('answers invalid_request when two methods are used at once', async () => {
    const h = await harness();
    const client = await addClient(h);
    const header = basic(client.id, client.secret);
    await rejectsWith(h.server.token(req({ ...cc, client_id: client.id, client_secret: client.secret }, header)), 'invalid_request', 400);
    const assertion = { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: 'a.b.c' };
    await rejectsWith(h.server.token(req({ ...cc, ...assertion }, header)), 'invalid_request', 400);
    await rejectsWith(h.server.token(req({ ...cc, ...assertion, client_id: client.id, client_secret: client.secret })), 'invalid_request', 400);
  });

  it('answers invalid_client when no authentication is presented, or only a client_id', async () => {
    const h = await harness();
    const client = await addClient(h);
    await rejectsWith(h.server.token(req(cc)), 'invalid_client', 401);
    await rejectsWith(h.server.token(req({ ...cc, client_id: client.id })), 'invalid_client', 401);
  });
});

describe('RFC 6749 §5.2 invalid_client', () => {
  it('is answered with 401 for a wrong secret, an unknown client and an empty secret', async () => {
    const h = await harness();
    const client = await addClient(h);
    const other = await addClient(h);
    await rejectsWith(h.server.token(req(cc, basic(client.id, other.secret))), 'invalid_client', 401);
    await rejectsWith(h.server.token(req(cc, basic(client.id, `${client.secret}x`))), 'invalid_client', 401);
    await rejectsWith(h.server.token(req(cc, basic(client.id, ''))), 'invalid_client', 401);
    await rejectsWith(h.server.token(req(cc, basic('tc_unknown', client.secret))), 'invalid_client', 401);
  });

  it('never names the secret in the error', async () => {
    const h = await harness();
    const client = await addClient(h);
    const error = await rejectsWith(h.server.token(req(cc, basic(client.id, 'tsec_wrong-secret-value'))), 'invalid_client');
    assert.ok(!JSON.stringify({ ...error, message: error.message }).includes('wrong-secret-value'));
  });

  it('is answered for a disabled client, and the client works again once enabled', async () => {
    const h = await harness();
    const client = await addClient(h);
    await issue(h.server, client);
    await disableClient(h.admin, client.id);
    await h.server.sync();
    await rejectsWith(issue(h.server, client), 'invalid_client', 401);
    await enableClient(h.admin, client.id);
    await h.server.sync();
    assert.ok(await issue(h.server, client));
  });
});
