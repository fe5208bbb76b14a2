import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addClient, basic, harness, isActive, issue, parts, rejectsWith, req, sibling } from './support/harness.js';

describe('RFC 7009 §2.1 revocation request', () => {
  it('a client revokes its own token; it is inactive at once', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = await issue(h.server, client);
    const kept = await issue(h.server, client);
    assert.equal(await isActive(h.server, client, token), true);
    assert.equal(await h.server.revoke(req({ token, token_type_hint: 'access_token' }, basic(client.id, client.secret))), undefined);
    assert.equal(await isActive(h.server, client, token), false);
    assert.equal(await isActive(h.server, client, kept), true, 'only that token');
  });

  it('refuses to revoke another client token with unauthorized_client, and the token stays active', async () => {
    const h = await harness();
    const owner = await addClient(h);
    const other = await addClient(h);
    const token = await issue(h.server, owner);
    await rejectsWith(h.server.revoke(req({ token }, basic(other.id, other.secret))), 'unauthorized_client', 400);
    assert.equal(await isActive(h.server, owner, token), true);
  });

  it('requires the caller to authenticate as registered: invalid_client for a bare client_id of a confidential client', async () => {
    const h = await harness();
    const owner = await addClient(h);
    const token = await issue(h.server, owner);
    await rejectsWith(h.server.revoke(req({ token, client_id: owner.id })), 'invalid_client', 401);
    await rejectsWith(h.server.revoke(req({ token })), 'invalid_client', 401);
    await rejectsWith(h.server.revoke(req({ token }, basic(owner.id, 'tsec_wrong'))), 'invalid_client', 401);
    assert.equal(await isActive(h.server, owner, token), true);
  });

  it('a public client (auth method none, advertised for revocation) may call it, but not for another client token', async () => {
    const h = await harness();
    const owner = await addClient(h);
    const pub = await addClient(h, { authMethod: 'none', grantTypes: [] });
    const token = await issue(h.server, owner);
    assert.equal(await h.server.revoke(req({ token: 'garbage', client_id: pub.id })), undefined);
    await rejectsWith(h.server.revoke(req({ token, client_id: pub.id })), 'unauthorized_client', 400);
    assert.equal(await isActive(h.server, owner, token), true);
  });

  it('answers invalid_request without a token parameter or with it repeated', async () => {
    const h = await harness();
    const client = await addClient(h);
    await rejectsWith(h.server.revoke(req({}, basic(client.id, client.secret))), 'invalid_request', 400);
    await rejectsWith(h.server.revoke(req({ token: ['a', 'b'] }, basic(client.id, client.secret))), 'invalid_request', 400);
  });
});

describe('RFC 7009 §2.2 revocation response', () => {
  it('succeeds for unknown, garbage, expired and already-revoked tokens', async () => {
    const h = await harness();
    const client = await addClient(h);
    const auth = basic(client.id, client.secret);
    for (const token of ['garbage', 'a.b.c', 'tsat_unknown']) assert.equal(await h.server.revoke(req({ token }, auth)), undefined);
    const revoked = await issue(h.server, client);
    await h.server.revoke(req({ token: revoked }, auth));
    await h.server.revoke(req({ token: revoked }, auth));
    const expired = await issue(h.server, client);
    h.clock.advance(601_000);
    assert.equal(await h.server.revoke(req({ token: expired }, auth)), undefined);
  });

  it('an expired token of another client also answers success (nothing to reveal)', async () => {
    const h = await harness();
    const owner = await addClient(h);
    const other = await addClient(h);
    const token = await issue(h.server, owner);
    h.clock.advance(600_000);
    assert.equal(await h.server.revoke(req({ token }, basic(other.id, other.secret))), undefined);
  });
});

describe('revocation is persisted in the store change log', () => {
  it('writes a revoke.token entry for the jti that lives until the token expiry plus skew', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = await issue(h.server, client);
    const cursor = await h.store.latestCursor();
    await h.server.revoke(req({ token }, basic(client.id, client.secret)));
    const entries = await h.store.changesSince(cursor, 10);
    const { jti, exp } = parts(token).payload as { jti: string; exp: number };
    assert.deepEqual(entries.map((e) => [e.kind, e.target, e.createdAt, e.expiresAt]), [['revoke.token', jti, h.clock.now(), exp * 1000 + 30_000]]);
  });

  it('a second engine created over the same store sees the token inactive at start', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = await issue(h.server, client);
    const other = await sibling(h);
    assert.equal(await isActive(other.server, client, token), true, 'control: the sibling accepts the token');
    await h.server.revoke(req({ token }, basic(client.id, client.secret)));
    const fresh = await sibling(h);
    assert.equal(await isActive(fresh.server, client, token), false);
    assert.ok(fresh.server.stats().revocations >= 1);
  });

  it('prune() forgets the revocation only once the token has expired', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = await issue(h.server, client);
    await h.server.revoke(req({ token }, basic(client.id, client.secret)));
    await h.server.prune();
    assert.equal(await isActive(h.server, client, token), false);
    h.clock.advance(630_001);
    await h.server.prune();
    assert.equal(h.server.stats().revocations, 0);
    assert.equal(await isActive(h.server, client, token), false, 'expired anyway');
  });
});
