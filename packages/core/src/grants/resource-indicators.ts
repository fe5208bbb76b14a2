import { OAuthError } from '../errors.js';
import { repeatedParam, type FormParams } from '../request.js';

/** The `resource` parameters of a token request (RFC 8707), without repeats, sorted so equal requests compare equal. */
export function requestedResources(params: FormParams): string[] {
  return [...new Set(repeatedParam(params, 'resource'))].sort();
}

/**
 * RFC 8707 §2.2: on a grant that already holds an audience (a code, a refresh token, a device code),
 * `resource` at the token endpoint narrows the access token to some of it and never adds to it.
 * Answers the access token's audience: the requested resources, or the whole grant when none is asked for.
 */
export function narrowedAudience(requested: readonly string[], granted: readonly string[]): string[] {
  if (requested.length === 0) return [...granted];
  const outside = requested.filter((resource) => !granted.includes(resource));
  if (outside.length > 0) {
    throw new OAuthError('invalid_target', 'the requested resource is not part of this grant', {
      detail: `not granted: ${outside.join(' ').slice(0, 200)}`,
    });
  }
  return [...requested];
}
