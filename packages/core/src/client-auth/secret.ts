import { digestsEqual, sha256 } from '../encoding.js';
import type { ClientRecord, ClientSecretRecord } from '../model.js';

interface ProvenSecret {
  candidate: ClientSecretRecord;
  /** The candidate's hash when it matched; a record changed in place no longer counts. */
  hash: string;
}

/**
 * Secrets already proven for a client record, so a caller presenting the same secret again skips the
 * SHA-256 (the largest cost of authenticating on a busy host). Keyed by the record object: the client
 * directory replaces a record whenever the client changes, so a rotation, disable or delete starts
 * from an empty memo, and a record that is no longer referenced takes its memo with it. Holding
 * secrets in memory exposes nothing new: this process also holds the signing keys.
 */
const proven = new WeakMap<ClientRecord, Map<string, ProvenSecret>>();
/** A client has one or two live secrets; the bound only caps memory if a record lives for long. */
const MAX_PROVEN_PER_CLIENT = 8;

const isLive = (candidate: ClientSecretRecord, now: number): boolean =>
  candidate.expiresAt === null || candidate.expiresAt > now;

function stillProven(client: ClientRecord, memo: ProvenSecret | undefined, now: number): boolean {
  return (
    memo !== undefined && memo.candidate.hash === memo.hash && isLive(memo.candidate, now) && client.secrets.includes(memo.candidate)
  );
}

/**
 * Whether `secret` matches one of the client's unexpired secrets. A secret not proven before costs one
 * SHA-256 and constant-time comparisons against every candidate, so timing reveals neither which
 * secret matched nor how much; only the exact secret of a successful earlier call is answered faster.
 */
export function secretMatches(client: ClientRecord, secret: string, now: number): boolean {
  const memo = proven.get(client);
  if (stillProven(client, memo?.get(secret), now)) return true;
  const digest = sha256(secret);
  let matched: ClientSecretRecord | undefined;
  for (const candidate of client.secrets) {
    if (digestsEqual(candidate.hash, digest) && isLive(candidate, now)) matched = candidate;
  }
  if (matched === undefined) return false;
  const secrets = memo ?? new Map<string, ProvenSecret>();
  if (secrets.size >= MAX_PROVEN_PER_CLIENT) secrets.clear();
  secrets.set(secret, { candidate: matched, hash: matched.hash });
  if (!memo) proven.set(client, secrets);
  return true;
}
