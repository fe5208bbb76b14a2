import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RefreshTokenRecord } from '@tessera/core';
import { openPostgresStore, type PostgresStore } from '@tessera/store-sql';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '@tessera/store-sql/testing';
import { waitsForLock } from './support/lock-wait.js';

const skip = await postgresSkipReason();

const token = (hash: string, familyId: string): RefreshTokenRecord => ({
  hash,
  familyId,
  clientId: 'tc_race',
  userId: 'tu_race',
  sessionId: 'ts_race',
  scopes: ['openid'],
  audience: ['https://api.example'],
  authTime: 1,
  createdAt: 1,
  expiresAt: 10_000,
  familyExpiresAt: 10_000,
  consumedAt: null,
  revokedAt: null,
  graceResponse: null,
  graceUntil: null,
});

// A skipped suite counts no tests; one skipped test makes the skip visible in the summary.
if (skip) it('PostgreSQL refresh-token family revocation racing a rotation', { skip }, () => undefined);
else describe('PostgreSQL refresh-token family revocation racing a rotation', () => {
  let database: TestDatabase;
  let store: PostgresStore;
  before(async () => {
    database = await createTestDatabase();
    store = await openPostgresStore({ url: database.url });
  });
  after(async () => {
    await store?.close();
    await database?.drop();
  });

  it('also revokes the token that a rotation committing meanwhile inserted into the family', async () => {
    await store.insertRefreshToken(token('h_current', 'f_race'));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let rotated!: () => void;
    const rotatedUncommitted = new Promise<void>((resolve) => (rotated = resolve));
    // The rotation's own two statements (see rotateRefreshToken), held open before its commit.
    const rotation = store.driver.transaction(async (tx) => {
      await tx.run('UPDATE refresh_tokens SET consumed_at = ? WHERE hash = ? AND consumed_at IS NULL AND revoked_at IS NULL', [2, 'h_current']);
      const next = token('h_next', 'f_race');
      await tx.run(
        `INSERT INTO refresh_tokens (hash, family_id, user_id, session_id, family_expires_at, consumed_at, revoked_at, grace_response, grace_until, doc)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [next.hash, next.familyId, next.userId, next.sessionId, next.familyExpiresAt, null, null, null, null, JSON.stringify(next)],
      );
      rotated();
      await gate;
    });
    await rotatedUncommitted;
    const revocation = store.revokeRefreshFamily('f_race', 3, []);
    assert.equal(await waitsForLock(store, revocation), true, 'the revocation waits for the rotation');
    release();
    await rotation;
    await revocation;
    assert.equal((await store.getRefreshToken('h_current'))?.revokedAt, 3);
    assert.equal((await store.getRefreshToken('h_next'))?.revokedAt, 3, 'the token the rotation inserted is revoked too');
  });
});
