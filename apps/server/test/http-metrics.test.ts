// GET /metrics (docs/metrics.md) against real listening servers: off by default, on a listener of its
// own or behind a bearer token on the public port, and the numbers an operator's dashboard reads.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { basic, jsonOf, postForm, send, tokenFor } from './support/http-client.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const METRICS_TOKEN = 'metrics-bearer-0123456789abcdef';

/** The value of one sample line, e.g. sample(text, 'tessera_tokens_issued_total{client_id="x",grant_type="y"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics are off by default', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  test('without a metrics port or token there is no /metrics anywhere', async () => {
    assert.equal(t.server.metricsUrl, undefined);
    assert.equal((await send(`${t.url}/metrics`)).status, 404);
    assert.equal((await send(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status, 404);
  });
});

describe('metrics on a listener of their own (TESSERA_METRICS_PORT)', () => {
  let t: TestServer;
  let a: { id: string; secret: string };
  let b: { id: string; secret: string };
  let text: string;
  before(async () => {
    t = await startTestServer({ TESSERA_METRICS_PORT: '0' });
    a = await t.addClient();
    b = await t.addClient({ authMethod: 'client_secret_post' });
    const first = await tokenFor(t.url, a);
    await tokenFor(t.url, a, '&scope=read');
    await postForm(`${t.url}/token`, `grant_type=client_credentials&client_id=${b.id}&client_secret=${b.secret}`);
    assert.equal((await postForm(`${t.url}/revoke`, `token=${first}`, { authorization: basic(a.id, a.secret) })).status, 200);
    assert.equal((await postForm(`${t.url}/introspect`, `token=${first}`, { authorization: basic(a.id, a.secret) })).status, 200);
    // Refusals: a wrong secret (twice), a scope the client lacks, an unknown grant type.
    await postForm(`${t.url}/token`, 'grant_type=client_credentials', { authorization: basic(a.id, `${a.secret}x`) });
    await postForm(`${t.url}/introspect`, `token=${first}`, { authorization: basic(a.id, `${a.secret}x`) });
    await postForm(`${t.url}/token`, 'grant_type=client_credentials&scope=admin', { authorization: basic(a.id, a.secret) });
    await postForm(`${t.url}/token`, 'grant_type=password', { authorization: basic(a.id, a.secret) });
    await send(`${t.url}/jwks?cache-buster=${'z'.repeat(20)}`);
    const scraped = await send(String(t.server.metricsUrl));
    assert.equal(scraped.status, 200);
    assert.match(String(scraped.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    text = scraped.text;
  });
  after(() => t.close());

  test('the metrics listener is on loopback, and the public port does not serve /metrics', async () => {
    assert.match(String(t.server.metricsUrl), /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    assert.notEqual(new URL(String(t.server.metricsUrl)).port, new URL(t.url).port);
    assert.equal((await send(`${t.url}/metrics`)).status, 404);
  });

  test('tokens issued by client and grant type, revoked by client and token type', () => {
    assert.equal(sample(text, `tessera_tokens_issued_total{client_id="${a.id}",grant_type="client_credentials"}`), 2);
    assert.equal(sample(text, `tessera_tokens_issued_total{client_id="${b.id}",grant_type="client_credentials"}`), 1);
    assert.equal(sample(text, `tessera_tokens_revoked_total{client_id="${a.id}",token_type="access_token"}`), 1);
  });

  test('errors by route pattern and RFC 6749 error code', () => {
    assert.equal(sample(text, 'tessera_http_errors_total{route="/token",code="invalid_client"}'), 1);
    assert.equal(sample(text, 'tessera_http_errors_total{route="/introspect",code="invalid_client"}'), 1);
    assert.equal(sample(text, 'tessera_http_errors_total{route="/token",code="invalid_scope"}'), 1);
    assert.equal(sample(text, 'tessera_http_errors_total{route="/token",code="unsupported_grant_type"}'), 1);
  });

  test('latency histograms per method and route pattern, never the raw URL', () => {
    assert.equal(sample(text, 'tessera_http_request_duration_seconds_count{method="POST",route="/token"}'), 6);
    assert.equal(sample(text, 'tessera_http_request_duration_seconds_count{method="POST",route="/revoke"}'), 1);
    assert.equal(sample(text, 'tessera_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/jwks"}'), 1);
    assert.ok(!text.includes('cache-buster'), 'no query string in any label');
    assert.ok(!text.includes('/metrics"'), 'the metrics listener does not measure itself');
  });

  test('engine gauges: revocation set size, signing keys, seconds until the next rotation', () => {
    assert.ok((sample(text, 'tessera_revocation_set_size') ?? 0) >= 1);
    assert.equal(sample(text, 'tessera_signing_keys{alg="ES256",state="active"}'), 1);
    const rotation = sample(text, 'tessera_signing_key_rotation_seconds{alg="ES256"}') ?? -1;
    assert.ok(rotation > 29 * 86_400 && rotation <= 30 * 86_400, `about 30 days, got ${rotation}`);
    assert.match(text, /^process_cpu_user_seconds_total /m);
  });

  test('a Prometheus client sees the same numbers on the next scrape (counters only grow)', async () => {
    await tokenFor(t.url, a);
    const again = (await send(String(t.server.metricsUrl))).text;
    assert.equal(sample(again, `tessera_tokens_issued_total{client_id="${a.id}",grant_type="client_credentials"}`), 3);
  });
});

describe('metrics on the public port behind a bearer token (TESSERA_METRICS_TOKEN)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ TESSERA_METRICS_TOKEN: METRICS_TOKEN });
  });
  after(() => t.close());

  test('without the token, or with a wrong one, 401 and not a single metric name', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Bearer ${METRICS_TOKEN}x`, `Basic ${METRICS_TOKEN}`, METRICS_TOKEN]) {
      const result = await send(`${t.url}/metrics`, { headers: authorization ? { authorization } : {} });
      assert.equal(result.status, 401, String(authorization));
      assert.equal(result.headers['www-authenticate'], 'Bearer realm="tessera-metrics"');
      assert.ok(!result.text.includes('tessera_'));
    }
  });

  test('with the token, the metrics', async () => {
    await tokenFor(t.url, await t.addClient());
    const result = await send(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(result.status, 200);
    assert.match(result.text, /^tessera_tokens_issued_total\{client_id="tc_[^"]+",grant_type="client_credentials"\} 1$/m);
    assert.equal(t.server.metricsUrl, undefined);
  });
});

describe('a metrics listener with a token requires it too', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ TESSERA_METRICS_PORT: '0', TESSERA_METRICS_TOKEN: METRICS_TOKEN });
  });
  after(() => t.close());

  test('401 without the token, 200 with it; still nothing on the public port', async () => {
    assert.equal((await send(String(t.server.metricsUrl))).status, 401);
    assert.equal((await send(String(t.server.metricsUrl), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status, 200);
    assert.equal((await send(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status, 404);
    assert.equal(jsonOf(await send(`${t.url}/metrics`))['error'], 'not_found');
  });
});

describe('alerts and the audit queue in the metrics', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ TESSERA_METRICS_PORT: '0', TESSERA_RATE_LIMIT: 'false' });
  });
  after(() => t.close());

  test('a burst of failed client authentications shows as an alert by detector and severity; the audit queue depth is reported', async () => {
    const client = await t.addClient();
    for (let i = 0; i < 25; i++) {
      assert.equal((await postForm(`${t.url}/token`, 'grant_type=client_credentials', { authorization: basic(client.id, `wrong-secret-${i}`) })).status, 401);
    }
    await t.server.audit.idle();
    const text = (await send(String(t.server.metricsUrl))).text;
    assert.match(text, /^tessera_alerts_raised_total\{detector="[a-z_]+",severity="(low|medium|high|critical)"\} [1-9]\d*$/m);
    assert.equal(sample(text, 'tessera_http_errors_total{route="/token",code="invalid_client"}'), 25);
    assert.match(text, /^tessera_audit_queue_depth \d+$/m);
  });
});

describe('rate-limit refusals in the metrics', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ TESSERA_METRICS_PORT: '0', TESSERA_RATE_LIMIT_CLIENT: '3/min' });
  });
  after(() => t.close());

  test('each 429 is counted under its route pattern', async () => {
    const client = await t.addClient();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await postForm(`${t.url}/token`, 'grant_type=client_credentials', { authorization: basic(client.id, client.secret) })).status);
    const refused = statuses.filter((status) => status === 429).length;
    assert.ok(refused >= 1, `statuses ${statuses.join(',')}`);
    const text = (await send(String(t.server.metricsUrl))).text;
    assert.equal(sample(text, 'tessera_http_rate_limited_total{route="/token"}'), refused);
  });
});
