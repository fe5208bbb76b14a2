/** The framework ceiling (./servers/fastify-ceiling-server.mjs) in a child process of its own. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startChild } from '../lib/children.mjs';
import { freePort } from '../lib/http.mjs';

const script = fileURLToPath(new URL('./servers/fastify-ceiling-server.mjs', import.meta.url));
const require = createRequire(new URL('../../apps/server/package.json', import.meta.url));
const { version } = JSON.parse(readFileSync(require.resolve('fastify/package.json'), 'utf8'));

export default {
  id: 'ceiling',
  label: `Fastify ${version} ceiling`,
  async start() {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const { pid } = await startChild('ceiling', [script], { env: { ...process.env, BENCH_PORT: String(port) }, readyUrl: `${url}/healthz` });
    return {
      id: this.id,
      label: this.label,
      pid,
      url,
      client: { id: 'bench', secret: 'unchecked' },
      paths: { token: '/token', introspection: '/introspect', jwks: '/jwks' },
      tokenParams: { grant_type: 'client_credentials', scope: 'read' },
      introspectedTokenParams: { grant_type: 'client_credentials', scope: 'read' },
      introspectedTokenKind: 'constant',
      signsTokens: false,
      setup: [
        `bare Fastify ${version}, logger off: a form content-type parser (URLSearchParams) and constant JSON bodies`,
        '  of realistic size for POST /token, POST /introspect and GET /jwks; no authentication, no crypto',
      ],
    };
  },
};
