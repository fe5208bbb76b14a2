// Hostile and broken HTTP input against a real listening Tessera: every answer is a 4xx (never a 5xx,
// never a hang) with a JSON body naming an `error`, and the server is unharmed afterwards.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  FORM,
  basic,
  jsonOf,
  portOf,
  postForm,
  rawExchange,
  rawRequest,
  send,
  tokenFor,
  type HttpResult,
} from './support/http-client.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const ENDPOINTS = ['/token', '/introspect', '/revoke'] as const;
type Endpoint = (typeof ENDPOINTS)[number];

let t: TestServer;
let client: { id: string; secret: string };
let postClient: { id: string; secret: string };
let token: string;
let auth: string;

before(async () => {
  t = await startTestServer({ TESSERA_BODY_LIMIT: '2048' });
  client = await t.addClient();
  postClient = await t.addClient({ authMethod: 'client_secret_post' });
  auth = basic(client.id, client.secret);
  token = await tokenFor(t.url, client);
});
after(() => t.close());

/** A body each endpoint accepts, so a case changes exactly one thing. */
const validBody = (path: Endpoint): string => (path === '/token' ? 'grant_type=client_credentials' : `token=${token}`);

/** Every refusal: the expected 4xx, an OAuth JSON body with `error`, and no caching. */
function assertOAuthError(result: HttpResult, status: number, error = 'invalid_request', label = ''): void {
  assert.equal(result.status, status, `${label}: ${result.text}`);
  const body = jsonOf(result);
  assert.equal(body['error'], error, label);
  assert.equal(typeof body['error_description'], 'string', label);
  assert.equal(result.headers['cache-control'], 'no-store', label);
  assert.match(String(result.headers['content-type']), /^application\/json/, label);
}

describe('RFC 6749 §3.1/§3.2: request parameters', () => {
  test('a parameter sent twice is invalid_request on every endpoint', async () => {
    const cases: [Endpoint, string][] = [
      ['/token', 'grant_type=client_credentials&grant_type=client_credentials'],
      ['/token', 'grant_type=client_credentials&scope=read&scope=write'],
      ['/introspect', `token=${token}&token=${token}`],
      ['/introspect', `token=${token}&token_type_hint=access_token&token_type_hint=access_token`],
      ['/revoke', `token=${token}&token=other`],
      ['/revoke', `token=${token}&token_type_hint=a&token_type_hint=b`],
    ];
    for (const [path, body] of cases) assertOAuthError(await postForm(`${t.url}${path}`, body, { authorization: auth }), 400, 'invalid_request', body);
    for (const path of ENDPOINTS) {
      const body = `${validBody(path)}&client_id=${postClient.id}&client_id=${postClient.id}&client_secret=${postClient.secret}`;
      assertOAuthError(await postForm(`${t.url}${path}`, body), 400, 'invalid_request', `${path} client_id twice`);
    }
  });

  test('a missing required parameter is invalid_request', async () => {
    const cases: [Endpoint, string][] = [['/token', ''], ['/token', 'scope=read'], ['/token', 'grant_type='], ['/introspect', ''], ['/introspect', 'token_type_hint=access_token'], ['/revoke', ''], ['/revoke', 'token=']];
    for (const [path, body] of cases) assertOAuthError(await postForm(`${t.url}${path}`, body, { authorization: auth }), 400, 'invalid_request', `${path} ${body}`);
  });

  test('__proto__, constructor and other Object.prototype names are inert parameters', async () => {
    const noise = '__proto__=x&__proto__%5Bgrant_type%5D=client_credentials&constructor=y&constructor%5Bprototype%5D=z&toString=1&hasOwnProperty=2';
    for (const path of ENDPOINTS) {
      const result = await postForm(`${t.url}${path}`, `${noise}&${validBody(path)}`, { authorization: auth });
      assert.equal(result.status, 200, `${path}: ${result.text}`);
    }
    assertOAuthError(await postForm(`${t.url}/token`, noise, { authorization: auth }), 400, 'invalid_request', 'no grant_type');
    assertOAuthError(await postForm(`${t.url}/token`, 'grant_type=__proto__', { authorization: auth }), 400, 'unsupported_grant_type');
    assertOAuthError(await postForm(`${t.url}/token`, 'grant_type=client_credentials&scope=__proto__', { authorization: auth }), 400, 'invalid_scope');
    for (const value of ['__proto__', 'constructor', 'toString']) {
      const result = await postForm(`${t.url}/introspect`, `token=${value}`, { authorization: auth });
      assert.equal(result.text, '{"active":false}');
    }
  });
});

