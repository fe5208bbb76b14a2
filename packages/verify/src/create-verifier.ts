import type { VerifierOptions } from './options.js';
import { createRevocationCheck } from './revocations/index.js';
import { buildVerifier, type Verifier } from './verifier.js';

/**
 * Creates a verifier for one Tessera issuer: reads its discovery document (checking it names `issuer`),
 * loads the JWKS, and — when `revocations` credentials are given — subscribes to the revocation feed.
 * Rejects with a VerifyError (`discovery_failed`, `jwks_unavailable`) when the issuer cannot be reached,
 * and with a TypeError on a bad option.
 */
export function createVerifier(options: VerifierOptions): Promise<Verifier> {
  return buildVerifier(options, createRevocationCheck);
}
