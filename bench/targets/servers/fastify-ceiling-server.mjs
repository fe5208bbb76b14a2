/**
 * The framework ceiling: bare Fastify 5 doing what every token server must do at least (parse a form
 * body, answer JSON) and nothing else. Bodies are constant and about as long as real ones.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { URLSearchParams } from 'node:url';

// Fastify is a dependency of apps/server; resolve it from there rather than rely on hoisting.
const require = createRequire(new URL('../../../apps/server/package.json', import.meta.url));
const Fastify = require('fastify');

const port = Number(process.env.BENCH_PORT);
const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const fakeJwt = `${b64({ alg: 'ES256', typ: 'at+jwt', kid: '00000000-0000-4000-8000-000000000000' })}.${b64({
  iss: `http://127.0.0.1:${port}`,
  sub: 'tc_0000000000000000',
  aud: 'https://api.example.com',
  exp: 2_000_000_000,
  iat: 1_999_999_400,
  jti: '00000000-0000-4000-8000-000000000000',
  client_id: 'tc_0000000000000000',
  scope: 'read',
})}.${randomBytes(64).toString('base64url')}`;
const TOKEN = JSON.stringify({ access_token: fakeJwt, token_type: 'Bearer', expires_in: 600, scope: 'read' });
const ACTIVE = JSON.stringify({ active: true, token_type: 'Bearer', client_id: 'tc_0000000000000000', scope: 'read', exp: 2_000_000_000 });
const JWKS = JSON.stringify({
  keys: [{ kty: 'EC', crv: 'P-256', x: randomBytes(32).toString('base64url'), y: randomBytes(32).toString('base64url'), kid: 'k', alg: 'ES256', use: 'sig' }],
});

const noStore = { 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': 'application/json; charset=utf-8' };
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
  done(null, Object.fromEntries(new URLSearchParams(body)));
});
app.post('/token', (_request, reply) => {
  reply.headers(noStore).send(TOKEN);
});
app.post('/introspect', (_request, reply) => {
  reply.headers(noStore).send(ACTIVE);
});
app.get('/jwks', (_request, reply) => {
  reply.headers({ 'cache-control': 'public, max-age=300', 'content-type': 'application/jwk-set+json; charset=utf-8' }).send(JWKS);
});
app.get('/healthz', (_request, reply) => {
  reply.send('ok');
});

await app.listen({ port, host: '127.0.0.1' });
process.once('SIGTERM', () => app.close().then(() => process.exit(0)));