describe('RFC 6749 §3.2: application/x-www-form-urlencoded bodies only', () => {
  test('JSON, text/plain, multipart and a missing content type are 415 with an OAuth body', async () => {
    const types: [string | undefined, string][] = [
      ['application/json', '{"grant_type":"client_credentials"}'],
      ['text/plain', 'grant_type=client_credentials'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--x--\r\n'],
      [undefined, 'grant_type=client_credentials'],
    ];
    for (const path of ENDPOINTS) {
      for (const [type, body] of types) {
        const headers = type === undefined ? { authorization: auth } : { authorization: auth, 'content-type': type };
        assertOAuthError(await send(`${t.url}${path}`, { method: 'POST', headers, body }), 415, 'invalid_request', `${path} ${type}`);
      }
    }
  });

  test('no body at all (415) and an empty form body (400)', async () => {
    for (const path of ENDPOINTS) {
      assertOAuthError(await send(`${t.url}${path}`, { method: 'POST', headers: { authorization: auth } }), 415, 'invalid_request', path);
      assertOAuthError(await postForm(`${t.url}${path}`, '', { authorization: auth }), 400, 'invalid_request', path);
    }
  });

  test('media type parameters and case are tolerated (RFC 9110 §8.3.1)', async () => {
    for (const type of [`${FORM};charset=UTF-8`, `${FORM}; charset=utf-8`, FORM.toUpperCase()]) {
      assert.equal((await postForm(`${t.url}/token`, validBody('/token'), { authorization: auth, 'content-type': type })).status, 200, type);
    }
  });

  test('a body over TESSERA_BODY_LIMIT (100 KB against 2 KiB) is 413, with Content-Length or chunked', async () => {
    const big = `${validBody('/token')}&pad=${'x'.repeat(100_000)}`;
    for (const path of ENDPOINTS) {
      for (const headers of [{}, { 'transfer-encoding': 'chunked' }] as Record<string, string>[]) {
        const body = 'transfer-encoding' in headers ? `${Buffer.byteLength(big).toString(16)}\r\n${big}\r\n0\r\n\r\n` : big;
        const answer = await rawExchange(portOf(t), rawRequest('POST', path, { authorization: auth, 'content-type': FORM, ...headers }, body));
        assert.equal(answer.status, 413, `${path} ${JSON.stringify(headers)}: ${answer.text.slice(0, 200)}`);
        assert.equal((JSON.parse(answer.body) as { error: string }).error, 'invalid_request');
      }
    }
  });

  test('invalid UTF-8, bad percent-encoding and NUL are invalid_request', async () => {
    const bodies: (string | Buffer)[] = [
      Buffer.concat([Buffer.from('grant_type=client_credentials&scope='), Buffer.from([0xff, 0xfe, 0xc3, 0x28])]),
      Buffer.from([0x80]),
      'grant_type=%ZZ',
      'grant_type=client_credentials&scope=%',
      '%ZZ=client_credentials',
      'grant_type=client_credentials&scope=%C3%28',
      'grant_type=client_credentials&scope=%ED%A0%80',
      'grant_type=client_credentials%00',
      'grant_type=client_credentials&scope=read%00write',
      'grant%00_type=client_credentials',
      Buffer.from('grant_type=client_credentials&scope=read\u0000', 'utf8'),
      '=client_credentials',
    ];
    for (const path of ENDPOINTS) {
      for (const body of bodies) {
        const label = `${path} ${Buffer.from(body).toString('latin1')}`;
        const withToken = path === '/token' ? body : Buffer.concat([Buffer.from(`token=${token}&`), Buffer.from(body)]);
        assertOAuthError(await postForm(`${t.url}${path}`, withToken, { authorization: auth }), 400, 'invalid_request', label);
      }
    }
  });
});

describe('RFC 6749 §2.3.1 / RFC 7617: Authorization header', () => {
  test('malformed Basic credentials are invalid_client (401 with WWW-Authenticate)', async () => {
    const b64 = (text: string): string => Buffer.from(text, 'latin1').toString('base64');
    const headers = [
      'Basic ',
      'Basic',
      `Basic ${b64(client.id)}`,
      `Basic ${b64(`:${client.secret}`)}`,
      `Basic ${b64(`${client.id}:`)}`,
      `Basic ${b64(`${client.id}%ZZ:${client.secret}`)}`,
      `Basic ${b64(`${client.id}:${client.secret}%`)}`,
      'Basic !!!!not-base64!!!!',
      `Basic ${b64('\u00ff\u00fe:\u0000')}`,
      `Bearer ${token}`,
      `basic ${b64(`${client.id}:wrong`)}`,
    ];
    for (const path of ENDPOINTS) {
      for (const authorization of headers) {
        const result = await postForm(`${t.url}${path}`, validBody(path), { authorization });
        assertOAuthError(result, 401, 'invalid_client', `${path} ${authorization}`);
        assert.match(String(result.headers['www-authenticate']), /^Basic realm="tessera"/);
      }
    }
  });

  test('a 15 KB Authorization header is an ordinary 401', async () => {
    for (const authorization of [`Basic ${'A'.repeat(15_000)}`, `Basic ${Buffer.from(`${'c'.repeat(11_000)}:x`).toString('base64')}`]) {
      for (const path of ENDPOINTS) {
        assertOAuthError(await postForm(`${t.url}${path}`, validBody(path), { authorization }), 401, 'invalid_client', path);
      }
    }
  });

  test('headers over 16 KiB are refused by Node with 431 and an invalid_request JSON error, no-store', async () => {
    for (const path of ENDPOINTS) {
      const answer = await rawExchange(portOf(t), rawRequest('POST', path, { authorization: `Basic ${'A'.repeat(17_000)}`, 'content-type': FORM }, validBody(path)));
      assert.equal(answer.status, 431, answer.text.slice(0, 200));
      assert.equal((JSON.parse(answer.body) as { error: unknown }).error, 'invalid_request');
      assert.match(answer.text, /\r\ncache-control: no-store\r\n/i);
    }
  });

  test('framing Node refuses (conflicting or bad lengths, bad chunks, folded headers) is 400 invalid_request, no-store', async () => {
    const framings: [string, Record<string, string>, string][] = [
      ['both lengths', { 'content-length': '5', 'transfer-encoding': 'chunked' }, '0\r\n\r\n'],
      ['non-numeric length', { 'content-length': 'abc' }, ''],
      ['negative length', { 'content-length': '-1' }, ''],
      ['two lengths', { 'content-length': '1, 2' }, 'x'],
      ['bad chunk size', { 'transfer-encoding': 'chunked' }, 'zz\r\nabc\r\n0\r\n\r\n'],
      ['unknown coding', { 'transfer-encoding': 'xchunked' }, ''],
    ];
    for (const path of ENDPOINTS) {
      for (const [what, headers, body] of framings) {
        const answer = await rawExchange(portOf(t), rawRequest('POST', path, { 'content-type': FORM, ...headers }, body));
        assert.equal(answer.status, 400, `${path} ${what}: ${answer.text.slice(0, 200)}`);
        assert.equal((JSON.parse(answer.body) as { error: unknown }).error, 'invalid_request', `${path} ${what}`);
        assert.match(answer.text, /\r\ncache-control: no-store\r\n/i, `${path} ${what}`);
      }
    }
    const folded = Buffer.from(`POST /token HTTP/1.1\r\nhost: localhost\r\nx-a: 1\r\n  folded\r\ncontent-length: 0\r\n\r\n`, 'latin1');
    assert.equal((await rawExchange(portOf(t), folded)).status, 400);
  });
});

describe('routing', () => {
  test('unknown routes and wrong methods are 404 with a JSON error', async () => {
    const cases: [string, string][] = [
      ['GET', '/token'],
      ['GET', '/introspect?token=x'],
      ['GET', '/revoke'],
      ['PUT', '/token'],
      ['DELETE', '/introspect'],
      ['OPTIONS', '/token'],
      ['POST', '/jwks'],
      ['POST', '/.well-known/openid-configuration'],
      ['POST', '/healthz'],
      ['GET', '/nope'],
      ['GET', '/token/'],
      ['GET', '/TOKEN'],
      ['POST', '/no-such-endpoint'],
      ['GET', '/.well-known/no-such-document'],
    ];
    for (const [method, path] of cases) {
      const result = await send(`${t.url}${path}`, { method, headers: { 'content-type': FORM }, body: method === 'GET' || method === 'OPTIONS' ? undefined : '' });
      assert.ok(result.status === 404 || result.status === 405, `${method} ${path}: ${result.status}`);
      assert.equal(typeof jsonOf(result)['error'], 'string', `${method} ${path}`);
    }
  });

  test('GET endpoints ignore query strings, even repeated or badly encoded ones', async () => {
    for (const path of ['/jwks?kid=a&kid=b', '/.well-known/oauth-authorization-server?x=%ZZ', '/healthz?__proto__=1', '/readyz?%00']) {
      assert.equal((await send(`${t.url}${path}`)).status, 200, path);
    }
  });

  test('a badly percent-encoded path is a 4xx JSON error', async () => {
    for (const path of ['/%', '/%ZZ', '/token%C3%28']) {
      const answer = await rawExchange(portOf(t), rawRequest('GET', path, {}));
      assert.ok(answer.status !== undefined && answer.status >= 400 && answer.status < 500, `${path}: ${answer.text.slice(0, 120)}`);
      assert.equal(typeof (JSON.parse(answer.body) as { error: unknown }).error, 'string');
    }
  });
});

describe('incomplete requests do not hang or harm the server', () => {
  test('Content-Length larger than the body, then EOF: a 4xx or a close, never a 5xx or a hang', async () => {
    for (const path of ENDPOINTS) {
      for (const after of ['end', 'destroy'] as const) {
        const partial = rawRequest('POST', path, { authorization: auth, 'content-type': FORM, 'content-length': '1000' }, 'grant_type=cli');
        const answer = await rawExchange(portOf(t), partial, after);
        assert.equal(answer.timedOut, false, 'the server must close the connection');
        if (answer.status !== undefined) assert.ok(answer.status >= 400 && answer.status < 500, answer.text);
      }
    }
    assert.equal((await send(`${t.url}/healthz`)).status, 200);
  });

  test('a stalled body does not block other requests; dropping it leaves the server healthy', async () => {
    const socket = connect(portOf(t), '127.0.0.1');
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    socket.write(rawRequest('POST', '/token', { authorization: auth, 'content-type': FORM, 'content-length': '5000' }, 'grant_type=client_'));
    try {
      assert.equal((await send(`${t.url}/healthz`)).status, 200);
      assert.ok(await tokenFor(t.url, client));
    } finally {
      socket.destroy();
    }
    assert.equal((await send(`${t.url}/healthz`)).status, 200);
  });

  test('a body that stops arriving gets 408 invalid_request once TESSERA_REQUEST_TIMEOUT has passed', async () => {
    const slow = await startTestServer({ TESSERA_REQUEST_TIMEOUT: '1s' });
    try {
      const stalled = rawRequest('POST', '/token', { authorization: auth, 'content-type': FORM, 'content-length': '5000' }, 'grant_type=client_');
      // Kept open (not ended) and bounded at 10 s: only the server's timeout can end this exchange in time.
      const answer = await rawExchange(portOf(slow), stalled, 'keep', 10_000);
      assert.equal(answer.timedOut, false, 'the server ended the stalled request');
      assert.equal(answer.status, 408, answer.text.slice(0, 200));
      assert.equal((JSON.parse(answer.body) as { error: string }).error, 'invalid_request');
    } finally {
      await slow.close();
    }
  });

  test('malformed HTTP framing (bad chunk size, duplicate Content-Length, unknown method) is a 4xx', async () => {
    const requests = [
      rawRequest('POST', '/token', { authorization: auth, 'content-type': FORM, 'transfer-encoding': 'chunked' }, 'zz\r\nabc\r\n0\r\n\r\n'),
      Buffer.from(`POST /token HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nabcdef`),
      rawRequest('BREW', '/token', {}),
    ];
    for (const bytes of requests) {
      const answer = await rawExchange(portOf(t), bytes);
      assert.ok(answer.status !== undefined && answer.status >= 400 && answer.status < 500, answer.text.slice(0, 200));
    }
  });
});

describe('afterwards', () => {
  test('the server still issues, introspects and revokes tokens correctly, and logged no 5xx', async () => {
    const fresh = await tokenFor(t.url, client, '&scope=write');
    const active = jsonOf(await postForm(`${t.url}/introspect`, `token=${fresh}`, { authorization: auth }));
    assert.equal(active['active'], true);
    assert.equal(active['scope'], 'write');
    assert.equal(active['client_id'], client.id);
    assert.equal((await postForm(`${t.url}/revoke`, `token=${fresh}`, { authorization: auth })).status, 200);
    assert.equal((await postForm(`${t.url}/introspect`, `token=${fresh}`, { authorization: auth })).text, '{"active":false}');
    assert.equal((await send(`${t.url}/readyz`)).status, 200);
    const failures = t.logLines.filter((line) => /"level":(50|60)/.test(line) || /"statusCode":5\d\d/.test(line));
    assert.deepEqual(failures, []);
  });
});
