import assert from 'node:assert/strict';
import { createTokenManager, TokenError, type TokenErrorCode, type TokenManager, type TokenManagerOptions } from '@tessera/client';
import { FakeClock, recordingSleep, type RecordingSleep } from './clock.js';
import type { FakeIssuer } from './fake-issuer.js';

export const SECRET = 'tsec_s3cr3t-never-in-messages';

export interface Harness {
  manager: TokenManager;
  clock: FakeClock;
  sleeps: RecordingSleep;
}

/** A client_secret_basic manager against the fake issuer with a fake clock, no-wait sleeps and fixed jitter. */
export function managerFor(issuer: FakeIssuer, options: Partial<TokenManagerOptions> = {}): Harness {
  const clock = new FakeClock();
  const sleeps = recordingSleep(clock);
  const manager = createTokenManager({
    issuer: issuer.url,
    clientId: 'svc',
    clientSecret: SECRET,
    clock: clock.now,
    sleep: sleeps.sleep,
    random: () => 0.5,
    ...options,
  } as TokenManagerOptions);
  return { manager, clock, sleeps };
}

/** Asserts a TokenError of `code`, and that neither message nor description leaks `secrets`. */
export async function rejectsWithCode(promise: Promise<unknown>, code: TokenErrorCode, secrets: string[] = [SECRET]): Promise<TokenError> {
  let caught: TokenError | undefined;
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof TokenError, `not a TokenError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    for (const secret of secrets) {
      assert.ok(!error.message.includes(secret) && !String(error.stack).includes(secret), 'the error leaks a secret');
    }
    caught = error;
    return true;
  });
  return caught!;
}
