import type { RequestContext } from './audit/events.js';
import { OAuthError } from './errors.js';

/** Form parameters as parsed by the HTTP layer: a name given more than once maps to an array. */
export type FormParams = Readonly<Record<string, string | readonly string[]>>;

/** A protocol request stripped of HTTP: form parameters, the Authorization header, and where it came from. */
export interface EndpointRequest {
  params: FormParams;
  authorization?: string | undefined;
  context: RequestContext;
}

/** A parameter that may appear at most once (RFC 6749 §3.1, §3.2). Empty values count as absent. */
export function optionalParam(params: FormParams, name: string): string | undefined {
  const value = params[name];
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (value === undefined) return undefined;
  throw new OAuthError('invalid_request', `parameter "${name}" must not be repeated`);
}

export function requiredParam(params: FormParams, name: string): string {
  const value = optionalParam(params, name);
  if (value === undefined) throw new OAuthError('invalid_request', `missing required parameter "${name}"`);
  return value;
}

/** A parameter that may legitimately repeat, such as RFC 8707 `resource`. */
export function repeatedParam(params: FormParams, name: string): string[] {
  const value = params[name];
  if (value === undefined) return [];
  return (typeof value === 'string' ? [value] : [...value]).filter((v) => v !== '');
}
