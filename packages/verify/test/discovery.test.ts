// createVerifier's startup: options checked at construction (TypeError), the discovery document checked
// against the configured issuer (RFC 8414 §3.3), and its endpoints checked before use.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createVerifier, type VerifierOptions } from '@tessera/verify';
import { rejectsWith } from './support/assert-code.js';
import { makeKey, startIssuer, type TestIssuer } from './support/issuer.js';
import { API } from './support/setup.js';

let issuer: TestIssuer;
before(async () => {
  issuer = await startIssuer([makeKey('EdDSA')]);
});
after(() => issuer.close());

/** A fetch answering every URL with this JSON document. */
const fetchAnswering = (documents: Record<string, unknown>): typeof fetch =>
  (async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    const body = documents[url];
    return new Response(JSON.stringify(body ?? {}), { status: body === undefined ? 404 : 200 });
  }) as typeof fetch;

describe('createVerifier startup', () => {
  it('refuses bad options with a TypeError before any network call', async () => {
    const bad: Partial<VerifierOptions>[] = [
      { issuer: 'not a url' },
      { audience: [] },
      { audience: '' },
      { algorithms: ['HS256' as 'ES256'] },
      { algorithms: ['none' as 'ES256'] },
      { algorithms: [] },
      { clockTolerance: -1 },
      { timeoutMs: Number.NaN },
      { timeoutMs: 0 },
      { requiredScopes: ['has space'] },
      { revocations: { clientId: 'rs', clientSecret: '' } },
      { introspection: { clientId: '', clientSecret: 'x' } },
    ];
    for (const options of bad) {
      await assert.rejects(createVerifier({ issuer: issuer.url, audience: API, ...options }), TypeError, JSON.stringify(options));
    }
    assert.equal(issuer.jwksRequests, 0);
  });

  it('refuses metadata that names another issuer, including a trailing-slash variant', async () => {
    issuer.metadataIssuer = 'https://evil.example';
    try {
      await rejectsWith(createVerifier({ issuer: issuer.url, audience: API }), 'discovery_failed');
      issuer.metadataIssuer = `${issuer.url}/`;
      await rejectsWith(createVerifier({ issuer: issuer.url, audience: API }), 'discovery_failed');
    } finally {
      issuer.metadataIssuer = undefined;
    }
    assert.equal(issuer.jwksRequests, 0);
  });

  it('fails with discovery_failed when the document is missing or unreachable', async () => {
    await rejectsWith(createVerifier({ issuer: issuer.url, audience: API, discoveryUrl: `${issuer.url}/nothing-here` }), 'discovery_failed');
    await rejectsWith(createVerifier({ issuer: 'http://127.0.0.1:9', audience: API }), 'discovery_failed');
  });

  it('an https issuer must publish https endpoints', async () => {
    const iss = 'https://issuer.example';
    const wellKnown = `${iss}/.well-known/oauth-authorization-server`;
    const plain = fetchAnswering({ [wellKnown]: { issuer: iss, jwks_uri: 'http://issuer.example/jwks' } });
    await rejectsWith(createVerifier({ issuer: iss, audience: API, fetch: plain }), 'discovery_failed');
    const noJwks = fetchAnswering({ [wellKnown]: { issuer: iss } });
    await rejectsWith(createVerifier({ issuer: iss, audience: API, fetch: noJwks }), 'discovery_failed');
  });

  it('uses an injected fetch for discovery and JWKS', async () => {
    const iss = 'https://issuer.example';
    const key = makeKey('ES256');
    const documents = {
      [`${iss}/.well-known/oauth-authorization-server`]: { issuer: iss, jwks_uri: `${iss}/jwks` },
      [`${iss}/jwks`]: { keys: [key.jwk] },
    };
    const verifier = await createVerifier({ issuer: iss, audience: API, fetch: fetchAnswering(documents) });
    assert.equal(verifier.issuer, iss);
    await verifier.close();
  });

  it('introspection needs an introspection_endpoint in the metadata', async () => {
    const iss = 'https://issuer.example';
    const key = makeKey('ES256');
    const documents = {
      [`${iss}/.well-known/oauth-authorization-server`]: { issuer: iss, jwks_uri: `${iss}/jwks` },
      [`${iss}/jwks`]: { keys: [key.jwk] },
    };
    const introspection = { clientId: 'rs', clientSecret: 'secret' };
    await rejectsWith(createVerifier({ issuer: iss, audience: API, fetch: fetchAnswering(documents), introspection }), 'discovery_failed');
  });
});
