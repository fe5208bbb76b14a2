// Health endpoints and request ids against a real listening server: /healthz answers while the process
// lives; /readyz only while the database answers and signing keys are loaded; every response names its
// request id, which is the one in the log lines.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { jsonOf, send } from './support/http-client.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const logLinesWith = (id: string): string[] => t.logLines.filter((line) => (JSON.parse(line) as { reqId?: string }).reqId === id);

  test('every response carries a fresh x-request-id, and the log lines of that request carry the same id', async () => {
    const first = await send(`${t.url}/jwks`);
    const second = await send(`${t.url}/no-such-path`);
    const id = first.headers['x-request-id'];
    assert.match(String(id), UUID);
    assert.match(String(second.headers['x-request-id']), UUID);
    assert.notEqual(id, second.headers['x-request-id']);
    const lines = logLinesWith(String(id));
    assert.ok(lines.some((line) => line.includes('"incoming request"')));
    assert.ok(lines.some((line) => line.includes('"request completed"')));
  });

  test('an incoming x-request-id is kept when short and plain (a proxy or trace id)', async () => {
    for (const id of ['trace-0af7651916cd43dd8448eb211c80319c', '01J9ZQ3V6X7Y8Z9A0B1C2D3E4F', 'lb:42.7_x']) {
      const result = await send(`${t.url}/healthz`, { headers: { 'x-request-id': id } });
      assert.equal(result.headers['x-request-id'], id);
      assert.ok(logLinesWith(id).length > 0, `log lines carry ${id}`);
    }
  });

  test('a malformed or long incoming id is replaced, never logged or echoed', async () => {
    const refused = ['x'.repeat(41), 'has space', '<script>', '-leading-dash', 'a"b', `tsec_${'A'.repeat(43)}`, 'ünï'];
    for (const id of refused) {
      const result = await send(`${t.url}/healthz`, { headers: { 'x-request-id': encodeURI(id) === id ? id : encodeURI(id) } });
      assert.match(String(result.headers['x-request-id']), UUID, id);
    }
    const two = await send(`${t.url}/healthz`, { headers: { 'x-request-id': ['abc', 'def'] } });
    assert.match(String(two.headers['x-request-id']), UUID);
    assert.ok(!t.logLines.some((line) => line.includes('x'.repeat(41)) || line.includes('has space')));
  });
});

describe('health endpoints', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('GET /healthz and GET /readyz answer 200, uncached, on a working server', async () => {
    const health = await send(`${t.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(jsonOf(health), { status: 'ok' });
    assert.equal(health.headers['cache-control'], 'no-store');
    const ready = await send(`${t.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(jsonOf(ready), { status: 'ready' });
    assert.equal(ready.headers['cache-control'], 'no-store');
  });

  test('with the database gone, /readyz answers 503 temporarily_unavailable while /healthz stays 200', async () => {
    await t.server.runtime.close();
    const ready = await send(`${t.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(jsonOf(ready)['error'], 'temporarily_unavailable');
    assert.equal(ready.headers['cache-control'], 'no-store');
    const health = await send(`${t.url}/healthz`);
    assert.equal(health.status, 200);
  });
});
