import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { requireAuth, type TesseraEnv } from '@tessera/verify/hono';
import { Hono } from 'hono';
import { middlewareContract, view } from './support/middleware-contract.js';

middlewareContract('Hono on @hono/node-server', async (routes) => {
  const app = new Hono<TesseraEnv>();
  for (const { path, options } of routes) app.get(path, requireAuth(options), (c) => c.json(view(c.get('auth'))));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
