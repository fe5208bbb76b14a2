import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorPage } from '../http/pages/message-pages.js';
import { sendPage } from '../http/page-forms.js';
import type { LimitedRoute, Refusal } from './rate-limiter.js';

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * 429 Too Many Requests (RFC 6585 §4) with Retry-After in whole seconds. OAuth endpoints answer an
 * RFC 6749 §5.2-shaped body with `temporarily_unavailable` — the registered code for "try again
 * later" (RFC 6749 §4.1.2.1), which clients already treat as transient, unlike invalid_request or
 * invalid_client, which would make them give up or suspect their credentials; a device polling /token
 * gets `slow_down` (RFC 8628 §3.5), which tells it to poll less often. HTML forms get a page.
 */
export function sendRefusal(request: FastifyRequest, reply: FastifyReply, route: LimitedRoute, refusal: Refusal): FastifyReply {
  const seconds = Math.max(1, Math.ceil(refusal.retryAfterMs / 1000));
  reply.code(429).header('retry-after', String(seconds));
  if (route.kind === 'form') {
    return sendPage(reply, 429, errorPage('Too many attempts', `Too many requests came from your network. Wait ${seconds} seconds and try again.`));
  }
  const grantType = (request.body as Record<string, unknown> | undefined)?.['grant_type'];
  const error = route.endpoint === 'token' && grantType === DEVICE_CODE_GRANT ? 'slow_down' : 'temporarily_unavailable';
  const description = `rate limit exceeded (per ${refusal.limitedBy === 'ip' ? 'client IP' : 'client'}); retry after ${seconds} s`;
  return reply
    .headers({ 'cache-control': 'no-store', pragma: 'no-cache', 'content-type': 'application/json; charset=utf-8' })
    .send(JSON.stringify({ error, error_description: description }));
}
