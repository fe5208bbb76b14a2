import { digestsEqual, sha256 } from '../encoding.js';
import type { ClientRecord } from '../model.js';

/**
 * Whether `secret` matches one of the client's unexpired secrets. One SHA-256 and constant-time
 * comparisons against every candidate, so timing reveals neither which secret matched nor how much.
 */
export function secretMatches(client: ClientRecord, secret: string, now: number): boolean {
  const digest = sha256(secret);
  let matched = false;
  for (const candidate of client.secrets) {
    const live = candidate.expiresAt === null || candidate.expiresAt > now;
    if (digestsEqual(candidate.hash, digest) && live) matched = true;
  }
  return matched;
}
