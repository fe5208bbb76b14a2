import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from 'tessera';
import { removeDir, tempDir } from './support/cli-harness.js';

const startDir = process.cwd();
let dir: string;
// loadConfig looks for ./tessera.json: run from an empty directory.
before(() => {
  dir = tempDir('tessera-audit-config-');
  process.chdir(dir);
});
after(() => {
  process.chdir(startDir);
  removeDir(dir);
});

test('audit and alert settings: defaults (flush 1s, retention 90d, no webhooks)', () => {
  const config = loadConfig({}, { TESSERA_DATA_DIR: dir });
  assert.deepEqual(config.audit, { flushIntervalMs: 1000, retentionMs: 90 * 86_400_000 });
  assert.deepEqual(config.alerts, { webhooks: [], webhookSecret: undefined });
});

test('audit and alert settings: from flags, environment and config file', () => {
  const config = loadConfig(
    { 'audit-flush-interval': '250ms' },
    {
      TESSERA_DATA_DIR: dir,
      TESSERA_AUDIT_RETENTION: '30d',
      TESSERA_ALERT_WEBHOOKS: 'https://hooks.example/a, http://127.0.0.1:9000/b',
      TESSERA_ALERT_WEBHOOK_SECRET: 'a-long-enough-secret',
    },
  );
  assert.deepEqual(config.audit, { flushIntervalMs: 250, retentionMs: 30 * 86_400_000 });
  assert.deepEqual(config.alerts, { webhooks: ['https://hooks.example/a', 'http://127.0.0.1:9000/b'], webhookSecret: 'a-long-enough-secret' });
});

test('audit and alert settings: bad values are refused naming the setting', () => {
  const refused = (env: Record<string, string>, message: RegExp): void => {
    assert.throws(() => loadConfig({}, { TESSERA_DATA_DIR: dir, ...env }), message);
  };
  refused({ TESSERA_AUDIT_FLUSH_INTERVAL: '5m' }, /TESSERA_AUDIT_FLUSH_INTERVAL: must be from 10ms to 60s/);
  refused({ TESSERA_AUDIT_FLUSH_INTERVAL: 'soon' }, /TESSERA_AUDIT_FLUSH_INTERVAL: "soon" is not a duration/);
  refused({ TESSERA_AUDIT_RETENTION: '10m' }, /TESSERA_AUDIT_RETENTION: must be at least 1h/);
  refused({ TESSERA_ALERT_WEBHOOKS: 'ftp://x.example/', TESSERA_ALERT_WEBHOOK_SECRET: 'a-long-enough-secret' }, /TESSERA_ALERT_WEBHOOKS: must be comma-separated http\(s\) URLs/);
  refused({ TESSERA_ALERT_WEBHOOKS: 'https://x.example/' }, /TESSERA_ALERT_WEBHOOKS needs TESSERA_ALERT_WEBHOOK_SECRET/);
  refused({ TESSERA_ALERT_WEBHOOK_SECRET: 'short' }, /TESSERA_ALERT_WEBHOOK_SECRET: must be at least 16 characters/);
});
