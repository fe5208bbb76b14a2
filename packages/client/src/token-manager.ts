import { createAuthorizedFetch } from './authorized-fetch.js';
import { OAuthError, TokenError } from './errors.js';
import type { TokenManagerOptions } from './options.js';
import { SingleFlight, untilAborted } from './single-flight.js';
import { TokenEndpoint } from './token-endpoint.js';
import type { TokenSet } from './token-response.js';

/** The access token the manager holds. */
export interface AccessToken {
  readonly accessToken: string;
  /** Expiry in epoch milliseconds. */
  readonly expiresAt: number;
  /** The granted scope, when the server said. */
  readonly scope: string | undefined;
}

export interface GetTokenOptions {
  /** Ignore the cached token and get a new one (joins a request already under way). */
  forceRefresh?: boolean;
  /** Stops this caller waiting; the shared request goes on for the others. */
  signal?: AbortSignal;
}

export interface TokenManager {
  readonly issuer: string;
  readonly clientId: string;
  /** Which grant the manager uses: `refresh_token` when built with a refresh token. */
  readonly grantType: 'client_credentials' | 'refresh_token';
  /** A valid access token: the cached one, or a new one (one request however many callers wait). */
  getToken(options?: GetTokenOptions): Promise<string>;
  /** Like getToken, with the expiry and scope. */
  getTokenSet(options?: GetTokenOptions): Promise<AccessToken>;
  /**
   * `fetch` with `Authorization: Bearer <token>`. On a 401 it drops that token, gets a fresh one and
   * sends the request once more; the second answer is returned whatever it is.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /** Forgets the cached token (only if it is `accessToken`, when given), so the next call gets a new one. */
  invalidate(accessToken?: string): void;
  /** Aborts requests under way; later calls reject with `closed`. Nothing else needs cleaning up. */
  close(): void;
}

interface Cached {
  readonly token: AccessToken;
  /** When to start refreshing: expiry minus the skew, the skew at most half the lifetime. */
  readonly refreshAt: number;
}

