import { isAscii } from 'node:buffer';
import { OAuthError, type FormParams } from '@tessera/core';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NUL_CHARACTER = 'the request body contains a NUL character';

/** Most values (ids, grant types, base64url secrets) contain no escapes: skip decodeURIComponent for them. */
const NEEDS_DECODING = /[%+]/;

function decodeComponent(raw: string): string {
  let value = raw;
  if (NEEDS_DECODING.test(raw)) {
    try {
      value = decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      throw new OAuthError('invalid_request', 'the request body is not valid form encoding (bad percent-encoding or UTF-8)');
    }
  }
  if (value.includes('\u0000')) throw new OAuthError('invalid_request', NUL_CHARACTER);
  return value;
}

/** Strict UTF-8; a body of plain ASCII (nearly every OAuth request) skips the decoder's checks. */
function textOf(body: Buffer): string {
  if (isAscii(body)) return body.toString('latin1');
  try {
    return utf8.decode(body);
  } catch {
    throw new OAuthError('invalid_request', 'the request body is not valid UTF-8');
  }
}

/**
 * Parses an application/x-www-form-urlencoded body strictly: the bytes must be UTF-8, every escape must
 * decode to UTF-8, no NUL characters. A name given more than once becomes an array; the protocol code
 * decides whether that is allowed. The result has no prototype, so names like `__proto__` are inert.
 */
export function parseFormBody(body: Buffer): FormParams {
  const text = textOf(body);
  const params = Object.create(null) as Record<string, string | string[]>;
  if (text === '') return params;
  // One scan of the whole body each, instead of two per name and value: a body without escapes (the
  // usual case) is taken as it is.
  if (text.includes('\u0000')) throw new OAuthError('invalid_request', NUL_CHARACTER);
  const decode = NEEDS_DECODING.test(text) ? decodeComponent : (raw: string) => raw;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    if (name === '') throw new OAuthError('invalid_request', 'the request body has a parameter without a name');
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else if (typeof existing === 'string') params[name] = [existing, value];
    else existing.push(value);
  }
  return params;
}
