import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from 'tessera';
import { claimedClientId } from '../dist/rate-limit/client-id.js';
import { detectorOptions } from '../dist/security/security-sink.js';

describe('rate-limit and detector settings', () => {
  it('defaults: limits on at 1000/s per client, 2000/s per IP, 60/min login, 30/min device entry; no Redis', () => {
    const config = loadConfig({}, {});
    assert.equal(config.rateLimits?.enabled, true);
    assert.deepEqual(config.rateLimits?.client, { capacity: 1000, perMs: 1 });
    assert.deepEqual(config.rateLimits?.ip, { capacity: 2000, perMs: 2 });
    assert.deepEqual(config.rateLimits?.login, { capacity: 60, perMs: 60 / 60_000 });
    assert.deepEqual(config.rateLimits?.device, { capacity: 30, perMs: 30 / 60_000 });
    assert.equal(config.rateLimits?.redisUrl, undefined);
    assert.deepEqual(config.detectorActions, {});
  });

  it('reads every setting, and names the source of a bad value', () => {
    const config = loadConfig({ 'rate-limit-login': '5/10s' }, { TESSERA_RATE_LIMIT: 'false', TESSERA_REDIS_URL: 'redis://127.0.0.1:6379', TESSERA_DETECTOR_ACTIONS: 'issuance_spike=throttle, refresh_new_network=revoke' });
    assert.equal(config.rateLimits?.enabled, false);
    assert.equal(config.rateLimits?.login.capacity, 5);
    assert.equal(config.rateLimits?.redisUrl, 'redis://127.0.0.1:6379');
    assert.deepEqual(config.detectorActions, { issuance_spike: 'throttle', refresh_new_network: 'revoke' });
    assert.throws(() => loadConfig({}, { TESSERA_RATE_LIMIT_CLIENT: 'lots' }), /TESSERA_RATE_LIMIT_CLIENT: must look like/);
    assert.throws(() => loadConfig({}, { TESSERA_DETECTOR_ACTIONS: 'inactive_token_replay=revoke' }), /TESSERA_DETECTOR_ACTIONS: detector inactive_token_replay supports alert, off/);
    assert.throws(() => loadConfig({}, { TESSERA_DETECTOR_ACTIONS: 'nosuch=alert' }), /unknown detector "nosuch"/);
  });

  it('detector options: defaults (login lockout on), overrides and off', () => {
    const defaults = detectorOptions({});
    assert.deepEqual(defaults.login_failures, { action: 'throttle' });
    assert.deepEqual(defaults.issuance_spike, { action: 'alert' });
    const custom = detectorOptions({ login_failures: 'alert', refresh_new_network: 'revoke', inactive_token_replay: 'off' });
    assert.deepEqual(custom.login_failures, { action: 'alert' });
    assert.deepEqual(custom.refresh_new_network, { action: 'revoke' });
    assert.equal(custom.inactive_token_replay, false);
  });

  it('the claimed client id comes from HTTP Basic (form-encoded) or the client_id parameter', () => {
    const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;
    const id = 'tc_AbCdEfGhIjKlMn-_';
    assert.equal(claimedClientId(basic(`${id}:secret`), undefined), id);
    assert.equal(claimedClientId(basic(`${id.replace('_', '%5F')}:secret`), undefined), id, 'form-encoded');
    assert.equal(claimedClientId(undefined, { client_id: id }), id);
    assert.equal(claimedClientId(undefined, { client_id: ['a', 'b'] }), undefined);
    assert.equal(claimedClientId('Bearer x', {}), undefined);
  });

  it('a claimed id without the shape of a client id is keyed by a fingerprint, never verbatim', () => {
    const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;
    const secret = `tsec_${'s'.repeat(43)}`;
    const swapped = claimedClientId(basic(`${secret}:tc_AbCdEfGhIjKlMn-_`), undefined);
    assert.match(swapped ?? '', /^unrecognised:[A-Za-z0-9_-]{16}$/);
    assert.ok(!swapped?.includes(secret.slice(5, 21)));
    assert.equal(claimedClientId(undefined, { client_id: secret }), swapped, 'the same value gives the same key');
    assert.notEqual(claimedClientId(undefined, { client_id: 'my client' }), swapped);
    assert.match(claimedClientId(basic('bad%zz:secret'), undefined) ?? '', /^unrecognised:/);
    assert.match(claimedClientId(basic(`${'x'.repeat(500)}:s`), undefined) ?? '', /^unrecognised:/);
  });
});
