import type { AuthServer, RequestContext, SessionRecord, UserRecord } from '@tessera/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfMatches, isCsrfToken, newCsrfToken, parseCookies, serializeCookie, type CookieNames } from './pages/cookies.js';
import { errorPage } from './pages/message-pages.js';

export const contextOf = (request: FastifyRequest): RequestContext => ({ ip: request.ip, userAgent: request.headers['user-agent'], requestId: request.id });

export const field = (body: unknown, name: string): string | undefined => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};

function originOf(uri: string): string | undefined {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Security headers of every hosted page. `formTargets` are the origins a form (or its redirect) may go to. */
export function sendPage(reply: FastifyReply, status: number, html: string, formTargets: string[] = []): FastifyReply {
  const formAction = ["'self'", ...new Set(formTargets.map(originOf).filter((o): o is string => o !== undefined))].join(' ');
  return reply
    .code(status)
    .headers({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'content-security-policy': `default-src 'none'; style-src 'self'; img-src 'self'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    })
    .send(html);
}

/** The CSRF token for this browser: the existing cookie's, or a new one set on the reply. */
export function csrfToken(names: CookieNames, request: FastifyRequest, reply: FastifyReply): string {
  const existing = parseCookies(request.headers.cookie).get(names.csrf);
  if (isCsrfToken(existing)) return existing;
  const token = newCsrfToken();
  reply.header('set-cookie', serializeCookie(names.csrf, token, { secure: names.secure }));
  return token;
}

/**
 * True when the form's CSRF field matches this browser's CSRF cookie. Otherwise answers 403 with a page
 * telling the person what to do (`startAgain`) and returns false: the caller returns `reply`.
 */
export function formCsrfOk(names: CookieNames, request: FastifyRequest, reply: FastifyReply, startAgain: string): boolean {
  if (csrfMatches(parseCookies(request.headers.cookie).get(names.csrf), field(request.body, 'csrf'))) return true;
  sendPage(reply, 403, errorPage('Your session expired', `The form was too old or was not sent by this site.${startAgain ? ` ${startAgain}` : ''}`));
  return false;
}

/**
 * The username/password step shared by the authorization and device pages: checks the fields, asks core
 * (throttle, constant-work comparison), and on success starts a session and sets its cookie. On failure
 * `again(status, message)` renders the form once more and the answer is undefined. (Never resolve an
 * async function with the reply itself: a FastifyReply is a thenable, awaiting it yields undefined.)
 */
export async function passwordSignIn(
  flows: AuthServer['login'],
  names: CookieNames,
  request: FastifyRequest,
  reply: FastifyReply,
  again: (status: number, error: string) => FastifyReply,
): Promise<{ session: SessionRecord; user: UserRecord } | undefined> {
  const username = (field(request.body, 'username') ?? '').trim();
  const password = field(request.body, 'password') ?? '';
  if (username === '' || password === '') {
    again(400, 'Enter your username and password.');
    return undefined;
  }
  const result = await flows.authenticate(username, password, contextOf(request));
  if (!result.ok) {
    if (result.reason === 'throttled') {
      reply.header('retry-after', String(result.retryAfterSeconds));
      again(429, `Too many failed attempts. Wait ${result.retryAfterSeconds} seconds and try again.`);
      return undefined;
    }
    // Not 401: RFC 9110 §15.5.2 ties 401 to a WWW-Authenticate challenge, and a login form is not HTTP authentication.
    again(400, 'Incorrect username or password.');
    return undefined;
  }
  const { session, cookie } = await flows.startSession(result.user, contextOf(request));
  reply.header('set-cookie', serializeCookie(names.session, cookie, { secure: names.secure, maxAge: flows.config.sessionAbsoluteTtl }));
  return { session, user: result.user };
}

/** The username the person typed, for re-rendering the form (bounded). */
export const typedUsername = (request: FastifyRequest): string => (field(request.body, 'username') ?? '').trim().slice(0, 256);
