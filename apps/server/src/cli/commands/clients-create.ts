import { readFileSync } from 'node:fs';
import { createClient, type ClientAuthMethod, type GrantType, type SigningAlgorithm } from '@tessera/core';
import type { JSONWebKeySet } from 'jose';
import { parseDurationSeconds } from '../../config/durations.js';
import { clientView, describeClient } from '../client-view.js';
import { UsageError, listOption, printJson, stringOption, type Command } from '../command.js';
import { withRuntime } from '../with-runtime.js';

function readJwks(path: string): JSONWebKeySet {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as JSONWebKeySet;
  } catch (error) {
    throw new UsageError(`--jwks ${path}: ${(error as Error).message}`);
  }
}

export const clientsCreateCommand: Command = {
  name: 'clients create',
  summary: 'Register a client; prints its id and, once, its secret',
  usage:
    'tessera clients create --name NAME --scope "a b" --audience URI [--audience URI…] [--grant-type client_credentials…]\n' +
    '    [--default-scope "a"] [--token-ttl 10m] [--redirect-uri URI…] [--signing-alg ES256|EdDSA|RS256]\n' +
    '    [--auth-method client_secret_basic|client_secret_post|private_key_jwt (--jwks-uri URI | --jwks FILE)] [--public] [--first-party]\n' +
    '    [--grant-type authorization_code --grant-type refresh_token] [--post-logout-redirect-uri URI…]',
  options: {
    name: { type: 'string' },
    scope: { type: 'string' },
    'default-scope': { type: 'string' },
    audience: { type: 'string', multiple: true },
    'grant-type': { type: 'string', multiple: true },
    'token-ttl': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'auth-method': { type: 'string' },
    'jwks-uri': { type: 'string' },
    jwks: { type: 'string' },
    'signing-alg': { type: 'string' },
    public: { type: 'boolean' },
    'first-party': { type: 'boolean' },
    'post-logout-redirect-uri': { type: 'string', multiple: true },
  },
  positionals: [],
  async run(context) {
    const name = stringOption(context, 'name');
    if (name === undefined) throw new UsageError('--name is required');
    const isPublic = context.values['public'] === true;
    const authMethod = stringOption(context, 'auth-method');
    if (isPublic && authMethod !== undefined && authMethod !== 'none') throw new UsageError('--public conflicts with --auth-method');
    const ttl = stringOption(context, 'token-ttl');
    const jwksPath = stringOption(context, 'jwks');
    const defaultScope = stringOption(context, 'default-scope');
    const scope = stringOption(context, 'scope');
    let tokenTtl: number | null = null;
    if (ttl !== undefined) {
      try {
        tokenTtl = parseDurationSeconds(ttl);
      } catch (error) {
        throw new UsageError(`--token-ttl: ${(error as Error).message}`);
      }
    }
    const { client, secret } = await withRuntime(context, (_runtime, admin) =>
      createClient(admin, {
        name,
        scopes: scope?.split(' ').filter(Boolean) ?? [],
        ...(defaultScope === undefined ? {} : { defaultScopes: defaultScope.split(' ').filter(Boolean) }),
        audiences: listOption(context, 'audience'),
        grantTypes: (listOption(context, 'grant-type').length > 0 ? listOption(context, 'grant-type') : ['client_credentials']) as GrantType[],
        redirectUris: listOption(context, 'redirect-uri'),
        authMethod: (isPublic ? 'none' : (authMethod ?? 'client_secret_basic')) as ClientAuthMethod,
        jwks: jwksPath === undefined ? null : readJwks(jwksPath),
        jwksUri: stringOption(context, 'jwks-uri') ?? null,
        tokenTtl,
        signingAlg: (stringOption(context, 'signing-alg') ?? null) as SigningAlgorithm | null,
        firstParty: context.values['first-party'] === true,
        postLogoutRedirectUris: listOption(context, 'post-logout-redirect-uri'),
      }),
    );
    if (context.json) {
      printJson(context.io, { client: clientView(client), client_secret: secret ?? null });
    } else {
      context.io.out(describeClient(client));
      if (secret) context.io.out(`client_secret: ${secret}\n(shown only this once: store it now)`);
    }
    return 0;
  },
};
