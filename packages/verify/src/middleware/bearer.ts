import type { TesseraClaims } from '../claims.js';
import { VerifyError } from '../errors.js';
import type { Verifier } from '../verifier.js';

/** Options shared by every framework's `requireAuth`. */
export interface AuthOptions {
  verifier: Verifier;
  /** Scopes this route requires, on top of the verifier's `requiredScopes`. */
  scopes?: readonly string[];
  /** `realm` of the WWW-Authenticate challenge. Default: the verifier's first audience. */
  realm?: string;
  /** Accept `?access_token=` (RFC 6750 §2.3). Off by default: URLs end up in logs and Referer headers. */
  allowQueryToken?: boolean;
  /** Sees every refused request's error (for logs and metrics); never the token. */
  onError?: (error: VerifyError) => void;
}

/** A refused request: what to answer. The body never contains the token. */
export class Rejection {
  constructor(
    readonly status: 400 | 401 | 403 | 503,
    readonly headers: Readonly<Record<string, string>>,
    readonly body: string,
  ) {}
}

export type AuthOutcome = TesseraClaims | Rejection;

/** RFC 6750 §2.1 b64token, after the scheme and its spaces. */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const PRINTABLE = /^[\x20-\x7e]*$/;
const quote = (value: string): string => `"${value.replace(/[\\"]/g, '\\$&')}"`;

function challenge(realm: string, status: Rejection['status'], error?: string, description?: string, scope?: string): Rejection {
  let value = `Bearer realm=${quote(realm)}`;
  if (error !== undefined) value += `, error=${quote(error)}, error_description=${quote(description ?? '')}`;
  if (scope) value += `, scope=${quote(scope)}`;
  const headers = { 'www-authenticate': value, 'cache-control': 'no-store' };
  if (error === undefined) return new Rejection(status, headers, '');
  const body = JSON.stringify({ error, error_description: description });
  return new Rejection(status, { ...headers, 'content-type': 'application/json; charset=utf-8' }, body);
}

/** The token from the Authorization header or, when allowed, the query; a Rejection for a bad request. */
function extractToken(authorization: string | undefined, url: string | undefined, allowQuery: boolean, realm: string): string | Rejection | undefined {
  const query = url === undefined ? -1 : url.indexOf('?');
  const fromQuery = query === -1 ? [] : new URLSearchParams((url as string).slice(query + 1)).getAll('access_token');
  if (fromQuery.length > 0 && !allowQuery) return challenge(realm, 400, 'invalid_request', 'access tokens are not accepted in the query string');
  const bearer = authorization !== undefined && /^bearer(?: |$)/i.test(authorization);
  if (fromQuery.length > 1 || (bearer && fromQuery.length > 0)) return challenge(realm, 400, 'invalid_request', 'send exactly one access token');
  if (!bearer) return fromQuery[0];
  const match = BEARER.exec(authorization as string);
  return match ? match[1] : challenge(realm, 401, 'invalid_token', 'the authorization header is malformed');
}

/**
 * The framework-free core of every middleware: reads the bearer token (RFC 6750 §2.1, and §2.3 when
 * allowed), verifies it with the route's scopes, and turns failures into RFC 6750 §3 challenges: a bare
 * challenge without a token, 401 invalid_token, 403 insufficient_scope, 503 when the verifier cannot decide.
 */
export function createAuthenticator(options: AuthOptions): (authorization: string | undefined, url: string | undefined) => AuthOutcome | Promise<AuthOutcome> {
  const { verifier, allowQueryToken = false, onError } = options;
  const scopes = options.scopes === undefined ? undefined : [...options.scopes];
  const realm = options.realm ?? verifier.audiences[0] ?? '';
  const required = [...verifier.requiredScopes, ...(scopes ?? [])].join(' ');
  if (!PRINTABLE.test(realm) || !PRINTABLE.test(required)) throw new TypeError('requireAuth: realm and scopes must be printable ASCII');
  const verifyOptions = { scopes };

  const refuse = (error: unknown): Rejection => {
    if (!(error instanceof VerifyError)) throw error;
    onError?.(error);
    if (error.code === 'token_insufficient_scope') return challenge(realm, 403, 'insufficient_scope', error.message, required);
    if (error.unavailable) {
      const body = JSON.stringify({ error: 'temporarily_unavailable', error_description: error.message });
      return new Rejection(503, { 'cache-control': 'no-store', 'content-type': 'application/json; charset=utf-8' }, body);
    }
    return challenge(realm, 401, 'invalid_token', error.message);
  };

  return function authenticate(authorization, url) {
    const token = extractToken(authorization, url, allowQueryToken, realm);
    if (token === undefined) return challenge(realm, 401);
    if (token instanceof Rejection) return token;
    try {
      const result = verifier.verifyFast(token, verifyOptions);
      return result instanceof Promise ? result.catch(refuse) : result;
    } catch (error) {
      return refuse(error);
    }
  };
}
