import { OAuthError, type AuthServer, type AuthorizationRequest, type FormParams } from '@tessera/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { consentPage } from './pages/consent-page.js';
import { cookieNames, parseCookies, serializeCookie } from './pages/cookies.js';
import { contextOf, csrfToken, field, formCsrfOk, passwordSignIn, sendPage, typedUsername } from './page-forms.js';
import { loginPage } from './pages/login-page.js';
import { errorPage, loggedOutPage, logoutConfirmPage } from './pages/message-pages.js';
import { STYLESHEET } from './pages/style.js';

const START_AGAIN = 'Go back to the application and start again.';

/** Query string → FormParams (a repeated name becomes an array, like the form parser). */
export function queryParams(rawQuery: string): FormParams {
  const params = Object.create(null) as Record<string, string | string[]>;
  for (const [name, value] of new URLSearchParams(rawQuery)) {
    if (value.includes('\u0000') || name === '') continue;
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else if (typeof existing === 'string') params[name] = [existing, value];
    else existing.push(value);
  }
  return params;
}

export const rawQueryOf = (request: FastifyRequest): string => {
  const q = request.url.indexOf('?');
  return q === -1 ? '' : request.url.slice(q + 1);
};

export function redirect(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).headers({ location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).send('');
}

/** /authorize, the hosted login and consent pages, /logout and /userinfo. */
export function registerLoginRoutes(app: FastifyInstance, auth: AuthServer): void {
  const names = cookieNames(auth.config.issuer);
  const flows = auth.login;

  const sessionCookie = (request: FastifyRequest): string | undefined => parseCookies(request.headers.cookie).get(names.session);

  /** After the user is known: consent if needed, then the code. */
  async function continueAuthorization(
    request: FastifyRequest,
    reply: FastifyReply,
    authz: AuthorizationRequest,
    rawQuery: string,
    current: NonNullable<Awaited<ReturnType<typeof flows.currentSession>>>,
  ): Promise<FastifyReply> {
    if (await flows.consentNeeded(authz, current.user)) {
      if (authz.prompt === 'none') return redirect(reply, flows.errorRedirect(authz.redirectUri, authz.state, 'consent_required', 'the user has not consented'));
      const html = consentPage({ csrf: csrfToken(names, request, reply), authorize: rawQuery, clientName: authz.client.name, username: current.user.username, scopes: authz.scopes });
      return sendPage(reply, 200, html, [authz.redirectUri]);
    }
    return redirect(reply, await flows.issueCode(authz, current.session));
  }

  /** Checks the authorization request; answers with the error page or error redirect itself when it is bad. */
  async function checked(reply: FastifyReply, params: FormParams): Promise<AuthorizationRequest | undefined> {
    const outcome = await flows.checkAuthorization(params);
    if (outcome.ok) return outcome.request;
    if (!outcome.redirect) {
      sendPage(reply, 400, errorPage('This sign-in link is not valid', outcome.description));
    } else {
      redirect(reply, flows.errorRedirect(outcome.redirectUri, outcome.state, outcome.error, outcome.description));
    }
    return undefined;
  }

  async function authorize(request: FastifyRequest, reply: FastifyReply, rawQuery: string): Promise<FastifyReply> {
    const authz = await checked(reply, queryParams(rawQuery));
    if (!authz) return reply;
    const current = authz.prompt === 'login' ? undefined : await flows.currentSession(sessionCookie(request));
    const fresh = current && (authz.maxAge === null || Date.now() - current.session.authTime <= authz.maxAge * 1000);
    if (!current || !fresh) {
      if (authz.prompt === 'none') return redirect(reply, flows.errorRedirect(authz.redirectUri, authz.state, 'login_required', 'the user is not signed in'));
      // prompt=login is honoured once: the form carries the request without it.
      const carried = new URLSearchParams(rawQuery);
      if (authz.prompt === 'login') carried.delete('prompt');
      const html = loginPage({ csrf: csrfToken(names, request, reply), authorize: carried.toString(), clientName: authz.client.name });
      return sendPage(reply, 200, html, [authz.redirectUri]);
    }
    return continueAuthorization(request, reply, authz, rawQuery, current);
  }

  app.get('/assets/tessera.css', (_request, reply) => {
    reply.headers({ 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }).send(STYLESHEET);
  });

  app.get('/authorize', (request, reply) => authorize(request, reply, rawQueryOf(request)));
  app.post('/authorize', (request, reply) => {
    const body = (request.body ?? {}) as Record<string, string | string[]>;
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(body)) for (const one of typeof v === 'string' ? [v] : v) search.append(k, one);
    return authorize(request, reply, search.toString());
  });

  app.post('/login', async (request, reply) => {
    if (!formCsrfOk(names, request, reply, START_AGAIN)) return reply;
    const rawQuery = field(request.body, 'authorize') ?? '';
    const authz = await checked(reply, queryParams(rawQuery));
    if (!authz) return reply;
    const csrf = csrfToken(names, request, reply);
    const again = (status: number, error: string): FastifyReply =>
      sendPage(reply, status, loginPage({ csrf, authorize: rawQuery, clientName: authz.client.name, username: typedUsername(request), error }), [authz.redirectUri]);
    const signedIn = await passwordSignIn(flows, names, request, reply, again);
    if (!signedIn) return reply;
    return continueAuthorization(request, reply, authz, rawQuery, signedIn);
  });

  app.post('/consent', async (request, reply) => {
    if (!formCsrfOk(names, request, reply, START_AGAIN)) return reply;
    const cookies = parseCookies(request.headers.cookie);
    const rawQuery = field(request.body, 'authorize') ?? '';
    const authz = await checked(reply, queryParams(rawQuery));
    if (!authz) return reply;
    const current = await flows.currentSession(cookies.get(names.session));
    if (!current) return authorize(request, reply, rawQuery);
    if (field(request.body, 'decision') !== 'allow') {
      return redirect(reply, flows.errorRedirect(authz.redirectUri, authz.state, 'access_denied', 'the user denied the request'));
    }
    await flows.giveConsent(authz, current.user, contextOf(request));
    return redirect(reply, await flows.issueCode(authz, current.session));
  });

  const LOGOUT_PARAMS = ['id_token_hint', 'post_logout_redirect_uri', 'client_id', 'state'] as const;
  function logoutParams(source: FormParams): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of LOGOUT_PARAMS) {
      const value = source[name];
      if (value === undefined || value === '') continue;
      if (typeof value !== 'string') throw new OAuthError('invalid_request', `parameter "${name}" must not be repeated`);
      if (value.length > 8192) throw new OAuthError('invalid_request', `parameter "${name}" is too long`);
      out[name] = value;
    }
    return out;
  }
  const asLogout = (p: Record<string, string>) => ({
    ...(p['id_token_hint'] ? { idTokenHint: p['id_token_hint'] } : {}),
    ...(p['post_logout_redirect_uri'] ? { postLogoutRedirectUri: p['post_logout_redirect_uri'] } : {}),
    ...(p['client_id'] ? { clientId: p['client_id'] } : {}),
    ...(p['state'] ? { state: p['state'] } : {}),
  });

  app.get('/logout', async (request, reply) => {
    let params: Record<string, string>;
    try {
      params = logoutParams(queryParams(rawQueryOf(request)));
      const current = await flows.currentSession(sessionCookie(request));
      if (current) {
        // Validate first (an invalid hint or redirect is an error page), then ask before ending the session.
        await flows.logout(asLogout(params), undefined);
        return sendPage(reply, 200, logoutConfirmPage({ csrf: csrfToken(names, request, reply), params }), params['post_logout_redirect_uri'] ? [params['post_logout_redirect_uri']] : []);
      }
      const { redirectTo } = await flows.logout(asLogout(params), undefined);
      return redirectTo ? redirect(reply, redirectTo) : sendPage(reply, 200, loggedOutPage());
    } catch (error) {
      if (error instanceof OAuthError) return sendPage(reply, 400, errorPage('Cannot sign out from this link', error.description));
      throw error;
    }
  });

  app.post('/logout', async (request, reply) => {
    if (!formCsrfOk(names, request, reply, '')) return reply;
    const cookies = parseCookies(request.headers.cookie);
    try {
      const params = logoutParams((request.body ?? {}) as FormParams);
      const current = await flows.currentSession(cookies.get(names.session));
      const { redirectTo } = await flows.logout(asLogout(params), current?.session.id, contextOf(request));
      reply.header('set-cookie', serializeCookie(names.session, '', { secure: names.secure, maxAge: 0 }));
      return redirectTo ? redirect(reply, redirectTo) : sendPage(reply, 200, loggedOutPage());
    } catch (error) {
      if (error instanceof OAuthError) return sendPage(reply, 400, errorPage('Cannot sign out from this link', error.description));
      throw error;
    }
  });

  const userinfo = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    try {
      const claims = await flows.userinfo(request.headers.authorization);
      return reply.headers({ 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': 'application/json; charset=utf-8' }).send(JSON.stringify(claims));
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      const code = error.code === 'insufficient_scope' ? 'insufficient_scope' : error.code === 'invalid_request' ? 'invalid_request' : 'invalid_token';
      const challenge = `Bearer realm="tessera", error="${code}", error_description="${error.description.replace(/["\\]/g, '')}"`;
      return reply
        .code(code === 'insufficient_scope' ? 403 : 401)
        .headers({ 'www-authenticate': challenge, 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' })
        .send(JSON.stringify({ error: code, error_description: error.description }));
    }
  };
  app.get('/userinfo', userinfo);
  app.post('/userinfo', userinfo);
}
