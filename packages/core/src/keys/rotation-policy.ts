import type { SigningAlgorithm, SigningKeyRecord } from '../model.js';

/** When keys rotate. All durations in milliseconds. */
export interface RotationPolicy {
  /** How long a key signs before the next one takes over. */
  rotationInterval: number;
  /** How long a `next` key is published in the JWKS before it may sign: at least twice the JWKS max-age. */
  prePublication: number;
  /** A retired key stays published for the longest token lifetime plus this margin (clock skew, caches). */
  retirementMargin: number;
  /** Longest access-token lifetime: a retired key is published at least this long after retirement. */
  maxTokenLifetime: number;
}

/** One step the schedule asks for. Applying the same plan twice is prevented by re-planning from fresh keys. */
export type KeyStep =
  | { step: 'create-next'; alg: SigningAlgorithm }
  | { step: 'create-active'; alg: SigningAlgorithm }
  | { step: 'activate'; kid: string }
  | { step: 'retire'; kid: string; removeAfter: number };

export class RotationPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RotationPolicyError';
  }
}

/** Refuses a policy that could let a verifier meet a key it has not fetched yet, with a message saying why. */
export function validateRotationPolicy(policy: RotationPolicy, jwksMaxAgeMs: number): RotationPolicy {
  if (policy.prePublication < 2 * jwksMaxAgeMs) {
    throw new RotationPolicyError(
      `key pre-publication (${policy.prePublication / 1000}s) must be at least twice the JWKS max-age ` +
        `(${jwksMaxAgeMs / 1000}s), so every verifier that honours Cache-Control has the next key before it signs`,
    );
  }
  if (policy.rotationInterval <= policy.prePublication) {
    throw new RotationPolicyError('the key rotation interval must be longer than the pre-publication lead time');
  }
  if (policy.retirementMargin < 0) throw new RotationPolicyError('the retirement margin must not be negative');
  return policy;
}

/** When an active key is due to hand over to the next one. */
export const rotationDueAt = (active: SigningKeyRecord, policy: RotationPolicy): number =>
  (active.activatedAt ?? active.createdAt) + policy.rotationInterval;

/** When a next key may start signing: published for the lead time and its predecessor due. */
export function activationAt(next: SigningKeyRecord, active: SigningKeyRecord | undefined, policy: RotationPolicy): number {
  const published = next.createdAt + policy.prePublication;
  return active ? Math.max(published, rotationDueAt(active, policy)) : next.createdAt;
}

/**
 * The schedule as a pure function of (keys, now, policy): which steps are due now, per algorithm.
 * - no active key: activate the next key if there is one, else create an active key at once;
 * - the active key is due within the lead time and there is no next key: create one (published now);
 * - the active key is due and the next key has been published for the lead time: activate it and
 *   retire the old one, which stays published until its last token has expired plus the margin;
 * - an algorithm no longer configured: its active key retires, its next key is withdrawn.
 */
export function planKeySteps(
  keys: readonly SigningKeyRecord[],
  now: number,
  policy: RotationPolicy,
  algorithms: readonly SigningAlgorithm[],
): KeyStep[] {
  const steps: KeyStep[] = [];
  const removeAfter = now + policy.maxTokenLifetime + policy.retirementMargin;
  for (const alg of algorithms) {
    const active = keys.find((k) => k.alg === alg && k.state === 'active');
    const next = keys.find((k) => k.alg === alg && k.state === 'next');
    if (!active) {
      steps.push(next ? { step: 'activate', kid: next.kid } : { step: 'create-active', alg });
      continue;
    }
    const due = rotationDueAt(active, policy);
    if (!next) {
      if (now >= due - policy.prePublication) steps.push({ step: 'create-next', alg });
      continue;
    }
    if (now >= activationAt(next, active, policy)) {
      steps.push({ step: 'activate', kid: next.kid }, { step: 'retire', kid: active.kid, removeAfter });
    }
  }
  for (const key of keys) {
    if (algorithms.includes(key.alg)) continue;
    if (key.state === 'active') steps.push({ step: 'retire', kid: key.kid, removeAfter });
    if (key.state === 'next') steps.push({ step: 'retire', kid: key.kid, removeAfter: now });
  }
  return steps;
}
