import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AuthorizationCodeRecord, DeviceCodeRecord, RefreshTokenRecord, SessionRecord, UserRecord } from '../login/model.js';
import { DuplicateError, type Store } from '../ports/store.js';

const user = (id: string, username: string, createdAt = 1_000): UserRecord => ({
  id,
  username,
  email: `${username}@example.com`,
  name: null,
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  disabled: false,
  createdAt,
  updatedAt: createdAt,
});

const session = (id: string, userId: string, createdAt = 1_000): SessionRecord => ({
  id,
  secretHash: 'c2VjcmV0',
  userId,
  authTime: createdAt,
  createdAt,
  lastSeenAt: createdAt,
  expiresAt: createdAt + 1_000_000,
  endedAt: null,
  ip: '127.0.0.1',
  userAgent: 'test',
});

const refresh = (hash: string, familyId: string, userId: string, sessionId: string): RefreshTokenRecord => ({
  hash,
  familyId,
  clientId: 'c1',
  userId,
  sessionId,
  scopes: ['openid', 'read'],
  audience: ['https://api.example'],
  authTime: 1_000,
  createdAt: 1_000,
  expiresAt: 500_000,
  familyExpiresAt: 900_000,
  consumedAt: null,
  revokedAt: null,
  graceResponse: null,
  graceUntil: null,
});

const code = (hash: string): AuthorizationCodeRecord => ({
  hash,
  clientId: 'c1',
  userId: 'u1',
  sessionId: 's1',
  redirectUri: 'https://app.example/cb',
  scopes: ['openid'],
  resources: [],
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  nonce: 'n',
  authTime: 1_000,
  familyId: 'f-code',
  createdAt: 1_000,
  expiresAt: 61_000,
  consumedAt: null,
});

const device = (hash: string, userCode: string): DeviceCodeRecord => ({
  hash,
  userCode,
  clientId: 'c1',
  scopes: ['read'],
  resources: [],
  state: 'pending',
  userId: null,
  sessionId: null,
  authTime: null,
  familyId: 'f-dev',
  interval: 5,
  lastPolledAt: null,
  createdAt: 1_000,
  expiresAt: 601_000,
});

