// The metrics that real traffic rarely produces, checked on their own: alerts by detector and severity
// from the event stream, the audit queue depth getter, key gauges when the store is unreachable, and
// the sink's promise never to throw.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEvent, AuthServer, SigningKeyRecord } from '@tessera/core';
import { createMetrics, loadConfig } from 'tessera';

const alert = (detector: string, severity: 'low' | 'medium' | 'high' | 'critical'): AuditEvent => ({
  type: 'security.alert_raised',
  time: 0,
  outcome: 'failure',
  detector,
  severity,
  action: 'alert',
  summary: 'test',
});

const DAY = 86_400_000;
const fakeAuth = { stats: () => ({ revocations: 3, verifiedTokens: 5, cursor: 9 }), config: { rotationPolicy: { rotationInterval: 30 * DAY, prePublication: DAY, retirementMargin: 0, maxTokenLifetime: 0 } } } as unknown as AuthServer;
const key = (kid: string, state: SigningKeyRecord['state'], createdAt: number, activatedAt?: number): SigningKeyRecord =>
  ({ kid, alg: 'ES256', state, createdAt, ...(activatedAt === undefined ? {} : { activatedAt }) }) as unknown as SigningKeyRecord;

test('security.alert_raised events are counted by detector and severity; other events are ignored', async () => {
  const metrics = createMetrics({ processMetrics: false });
  metrics.events.emit(alert('refresh_reuse', 'high'));
  metrics.events.emit(alert('refresh_reuse', 'high'));
  metrics.events.emit(alert('auth_failures', 'medium'));
  metrics.events.emit({ type: 'login.failed', time: 0, outcome: 'failure' });
  const text = await metrics.registry.metrics();
  assert.match(text, /^tessera_alerts_raised_total\{detector="refresh_reuse",severity="high"\} 2$/m);
  assert.match(text, /^tessera_alerts_raised_total\{detector="auth_failures",severity="medium"\} 1$/m);
});

test('refreshes count under the client with grant type refresh_token; refresh-token revocations by token type', async () => {
  const metrics = createMetrics({ processMetrics: false });
  metrics.events.emit({ type: 'token.refreshed', time: 0, clientId: 'tc_web', outcome: 'success', scope: 'openid', grace: false });
  metrics.events.emit({ type: 'refresh_token.revoked', time: 0, clientId: 'tc_web', outcome: 'success' });
  const text = await metrics.registry.metrics();
  assert.match(text, /^tessera_tokens_refreshed_total\{client_id="tc_web",grant_type="refresh_token"\} 1$/m);
  assert.match(text, /^tessera_tokens_revoked_total\{client_id="tc_web",token_type="refresh_token"\} 1$/m);
});

test('the event sink never throws, even on an event missing its fields', () => {
  const metrics = createMetrics({ processMetrics: false });
  assert.doesNotThrow(() => metrics.events.emit({ type: 'security.alert_raised' } as unknown as AuditEvent));
  assert.doesNotThrow(() => metrics.events.emit(null as unknown as AuditEvent));
});

test('the audit queue depth is read from the getter at scrape time, and absent without one', async () => {
  let depth = 7;
  const withQueue = createMetrics({ processMetrics: false, auditQueueDepth: () => depth });
  withQueue.observeEngine(fakeAuth, { listSigningKeys: () => Promise.resolve([]) });
  assert.match(await withQueue.registry.metrics(), /^tessera_audit_queue_depth 7$/m);
  depth = 0;
  assert.match(await withQueue.registry.metrics(), /^tessera_audit_queue_depth 0$/m);
  const without = createMetrics({ processMetrics: false });
  without.observeEngine(fakeAuth, { listSigningKeys: () => Promise.resolve([]) });
  assert.doesNotMatch(await without.registry.metrics(), /tessera_audit_queue_depth/);
});

test('key gauges: keys by state, rotation due from the pre-published next key; last values kept while the store is down', async () => {
  const now = Date.now();
  let keys: SigningKeyRecord[] | undefined = [key('a', 'active', now - 10 * DAY, now - 10 * DAY), key('r', 'retired', now - 40 * DAY), key('n', 'next', now - 2 * DAY)];
  const metrics = createMetrics({ processMetrics: false });
  metrics.observeEngine(fakeAuth, { listSigningKeys: () => (keys ? Promise.resolve(keys) : Promise.reject(new Error('database is down'))) });
  const first = await metrics.registry.metrics();
  assert.match(first, /^tessera_signing_keys\{alg="ES256",state="active"\} 1$/m);
  assert.match(first, /^tessera_signing_keys\{alg="ES256",state="next"\} 1$/m);
  assert.match(first, /^tessera_revocation_set_size 3$/m);
  assert.match(first, /^tessera_verified_token_cache_size 5$/m);
  const rotation = Number(/^tessera_signing_key_rotation_seconds\{alg="ES256"\} (\S+)$/m.exec(first)?.[1]);
  assert.ok(Math.abs(rotation - 20 * 86_400) < 60, `about 20 days, got ${rotation}`);
  keys = undefined;
  const down = await metrics.registry.metrics();
  assert.match(down, /^tessera_signing_keys\{alg="ES256",state="active"\} 1$/m);
});

test('metrics settings: off by default; a metrics token must be long enough to be a secret', () => {
  assert.deepEqual(loadConfig({}, {}).metrics, { port: undefined, host: '127.0.0.1', token: undefined });
  assert.deepEqual(loadConfig({ 'metrics-port': '9464' }, { TESSERA_METRICS_HOST: '10.0.0.5' }).metrics, { port: 9464, host: '10.0.0.5', token: undefined });
  assert.throws(() => loadConfig({}, { TESSERA_METRICS_TOKEN: 'too-short' }), { message: /^TESSERA_METRICS_TOKEN: must be at least 16 characters/ });
  assert.throws(() => loadConfig({}, { TESSERA_METRICS_TOKEN: 'has a space in the middle of it' }), /TESSERA_METRICS_TOKEN/);
  assert.throws(() => loadConfig({}, { TESSERA_METRICS_PORT: '70000' }), /TESSERA_METRICS_PORT/);
});
