import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RevocationSet, type ChangeEntry, type ChangeKind } from '@tessera/core';

let seq = 0;
const entry = (kind: ChangeKind, target: string, createdAt: number, expiresAt = createdAt + 3_600_000): ChangeEntry => ({
  kind,
  target,
  createdAt,
  expiresAt,
  seq: ++seq,
});

const T = Date.UTC(2026, 0, 1); // a whole second
const token = (overrides: Partial<{ jti: string; sub: string; client_id: string; iat: number; sid: string; fam: string }> = {}) => ({
  jti: 'jti-1',
  sub: 'user-1',
  client_id: 'client-1',
  iat: T / 1000,
  ...overrides,
});

describe('RevocationSet', () => {
  it('revokes a token by jti, and only that jti', () => {
    const set = new RevocationSet();
    set.apply(entry('revoke.token', 'jti-1', T));
    assert.equal(set.isRevoked(token(), 'k1'), true);
    assert.equal(set.isRevoked(token({ jti: 'jti-2' }), 'k1'), false);
  });

  for (const [kind, field] of [['revoke.subject', 'sub'], ['revoke.client', 'client_id'], ['revoke.session', 'sid']] as const) {
    it(`${kind}: a watermark revokes tokens issued before it, not after`, () => {
      const set = new RevocationSet();
      set.apply(entry(kind, 'target', T + 10_000));
      assert.equal(set.isRevoked(token({ [field]: 'target', iat: T / 1000 }), 'k1'), true);
      assert.equal(set.isRevoked(token({ [field]: 'target', iat: T / 1000 + 11 }), 'k1'), false);
      assert.equal(set.isRevoked(token({ [field]: 'other', iat: T / 1000 }), 'k1'), false);
    });
  }

  it('iat has one-second resolution: a token of the watermark second counts as issued before it', () => {
    const set = new RevocationSet();
    set.apply(entry('revoke.client', 'c', T + 500));
    assert.equal(set.isRevoked(token({ client_id: 'c', iat: T / 1000 }), 'k'), true, 'same second, earlier or later ms');
    assert.equal(set.isRevoked(token({ client_id: 'c', iat: T / 1000 + 1 }), 'k'), false, 'the next second');
    const exact = new RevocationSet();
    exact.apply(entry('revoke.client', 'c', T));
    assert.equal(exact.isRevoked(token({ client_id: 'c', iat: T / 1000 }), 'k'), true, 'watermark on the second boundary');
    assert.equal(exact.isRevoked(token({ client_id: 'c', iat: T / 1000 - 1 }), 'k'), true);
  });

  it('a session watermark does not touch tokens without sid', () => {
    const set = new RevocationSet();
    set.apply(entry('revoke.session', 'sess', T + 10_000));
    assert.equal(set.isRevoked(token(), 'k'), false);
    assert.equal(set.isRevoked(token({ sid: 'sess' }), 'k'), true);
  });

  it('keeps the latest watermark: an older entry applied later does not lower it', () => {
    const set = new RevocationSet();
    set.apply(entry('revoke.subject', 'u', T + 60_000));
    set.apply(entry('revoke.subject', 'u', T + 1_000));
    assert.equal(set.isRevoked(token({ sub: 'u', iat: T / 1000 + 30 }), 'k'), true);
    set.apply(entry('revoke.subject', 'u', T + 120_000));
    assert.equal(set.isRevoked(token({ sub: 'u', iat: T / 1000 + 90 }), 'k'), true);
    assert.equal(set.size, 1);
  });

  it('revokes a whole family, only for tokens that carry it', () => {
    const set = new RevocationSet();
    set.apply(entry('revoke.family', 'fam-1', T));
    assert.equal(set.isRevoked(token({ fam: 'fam-1', iat: T / 1000 + 999 }), 'k'), true);
    assert.equal(set.isRevoked(token({ fam: 'fam-2' }), 'k'), false);
    assert.equal(set.isRevoked(token(), 'k'), false);
  });

  it('revokes every token signed by a key, whatever its iat', () => {
    const set = new RevocationSet();
    set.apply(entry('revoke.key', 'kid-bad', T));
    assert.equal(set.isRevoked(token({ iat: T / 1000 + 999 }), 'kid-bad'), true);
    assert.equal(set.isRevoked(token(), 'kid-good'), false);
  });

  it('ignores non-revocation kinds and is idempotent', () => {
    const set = new RevocationSet();
    set.apply(entry('client.changed', 'client-1', T + 10_000));
    set.apply(entry('keys.changed', '*', T + 10_000));
    assert.equal(set.size, 0);
    assert.equal(set.isRevoked(token(), 'k'), false);
    const revoke = entry('revoke.token', 'jti-1', T);
    set.apply(revoke);
    set.apply(revoke);
    assert.equal(set.size, 1);
  });

  it('counts entries of every kind in size', () => {
    const set = new RevocationSet();
    const kinds: ChangeKind[] = ['revoke.token', 'revoke.subject', 'revoke.client', 'revoke.session', 'revoke.family', 'revoke.key'];
    kinds.forEach((kind, i) => set.apply(entry(kind, `t${i}`, T)));
    assert.equal(set.size, 6);
  });

  it('prune drops entries expired at or before now and keeps the rest', () => {
    const set = new RevocationSet();
    const kinds: ChangeKind[] = ['revoke.token', 'revoke.subject', 'revoke.client', 'revoke.session', 'revoke.family', 'revoke.key'];
    for (const kind of kinds) {
      set.apply(entry(kind, 'short', T, T + 1_000));
      set.apply(entry(kind, 'long', T, T + 2_000));
    }
    set.prune(T + 999);
    assert.equal(set.size, 12);
    set.prune(T + 1_000);
    assert.equal(set.size, 6);
    assert.equal(set.isRevoked(token({ jti: 'short' }), 'k'), false);
    assert.equal(set.isRevoked(token({ jti: 'long' }), 'k'), true);
    assert.equal(set.isRevoked(token({ sub: 'short' }), 'k'), false);
    assert.equal(set.isRevoked(token({ client_id: 'long' }), 'k'), true);
    set.prune(T + 2_000);
    assert.equal(set.size, 0);
  });
});
