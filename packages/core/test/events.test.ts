import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rotateClientSecret } from '@tessera/core';
import { API, addClient, basic, harness, parts, rejectsWith, req, tokenRequest } from './support/harness.js';
import { JWT_BEARER, addKeyClient, assertion, assertionParams, clientKey } from './support/assertions.js';

const context = { ip: '192.0.2.7', userAgent: 'test-agent/1.0', requestId: 'req-1' };

describe('audit events', () => {
  it('token.issued names the grant, client, jti, scope, audience and expiry', async () => {
    const h = await harness();
    const client = await addClient(h);
    const response = await h.server.token(tokenRequest(client, { scope: 'read write' }, context));
    const { jti, exp } = parts(response.access_token).payload as { jti: string; exp: number };
    const [event] = h.events.ofType('token.issued');
    assert.deepEqual(event, {
      type: 'token.issued',
      time: h.clock.now(),
      grantType: 'client_credentials',
      clientId: client.id,
      subject: client.id,
      sessionId: undefined,
      tokenId: jti,
      scope: 'read write',
      audience: [API],
      expiresAt: exp * 1000,
      ip: context.ip,
      userAgent: context.userAgent,
      outcome: 'success',
    });
  });

  it('client.authentication_failed names the client, the method and a reason code', async () => {
    const h = await harness();
    const client = await addClient(h);
    await rejectsWith(h.server.token(req({ grant_type: 'client_credentials' }, basic(client.id, 'tsec_wrong'), context)), 'invalid_client');
    const [event] = h.events.ofType('client.authentication_failed');
    assert.equal(event?.clientId, client.id);
    assert.equal(event?.method, 'client_secret_basic');
    assert.equal(event?.outcome, 'failure');
    assert.equal(event?.ip, context.ip);
    assert.equal(typeof event?.reason, 'string');
  });

  it('token.revoked names the client and the jti', async () => {
    const h = await harness();
    const client = await addClient(h);
    const token = (await h.server.token(tokenRequest(client))).access_token;
    await h.server.revoke(req({ token }, basic(client.id, client.secret), context));
    const [event] = h.events.ofType('token.revoked');
    assert.equal(event?.clientId, client.id);
    assert.equal(event?.tokenId, parts(token).payload['jti']);
    assert.equal(event?.tokenType, 'access_token');
    assert.equal(event?.outcome, 'success');
  });

  it('token.introspected tells whether the caller saw the token active, and why not', async () => {
    const h = await harness();
    const client = await addClient(h);
    const stranger = await addClient(h, { audiences: ['https://elsewhere.example'] });
    const token = (await h.server.token(tokenRequest(client))).access_token;
    await h.server.introspect(req({ token }, basic(client.id, client.secret), context));
    await h.server.introspect(req({ token }, basic(stranger.id, stranger.secret), context));
    await h.server.introspect(req({ token: 'garbage' }, basic(client.id, client.secret), context));
    const events = h.events.ofType('token.introspected');
    assert.deepEqual(events.map((e) => [e.clientId, e.active, e.outcome, e.reason]), [
      [client.id, true, 'success', undefined],
      [stranger.id, false, 'failure', 'not_permitted'],
      [client.id, false, 'failure', 'malformed'],
    ]);
    assert.equal(events[0]?.tokenId, parts(token).payload['jti']);
  });

  it('token.issue_failed names the grant and the RFC error code', async () => {
    const h = await harness();
    const client = await addClient(h);
    await rejectsWith(h.server.token(tokenRequest(client, { scope: 'admin' }, context)), 'invalid_scope');
    await rejectsWith(h.server.token(tokenRequest(client, { resource: 'https://elsewhere.example' }, context)), 'invalid_target');
    const events = h.events.ofType('token.issue_failed');
    assert.deepEqual(events.map((e) => [e.grantType, e.clientId, e.reason, e.outcome, e.ip]), [
      ['client_credentials', client.id, 'invalid_scope', 'failure', context.ip],
      ['client_credentials', client.id, 'invalid_target', 'failure', context.ip],
    ]);
    assert.equal(h.events.ofType('token.issued').length, 0);
  });

  it('no event ever contains a token, a secret or a client assertion', async () => {
    const h = await harness();
    const client = await addClient(h);
    const key = await clientKey();
    const keyClient = await addKeyClient(h, [key]);
    const secrets: string[] = [client.secret];
    const tokens: string[] = [];
    tokens.push((await h.server.token(tokenRequest(client, {}, context))).access_token);
    const jwt = await assertion(h, keyClient.id, key);
    secrets.push(jwt);
    tokens.push((await h.server.token(req(assertionParams(jwt), undefined, context))).access_token);
    await rejectsWith(h.server.token(req(assertionParams(jwt))), 'invalid_client');
    const rotated = await rotateClientSecret(h.admin, client.id, 60);
    secrets.push(rotated.secret);
    await h.server.sync();
    const wrong = 'tsec_definitely-wrong-secret-0123456789abcdef';
    secrets.push(wrong);
    await rejectsWith(h.server.token(req({ grant_type: 'client_credentials' }, basic(client.id, wrong))), 'invalid_client');
    for (const token of tokens) await h.server.introspect(req({ token }, basic(client.id, rotated.secret)));
    await h.server.revoke(req({ token: tokens[0]! }, basic(client.id, rotated.secret)));
    const revokeJwt = await assertion(h, keyClient.id, key);
    secrets.push(revokeJwt);
    await h.server.revoke(req({ token: tokens[1]!, client_assertion_type: JWT_BEARER, client_assertion: revokeJwt }));
    assert.equal(h.events.ofType('token.revoked').length, 2);
    assert.ok(h.events.events.length >= 8);
    const log = JSON.stringify(h.events.events);
    for (const value of [...secrets, ...tokens]) {
      assert.ok(!log.includes(value), `event log contains ${value.slice(0, 12)}…`);
      const tail = value.split('.').at(-1)!;
      assert.ok(!log.includes(tail.slice(-24)), 'event log contains a signature or secret fragment');
    }
  });
});
