import { createAuthenticator, type ClientAuthenticator } from './client-auth.js';
import { checkEndpoint, loadMetadata, type IssuerMetadata } from './discovery.js';
import { TokenError } from './errors.js';
import { exchange, NoAnswerError } from './http.js';
import { DEFAULT_RETRY, type ClientOptions, type ResolvedClient } from './options.js';
import { sleep, TransientFailure, withRetry, type RetryEnvironment } from './retry.js';
import { readTokenAnswer, type TokenSet } from './token-response.js';

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number`);
  return value;
}

/** Checks and fills the options shared by every request to the authorization server. */
export function resolveClient(options: ClientOptions): ResolvedClient {
  if (typeof options.issuer !== 'string') throw new TypeError('issuer is required');
  try {
    checkEndpoint(options.issuer, 'issuer', options.issuer);
  } catch (error) {
    throw new TypeError(`issuer: ${(error as Error).message}`);
  }
  if (typeof options.clientId !== 'string' || options.clientId.length === 0) throw new TypeError('clientId is required');
  const retry = options.retry === false ? { ...DEFAULT_RETRY, maxAttempts: 1 } : { ...DEFAULT_RETRY, ...options.retry };
  if (!Number.isInteger(retry.maxAttempts) || retry.maxAttempts < 1 || retry.maxAttempts > 10) throw new TypeError('retry.maxAttempts must be an integer from 1 to 10');
  positive('retry.baseDelayMs', retry.baseDelayMs, 1);
  positive('retry.maxDelayMs', retry.maxDelayMs, 1);
  if (options.metadata && options.metadata.issuer !== options.issuer) throw new TypeError('metadata.issuer differs from issuer');
  return {
    issuer: options.issuer,
    clientId: options.clientId,
    metadata: options.metadata,
    discoveryUrl: options.discoveryUrl,
    timeoutMs: positive('timeoutMs', options.timeoutMs, 10_000),
    retry,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    clock: options.clock ?? Date.now,
    sleep: options.sleep ?? sleep,
    random: options.random ?? Math.random,
  };
}

/**
 * The client's side of the token endpoint: discovery (once, then cached), client authentication, and
 * one grant request with retries. Shared by the token manager and the code exchange.
 */
export class TokenEndpoint {
  readonly #client: ResolvedClient;
  readonly #auth: ClientAuthenticator;
  #metadata: IssuerMetadata | undefined;

  constructor(options: ClientOptions) {
    this.#client = resolveClient(options);
    this.#auth = createAuthenticator(options, this.#client.clientId, this.#client.issuer);
    this.#metadata = this.#client.metadata;
  }

  get client(): ResolvedClient {
    return this.#client;
  }

  get authMethod(): ClientAuthenticator['method'] {
    return this.#auth.method;
  }

  #retryEnvironment(signal: AbortSignal | undefined): RetryEnvironment {
    return { policy: this.#client.retry, sleep: this.#client.sleep, random: this.#client.random, signal };
  }

  /** The issuer's metadata, discovered on first use; a failed discovery is tried again next time. */
  async metadata(signal?: AbortSignal): Promise<IssuerMetadata> {
    if (!this.#metadata) {
      const c = this.#client;
      this.#metadata = await loadMetadata(c.issuer, {
        fetch: c.fetch,
        timeoutMs: c.timeoutMs,
        signal,
        discoveryUrl: c.discoveryUrl,
        now: c.clock,
        retry: this.#retryEnvironment(signal),
      });
    }
    return this.#metadata;
  }

  /** One grant request (`grant` holds grant_type and its parameters), retried on transient failures. */
  async request(grant: URLSearchParams, options: { signal?: AbortSignal | undefined; defaultExpiresIn: number }): Promise<TokenSet> {
    const { tokenEndpoint } = await this.metadata(options.signal);
    const c = this.#client;
    return withRetry(async (attempt) => {
      const params = new URLSearchParams(grant);
      const headers = new Headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' });
      const sentAt = c.clock();
      this.#auth.apply({ params, headers, nowMs: sentAt });
      let answer;
      try {
        answer = await exchange(tokenEndpoint, { method: 'POST', headers, body: params.toString() }, { fetch: c.fetch, timeoutMs: c.timeoutMs, signal: options.signal });
      } catch (error) {
        if (error instanceof NoAnswerError) throw new TransientFailure(new TokenError('unavailable', error.message, { cause: error }));
        throw error;
      }
      return readTokenAnswer(answer, { endpoint: tokenEndpoint, sentAt, defaultExpiresIn: options.defaultExpiresIn, now: c.clock(), attempt });
    }, this.#retryEnvironment(options.signal));
  }
}
