import { OAuthError } from './errors.js';

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value);
}

/** Parses a `scope` parameter (RFC 6749 §3.3) into distinct scope tokens, in request order. */
export function parseScope(value: string | undefined): string[] {
  if (value === undefined || value === '') return [];
  // The common request names one scope: no split, no de-duplication.
  if (!value.includes(' ')) {
    if (!isScopeToken(value)) throw new OAuthError('invalid_scope', 'scope contains invalid characters');
    return [value];
  }
  const tokens = value.split(' ').filter((t) => t !== '');
  if (tokens.some((t) => !isScopeToken(t))) throw new OAuthError('invalid_scope', 'scope contains invalid characters');
  return [...new Set(tokens)];
}

/** The requested scopes if all are allowed, the defaults if none were requested; `invalid_scope` otherwise. */
export function grantScopes(requested: string[], allowed: readonly string[], defaults: readonly string[]): string[] {
  if (requested.length === 0) return [...defaults];
  const notAllowed = requested.filter((s) => !allowed.includes(s));
  if (notAllowed.length > 0) {
    throw new OAuthError('invalid_scope', 'the requested scope exceeds what this client may request', {
      detail: `not allowed: ${notAllowed.join(' ').slice(0, 200)}`,
    });
  }
  return requested;
}
