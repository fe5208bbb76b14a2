import { createClient, type ClientAdminDeps, type Store } from '@tessera/core';

const DEMO_META = 'demo_client_id';
export const DEMO_AUDIENCE = 'https://api.example.com';

export interface DemoClient {
  id: string;
  secret: string;
}

/** On the first start of an empty data directory, registers a ready client so the quickstart works at once. */
export async function ensureDemoClient(store: Store, deps: ClientAdminDeps): Promise<DemoClient | undefined> {
  if ((await store.getMeta(DEMO_META)) !== undefined) return undefined;
  // Several instances starting on one fresh PostgreSQL database: one creates it, the others see it.
  return store.exclusive ? store.exclusive('tessera.demo-client', () => createDemoClient(store, deps)) : createDemoClient(store, deps);
}

async function createDemoClient(store: Store, deps: ClientAdminDeps): Promise<DemoClient | undefined> {
  if ((await store.getMeta(DEMO_META)) !== undefined) return undefined;
  if ((await store.listClients()).length > 0) {
    await store.setMeta(DEMO_META, '');
    return undefined;
  }
  const { client, secret } = await createClient(deps, {
    name: 'demo',
    scopes: ['read', 'write'],
    defaultScopes: ['read'],
    audiences: [DEMO_AUDIENCE],
    grantTypes: ['client_credentials'],
    authMethod: 'client_secret_basic',
  });
  await store.setMeta(DEMO_META, client.id);
  return secret === undefined ? undefined : { id: client.id, secret };
}

export function demoBanner(issuer: string, demo: DemoClient): string {
  return [
    'Demo client created (the secret is shown only this once):',
    `  client_id:     ${demo.id}`,
    `  client_secret: ${demo.secret}`,
    'Get a token:',
    `  curl -s -u '${demo.id}:${demo.secret}' -d grant_type=client_credentials -d scope=read ${issuer}/token`,
  ].join('\n');
}
