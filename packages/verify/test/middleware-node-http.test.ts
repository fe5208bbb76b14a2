import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requireAuth } from '@tessera/verify/node';
import { middlewareContract, view } from './support/middleware-contract.js';

middlewareContract('node:http', async (routes) => {
  const handlers = new Map(routes.map(({ path, options }) => [path, requireAuth(options)]));
  const server = createServer(async (req, res) => {
    const auth = handlers.get((req.url ?? '').split('?')[0] ?? '');
    if (!auth) return void res.writeHead(404).end();
    const claims = await auth(req, res);
    if (!claims) return;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(view(claims)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
