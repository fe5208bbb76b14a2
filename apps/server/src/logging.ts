import { pino, stdSerializers, type Logger } from 'pino';

/** Paths that could ever hold a credential; censored even though Tessera never logs them on purpose. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.client_secret',
  '*.client_assertion',
  '*.access_token',
  '*.refresh_token',
  '*.token',
  '*.password',
  'secret',
];

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * Fastify's request line without the query string: a client that wrongly puts a token or secret in the
 * URL (RFC 6749 §2.3.1 forbids it) must not get it written to the logs.
 */
function requestLine(req: LoggedRequest): Record<string, unknown> {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return {
    method: req.method,
    url: query === -1 ? url : `${url.slice(0, query)}?[redacted]`,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** Errors as pino serialises them, minus Node's `rawPacket`: the raw bytes of a request it could not parse, credentials included. */
function errorWithoutPacket(err: Error): unknown {
  const serialized = stdSerializers.err(err) as unknown;
  if (typeof serialized !== 'object' || serialized === null || !('rawPacket' in serialized)) return serialized;
  const { rawPacket: _rawPacket, ...rest } = serialized as Record<string, unknown>;
  return rest;
}

/** Structured JSON logs on stdout (or the given stream). */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { req: requestLine, err: errorWithoutPacket },
    base: { service: 'tessera' },
  };
  return destination ? pino(options, destination) : pino(options);
}
