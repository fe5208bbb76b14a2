import type { AddressInfo } from 'node:net';
import { requireAuth } from '@tessera/verify/express';
import express from 'express';
import { middlewareContract, view } from './support/middleware-contract.js';

middlewareContract('Express 5', async (routes) => {
  const app = express();
  for (const { path, options } of routes) app.get(path, requireAuth(options), (req, res) => void res.json(view(req.auth)));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
