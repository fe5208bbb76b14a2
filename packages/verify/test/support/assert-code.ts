import assert from 'node:assert/strict';
import { VerifyError, type TesseraClaims, type Verifier, type VerifyErrorCode, type VerifyOptions } from '@tessera/verify';

/** Asserts that `promise` rejects with a VerifyError of `code`. */
export async function rejectsWith(promise: Promise<unknown>, code: VerifyErrorCode, note = ''): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof VerifyError, `not a VerifyError: ${String(error)} ${note}`);
    assert.equal(error.code, code, `${error.detail ?? ''} ${note}`);
    return true;
  });
}

/** Asserts that both verifySync and verify refuse `token` with `code`, and that no message echoes it. */
export async function refused(verifier: Verifier, token: string, code: VerifyErrorCode, options?: VerifyOptions): Promise<void> {
  const note = `(token ${String(token).slice(0, 40)}…)`;
  assert.throws(
    () => verifier.verifySync(token, options),
    (error: unknown) => {
      assert.ok(error instanceof VerifyError, `not a VerifyError: ${String(error)}`);
      assert.equal(error.code, code, `${error.detail ?? ''} ${note}`);
      if (typeof token === 'string' && token.length > 20) {
        assert.ok(!error.message.includes(token.slice(-20)) && !(error.detail ?? '').includes(token.slice(-20)), 'the error echoes the token');
      }
      return true;
    },
  );
  await rejectsWith(verifier.verify(token, options), code, note);
}

/** Asserts that every path accepts `token` and returns the same claims. */
export async function accepted(verifier: Verifier, token: string, options?: VerifyOptions): Promise<TesseraClaims> {
  const claims = verifier.verifySync(token, options);
  assert.deepEqual(await verifier.verify(token, options), claims);
  assert.deepEqual(await verifier.verifyFast(token, options), claims);
  return claims;
}
