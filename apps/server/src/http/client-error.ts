import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** What each parser-level refusal tells the client. */
function refusalFor(code: string | undefined): { status: number; description: string } {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, description: 'the request did not arrive in time' };
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, description: 'the request headers are too large' };
  return { status: 400, description: 'the request is not well-formed HTTP/1.1' };
}

/**
 * Fastify's clientErrorHandler: requests Node's HTTP parser refuses before any route sees them (broken
 * framing, conflicting lengths, headers over the limit, a request that never finishes) get the same
 * kind of answer as every other refusal — an RFC 6749 style `invalid_request` JSON body with
 * `Cache-Control: no-store` — and the connection is closed, since its framing cannot be trusted.
 * Fastify binds `this` to the instance.
 */
export function answerClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // Mostly network noise or a proxy's misconfiguration: worth a line only when tracing.
  this.log.trace({ err: error }, 'client error');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const { status, description } = refusalFor(error.code);
  const body = JSON.stringify({ error: 'invalid_request', error_description: description });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncache-control: no-store\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}
