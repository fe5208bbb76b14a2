/** The peer, panva/node-oidc-provider, in a child process of its own (./servers/oidc-provider-server.mjs). */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { startChild } from '../lib/children.mjs';
import { freePort } from '../lib/http.mjs';

const script = fileURLToPath(new URL('./servers/oidc-provider-server.mjs', import.meta.url));
const require = createRequire(import.meta.url);
const { version } = JSON.parse(readFileSync(require.resolve('oidc-provider/package.json'), 'utf8'));

const JWT_RESOURCE = 'https://api.example.com';
const OPAQUE_RESOURCE = 'https://opaque.api.example.com';

export default {
  id: 'peer',
  label: `oidc-provider ${version}`,
  async start() {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const client = { id: 'bench', secret: randomBytes(32).toString('base64url') };
    const { pid } = await startChild('oidc-provider', [script], {
      env: {
        ...process.env,
        BENCH_PORT: String(port),
        BENCH_CLIENT_ID: client.id,
        BENCH_CLIENT_SECRET: client.secret,
        BENCH_JWT_RESOURCE: JWT_RESOURCE,
        BENCH_OPAQUE_RESOURCE: OPAQUE_RESOURCE,
      },
      readyUrl: `${url}/.well-known/openid-configuration`,
    });
    return {
      id: this.id,
      label: this.label,
      pid,
      url,
      client,
      paths: { token: '/token', introspection: '/token/introspection', jwks: '/jwks' },
      tokenParams: { grant_type: 'client_credentials', scope: 'read' },
      // oidc-provider introspects only the tokens it stores: the opaque ones.
      introspectedTokenParams: { grant_type: 'client_credentials', scope: 'read', resource: OPAQUE_RESOURCE },
      introspectedTokenKind: 'opaque',
      signsTokens: true,
      setup: [
        `oidc-provider ${version} (Koa) on node:http, default in-memory adapter, one ES256 key in \`jwks\``,
        `client_credentials with resourceIndicators: default resource ${JWT_RESOURCE} → JWT access tokens (ES256);`,
        `  resource ${OPAQUE_RESOURCE} → opaque access tokens, used for the introspection scenario`,
        'introspection and revocation enabled (allowedPolicy: the token\'s own client); one client, client_secret_basic',
      ],
    };
  },
};
