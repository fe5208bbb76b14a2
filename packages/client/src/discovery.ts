import { TokenError } from './errors.js';
import { exchange, NoAnswerError, retryAfterMs, type HttpOptions } from './http.js';
import { TransientFailure, withRetry, type RetryEnvironment } from './retry.js';

/** The parts of RFC 8414 authorization server metadata the client uses. */
export interface IssuerMetadata {
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly authorizationEndpoint?: string | undefined;
  readonly revocationEndpoint?: string | undefined;
  /** OpenID Connect UserInfo. */
  readonly userinfoEndpoint?: string | undefined;
  /** OpenID Connect RP-initiated logout. */
  readonly endSessionEndpoint?: string | undefined;
}

export function wellKnownUrl(issuer: string): string {
  const url = new URL(issuer);
  // RFC 8414 §3.1: the well-known segment goes between the host and any path of the issuer.
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}/.well-known/oauth-authorization-server${path}`;
}

/** An endpoint must be an absolute URL, https unless the issuer itself is plain http (local development). */
export function checkEndpoint(issuer: string, name: string, value: unknown): string {
  if (typeof value !== 'string') throw new Error(`${name} is missing`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} is not a URL`);
  }
  const plainAllowed = issuer.startsWith('http:');
  if (url.protocol !== 'https:' && !(plainAllowed && url.protocol === 'http:')) throw new Error(`${name} must use https like the issuer`);
  return value;
}

const optionalEndpoint = (issuer: string, name: string, value: unknown): string | undefined =>
  value === undefined ? undefined : checkEndpoint(issuer, name, value);

const failed = (url: string, reason: string, status?: number, cause?: unknown): TokenError =>
  new TokenError('discovery_failed', `${url}: ${reason}`, { status, cause });

/**
 * Loads the issuer's metadata and checks that it speaks for that issuer (RFC 8414 §3.3). Network errors,
 * timeouts, 5xx and 429 are retried like token requests (and end as `unavailable`); a wrong or missing
 * document fails with `discovery_failed`.
 */
export async function loadMetadata(
  issuer: string,
  options: HttpOptions & { retry: RetryEnvironment; discoveryUrl?: string | undefined; now: () => number },
): Promise<IssuerMetadata> {
  const url = options.discoveryUrl ?? wellKnownUrl(issuer);
  const answer = await withRetry(async () => {
    try {
      const result = await exchange(url, { headers: { accept: 'application/json' } }, options);
      if (result.status >= 500 || result.status === 429) {
        const error = new TokenError('unavailable', `${url}: answered with status ${result.status}`, { status: result.status });
        throw new TransientFailure(error, retryAfterMs(result.headers, options.now()));
      }
      return result;
    } catch (error) {
      if (error instanceof NoAnswerError) throw new TransientFailure(new TokenError('unavailable', error.message, { cause: error }));
      throw error;
    }
  }, options.retry);
  if (answer.status !== 200 || answer.json === undefined) {
    throw failed(url, `answered with status ${answer.status}${answer.json ? '' : ' and no JSON object'}`, answer.status);
  }
  const body = answer.json;
  if (body['issuer'] !== issuer) {
    throw failed(url, `the metadata names issuer ${JSON.stringify(body['issuer'])?.slice(0, 200)}, not the configured ${JSON.stringify(issuer)}`);
  }
  try {
    return {
      issuer,
      tokenEndpoint: checkEndpoint(issuer, 'token_endpoint', body['token_endpoint']),
      authorizationEndpoint: optionalEndpoint(issuer, 'authorization_endpoint', body['authorization_endpoint']),
      revocationEndpoint: optionalEndpoint(issuer, 'revocation_endpoint', body['revocation_endpoint']),
      userinfoEndpoint: optionalEndpoint(issuer, 'userinfo_endpoint', body['userinfo_endpoint']),
      endSessionEndpoint: optionalEndpoint(issuer, 'end_session_endpoint', body['end_session_endpoint']),
    };
  } catch (error) {
    throw failed(url, (error as Error).message, 200, error);
  }
}