const optionList = (value: string | readonly string[] | undefined): string[] =>
  value === undefined ? [] : typeof value === 'string' ? value.split(' ').filter(Boolean) : [...value];

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a number ≥ 0`);
  return value;
}

class Manager implements TokenManager {
  readonly #endpoint: TokenEndpoint;
  readonly #flight = new SingleFlight<Cached>();
  readonly #closer = new AbortController();
  readonly #scope: string[];
  readonly #resources: string[];
  readonly #skewMs: number;
  readonly #defaultExpiresIn: number;
  readonly #onRefreshToken: ((refreshToken: string) => void | Promise<void>) | undefined;
  #refreshToken: string | undefined;
  #current: Cached | undefined;
  /** Set when the refresh token was refused (invalid_grant): the app must obtain a new one. */
  #spent: OAuthError | undefined;
  readonly fetch: TokenManager['fetch'];

  constructor(options: TokenManagerOptions) {
    this.#endpoint = new TokenEndpoint(options);
    this.#scope = optionList(options.scope);
    this.#resources = optionList(options.resource);
    this.#skewMs = nonNegative('refreshSkewSeconds', options.refreshSkewSeconds, 60) * 1000;
    this.#defaultExpiresIn = nonNegative('defaultExpiresInSeconds', options.defaultExpiresInSeconds, 60) || 60;
    this.#onRefreshToken = options.onRefreshToken;
    if (options.refreshToken !== undefined && (typeof options.refreshToken !== 'string' || options.refreshToken.length === 0)) {
      throw new TypeError('refreshToken must be a non-empty string');
    }
    this.#refreshToken = options.refreshToken;
    if (this.#endpoint.authMethod === 'none' && this.#refreshToken === undefined) {
      throw new TypeError('a public client (clientAuthMethod none) needs a refreshToken: client_credentials requires credentials');
    }
    if (options.initialAccessToken) {
      const { accessToken, expiresAt, scope } = options.initialAccessToken;
      this.#current = this.#cache({ accessToken, expiresAt, scope });
    }
    this.fetch = createAuthorizedFetch(this, this.#endpoint.client.fetch);
  }

  get issuer(): string {
    return this.#endpoint.client.issuer;
  }

  get clientId(): string {
    return this.#endpoint.client.clientId;
  }

  get grantType(): TokenManager['grantType'] {
    return this.#refreshToken !== undefined || this.#spent ? 'refresh_token' : 'client_credentials';
  }

  async getToken(options?: GetTokenOptions): Promise<string> {
    return (await this.getTokenSet(options)).accessToken;
  }

  async getTokenSet(options: GetTokenOptions = {}): Promise<AccessToken> {
    if (this.#closer.signal.aborted) throw this.#closer.signal.reason;
    const current = this.#current;
    const now = this.#endpoint.client.clock();
    if (current && !options.forceRefresh && now < current.refreshAt) return current.token;
    const flight = this.#flight.run(() => this.#obtain());
    if (!current || options.forceRefresh || now >= current.token.expiresAt) return (await untilAborted(flight, options.signal)).token;
    // Refreshing ahead of expiry: if the server is unreachable, the token we hold is still good.
    try {
      return (await untilAborted(flight, options.signal)).token;
    } catch (error) {
      if (error instanceof TokenError && error.retryable && this.#endpoint.client.clock() < current.token.expiresAt) return current.token;
      throw error;
    }
  }

  invalidate(accessToken?: string): void {
    if (accessToken === undefined || this.#current?.token.accessToken === accessToken) this.#current = undefined;
  }

  close(): void {
    this.#closer.abort(new TokenError('closed', 'the token manager has been closed'));
    this.#current = undefined;
  }

  #cache(token: AccessToken): Cached {
    const lifetime = Math.max(0, token.expiresAt - this.#endpoint.client.clock());
    return {
      token: Object.freeze({ accessToken: token.accessToken, expiresAt: token.expiresAt, scope: token.scope }),
      refreshAt: token.expiresAt - Math.min(this.#skewMs, lifetime / 2),
    };
  }

  #grant(): URLSearchParams {
    const grant = new URLSearchParams();
    if (this.#refreshToken !== undefined) {
      grant.set('grant_type', 'refresh_token');
      grant.set('refresh_token', this.#refreshToken);
    } else {
      grant.set('grant_type', 'client_credentials');
    }
    for (const resource of this.#resources) grant.append('resource', resource);
    if (this.#scope.length > 0) grant.set('scope', this.#scope.join(' '));
    return grant;
  }

  async #obtain(): Promise<Cached> {
    if (this.#spent) throw this.#spent;
    let set: TokenSet;
    try {
      set = await this.#endpoint.request(this.#grant(), { signal: this.#closer.signal, defaultExpiresIn: this.#defaultExpiresIn });
    } catch (error) {
      if (this.#refreshToken !== undefined && error instanceof OAuthError && error.error === 'invalid_grant') {
        this.#spent = error;
        this.#refreshToken = undefined;
        this.#current = undefined;
      }
      throw error;
    }
    const cached = this.#cache(set);
    if (this.#closer.signal.aborted) throw this.#closer.signal.reason;
    this.#current = cached;
    const rotated = set.refreshToken;
    if (this.#refreshToken !== undefined && rotated !== undefined && rotated !== this.#refreshToken) {
      this.#refreshToken = rotated;
      await this.#onRefreshToken?.(rotated);
    }
    return cached;
  }
}

/**
 * Creates a token manager. Synchronous: options are checked at once (TypeError on a bad one); discovery
 * and the first token request happen on the first `getToken()` — call it at start to fail fast.
 */
export function createTokenManager(options: TokenManagerOptions): TokenManager {
  return new Manager(options);
}
