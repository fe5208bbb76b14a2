import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCodeVerifier, isS256Challenge, s256, verifyS256 } from '@tessera/core';

describe('RFC 7636 PKCE', () => {
  it('Appendix B: S256 of the example verifier is the example challenge', () => {
    assert.equal(s256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    assert.equal(verifyS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'), true);
  });

  it('§4.1 a verifier is 43 to 128 unreserved characters', () => {
    assert.equal(isCodeVerifier('a'.repeat(43)), true);
    assert.equal(isCodeVerifier('a'.repeat(128)), true);
    assert.equal(isCodeVerifier('a'.repeat(42)), false);
    assert.equal(isCodeVerifier('a'.repeat(129)), false);
    assert.equal(isCodeVerifier(`${'a'.repeat(42)}+`), false);
    assert.equal(isCodeVerifier(`${'a'.repeat(42)}~`), true);
  });

  it('§4.2 an S256 challenge is 43 base64url characters; a wrong verifier or a plain challenge fails', () => {
    const verifier = 'x'.repeat(50);
    assert.equal(isS256Challenge(s256(verifier)), true);
    assert.equal(verifyS256('y'.repeat(50), s256(verifier)), false);
    assert.equal(verifyS256(verifier, verifier), false, 'plain is never accepted');
    assert.equal(verifyS256(verifier, `${s256(verifier)}=`), false);
  });
});
