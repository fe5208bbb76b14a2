// Options are checked when the manager is created (TypeError, no network call); discovery follows RFC 8414
// (well-known URL, issuer must match, https endpoints for an https issuer) and happens once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTokenManager, discoverIssuer, type TokenManagerOptions } from '@tessera/client';
import { useFakeIssuer } from './support/fake-issuer.js';
import { managerFor, rejectsWithCode, SECRET } from './support/setup.js';

const issuer = useFakeIssuer();

const fetchAnswering = (documents: Record<string, unknown>): typeof fetch =>
  (async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    const body = documents[url];
    return new Response(JSON.stringify(body ?? {}), { status: body === undefined ? 404 : 200 });
  }) as typeof fetch;

describe('options', () => {
  it('refuses bad options with a TypeError before any request', () => {
    const base = { issuer: 'https://issuer.example', clientId: 'svc', clientSecret: SECRET };
    const bad: unknown[] = [
      { ...base, issuer: 'not a url' },
      { ...base, issuer: 'ftp://issuer.example' },
      { ...base, clientId: '' },
      { issuer: base.issuer, clientId: 'svc' },
      { ...base, clientSecret: '' },
      { ...base, privateKey: 'x' },
      { ...base, clientAuthMethod: 'private_key_jwt' },
      { ...base, clientAuthMethod: 'client_secret_jwt' },
      { issuer: base.issuer, clientId: 'svc', clientAuthMethod: 'none' },
      { ...base, timeoutMs: 0 },
      { ...base, retry: { maxAttempts: 0 } },
      { ...base, retry: { maxAttempts: 100 } },
      { ...base, refreshSkewSeconds: -1 },
      { ...base, refreshToken: '' },
      { ...base, metadata: { issuer: 'https://other.example', tokenEndpoint: 'https://other.example/token' } },
    ];
    for (const options of bad) {
      assert.throws(() => createTokenManager(options as TokenManagerOptions), TypeError, JSON.stringify(options));
    }
  });

  it('a secret never appears in a TypeError', () => {
    assert.throws(
      () => createTokenManager({ issuer: 'https://i.example', clientId: 'svc', clientSecret: SECRET, clientAuthMethod: 'nope' as 'client_secret_post' }),
      (error: Error) => !error.message.includes(SECRET),
    );
  });
});

describe('discovery', () => {
  it('fails with discovery_failed when the metadata names another issuer (a trailing slash counts)', async () => {
    for (const other of ['https://evil.example', `${issuer.url}/`]) {
      issuer.metadataIssuer = other;
      const { manager } = managerFor(issuer);
      await rejectsWithCode(manager.getToken(), 'discovery_failed');
    }
    issuer.metadataIssuer = undefined;
    assert.equal(issuer.calls.length, 0);
  });

  it('an https issuer must publish an https token endpoint; a 404 is not retried', async () => {
    const iss = 'https://issuer.example';
    const plain = fetchAnswering({ [`${iss}/.well-known/oauth-authorization-server`]: { issuer: iss, token_endpoint: 'http://issuer.example/token' } });
    await rejectsWithCode(discoverIssuer(iss, { fetch: plain }), 'discovery_failed');
    let requests = 0;
    const missing = (async () => {
      requests++;
      return new Response('{}', { status: 404 });
    }) as typeof fetch;
    await rejectsWithCode(discoverIssuer(iss, { fetch: missing }), 'discovery_failed');
    assert.equal(requests, 1);
  });

  it('puts the well-known segment before an issuer path (RFC 8414 §3.1) and shares the result', async () => {
    const iss = 'https://issuer.example/tenant-a';
    const documents = {
      'https://issuer.example/.well-known/oauth-authorization-server/tenant-a': { issuer: iss, token_endpoint: `${iss}/token`, authorization_endpoint: `${iss}/authorize` },
    };
    const metadata = await discoverIssuer(iss, { fetch: fetchAnswering(documents) });
    assert.deepEqual(metadata, { issuer: iss, tokenEndpoint: `${iss}/token`, authorizationEndpoint: `${iss}/authorize`, revocationEndpoint: undefined, userinfoEndpoint: undefined, endSessionEndpoint: undefined });
  });

  it('discovers once per manager, and again after a failed discovery', async () => {
    issuer.metadataRequests = 0;
    issuer.metadataIssuer = 'https://evil.example';
    const { manager } = managerFor(issuer);
    await rejectsWithCode(manager.getToken(), 'discovery_failed');
    issuer.metadataIssuer = undefined;
    await manager.getToken();
    await manager.getToken({ forceRefresh: true });
    assert.equal(issuer.metadataRequests, 2);
  });
});
