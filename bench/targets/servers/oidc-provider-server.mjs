/**
 * The peer: oidc-provider 9 with client_credentials, JWT access tokens (ES256) through resource
 * indicators, introspection and revocation. Started by ../oidc-provider.mjs; settings arrive in the environment.
 * oidc-provider introspects only tokens it stores, so a second resource server issues opaque tokens.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';

const { BENCH_PORT, BENCH_CLIENT_ID, BENCH_CLIENT_SECRET, BENCH_JWT_RESOURCE, BENCH_OPAQUE_RESOURCE } = process.env;
const port = Number(BENCH_PORT);
const issuer = `http://127.0.0.1:${port}`;
const TTL = 600;

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-es256', alg: 'ES256', use: 'sig' };

const resourceServers = {
  [BENCH_JWT_RESOURCE]: { scope: 'read', audience: BENCH_JWT_RESOURCE, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } },
  [BENCH_OPAQUE_RESOURCE]: { scope: 'read', audience: BENCH_OPAQUE_RESOURCE, accessTokenFormat: 'opaque' },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: BENCH_CLIENT_ID,
      client_secret: BENCH_CLIENT_SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'read',
      id_token_signed_response_alg: 'ES256',
    },
  ],
  jwks: { keys: [signingKey] },
  scopes: ['read'],
  ttl: { ClientCredentials: TTL },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    // Like Tessera: the client a token was issued to may introspect it.
    introspection: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
    revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => BENCH_JWT_RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo(_ctx, indicator) {
        const info = resourceServers[indicator];
        if (!info) throw new errors.InvalidTarget();
        return info;
      },
    },
  },
});

const server = createServer(provider.callback());
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
