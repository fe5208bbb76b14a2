import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createUser, deleteUser, disableUser, enableUser, logoutUser, setUserPassword, ValidationError, LoginThrottle } from '@tessera/core';
import { FrozenClock } from '@tessera/core/testing';
import { rejectsWith } from './support/harness.js';
import { accessWorks, loginHarness, loginTokens, PASSWORD, refreshRequest } from './support/login-harness.js';

describe('users: administration', () => {
  it('creates users with unique usernames (ignoring case), hashed passwords and checked input', async () => {
    const h = await loginHarness();
    assert.match(h.user.id, /^tu_/);
    assert.notEqual(h.user.passwordHash, PASSWORD);
    assert.ok(h.user.passwordHash?.startsWith('fake$'));
    await assert.rejects(createUser(h.users, { username: 'ALICE' }), ValidationError);
    await assert.rejects(createUser(h.users, { username: 'has space' }), ValidationError);
    await assert.rejects(createUser(h.users, { username: '' }), ValidationError);
    await assert.rejects(createUser(h.users, { username: 'bob', email: 'not-an-email' }), ValidationError);
    await assert.rejects(createUser(h.users, { username: 'bob', password: 'short' }), /at least 8/);
    const bob = await createUser(h.users, { username: 'bob' });
    assert.equal(bob.passwordHash, null, 'no password: cannot log in');
    assert.deepEqual(h.events.ofType('user.created').map((e) => e.subject), [h.user.id, bob.id]);
  });

  it('disabling revokes every token of the user at once (subject watermark) and ends the sessions', async () => {
    const h = await loginHarness();
    const tokens = await loginTokens(h);
    assert.equal(await accessWorks(h, tokens.access_token), true);
    h.clock.advance(1_000);
    await disableUser(h.users, 'alice');
    assert.equal((await h.store.unexpiredChanges(['revoke.subject'], h.clock.now())).some((c) => c.target === h.user.id), true);
    await h.server.sync();
    assert.equal(await accessWorks(h, tokens.access_token), false);
    await rejectsWith(h.server.token(refreshRequest(h, tokens.refresh_token ?? '')), 'invalid_grant');
    assert.equal((await h.store.listSessions(h.clock.now(), h.user.id)).length, 0);
    assert.deepEqual(await h.server.login.authenticate('alice', PASSWORD, {}), { ok: false, reason: 'invalid_credentials' });
    h.clock.advance(2_000);
    await enableUser(h.users, 'alice');
    assert.equal((await h.server.login.authenticate('alice', PASSWORD, {})).ok, true);
    assert.equal(await accessWorks(h, tokens.access_token), false, 'tokens revoked while disabled stay revoked');
  });

  it('logout everywhere and delete revoke tokens; set-password changes the password', async () => {
    const h = await loginHarness();
    const tokens = await loginTokens(h);
    h.clock.advance(1_000);
    await logoutUser(h.users, h.user.id);
    await h.server.sync();
    assert.equal(await accessWorks(h, tokens.access_token), false);
    await setUserPassword(h.users, 'alice', 'a new password!');
    assert.equal((await h.server.login.authenticate('alice', PASSWORD, {})).ok, false);
    h.clock.advance(60_000);
    assert.equal((await h.server.login.authenticate('alice', 'a new password!', {})).ok, true);
    await deleteUser(h.users, 'alice');
    assert.equal(await h.store.findUserByUsername('alice'), undefined);
    await assert.rejects(deleteUser(h.users, 'alice'), /no user/);
  });
});

describe('users: login without enumeration, with a brute-force brake', () => {
  it('gives the same answer for an unknown user and a wrong password, and runs a hash verify for both', async () => {
    const h = await loginHarness();
    const before = h.hasher.verifications;
    const unknown = await h.server.login.authenticate('mallory', 'whatever1', { ip: '10.0.0.1' });
    const wrong = await h.server.login.authenticate('alice', 'whatever1', { ip: '10.0.0.2' });
    assert.deepEqual(unknown, wrong);
    assert.equal(h.hasher.verifications - before, 2, 'a dummy verify for the unknown user');
    const failures = h.events.ofType('login.failed');
    assert.deepEqual(failures.map((e) => e.reason), ['unknown_user', 'wrong_password']);
    assert.ok(!JSON.stringify(h.events.events).includes('whatever1'), 'no password in events');
  });

  it('meets increasing delays after repeated failures, per account, released by time', async () => {
    const h = await loginHarness();
    const ip = { ip: '10.0.0.9' };
    for (let i = 0; i < 3; i++) assert.equal((await h.server.login.authenticate('alice', 'wrong-pass', ip)).ok, false);
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const refused = await h.server.login.authenticate('alice', PASSWORD, ip);
      assert.ok(!refused.ok && refused.reason === 'throttled', 'even the right password waits');
      waits.push(refused.reason === 'throttled' ? refused.retryAfterSeconds : 0);
      h.clock.advance(waits[i]! * 1000);
      assert.equal((await h.server.login.authenticate('alice', 'wrong-pass', ip)).ok, false);
    }
    assert.deepEqual(waits, [1, 2, 4, 8]);
    h.clock.advance(16_000);
    assert.equal((await h.server.login.authenticate('alice', PASSWORD, ip)).ok, true);
  });

  it('the throttle counts unknown usernames like known ones and caps the delay', () => {
    const clock = new FrozenClock(0);
    const throttle = new LoginThrottle(clock, { freeFailures: 1, maxDelayMs: 5_000 });
    for (let i = 0; i < 10; i++) throttle.failed('ghost', '1.1.1.1');
    assert.equal(throttle.waitMs('ghost', '2.2.2.2'), 5_000);
    throttle.succeeded('ghost');
    assert.equal(throttle.waitMs('ghost', '2.2.2.2'), 0);
  });
});
