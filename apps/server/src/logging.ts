import { pino, type Logger } from 'pino';

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

/** Structured JSON logs on stdout (or the given stream). */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'tessera' } };
  return destination ? pino(options, destination) : pino(options);
}
