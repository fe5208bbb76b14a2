import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { ISSUER, addClient, harness, parts, rejectsWith, req, type Harness, type TestClient } from './support/harness.js';
import { assertion, assertionParams, clientKey, type ClientKey } from './support/assertions.js';

/** A tiny JWKS server on 127.0.0.1 with a port chosen by the OS; it counts requests and can change its keys. */
let server: Server;
let baseUrl: string;
let served: { keys: unknown[] } = { keys: [] };
let requests = 0;

before(async () => {
  server = createServer((request, response) => {
    requests += 1;
    if (request.url === '/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(served));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
});

async function setup(path = '/jwks.json'): Promise<{ h: Harness; key: ClientKey; client: TestClient }> {
  const h = await harness();
  const key = await clientKey('ES256');
  served = { keys: [key.publicJwk] };
  const client = await addClient(h, { authMethod: 'private_key_jwt', jwksUri: `${baseUrl}${path}` });
  return { h, key, client };
}

describe('RFC 7523 private_key_jwt with keys from the client jwks_uri', () => {
  it('authenticates with a key fetched from the jwks_uri and reuses the fetched set', async () => {
    const { h, key, client } = await setup();
    const before = requests;
    const first = await h.server.token(req(assertionParams(await assertion(h, client.id, key))));
    assert.equal(parts(first.access_token).payload['client_id'], client.id);
    await h.server.token(req(assertionParams(await assertion(h, client.id, key))));
    assert.equal(requests - before, 1);
  });

  it('refuses an assertion signed by a key the jwks_uri does not publish', async () => {
    const { h, client } = await setup();
    const stranger = await clientKey('ES256');
    await rejectsWith(h.server.token(req(assertionParams(await assertion(h, client.id, stranger)))), 'invalid_client', 401);
  });

  it('answers invalid_client when the jwks_uri does not serve a key set', async () => {
    const { h, key, client } = await setup('/missing');
    await rejectsWith(h.server.token(req(assertionParams(await assertion(h, client.id, key)))), 'invalid_client', 401);
  });

  it('answers invalid_client (not an unexpected error) when the jwks_uri cannot be reached', async () => {
    const h = await harness();
    const key = await clientKey('ES256');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = await addClient(h, { authMethod: 'private_key_jwt', jwksUri: `http://127.0.0.1:${port}/jwks.json` });
    await rejectsWith(h.server.token(req(assertionParams(await assertion(h, client.id, key)))), 'invalid_client', 401);
    assert.equal(h.events.ofType('client.authentication_failed').length, 1);
  });
});

describe('RFC 7523 / RFC 8725 §3.1: no symmetric algorithm through a jwks_uri', () => {
  it('refuses an HS256 assertion even when the jwks_uri serves the matching symmetric key', async () => {
    const { h, client } = await setup();
    const secret = new Uint8Array(32).fill(7);
    served = { keys: [{ kty: 'oct', k: Buffer.from(secret).toString('base64url'), kid: 'sym', alg: 'HS256' }] };
    const now = Math.floor(h.clock.now() / 1000);
    const jwt = await new SignJWT({ jti: 'hs-1' }).setProtectedHeader({ alg: 'HS256', kid: 'sym' })
      .setIssuer(client.id).setSubject(client.id).setAudience(ISSUER).setIssuedAt(now).setExpirationTime(now + 60).sign(secret);
    await rejectsWith(h.server.token(req(assertionParams(jwt))), 'invalid_client', 401);
  });
});
