import { OAuthError } from '@tessera/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** Fastify's own client errors, turned into RFC 6749 §5.2 bodies with a clear description. */
function fromFastify(error: FastifyError): OAuthError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new OAuthError('invalid_request', 'the request body is too large', { status: 413 });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new OAuthError('invalid_request', 'the request body must be application/x-www-form-urlencoded', { status: 415 });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new OAuthError('invalid_request', 'the request body is malformed');
    default:
      if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
        return new OAuthError('invalid_request', 'the request is malformed', { status: error.statusCode });
      }
      return undefined;
  }
}

/** Sends an OAuth error as JSON with `Cache-Control: no-store` and, on 401, a `WWW-Authenticate` challenge. */
export function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  reply.code(error.status).header('cache-control', 'no-store').header('pragma', 'no-cache');
  if (error.status === 401) reply.header('www-authenticate', 'Basic realm="tessera", charset="UTF-8"');
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(error.toJSON()));
}

/** The one error handler: OAuth errors as they are, client mistakes as invalid_request, anything else as a logged 500. */
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof OAuthError) {
    if (error.status >= 500) request.log.error({ err: error, detail: error.detail }, 'request failed');
    else request.log.debug({ code: error.code, detail: error.detail }, 'request refused');
    return sendOAuthError(reply, error);
  }
  const mapped = fromFastify(error as FastifyError);
  if (mapped) {
    request.log.debug({ code: (error as FastifyError).code }, 'malformed request');
    return sendOAuthError(reply, mapped);
  }
  request.log.error({ err: error }, 'unexpected error');
  return sendOAuthError(reply, new OAuthError('server_error', 'the server could not process the request'));
}
