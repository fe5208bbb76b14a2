// The framework-free middleware core, without HTTP: option checks and how errors map to answers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VerifyError, type TesseraClaims, type Verifier } from '@tessera/verify';
import { createAuthenticator, Rejection } from '../dist/middleware/bearer.js';

const claims = { sub: 's', scopes: ['read'] } as unknown as TesseraClaims;

/** A verifier whose verifyFast answers what the test says. */
function stub(answer: (token: string) => TesseraClaims | Promise<TesseraClaims>): Verifier & { tokens: string[] } {
  const tokens: string[] = [];
  return {
    issuer: 'https://issuer.example',
    audiences: ['https://api.example.com'],
    requiredScopes: ['base'],
    tokens,
    verifyFast: (token: string) => (tokens.push(token), answer(token)),
  } as unknown as Verifier & { tokens: string[] };
}

describe('createAuthenticator', () => {
  it('refuses a realm or scopes that would break the header', () => {
    const verifier = stub(() => claims);
    assert.throws(() => createAuthenticator({ verifier, realm: 'a\r\nSet-Cookie: x=1' }), TypeError);
    assert.throws(() => createAuthenticator({ verifier, scopes: ['a\nb'] }), TypeError);
  });

  it('answers synchronously when the verifier does, and passes the route scopes', () => {
    const verifier = stub(() => claims);
    const authenticate = createAuthenticator({ verifier, scopes: ['read'] });
    assert.equal(authenticate('Bearer abc.def.ghi', '/x'), claims);
    assert.deepEqual(verifier.tokens, ['abc.def.ghi']);
  });

  it('maps VerifyError codes to 401, 403 (naming verifier and route scopes) and 503', async () => {
    const cases: [VerifyError['code'], number][] = [['token_expired', 401], ['token_insufficient_scope', 403], ['jwks_unavailable', 503], ['revocations_stale', 503]];
    for (const [code, status] of cases) {
      const seen: VerifyError[] = [];
      const verifier = stub(() => Promise.reject(new VerifyError(code)));
      const outcome = await createAuthenticator({ verifier, scopes: ['write'], onError: (e) => seen.push(e) })('Bearer t', undefined);
      assert.ok(outcome instanceof Rejection);
      assert.equal(outcome.status, status);
      assert.equal(seen[0]?.code, code);
      if (status === 403) assert.match(outcome.headers['www-authenticate'] ?? '', /scope="base write"$/);
    }
  });

  it('lets errors that are not VerifyErrors propagate', async () => {
    const verifier = stub(() => Promise.reject(new RangeError('bug')));
    await assert.rejects(Promise.resolve(createAuthenticator({ verifier })('Bearer t', undefined)), RangeError);
  });

  it('reads RFC 6750 §2.1 b64token syntax only', () => {
    const verifier = stub(() => claims);
    const authenticate = createAuthenticator({ verifier });
    for (const header of ['Bearer a+b/c=', 'Bearer   abc', 'bearer abc  ', 'Bearer a-b.c_d~e']) assert.equal(authenticate(header, undefined), claims, header);
    for (const header of ['Bearer a,b', 'Bearer "abc"', 'Bearer a=b', 'Bearer\tabc']) {
      const outcome = authenticate(header, undefined);
      assert.ok(outcome instanceof Rejection && outcome.status === 401, header);
    }
    assert.equal(verifier.tokens.length, 4);
  });
});
