import { formatUserCode, type AuthServer } from '@tessera/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { contextOf, csrfToken, field, formCsrfOk, passwordSignIn, sendPage, typedUsername } from './page-forms.js';
import { cookieNames, parseCookies } from './pages/cookies.js';
import { deviceCodePage, deviceConfirmPage, deviceDonePage } from './pages/device-pages.js';
import { loginPage } from './pages/login-page.js';

const CODE_ERROR = 'That code is not valid or has expired. Check the code on your device.';
const START_AGAIN = 'Start again.';

/** RFC 8628: POST /device_authorization for devices; /device pages where a person enters the code and approves. */
export function registerDeviceRoutes(app: FastifyInstance, auth: AuthServer, endpointRequest: (request: FastifyRequest) => Parameters<AuthServer['login']['deviceAuthorization']>[0]): void {
  const names = cookieNames(auth.config.issuer);
  const flows = auth.login;
  const noStore = { 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': 'application/json; charset=utf-8' };

  app.post('/device_authorization', async (request, reply) => {
    const response = await flows.deviceAuthorization(endpointRequest(request));
    return reply.headers(noStore).send(JSON.stringify(response));
  });

  /** Looks the typed code up; renders the code page again (with the error tied to the field) when it is bad. */
  async function lookUp(request: FastifyRequest, reply: FastifyReply, typed: string) {
    const found = await flows.findDeviceCode(typed, contextOf(request));
    if (found.ok) return found;
    const csrf = csrfToken(names, request, reply);
    if (found.reason === 'throttled') {
      reply.header('retry-after', String(found.retryAfterSeconds));
      sendPage(reply, 429, deviceCodePage({ csrf, userCode: typed.slice(0, 16), error: `Too many wrong codes. Wait ${found.retryAfterSeconds} seconds and try again.` }));
    } else {
      sendPage(reply, 400, deviceCodePage({ csrf, userCode: typed.slice(0, 16), error: CODE_ERROR }));
    }
    return undefined;
  }

  async function confirm(request: FastifyRequest, reply: FastifyReply, typed: string, current: NonNullable<Awaited<ReturnType<typeof flows.currentSession>>>) {
    const found = await lookUp(request, reply, typed);
    if (!found) return reply;
    return sendPage(reply, 200, deviceConfirmPage({
      csrf: csrfToken(names, request, reply),
      userCode: formatUserCode(found.device.userCode),
      clientName: found.client.name,
      username: current.user.username,
      scopes: found.device.scopes,
    }));
  }

  const checkCsrf = (request: FastifyRequest, reply: FastifyReply): boolean => formCsrfOk(names, request, reply, START_AGAIN);

  app.get('/device', (request, reply) => {
    const raw = (request.query as Record<string, unknown> | undefined)?.['user_code'];
    const userCode = typeof raw === 'string' ? raw.slice(0, 16) : undefined;
    return sendPage(reply, 200, deviceCodePage({ csrf: csrfToken(names, request, reply), ...(userCode ? { userCode } : {}) }));
  });

  app.post('/device', async (request, reply) => {
    if (!checkCsrf(request, reply)) return reply;
    const typed = field(request.body, 'user_code') ?? '';
    const current = await flows.currentSession(parseCookies(request.headers.cookie).get(names.session));
    if (current) return confirm(request, reply, typed, current);
    const found = await lookUp(request, reply, typed);
    if (!found) return reply;
    return sendPage(reply, 200, loginPage({ csrf: csrfToken(names, request, reply), device: formatUserCode(found.device.userCode), clientName: found.client.name }));
  });

  app.post('/device/login', async (request, reply) => {
    if (!checkCsrf(request, reply)) return reply;
    const typed = field(request.body, 'user_code') ?? '';
    const found = await lookUp(request, reply, typed);
    if (!found) return reply;
    const csrf = csrfToken(names, request, reply);
    const again = (status: number, error: string) =>
      sendPage(reply, status, loginPage({ csrf, device: formatUserCode(found.device.userCode), clientName: found.client.name, username: typedUsername(request), error }));
    const signedIn = await passwordSignIn(flows, names, request, reply, again);
    if (!signedIn) return reply;
    return confirm(request, reply, typed, signedIn);
  });

  app.post('/device/decide', async (request, reply) => {
    if (!checkCsrf(request, reply)) return reply;
    const current = await flows.currentSession(parseCookies(request.headers.cookie).get(names.session));
    const typed = field(request.body, 'user_code') ?? '';
    if (!current) return sendPage(reply, 200, deviceCodePage({ csrf: csrfToken(names, request, reply), userCode: typed.slice(0, 16) }));
    const found = await lookUp(request, reply, typed);
    if (!found) return reply;
    const approve = field(request.body, 'decision') === 'allow';
    await flows.decideDevice(found.device, current.user, current.session, approve, contextOf(request));
    return sendPage(reply, 200, deviceDonePage(approve));
  });
}
