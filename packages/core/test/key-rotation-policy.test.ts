import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RotationPolicyError, planKeySteps, validateRotationPolicy, type RotationPolicy, type SigningKeyRecord } from '@tessera/core';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const policy: RotationPolicy = { rotationInterval: 30 * DAY, prePublication: DAY, retirementMargin: 10 * 60_000, maxTokenLifetime: HOUR };

function key(kid: string, state: SigningKeyRecord['state'], createdAt: number, activatedAt: number | null = null): SigningKeyRecord {
  return {
    kid,
    alg: 'ES256',
    state,
    publicJwk: {},
    encryptedPrivateJwk: '',
    createdAt,
    activatedAt,
    retiredAt: null,
    removeAfter: null,
    revokedAt: null,
  };
}

test('policy validation refuses a pre-publication lead shorter than twice the JWKS max-age', () => {
  assert.throws(() => validateRotationPolicy({ ...policy, prePublication: 500_000 }, 300_000), RotationPolicyError);
  assert.throws(() => validateRotationPolicy({ ...policy, rotationInterval: DAY }, 300_000), RotationPolicyError);
  assert.equal(validateRotationPolicy(policy, 300_000), policy);
});

test('an empty keyring gets an active key at once, per configured algorithm', () => {
  assert.deepEqual(planKeySteps([], 0, policy, ['ES256', 'EdDSA']), [
    { step: 'create-active', alg: 'ES256' },
    { step: 'create-active', alg: 'EdDSA' },
  ]);
});

test('nothing is due during the active period before the lead time', () => {
  const keys = [key('a', 'active', 0, 0)];
  assert.deepEqual(planKeySteps(keys, 30 * DAY - DAY - 1, policy, ['ES256']), []);
});

test('the next key is published one lead time before the active key is due', () => {
  const keys = [key('a', 'active', 0, 0)];
  assert.deepEqual(planKeySteps(keys, 29 * DAY, policy, ['ES256']), [{ step: 'create-next', alg: 'ES256' }]);
});

test('at the due time the next key activates and the old key retires until its last token expired plus margin', () => {
  const keys = [key('a', 'active', 0, 0), key('b', 'next', 29 * DAY)];
  assert.deepEqual(planKeySteps(keys, 30 * DAY - 1, policy, ['ES256']), []);
  assert.deepEqual(planKeySteps(keys, 30 * DAY, policy, ['ES256']), [
    { step: 'activate', kid: 'b' },
    { step: 'retire', kid: 'a', removeAfter: 30 * DAY + HOUR + 10 * 60_000 },
  ]);
});

test('a next key published late (server was down) waits for its full lead time before signing', () => {
  const keys = [key('a', 'active', 0, 0), key('b', 'next', 40 * DAY)];
  assert.deepEqual(planKeySteps(keys, 40 * DAY + DAY - 1, policy, ['ES256']), []);
  assert.equal(planKeySteps(keys, 41 * DAY, policy, ['ES256'])[0]?.step, 'activate');
});

test('an algorithm no longer configured retires its active key and withdraws its next key', () => {
  const keys = [key('a', 'active', 0, 0), key('b', 'next', 1)];
  assert.deepEqual(planKeySteps(keys, 5, policy, []), [
    { step: 'retire', kid: 'a', removeAfter: 5 + HOUR + 10 * 60_000 },
    { step: 'retire', kid: 'b', removeAfter: 5 },
  ]);
});

test('the plan is a pure function: same inputs, same steps; revoked and retired keys are ignored', () => {
  const keys = [key('x', 'revoked', 0, 0), key('y', 'retired', 0, 0), key('a', 'active', DAY, DAY)];
  assert.deepEqual(planKeySteps(keys, 2 * DAY, policy, ['ES256']), planKeySteps(keys, 2 * DAY, policy, ['ES256']));
  assert.deepEqual(planKeySteps(keys, 2 * DAY, policy, ['ES256']), []);
});
