import type { RevocationFeedOptions } from './revocations/index.js';

/** The signature algorithms Tessera signs access tokens with. `none` and HMAC are never accepted. */
export type Algorithm = 'ES256' | 'EdDSA' | 'RS256';

export const SUPPORTED_ALGORITHMS: readonly Algorithm[] = ['ES256', 'EdDSA', 'RS256'];

/** Client credentials with which the verifier talks to Tessera (revocation feed, introspection). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Credentials of a client with the revocation-feed scope, plus the feed's tuning (all optional). */
export type RevocationOptions = ClientCredentials & RevocationFeedOptions;

export interface IntrospectionOptions extends ClientCredentials {
  /** Longest time an active introspection answer is reused, in ms (never past the token's `exp`). Default 30 000. */
  cacheTtlMs?: number;
  /** Most answers kept; the oldest is dropped first. Default 1 000. */
  cacheSize?: number;
}

export interface VerifierOptions {
  /** The Tessera issuer URL, exactly as it appears in `iss` and in the discovery document. */
  issuer: string;
  /** This resource server's identifier(s); a token must name at least one in `aud`. */
  audience: string | readonly string[];
  /** Accepted signature algorithms. Default: ES256, EdDSA, RS256. */
  algorithms?: readonly Algorithm[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 5. */
  clockTolerance?: number;
  /** Scopes every token must carry (per-route scopes come on top). Default none. */
  requiredScopes?: readonly string[];
  /**
   * Subscribe to Tessera's revocation feed with these client credentials; `false` or absent: no feed.
   * `onStale: 'introspect'` (needs `introspection`) asks Tessera about each token while the feed is stale;
   * the default, 'fail-closed', refuses them (`revocations_stale`).
   */
  revocations?: RevocationOptions | false;
  /** Introspect tokens that are not JWTs (RFC 7662), and JWTs while the revocation feed is stale. */
  introspection?: IntrospectionOptions | false;
  /** HTTP client; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Current time in ms since the epoch; defaults to Date.now. */
  clock?: () => number;
  /** Timeout of each HTTP request (discovery, JWKS, introspection), in ms. Default 5 000. */
  timeoutMs?: number;
  /** Least time between two JWKS fetches caused by unknown `kid`s or failures, in ms. Default 30 000. */
  jwksCooldownMs?: number;
  /** Discovery document URL. Default `${issuer}/.well-known/oauth-authorization-server`. */
  discoveryUrl?: string;
  /** Called with errors the verifier recovered from in the background (e.g. a failed JWKS refresh). */
  onError?: (error: Error) => void;
}

export interface ResolvedOptions {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly algorithms: ReadonlySet<string>;
  readonly toleranceSeconds: number;
  readonly requiredScopes: readonly string[];
  readonly revocations: RevocationOptions | undefined;
  readonly introspection: Required<IntrospectionOptions> | undefined;
  readonly fetch: typeof fetch;
  readonly clock: () => number;
  readonly timeoutMs: number;
  readonly jwksCooldownMs: number;
  readonly discoveryUrl: string;
  readonly onError: (error: Error) => void;
}

const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

function fail(message: string): never {
  throw new TypeError(`createVerifier: ${message}`);
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(`${name} must be a finite number ≥ 0`);
  return value;
}

function credentials<T extends ClientCredentials>(name: string, value: T | false | undefined): T | undefined {
  if (value === undefined || value === false) return undefined;
  if (typeof value?.clientId !== 'string' || value.clientId === '' || typeof value.clientSecret !== 'string' || value.clientSecret === '') {
    fail(`${name} needs a clientId and a clientSecret`);
  }
  return value;
}

/** Checks every option once, at construction, and fills the defaults. Throws TypeError on a bad option. */
export function resolveOptions(options: VerifierOptions): ResolvedOptions {
  if (typeof options?.issuer !== 'string' || !/^https?:\/\/[^\s]+$/.test(options.issuer)) fail('issuer must be an http(s) URL');
  const audiences = typeof options.audience === 'string' ? [options.audience] : [...(options.audience ?? [])];
  if (audiences.length === 0 || audiences.some((a) => typeof a !== 'string' || a === '')) fail('audience must name at least one non-empty string');
  const algorithms = options.algorithms ?? SUPPORTED_ALGORITHMS;
  if (algorithms.length === 0) fail('algorithms must not be empty');
  for (const alg of algorithms) {
    if (!SUPPORTED_ALGORITHMS.includes(alg)) fail(`algorithm "${String(alg)}" is not supported (use ${SUPPORTED_ALGORITHMS.join(', ')})`);
  }
  const requiredScopes = [...(options.requiredScopes ?? [])];
  if (requiredScopes.some((s) => typeof s !== 'string' || !SCOPE_TOKEN.test(s))) fail('requiredScopes must be valid scope tokens');
  const introspection = credentials('introspection', options.introspection);
  const revocations = credentials('revocations', options.revocations);
  if (revocations?.onStale === 'introspect' && introspection === undefined) fail('revocations.onStale "introspect" needs the introspection option');
  const issuer = options.issuer;
  return Object.freeze({
    issuer,
    audiences: Object.freeze(audiences),
    algorithms: new Set<string>(algorithms),
    toleranceSeconds: nonNegative('clockTolerance', options.clockTolerance, 5),
    requiredScopes: Object.freeze(requiredScopes),
    revocations,
    introspection: introspection && {
      clientId: introspection.clientId,
      clientSecret: introspection.clientSecret,
      cacheTtlMs: nonNegative('introspection.cacheTtlMs', introspection.cacheTtlMs, 30_000),
      cacheSize: nonNegative('introspection.cacheSize', introspection.cacheSize, 1000),
    },
    fetch: options.fetch ?? globalThis.fetch,
    clock: options.clock ?? Date.now,
    timeoutMs: nonNegative('timeoutMs', options.timeoutMs, 5000) || fail('timeoutMs must be > 0'),
    jwksCooldownMs: nonNegative('jwksCooldownMs', options.jwksCooldownMs, 30_000),
    discoveryUrl: options.discoveryUrl ?? `${issuer.replace(/\/+$/, '')}/.well-known/oauth-authorization-server`,
    onError: options.onError ?? (() => {}),
  });
}
