import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API, ISSUER, OTHER_API, START, addClient, basic, harness, introspect, isActive, issue, parts, rejectsWith, req, sibling } from './support/harness.js';

describe('RFC 7662 §2.1 introspection request', () => {
  it('requires client authentication: invalid_client without it', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = await issue(h.server, client);
    await rejectsWith(h.server.introspect(req({ token })), 'invalid_client', 401);
    await rejectsWith(h.server.introspect(req({ token }, basic(client.id, 'tsec_wrong'))), 'invalid_client', 401);
  });

  it('refuses a public client (client_id only)', async () => {
    const h = await harness();
    const owner = await addClient(h);
    const token = await issue(h.server, owner);
    const pub = await addClient(h, { authMethod: 'none', grantTypes: [], audiences: [API] });
    await rejectsWith(h.server.introspect(req({ token, client_id: pub.id })), 'invalid_client', 401);
  });

  it('answers invalid_request without a token, or with the token repeated', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = await issue(h.server, client);
    await rejectsWith(h.server.introspect(req({}, basic(client.id, client.secret))), 'invalid_request', 400);
    await rejectsWith(h.server.introspect(req({ token: '' }, basic(client.id, client.secret))), 'invalid_request', 400);
    await rejectsWith(h.server.introspect(req({ token: [token, token] }, basic(client.id, client.secret))), 'invalid_request', 400);
  });

  it('ignores token_type_hint values it does not know (§2.1)', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = await issue(h.server, client);
    const body = await h.server.introspect(req({ token, token_type_hint: 'refresh_token' }, basic(client.id, client.secret)));
    assert.equal(JSON.parse(body).active, true);
  });
});

describe('RFC 7662 §2.2 introspection response', () => {
  it('an active token answers active, token_type and the RFC 9068 claims', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = await issue(h.server, client, { scope: 'read write' });
    const body = await introspect(h.server, client, token);
    const iat = START / 1000;
    assert.deepEqual(body, {
      active: true,
      token_type: 'Bearer',
      iss: ISSUER,
      sub: client.id,
      aud: API,
      exp: iat + 600,
      iat,
      jti: parts(token).payload['jti'],
      client_id: client.id,
      scope: 'read write',
    });
  });

  it('an expired token is inactive, answered with exactly {"active":false}', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = await issue(h.server, client);
    h.clock.advance(599_999);
    assert.equal(await isActive(h.server, client, token), true);
    h.clock.advance(1);
    assert.equal(await h.server.introspect(req({ token }, basic(client.id, client.secret))), '{"active":false}');
  });

  it('a revoked token is inactive', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = await issue(h.server, client);
    await h.server.revoke(req({ token }, basic(client.id, client.secret)));
    assert.equal(await h.server.introspect(req({ token }, basic(client.id, client.secret))), '{"active":false}');
  });
});

describe('RFC 7662 §4 who may introspect a token', () => {
  it('the client the token was issued to', async () => {
    const h = await harness();
    const client = await addClient(h, { audiences: [OTHER_API] });
    assert.equal(await isActive(h.server, client, await issue(h.server, client)), true);
  });

  it('a client registered for one of the token audiences (the resource server)', async () => {
    const h = await harness();
    const caller = await addClient(h, { audiences: [API, OTHER_API] });
    const rs = await addClient(h, { audiences: [OTHER_API] });
    const token = await issue(h.server, caller);
    assert.equal(await isActive(h.server, rs, token), true);
  });

  it('any other authenticated client learns only {"active":false}', async () => {
    const h = await harness();
    const caller = await addClient(h, { audiences: [API] });
    const stranger = await addClient(h, { audiences: [OTHER_API] });
    const token = await issue(h.server, caller);
    assert.equal(await h.server.introspect(req({ token }, basic(stranger.id, stranger.secret))), '{"active":false}');
    const narrowed = await issue(h.server, await addClient(h, { audiences: [API, OTHER_API] }), { resource: API });
    assert.equal(await isActive(h.server, stranger, narrowed), false);
  });
});

describe('verified-token cache behind introspection', () => {
  it('answers the same body again, from the cache', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = await issue(h.server, client);
    const first = await h.server.introspect(req({ token }, basic(client.id, client.secret)));
    assert.equal(h.server.stats().verifiedTokens, 1);
    const second = await h.server.introspect(req({ token }, basic(client.id, client.secret)));
    assert.equal(second, first);
    assert.equal(h.server.stats().verifiedTokens, 1);
  });

  it('still checks who asks after caching', async () => {
    const h = await harness();
    const client = await addClient(h);
    const stranger = await addClient(h, { audiences: [OTHER_API] });
    const token = await issue(h.server, client);
    assert.equal(await isActive(h.server, client, token), true);
    assert.equal(await isActive(h.server, stranger, token), false);
  });

  it('honours a revocation that arrives by sync() after caching', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = await issue(h.server, client);
    assert.equal(await isActive(h.server, client, token), true);
    const other = await sibling(h);
    await other.server.revoke(req({ token }, basic(client.id, client.secret)));
    assert.equal(await isActive(h.server, client, token), true, 'not yet synced');
    await h.server.sync();
    assert.equal(await isActive(h.server, client, token), false);
  });

  it('honours expiry after caching, and prune() drops the entry', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = await issue(h.server, client);
    assert.equal(await isActive(h.server, client, token), true);
    h.clock.advance(600_000);
    assert.equal(await isActive(h.server, client, token), false);
    await issue(h.server, client).then((t) => isActive(h.server, client, t));
    h.clock.advance(600_000);
    await h.server.prune();
    assert.equal(h.server.stats().verifiedTokens, 0);
  });
});
