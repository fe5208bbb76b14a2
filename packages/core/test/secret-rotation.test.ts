import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError, rotateClientSecret } from '@tessera/core';
import { addClient, harness, issue, rejectsWith, type Harness, type TestClient } from './support/harness.js';

async function rotate(h: Harness, client: TestClient, grace: number): Promise<TestClient> {
  const { secret } = await rotateClientSecret(h.admin, client.id, grace);
  await h.server.sync();
  return { ...client, secret };
}

describe('client secret rotation with a grace period', () => {
  it('keeps the old secret working until the grace ends, then only the new one', async () => {
    const h = await harness();
    const old = await addClient(h);
    const fresh = await rotate(h, old, 60);
    assert.notEqual(fresh.secret, old.secret);
    assert.ok(await issue(h.server, fresh));
    assert.ok(await issue(h.server, old));
    h.clock.advance(59_999);
    assert.ok(await issue(h.server, old));
    h.clock.advance(1);
    await rejectsWith(issue(h.server, old), 'invalid_client', 401);
    assert.ok(await issue(h.server, fresh));
  });

  it('with grace 0 stops the old secret at once', async () => {
    const h = await harness();
    const old = await addClient(h);
    const fresh = await rotate(h, old, 0);
    await rejectsWith(issue(h.server, old), 'invalid_client', 401);
    assert.ok(await issue(h.server, fresh));
  });

  it('a second rotation shortens, never extends, the grace of older secrets', async () => {
    const h = await harness();
    const first = await addClient(h);
    const second = await rotate(h, first, 3600);
    const third = await rotate(h, second, 10);
    h.clock.advance(9_000);
    for (const c of [first, second, third]) assert.ok(await issue(h.server, c));
    h.clock.advance(1_000);
    await rejectsWith(issue(h.server, first), 'invalid_client');
    await rejectsWith(issue(h.server, second), 'invalid_client');
    assert.ok(await issue(h.server, third));
  });

  it('stores only digests of the secrets', async () => {
    const h = await harness();
    const old = await addClient(h);
    const fresh = await rotate(h, old, 60);
    const stored = JSON.stringify(await h.store.getClient(old.id));
    assert.ok(!stored.includes(old.secret) && !stored.includes(fresh.secret));
    assert.ok(!stored.includes(old.secret.slice(5)) && !stored.includes(fresh.secret.slice(5)));
  });

  it('refuses a negative grace and a client that does not use a secret', async () => {
    const h = await harness();
    const client = await addClient(h);
    await assert.rejects(rotateClientSecret(h.admin, client.id, -1), ValidationError);
    await assert.rejects(rotateClientSecret(h.admin, client.id, 1.5), ValidationError);
    await assert.rejects(rotateClientSecret(h.admin, 'tc_missing', 0), ValidationError);
    const jwk = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' };
    const keyClient = await addClient(h, { authMethod: 'private_key_jwt', jwks: { keys: [jwk] } });
    await assert.rejects(rotateClientSecret(h.admin, keyClient.id, 0), ValidationError);
  });
});
