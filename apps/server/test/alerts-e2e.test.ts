import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { verifyWebhookSignature } from 'tessera';
import { basic, postForm } from './support/http-client.js';
import { rememberSecret } from './support/secret-recorder.js';
import { startTestServer } from './support/test-server.js';

const SECRET = 'e2e-webhook-secret-0123456789';

test('end to end: a burst of failed client authentications raises an alert that is stored, signed and delivered, and lands in the audit log', async () => {
  rememberSecret(SECRET, 'webhook secret');
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  const hook = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/alerts`;
  const t = await startTestServer({ TESSERA_RATE_LIMIT: 'false', TESSERA_ALERT_WEBHOOKS: hook, TESSERA_ALERT_WEBHOOK_SECRET: SECRET });
  try {
    const client = await t.addClient();
    for (let i = 0; i < 25; i++) {
      const result = await postForm(`${t.url}/token`, 'grant_type=client_credentials', { authorization: basic(client.id, `wrong-${i}`) });
      assert.equal(result.status, 401);
    }
    await t.server.audit.idle();
    const alerts = await t.server.runtime.store.listAlerts({ unacked: true, limit: 10 });
    assert.ok(alerts.length >= 1, 'an alert was stored');
    const alert = alerts.find((a) => a.clientId === client.id) ?? alerts[0];
    assert.equal(received.length, alerts.length, 'each alert delivered once');
    const delivery = received.find((r) => r.headers['tessera-alert-id'] === alert?.id);
    assert.ok(delivery, 'the stored alert was delivered');
    assert.equal(verifyWebhookSignature(SECRET, String(delivery.headers['tessera-signature']), delivery.body, Math.floor(Date.now() / 1000)), true);
    assert.equal((JSON.parse(delivery.body) as { issuer: string }).issuer, t.url);
    await t.server.audit.flush();
    const logged = await t.server.runtime.store.queryAuditEvents({ types: ['security.alert_raised', 'client.authentication_failed'], limit: 100 });
    assert.equal(logged.filter((r) => r.event.type === 'client.authentication_failed').length, 25);
    assert.equal(logged.filter((r) => r.event.type === 'security.alert_raised').length, alerts.length);
    assert.ok(!received.some((r) => r.body.includes('wrong-')), 'no presented secret in any alert');
  } finally {
    await t.close();
    await new Promise((resolve) => receiver.close(resolve));
  }
});
