import { createVerifier, type Verifier, type VerifierOptions } from '@tessera/verify';
import { FakeClock, makeKey, startIssuer, type TestIssuer, type TestKey } from './issuer.js';

export const API = 'https://api.example.com';

export interface Fixture {
  issuer: TestIssuer;
  clock: FakeClock;
  verifier: Verifier;
  es256: TestKey;
  eddsa: TestKey;
  rs256: TestKey;
  close(): Promise<void>;
}

let rsaKey: TestKey | undefined;

/** A local issuer with one key per algorithm and a verifier on a fake clock. */
export async function fixture(options: Partial<VerifierOptions> = {}): Promise<Fixture> {
  const es256 = makeKey('ES256');
  const eddsa = makeKey('EdDSA');
  rsaKey ??= makeKey('RS256');
  const rs256 = rsaKey;
  const issuer = await startIssuer([es256, eddsa, rs256]);
  const clock = new FakeClock();
  const verifier = await createVerifier({ issuer: issuer.url, audience: API, clock: clock.now, ...options });
  return {
    issuer,
    clock,
    verifier,
    es256,
    eddsa,
    rs256,
    async close() {
      await verifier.close();
      await issuer.close();
    },
  };
}
