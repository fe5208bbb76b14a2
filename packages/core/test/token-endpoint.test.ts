import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API, OTHER_API, addClient, basic, harness, parts, rejectsWith, req, tokenRequest } from './support/harness.js';

describe('RFC 6749 §4.4 client credentials grant', () => {
  it('§4.4.3 issues a Bearer token with expires_in and scope, and never a refresh_token', async () => {
    const h = await harness();
    const client = await addClient(h);
    const response = await h.server.token(tokenRequest(client, { scope: 'write' }));
    assert.deepEqual(Object.keys(response).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
    assert.equal(response.token_type, 'Bearer');
    assert.equal(response.scope, 'write');
    assert.equal(response.refresh_token, undefined);
  });

  it('§3.3 grants a requested subset of the registered scopes, without duplicates', async () => {
    const h = await harness();
    const client = await addClient(h, { scopes: ['read', 'write', 'admin'] });
    const response = await h.server.token(tokenRequest(client, { scope: 'write  read write' }));
    assert.equal(response.scope, 'write read');
    assert.equal(parts(response.access_token).payload['scope'], 'write read');
  });

  it('§3.3 grants the default scopes when the request names none', async () => {
    const h = await harness();
    const client = await addClient(h, { scopes: ['read', 'write', 'admin'], defaultScopes: ['read', 'write'] });
    assert.equal((await h.server.token(tokenRequest(client))).scope, 'read write');
    assert.equal((await h.server.token(tokenRequest(client, { scope: '' }))).scope, 'read write');
  });

  it('§5.2 answers invalid_scope for a scope beyond the registered ones', async () => {
    const h = await harness();
    const client = await addClient(h);
    await rejectsWith(h.server.token(tokenRequest(client, { scope: 'read admin' })), 'invalid_scope', 400);
  });

  it('§3.3 answers invalid_scope for a scope token with forbidden characters', async () => {
    const h = await harness();
    const client = await addClient(h);
    await rejectsWith(h.server.token(tokenRequest(client, { scope: 'read "write"' })), 'invalid_scope', 400);
    await rejectsWith(h.server.token(tokenRequest(client, { scope: 'read\twrite' })), 'invalid_scope', 400);
  });

  it('§5.2 answers unsupported_grant_type for a grant this server does not implement', async () => {
    const h = await harness();
    const client = await addClient(h);
    for (const grant_type of ['password', 'urn:ietf:params:oauth:grant-type:saml2-bearer', 'urn:example:custom']) {
      await rejectsWith(h.server.token(tokenRequest(client, { grant_type })), 'unsupported_grant_type', 400);
    }
  });

  it('§5.2 answers invalid_request when grant_type is missing', async () => {
    const h = await harness();
    const client = await addClient(h);
    await rejectsWith(h.server.token(req({}, basic(client.id, client.secret))), 'invalid_request', 400);
  });

  it('§5.2 answers unauthorized_client when the client may not use the grant', async () => {
    const h = await harness();
    const client = await addClient(h, { grantTypes: [] });
    await rejectsWith(h.server.token(tokenRequest(client)), 'unauthorized_client', 400);
  });

  it('§3.1/§3.2 answers invalid_request when a parameter is repeated', async () => {
    const h = await harness();
    const client = await addClient(h);
    await rejectsWith(h.server.token(tokenRequest(client, { grant_type: ['client_credentials', 'client_credentials'] })), 'invalid_request');
    await rejectsWith(h.server.token(tokenRequest(client, { scope: ['read', 'write'] })), 'invalid_request');
    const post = req({ grant_type: 'client_credentials', client_id: [client.id, client.id], client_secret: client.secret });
    await rejectsWith(h.server.token(post), 'invalid_request');
  });
});

describe('RFC 8707 resource indicators on the token endpoint', () => {
  it('§2 uses the client audiences as aud when no resource is given', async () => {
    const h = await harness();
    const client = await addClient(h, { audiences: [API, OTHER_API] });
    assert.deepEqual(parts((await h.server.token(tokenRequest(client))).access_token).payload['aud'], [API, OTHER_API]);
  });

  it('§2 narrows aud to the one requested resource', async () => {
    const h = await harness();
    const client = await addClient(h, { audiences: [API, OTHER_API] });
    const token = (await h.server.token(tokenRequest(client, { resource: OTHER_API }))).access_token;
    assert.equal(parts(token).payload['aud'], OTHER_API);
  });

  it('§2 accepts resource repeated, de-duplicated', async () => {
    const h = await harness();
    const client = await addClient(h, { audiences: [API, OTHER_API] });
    const token = (await h.server.token(tokenRequest(client, { resource: [OTHER_API, API, OTHER_API] }))).access_token;
    assert.deepEqual(parts(token).payload['aud'], [OTHER_API, API]);
  });

  it('§2 answers invalid_target for a resource the client is not registered for', async () => {
    const h = await harness();
    const client = await addClient(h);
    await rejectsWith(h.server.token(tokenRequest(client, { resource: OTHER_API })), 'invalid_target', 400);
    await rejectsWith(h.server.token(tokenRequest(client, { resource: [API, OTHER_API] })), 'invalid_target', 400);
    await rejectsWith(h.server.token(tokenRequest(client, { resource: `${API}/` })), 'invalid_target', 400);
  });
});
