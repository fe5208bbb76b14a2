// Genuinely signed tokens whose claims are wrong (RFC 9068 §4, RFC 7519 §4.1): each case changes one claim.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { accepted, refused } from './support/assert-code.js';
import { b64, forge, signSegments } from './support/issuer.js';
import { API, fixture, type Fixture } from './support/setup.js';

let f: Fixture;
before(async () => {
  f = await fixture({ clockTolerance: 30 });
});
after(() => f.close());

const now = (): number => Math.floor(f.clock.nowMs / 1000);
const token = (overrides: Record<string, unknown> = {}): string => forge(f.es256, f.issuer.claims(f.clock.nowMs, overrides));

describe('access-token claims (RFC 9068 §4)', () => {
  it('returns typed claims with scopes parsed once, and keeps other claims on the object', async () => {
    const c = await accepted(f.verifier, token({ scope: 'read write', sid: 's1', fam: 'f1', extra: 7 }));
    assert.deepEqual([c.sub, c.client_id, c.scope, c.sid, c.fam], ['svc', 'svc', 'read write', 's1', 'f1']);
    assert.deepEqual(c.scopes, ['read', 'write']);
    assert.equal((c as unknown as Record<string, unknown>)['extra'], 7);
    assert.deepEqual((await accepted(f.verifier, token({ scope: undefined }))).scopes, []);
  });

  it('expiry: refused at exp + tolerance, accepted just before', async () => {
    await accepted(f.verifier, token({ exp: now() - 29 }));
    await refused(f.verifier, token({ exp: now() - 30 }), 'token_expired');
    await refused(f.verifier, token({ exp: now() - 3600, iat: now() - 4200 }), 'token_expired');
  });

  it('nbf or iat in the future beyond the tolerance', async () => {
    await accepted(f.verifier, token({ nbf: now() + 30 }));
    await refused(f.verifier, token({ nbf: now() + 31 }), 'token_not_yet_valid');
    await refused(f.verifier, token({ iat: now() + 120, exp: now() + 720 }), 'token_not_yet_valid');
  });

  it('the fake clock drives expiry: a token accepted now is refused after its lifetime', async () => {
    const t = token({ exp: now() + 60 });
    await accepted(f.verifier, t);
    f.clock.advance(90_000);
    try {
      await refused(f.verifier, t, 'token_expired');
    } finally {
      f.clock.advance(-90_000);
    }
  });

  it('a wrong issuer (another server, a trailing slash, another case)', async () => {
    for (const iss of ['https://evil.example', `${f.issuer.url}/`, f.issuer.url.toUpperCase()]) {
      await refused(f.verifier, token({ iss }), 'token_wrong_issuer');
    }
  });

  it('audience: a string or an array naming this API; anything else is refused', async () => {
    await accepted(f.verifier, token({ aud: [API, 'https://other.example'] }));
    await refused(f.verifier, token({ aud: 'https://elsewhere.example' }), 'token_wrong_audience');
    await refused(f.verifier, token({ aud: ['https://a.example', 'https://b.example'] }), 'token_wrong_audience');
    await refused(f.verifier, token({ aud: [] }), 'token_claims_invalid');
    await refused(f.verifier, token({ aud: [API, 1] }), 'token_claims_invalid');
  });

  it('required claims missing or of the wrong type (sub, jti, client_id, iss, exp, iat, scope, nbf, sid)', async () => {
    const bad = [
      { sub: undefined }, { sub: '' }, { jti: 42 }, { client_id: undefined }, { iss: undefined }, { aud: 7 }, { aud: undefined },
      { exp: '9999999999' }, { exp: undefined }, { iat: undefined }, { scope: ['read'] }, { nbf: 'soon' }, { sid: 1 }, { fam: {} },
      { scope: 'read  write' },
    ];
    for (const override of bad) await refused(f.verifier, token(override), 'token_claims_invalid', undefined);
  });

  it('duplicate claims, plain or escaped, and payloads that are not JSON objects', async () => {
    const header = b64({ alg: 'ES256', typ: 'at+jwt', kid: f.es256.kid });
    const text = JSON.stringify(f.issuer.claims(f.clock.nowMs));
    await refused(f.verifier, signSegments(f.es256, header, b64(text.replace('{', '{"sub":"admin",'))), 'token_malformed');
    await refused(f.verifier, signSegments(f.es256, header, b64(text.replace('{', '{"\\u0073ub":"admin",'))), 'token_malformed');
    for (const payload of ['[]', '"x"', 'null', '{"sub":', text.slice(0, -1)]) {
      await refused(f.verifier, signSegments(f.es256, header, b64(payload)), 'token_malformed');
    }
    await accepted(f.verifier, signSegments(f.es256, header, b64(text.replace('{', '{"nested":{"sub":"x","a":[{"sub":1}]},'))));
  });

  it('scopes: the verifier’s requiredScopes and per-call scopes', async () => {
    const strict = await fixture({ requiredScopes: ['read'] });
    try {
      const c = (scope: string): string => forge(strict.es256, strict.issuer.claims(strict.clock.nowMs, { scope }));
      await accepted(strict.verifier, c('read write'));
      await refused(strict.verifier, c('write'), 'token_insufficient_scope');
      await accepted(strict.verifier, c('read write'), { scopes: ['write'] });
      await refused(strict.verifier, c('read'), 'token_insufficient_scope', { scopes: ['write'] });
    } finally {
      await strict.close();
    }
  });
});