/** Contract cases for the login half of the Store (ports/login-store.ts); runs inside runStoreContract. */
export function loginStoreContract(get: () => Store): void {
  it('login: creates users with unique usernames ignoring case, finds and lists them', async () => {
    const store = get();
    await store.insertUser(user('tu_a', 'Alice', 1_000), []);
    await store.insertUser(user('tu_b', 'bob', 2_000), []);
    await assert.rejects(store.insertUser(user('tu_c', 'ALICE'), []), DuplicateError);
    await assert.rejects(store.insertUser(user('tu_a', 'carol'), []), DuplicateError);
    assert.equal((await store.findUserByUsername('alice'))?.id, 'tu_a');
    assert.equal(await store.findUserByUsername('nobody'), undefined);
    assert.deepEqual(await store.getUser('tu_b'), user('tu_b', 'bob', 2_000));
    assert.deepEqual((await store.listUsers()).map((u) => u.id).slice(0, 2), ['tu_a', 'tu_b']);
  });

  it('login: updating a user can end all their sessions and revoke their refresh tokens in one step', async () => {
    const store = get();
    await store.insertUser(user('tu_d', 'dora'), []);
    await store.insertSession(session('s_d1', 'tu_d'));
    await store.insertSession(session('s_d2', 'tu_d'));
    await store.insertRefreshToken(refresh('h_d1', 'f_d', 'tu_d', 's_d1'));
    const cursor = await store.latestCursor();
    const updated = { ...user('tu_d', 'dora'), disabled: true };
    const watermark = { kind: 'revoke.subject' as const, target: 'tu_d', createdAt: 5_000, expiresAt: 99_000 };
    assert.equal(await store.updateUser(updated, [watermark], 5_000), true);
    assert.equal((await store.getUser('tu_d'))?.disabled, true);
    assert.deepEqual(await store.listSessions(2_000, 'tu_d'), []);
    assert.equal((await store.getSession('s_d1'))?.endedAt, 5_000);
    assert.equal((await store.getRefreshToken('h_d1'))?.revokedAt, 5_000);
    assert.deepEqual((await store.changesSince(cursor, 10)).map((e) => [e.kind, e.target]), [['revoke.subject', 'tu_d']]);
    assert.equal(await store.updateUser(user('tu_missing', 'ghost'), []), false);
  });

  it('login: deletes a user with their sessions and consents', async () => {
    const store = get();
    await store.insertUser(user('tu_e', 'erin'), []);
    await store.insertSession(session('s_e', 'tu_e'));
    await store.saveConsent({ userId: 'tu_e', clientId: 'c1', scopes: ['read'], updatedAt: 1 });
    assert.equal(await store.deleteUser('tu_e', [], 7_000), true);
    assert.equal(await store.getUser('tu_e'), undefined);
    assert.equal(await store.getConsent('tu_e', 'c1'), undefined);
    assert.equal((await store.getSession('s_e'))?.endedAt, 7_000);
    assert.equal(await store.deleteUser('tu_e', [], 7_000), false);
  });

  it('login: sessions are listed while open, touched, and ended once with their refresh tokens', async () => {
    const store = get();
    await store.insertSession(session('s_f', 'tu_f', 10_000));
    await assert.rejects(store.insertSession(session('s_f', 'tu_f')), DuplicateError);
    await store.touchSession('s_f', 20_000);
    assert.equal((await store.getSession('s_f'))?.lastSeenAt, 20_000);
    assert.deepEqual((await store.listSessions(20_000, 'tu_f')).map((s) => s.id), ['s_f']);
    assert.ok((await store.listSessions(20_000)).some((s) => s.id === 's_f'));
    await store.insertRefreshToken(refresh('h_f', 'f_f', 'tu_f', 's_f'));
    const change = { kind: 'revoke.session' as const, target: 's_f', createdAt: 30_000, expiresAt: 99_000 };
    assert.equal(await store.endSession('s_f', 30_000, [change]), true);
    assert.equal(await store.endSession('s_f', 31_000, [change]), false);
    assert.equal((await store.getRefreshToken('h_f'))?.revokedAt, 30_000);
    assert.deepEqual(await store.listSessions(20_000, 'tu_f'), []);
  });

  it('login: remembers consent per user and client', async () => {
    const store = get();
    await store.saveConsent({ userId: 'u1', clientId: 'c1', scopes: ['read'], updatedAt: 1 });
    await store.saveConsent({ userId: 'u1', clientId: 'c1', scopes: ['read', 'write'], updatedAt: 2 });
    assert.deepEqual(await store.getConsent('u1', 'c1'), { userId: 'u1', clientId: 'c1', scopes: ['read', 'write'], updatedAt: 2 });
    assert.equal(await store.getConsent('u1', 'c2'), undefined);
  });

  it('login: an authorization code is consumed by exactly one of many concurrent redemptions', async () => {
    const store = get();
    await store.insertAuthorizationCode(code('code-1'));
    const results = await Promise.all(Array.from({ length: 8 }, () => store.consumeAuthorizationCode('code-1', 5_000)));
    assert.equal(results.filter((r) => r?.firstUse).length, 1);
    assert.deepEqual(results[0]?.code.scopes, ['openid']);
    const again = await store.consumeAuthorizationCode('code-1', 6_000);
    assert.equal(again?.firstUse, false);
    assert.equal(again?.code.consumedAt, 5_000);
    assert.equal(await store.consumeAuthorizationCode('missing', 1), undefined);
  });

  it('login: rotates a refresh token once; concurrent rotations have exactly one winner', async () => {
    const store = get();
    await store.insertRefreshToken(refresh('r0', 'fam-r', 'u1', 's1'));
    const attempts = await Promise.all(
      Array.from({ length: 6 }, (_, i) => store.rotateRefreshToken('r0', 2_000, refresh(`r1-${i}`, 'fam-r', 'u1', 's1'), { response: 'sealed', until: 4_000 })),
    );
    assert.equal(attempts.filter(Boolean).length, 1);
    const winner = attempts.indexOf(true);
    const old = await store.getRefreshToken('r0');
    assert.equal(old?.consumedAt, 2_000);
    assert.equal(old?.graceResponse, 'sealed');
    assert.equal(old?.graceUntil, 4_000);
    assert.ok(await store.getRefreshToken(`r1-${winner}`));
    for (let i = 0; i < 6; i++) if (i !== winner) assert.equal(await store.getRefreshToken(`r1-${i}`), undefined);
  });

  it('login: revoking a family marks every token revoked and appends the change', async () => {
    const store = get();
    await store.insertRefreshToken(refresh('fa1', 'fam-x', 'u1', 's1'));
    await store.insertRefreshToken(refresh('fa2', 'fam-x', 'u1', 's1'));
    await store.insertRefreshToken(refresh('fb1', 'fam-y', 'u1', 's1'));
    const cursor = await store.latestCursor();
    const n = await store.revokeRefreshFamily('fam-x', 3_000, [{ kind: 'revoke.family', target: 'fam-x', createdAt: 3_000, expiresAt: 99_000 }]);
    assert.equal(n, 2);
    assert.equal((await store.getRefreshToken('fa2'))?.revokedAt, 3_000);
    assert.equal((await store.getRefreshToken('fb1'))?.revokedAt, null);
    assert.equal(await store.rotateRefreshToken('fa1', 4_000, refresh('fa3', 'fam-x', 'u1', 's1'), null), false);
    assert.deepEqual((await store.changesSince(cursor, 10)).map((e) => e.target), ['fam-x']);
  });

  it('login: device codes are found by user code and updated conditionally', async () => {
    const store = get();
    await store.insertDeviceCode(device('d1', 'BCDFGHJK'));
    await assert.rejects(store.insertDeviceCode(device('d2', 'BCDFGHJK')), DuplicateError);
    assert.equal((await store.findDeviceCodeByUserCode('BCDFGHJK', 2_000))?.hash, 'd1');
    assert.equal(await store.findDeviceCodeByUserCode('BCDFGHJK', 700_000), undefined);
    assert.equal(await store.updateDeviceCode('d1', { state: 'pending', lastPolledAt: null }, { lastPolledAt: 3_000 }), true);
    assert.equal(await store.updateDeviceCode('d1', { state: 'pending', lastPolledAt: null }, { lastPolledAt: 4_000 }), false);
    assert.equal(await store.updateDeviceCode('d1', { state: 'pending', lastPolledAt: 3_000 }, { interval: 10 }), true);
    assert.equal((await store.getDeviceCode('d1'))?.interval, 10);
    assert.equal(await store.updateDeviceCode('d1', { state: 'pending' }, { state: 'approved', userId: 'u1', sessionId: 's1', authTime: 3_500 }), true);
    assert.equal(await store.updateDeviceCode('d1', { state: 'pending' }, { state: 'denied' }), false);
    const d = await store.getDeviceCode('d1');
    assert.deepEqual([d?.state, d?.userId, d?.sessionId, d?.authTime, d?.lastPolledAt], ['approved', 'u1', 's1', 3_500, 3_000]);
  });

  it('login: prunes expired codes, refresh families, device codes and sessions', async () => {
    const store = get();
    await store.insertAuthorizationCode({ ...code('old-code'), expiresAt: 10 });
    await store.insertRefreshToken({ ...refresh('old-rt', 'fam-old', 'u1', 's1'), familyExpiresAt: 10 });
    const removed = await store.pruneLogin(50);
    assert.ok(removed >= 2);
    assert.equal(await store.consumeAuthorizationCode('old-code', 60), undefined);
    assert.equal(await store.getRefreshToken('old-rt'), undefined);
  });
}
