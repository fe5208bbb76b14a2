import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLIENT_SECRET_PREFIX, ValidationError, createClient, deleteClient, disableClient, enableClient, sha256, type NewClientInput } from '@tessera/core';
import { API, harness } from './support/harness.js';

const base: NewClientInput = { name: 'svc', scopes: ['read'], audiences: [API] };
const publicJwk = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };

describe('admin: createClient', () => {
  it('returns a tsec_ secret once and stores only its SHA-256', async () => {
    const h = await harness();
    const { client, secret } = await createClient(h.admin, base);
    assert.ok(secret?.startsWith(CLIENT_SECRET_PREFIX));
    assert.ok((secret?.length ?? 0) >= 5 + 43, '256 bits of entropy');
    assert.match(client.id, /^tc_[A-Za-z0-9_-]+$/);
    const stored = await h.store.getClient(client.id);
    assert.deepEqual(stored?.secrets.map((s) => s.hash), [sha256(secret!)]);
    assert.ok(!JSON.stringify(stored).includes(secret!));
  });

  it('fills defaults: client_secret_basic, client_credentials, default scopes = scopes', async () => {
    const h = await harness();
    const { client } = await createClient(h.admin, { name: ' svc ', scopes: ['a', 'b', 'a'], audiences: [API] });
    assert.equal(client.name, 'svc');
    assert.equal(client.authMethod, 'client_secret_basic');
    assert.deepEqual(client.grantTypes, ['client_credentials']);
    assert.deepEqual(client.scopes, ['a', 'b']);
    assert.deepEqual(client.defaultScopes, ['a', 'b']);
    assert.equal(client.disabled, false);
  });

  it('records a client.changed entry and a client.created event', async () => {
    const h = await harness();
    const cursor = await h.store.latestCursor();
    const { client } = await createClient(h.admin, base);
    assert.deepEqual((await h.store.changesSince(cursor, 10)).map((e) => [e.kind, e.target]), [['client.changed', client.id]]);
    assert.equal(h.events.ofType('client.created')[0]?.clientId, client.id);
  });

  it('gives no secret to a private_key_jwt client', async () => {
    const h = await harness();
    const { client, secret } = await createClient(h.admin, { ...base, authMethod: 'private_key_jwt', jwks: { keys: [publicJwk] } });
    assert.equal(secret, undefined);
    assert.deepEqual(client.secrets, []);
  });

  const invalid: [string, Partial<NewClientInput>][] = [
    ['an empty name', { name: '  ' }],
    ['a name over 200 characters', { name: 'x'.repeat(201) }],
    ['an invalid scope token', { scopes: ['a b'] }],
    ['a default scope outside the scopes', { defaultScopes: ['write'] }],
    ['a relative audience', { audiences: ['/api'] }],
    ['an audience with a fragment', { audiences: [`${API}#x`] }],
    ['an unsupported grant type (password, removed by OAuth 2.1)', { grantTypes: ['password' as NonNullable<NewClientInput['grantTypes']>[number]] }],
    ['an unknown auth method', { authMethod: 'tls_client_auth' as NewClientInput['authMethod'] }],
    ['private_key_jwt without keys', { authMethod: 'private_key_jwt' }],
    ['private_key_jwt with both jwks and jwks_uri', { authMethod: 'private_key_jwt', jwks: { keys: [publicJwk] }, jwksUri: 'https://c.example/jwks' }],
    ['an empty JWKS', { authMethod: 'private_key_jwt', jwks: { keys: [] } }],
    ['a JWKS with a private key', { authMethod: 'private_key_jwt', jwks: { keys: [{ ...publicJwk, d: 'secret' }] } }],
    ['a JWKS with a symmetric key', { authMethod: 'private_key_jwt', jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }],
    ['jwks for a secret client', { jwks: { keys: [publicJwk] } }],
    ['a public client with client_credentials', { authMethod: 'none' }],
    ['client_credentials without an audience', { audiences: [] }],
    ['a token TTL of 0', { tokenTtl: 0 }],
    ['a fractional token TTL', { tokenTtl: 1.5 }],
    ['a token TTL above the maximum', { tokenTtl: 3601 }],
    ['an unsupported signing algorithm', { signingAlg: 'HS256' as NewClientInput['signingAlg'] }],
  ];
  for (const [what, patch] of invalid) {
    it(`refuses ${what} with ValidationError and writes nothing`, async () => {
      const h = await harness();
      const cursor = await h.store.latestCursor();
      await assert.rejects(createClient(h.admin, { ...base, ...patch }), ValidationError);
      assert.equal(await h.store.latestCursor(), cursor);
      assert.deepEqual(await h.store.listClients(), []);
    });
  }
});

describe('admin: disable, enable and delete', () => {
  it('disableClient marks the client and writes client.changed and revoke.client entries', async () => {
    const h = await harness();
    const { client } = await createClient(h.admin, base);
    const cursor = await h.store.latestCursor();
    h.clock.advance(5_000);
    await disableClient(h.admin, client.id);
    assert.equal((await h.store.getClient(client.id))?.disabled, true);
    const entries = await h.store.changesSince(cursor, 10);
    assert.deepEqual(entries.map((e) => [e.kind, e.target, e.createdAt]), [
      ['client.changed', client.id, h.clock.now()],
      ['revoke.client', client.id, h.clock.now()],
    ]);
    const watermark = entries[1]!;
    assert.ok(watermark.expiresAt >= h.clock.now() + h.admin.maxAccessTokenTtl * 1000, 'outlives every token');
  });

  it('enableClient clears the flag; unknown ids are refused with ValidationError', async () => {
    const h = await harness();
    const { client } = await createClient(h.admin, base);
    await disableClient(h.admin, client.id);
    await enableClient(h.admin, client.id);
    assert.equal((await h.store.getClient(client.id))?.disabled, false);
    await assert.rejects(disableClient(h.admin, 'tc_missing'), ValidationError);
    await assert.rejects(enableClient(h.admin, 'tc_missing'), ValidationError);
    await assert.rejects(deleteClient(h.admin, 'tc_missing'), ValidationError);
  });

  it('deleteClient removes the client and writes a revoke.client entry', async () => {
    const h = await harness();
    const { client } = await createClient(h.admin, base);
    const cursor = await h.store.latestCursor();
    await deleteClient(h.admin, client.id);
    assert.equal(await h.store.getClient(client.id), undefined);
    assert.ok((await h.store.changesSince(cursor, 10)).some((e) => e.kind === 'revoke.client' && e.target === client.id));
  });
});
