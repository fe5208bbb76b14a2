import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secretMatches } from '../dist/client-auth/secret.js';
import { sha256 } from '../dist/encoding.js';
import type { ClientRecord, ClientSecretRecord } from '@tessera/core';
import { clientRecord } from './support/harness.js';

const secretRecord = (secret: string, expiresAt: number | null = null): ClientSecretRecord => ({ hash: sha256(secret), createdAt: 0, expiresAt });

const client = (secrets: ClientSecretRecord[]): ClientRecord => clientRecord({ id: 'c1', secrets });

describe('secretMatches', () => {
  it('accepts a live secret every time it is presented and refuses any other', () => {
    const record = client([secretRecord('tsec_a')]);
    assert.equal(secretMatches(record, 'tsec_a', 0), true);
    assert.equal(secretMatches(record, 'tsec_a', 0), true);
    assert.equal(secretMatches(record, 'tsec_b', 0), false);
    assert.equal(secretMatches(record, '', 0), false);
  });

  it('refuses a secret proven earlier once its grace period has ended', () => {
    const record = client([secretRecord('tsec_old', 1_000), secretRecord('tsec_new')]);
    assert.equal(secretMatches(record, 'tsec_old', 999), true);
    assert.equal(secretMatches(record, 'tsec_old', 1_000), false);
    assert.equal(secretMatches(record, 'tsec_new', 1_000), true);
  });

  it('refuses a proven secret removed from the record, or whose hash was replaced in place', () => {
    const removed = client([secretRecord('tsec_a'), secretRecord('tsec_b')]);
    assert.equal(secretMatches(removed, 'tsec_a', 0), true);
    removed.secrets.shift();
    assert.equal(secretMatches(removed, 'tsec_a', 0), false);
    assert.equal(secretMatches(removed, 'tsec_b', 0), true);

    const replaced = client([secretRecord('tsec_a')]);
    assert.equal(secretMatches(replaced, 'tsec_a', 0), true);
    replaced.secrets[0]!.hash = sha256('tsec_z');
    assert.equal(secretMatches(replaced, 'tsec_a', 0), false);
    assert.equal(secretMatches(replaced, 'tsec_z', 0), true);
  });

  it('judges a new record of the same client only by its own secrets', () => {
    assert.equal(secretMatches(client([secretRecord('tsec_a')]), 'tsec_a', 0), true);
    assert.equal(secretMatches(client([secretRecord('tsec_b')]), 'tsec_a', 0), false);
  });

  it('stays correct past the memo bound', () => {
    const secrets = Array.from({ length: 20 }, (_, i) => `tsec_${i}`);
    const record = client(secrets.map((secret) => secretRecord(secret)));
    for (let round = 0; round < 2; round++) for (const secret of secrets) assert.equal(secretMatches(record, secret, 0), true);
    assert.equal(secretMatches(record, 'tsec_20', 0), false);
  });
});
