import { requireAuth } from '@tessera/verify/fastify';
import Fastify from 'fastify';
import { middlewareContract, view } from './support/middleware-contract.js';

middlewareContract('Fastify 5', async (routes) => {
  const app = Fastify();
  app.decorateRequest('auth', undefined);
  for (const { path, options } of routes) app.get(path, { preHandler: requireAuth(options) }, async (request) => view(request.auth));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
});
