import { OAuthError } from '@tessera/core';

/**
 * SQLSTATEs that mean "the database cannot answer right now", not "this request is wrong":
 * class 08 (connection exception), 53 (insufficient resources, e.g. too many connections),
 * 57P01-57P05 (shutdown, crash, cannot connect now, database dropped, idle session timeout),
 * 57014 (statement timeout or cancel), 40001/40P01 (serialisation failure, deadlock: retryable).
 */
function unavailableState(code: string): boolean {
  return code.startsWith('08') || code.startsWith('53') || /^57P0[1-5]$/.test(code) || code === '57014' || code === '40001' || code === '40P01';
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

const CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'Query read timeout',
  'Client has encountered a connection error',
  'Client was closed',
  'the database system is',
];

/** True when `error` says PostgreSQL is unreachable, restarting, overloaded or too slow: worth a 503 and a retry. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof AggregateError && error.errors.some(isDatabaseUnavailable)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || (/^[0-9A-Z]{5}$/.test(code) && unavailableState(code)))) return true;
  return CONNECTION_MESSAGES.some((text) => error.message.includes(text));
}

/**
 * The one place PostgreSQL failures become protocol errors: an unavailable database is
 * `503 temporarily_unavailable` (the client may retry), the cause kept for operators. Anything else
 * (a bug, a constraint) passes through unchanged and ends as a logged 500.
 */
export function translatePgError(error: unknown): unknown {
  if (error instanceof OAuthError || !isDatabaseUnavailable(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new OAuthError('temporarily_unavailable', 'the database is unavailable; try again shortly', {
    detail: `PostgreSQL: ${reason}`,
    cause: error,
  });
}
