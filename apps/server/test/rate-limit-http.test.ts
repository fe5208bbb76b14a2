// Rate limiting against a real listening Tessera: 429 with Retry-After, OAuth-shaped JSON on OAuth
// endpoints, a page on HTML forms, the rate_limit.exceeded event, and detectors feeding the limiter.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startTestServer } from './support/test-server.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basicOf = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

function token(url: string, id: string, secret: string): Promise<Response> {
  return fetch(`${url}/token`, { method: 'POST', headers: { ...FORM, authorization: basicOf(id, secret) }, body: 'grant_type=client_credentials&scope=read' });
}

function eventsOf(lines: string[], type: string): Record<string, unknown>[] {
  return lines
    .filter((line) => line.includes(`"${type}"`))
    .map((line) => (JSON.parse(line) as { event?: Record<string, unknown> }).event)
    .filter((event): event is Record<string, unknown> => event?.['type'] === type);
}

describe('rate limiting over HTTP', () => {
  it('per client on /token: 429, Retry-After, temporarily_unavailable, no-store, one rate_limit.exceeded event', async () => {
    const t = await startTestServer({ TESSERA_RATE_LIMIT_CLIENT: '5/min' });
    try {
      const client = await t.addClient();
      for (let k = 0; k < 5; k++) assert.equal((await token(t.url, client.id, client.secret)).status, 200);
      const refused = await token(t.url, client.id, client.secret);
      assert.equal(refused.status, 429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 12, `Retry-After ${retryAfter} s (one token every 12 s)`);
      assert.equal(refused.headers.get('cache-control'), 'no-store');
      assert.match(refused.headers.get('content-type') ?? '', /^application\/json/);
      const body = (await refused.json()) as Record<string, string>;
      assert.equal(body['error'], 'temporarily_unavailable');
      assert.match(body['error_description'] ?? '', /rate limit/);
      assert.equal((await token(t.url, client.id, client.secret)).status, 429);
      const other = await t.addClient();
      assert.equal((await token(t.url, other.id, other.secret)).status, 200, 'another client is not affected');
      const events = eventsOf(t.logLines, 'rate_limit.exceeded');
      assert.equal(events.length, 1, 'one event per caller and 10 s, not one per refusal');
      assert.equal(events[0]?.['endpoint'], 'token');
      assert.equal(events[0]?.['limitedBy'], 'client');
      assert.equal(events[0]?.['clientId'], client.id);
    } finally {
      await t.close();
    }
  });

  it('naming a client without its secret does not drain that client’s bucket (401s are refunded)', async () => {
    const t = await startTestServer({ TESSERA_RATE_LIMIT_CLIENT: '5/min', TESSERA_DETECTOR_ACTIONS: 'client_auth_burst=off' });
    try {
      const victim = await t.addClient();
      for (let k = 0; k < 12; k++) assert.equal((await token(t.url, victim.id, 'tsec_wrong-secret-guess')).status, 401);
      for (let k = 0; k < 5; k++) assert.equal((await token(t.url, victim.id, victim.secret)).status, 200);
    } finally {
      await t.close();
    }
  });

  it('per IP on /introspect and /revoke as well', async () => {
    const t = await startTestServer({ TESSERA_RATE_LIMIT_IP: '3/min' });
    try {
      const client = await t.addClient();
      const call = (path: string) => fetch(`${t.url}${path}`, { method: 'POST', headers: { ...FORM, authorization: basicOf(client.id, client.secret) }, body: 'token=abc' });
      for (let k = 0; k < 3; k++) assert.equal((await call('/introspect')).status, 200);
      const refused = await call('/introspect');
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
      for (let k = 0; k < 3; k++) assert.equal((await call('/revoke')).status, 200, 'each endpoint has its own bucket');
      assert.equal((await call('/revoke')).status, 429);
      assert.equal(eventsOf(t.logLines, 'rate_limit.exceeded')[0]?.['limitedBy'], 'ip');
    } finally {
      await t.close();
    }
  });

  it('the login form and device-code entry answer a friendly HTML page with Retry-After', async () => {
    const t = await startTestServer({ TESSERA_RATE_LIMIT_LOGIN: '2/min', TESSERA_RATE_LIMIT_DEVICE: '2/min' });
    try {
      for (const path of ['/login', '/device']) {
        const post = () => fetch(`${t.url}${path}`, { method: 'POST', headers: FORM, body: 'username=alice&password=nope', redirect: 'manual' });
        for (let k = 0; k < 2; k++) assert.notEqual((await post()).status, 429);
        const refused = await post();
        assert.equal(refused.status, 429);
        assert.ok(Number(refused.headers.get('retry-after')) >= 1);
        assert.match(refused.headers.get('content-type') ?? '', /^text\/html/);
        assert.match(await refused.text(), /Too many attempts[\s\S]*Wait \d+ seconds/);
      }
    } finally {
      await t.close();
    }
  });

  it('TESSERA_RATE_LIMIT=false turns limits off', async () => {
    const t = await startTestServer({ TESSERA_RATE_LIMIT: 'false', TESSERA_RATE_LIMIT_CLIENT: '1/min' });
    try {
      const client = await t.addClient();
      for (let k = 0; k < 4; k++) assert.equal((await token(t.url, client.id, client.secret)).status, 200);
    } finally {
      await t.close();
    }
  });

  it('detector throttle feeds the limiter: a client-authentication burst tightens that client id', async () => {
    const t = await startTestServer({ TESSERA_DETECTOR_ACTIONS: 'client_auth_burst=throttle' });
    try {
      const client = await t.addClient();
      for (let k = 0; k < 20; k++) assert.equal((await token(t.url, client.id, 'tsec_wrong-secret-guess')).status, 401);
      const [alert] = eventsOf(t.logLines, 'security.alert_raised');
      assert.equal(alert?.['detector'], 'client_auth_burst');
      assert.equal(alert?.['action'], 'throttle');
      assert.equal(alert?.['clientId'], client.id);
      // Held to 5 requests, then refused, for a while (default throttle: burst 5, one per 5 s).
      const statuses: number[] = [];
      for (let k = 0; k < 7; k++) statuses.push((await token(t.url, client.id, client.secret)).status);
      assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
      assert.equal(statuses[6], 429);
    } finally {
      await t.close();
    }
  });
});
