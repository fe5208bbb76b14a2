import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEVICE_CODE_GRANT, disableClient, enableClient, logoutUser, normaliseUserCode, USER_CODE_ALPHABET } from '@tessera/core';
import { parts, rejectsWith, req } from './support/harness.js';
import { loginHarness, PASSWORD, type LoginHarness } from './support/login-harness.js';

const deviceClient = { grantTypes: [DEVICE_CODE_GRANT, 'refresh_token'], redirectUris: [], firstParty: false };

async function start(h: LoginHarness, scope = 'openid offline_access read') {
  return h.server.login.deviceAuthorization(req({ client_id: h.clientId, scope }));
}
const poll = (h: LoginHarness, deviceCode: string, extra: Record<string, string> = {}) =>
  h.server.token(req({ grant_type: DEVICE_CODE_GRANT, device_code: deviceCode, client_id: h.clientId, ...extra }));

const API = 'https://api.example';
const FILES = 'https://files.example';

async function approve(h: LoginHarness, userCode: string, allow = true): Promise<void> {
  const found = await h.server.login.findDeviceCode(userCode, { ip: '10.1.1.1' });
  assert.ok(found.ok);
  const login = await h.server.login.authenticate('alice', PASSWORD, {});
  assert.ok(login.ok);
  const { session } = await h.server.login.startSession(login.user, {});
  assert.equal(await h.server.login.decideDevice(found.device, login.user, session, allow, {}), true);
}

describe('RFC 8628 device authorization grant', () => {
  it('§3.2 answers with a device code, a short unambiguous user code, the verification URIs, expiry and interval', async () => {
    const h = await loginHarness({}, deviceClient);
    const response = await start(h);
    assert.match(response.device_code, /^tdc_[A-Za-z0-9_-]{43}$/);
    assert.match(response.user_code, new RegExp(`^[${USER_CODE_ALPHABET}]{4}-[${USER_CODE_ALPHABET}]{4}$`));
    assert.ok(!/[AEIOU01]/.test(response.user_code), 'no vowels, no 0/1');
    assert.equal(response.verification_uri, 'https://issuer.example/device');
    assert.equal(response.verification_uri_complete, `https://issuer.example/device?user_code=${response.user_code}`);
    assert.equal(response.expires_in, 600);
    assert.equal(response.interval, 5);
    assert.equal(normaliseUserCode(response.user_code.toLowerCase().replace('-', ' ')), response.user_code.replace('-', ''));
  });

  it('refuses clients not registered for the device grant and scopes beyond the client', async () => {
    const h = await loginHarness();
    await rejectsWith(start(h), 'unauthorized_client');
    const d = await loginHarness({}, deviceClient);
    await rejectsWith(start(d, 'openid admin'), 'invalid_scope');
  });

  it('§3.5 authorization_pending, slow_down, then tokens once approved — exactly once', async () => {
    const h = await loginHarness({}, deviceClient);
    const { device_code, user_code } = await start(h);
    await rejectsWith(poll(h, device_code), 'authorization_pending');
    h.clock.advance(1_000);
    await rejectsWith(poll(h, device_code), 'slow_down');
    h.clock.advance(5_000);
    await rejectsWith(poll(h, device_code), 'slow_down', 400);
    h.clock.advance(15_000);
    await rejectsWith(poll(h, device_code), 'authorization_pending', 400);
    await approve(h, user_code);
    h.clock.advance(15_000);
    const tokens = await poll(h, device_code);
    assert.equal(parts(tokens.access_token).payload['sub'], h.user.id);
    assert.match(tokens.refresh_token ?? '', /^trt_/);
    assert.ok(tokens.id_token);
    h.clock.advance(15_000);
    await rejectsWith(poll(h, device_code), 'invalid_grant');
  });

  it('RFC 8707 §2.2: resource on the token request narrows the audience; outside the grant → invalid_target, code kept', async () => {
    const h = await loginHarness({}, { ...deviceClient, audiences: [API, FILES] });
    const { device_code, user_code } = await start(h);
    await approve(h, user_code);
    await rejectsWith(poll(h, device_code, { resource: 'https://other.example' }), 'invalid_target', 400);
    h.clock.advance(5_000);
    const tokens = await poll(h, device_code, { resource: FILES });
    assert.equal(parts(tokens.access_token).payload['aud'], FILES);
  });

  it('a device approved just before the user was logged out everywhere gets no tokens', async () => {
    const h = await loginHarness({}, deviceClient);
    const { device_code, user_code } = await start(h);
    await approve(h, user_code);
    h.clock.advance(1_000);
    await logoutUser(h.users, h.user.id);
    await h.server.sync();
    h.clock.advance(10_000);
    await rejectsWith(poll(h, device_code), 'invalid_grant', 400);
  });

  it('a device code approved before its client was disabled stays dead after the client is enabled again', async () => {
    const h = await loginHarness({}, deviceClient);
    const { device_code, user_code } = await start(h);
    await approve(h, user_code);
    h.clock.advance(1_000);
    await disableClient(h.admin, h.clientId);
    h.clock.advance(1_000);
    await enableClient(h.admin, h.clientId);
    await h.server.sync();
    h.clock.advance(10_000);
    await rejectsWith(poll(h, device_code), 'invalid_grant', 400);
  });

  it('§3.5 access_denied when the user refuses; expired_token after expires_in', async () => {
    const h = await loginHarness({}, deviceClient);
    const denied = await start(h);
    await approve(h, denied.user_code, false);
    await rejectsWith(poll(h, denied.device_code), 'access_denied', 400);
    const late = await start(h);
    h.clock.advance(600_000);
    await rejectsWith(poll(h, late.device_code), 'expired_token');
    assert.equal((await h.server.login.findDeviceCode(late.user_code, {})).ok, false);
  });

  it('wrong user codes are rate limited per IP', async () => {
    const h = await loginHarness({}, deviceClient);
    const results = [];
    for (let i = 0; i < 7; i++) results.push(await h.server.login.findDeviceCode('BCDF-GHJK', { ip: '10.9.9.9' }));
    assert.ok(results.slice(0, 5).every((r) => !r.ok && r.reason === 'invalid'));
    assert.ok(results.slice(5).every((r) => !r.ok && r.reason === 'throttled'));
  });

  it('rejects missing, repeated, malformed and foreign device codes', async () => {
    const h = await loginHarness({}, deviceClient);
    const { device_code } = await start(h);
    await rejectsWith(h.server.token(req({ grant_type: DEVICE_CODE_GRANT, client_id: h.clientId })), 'invalid_request');
    await rejectsWith(h.server.token(req({ grant_type: DEVICE_CODE_GRANT, client_id: h.clientId, device_code: [device_code, device_code] })), 'invalid_request');
    await rejectsWith(poll(h, 'tdc_unknown'), 'invalid_grant');
    await rejectsWith(poll(h, `x${'y'.repeat(500)}`), 'invalid_grant');
  });
});
