import { createHash } from 'node:crypto';
import { checkClaims, type ClaimRules, type TesseraClaims } from './claims.js';
import { VerifyError } from './errors.js';
import { fetchJson } from './http.js';

export interface IntrospectorOptions {
  endpoint: string;
  clientId: string;
  clientSecret: string;
  fetch: typeof fetch;
  timeoutMs: number;
  cacheTtlMs: number;
  cacheSize: number;
  rules: ClaimRules;
}

interface CachedAnswer {
  readonly claims: TesseraClaims;
  readonly expiresAt: number;
}

const MAX_ANSWER_BYTES = 64 * 1024;

/** RFC 6749 §2.3.1: client credentials are form-encoded before they are base64 encoded. */
const formEncode = (value: string): string => encodeURIComponent(value).replace(/%20/g, '+');

/**
 * RFC 7662 introspection for tokens the verifier cannot check locally. Active answers are checked like JWT
 * claims (issuer, audience, time) and kept in a small cache keyed by the token's SHA-256 — never the token —
 * until the earlier of the cache TTL and the token's expiry. Inactive answers and failures are not cached.
 * Concurrent requests for the same token share one call.
 */
export class Introspector {
  readonly #options: IntrospectorOptions;
  readonly #authorization: string;
  readonly #cache = new Map<string, CachedAnswer>();
  readonly #inflight = new Map<string, Promise<TesseraClaims>>();
  /** Number of calls made to the introspection endpoint; for tests and metrics. */
  calls = 0;

  constructor(options: IntrospectorOptions) {
    this.#options = options;
    const credentials = `${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`;
    this.#authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }

  /** The token's claims from the cache or the server; throws token_inactive or introspection_failed. */
  async introspect(token: string): Promise<TesseraClaims> {
    const id = createHash('sha256').update(token).digest('base64url');
    const cached = this.#cache.get(id);
    if (cached !== undefined) {
      if (cached.expiresAt > this.#options.rules.clock()) return cached.claims;
      this.#cache.delete(id);
    }
    let pending = this.#inflight.get(id);
    if (pending === undefined) {
      pending = this.#ask(id, token).finally(() => this.#inflight.delete(id));
      this.#inflight.set(id, pending);
    }
    return pending;
  }

  /** Drops every cached answer for this token id; returns how many were dropped. */
  invalidate(jti: string): number {
    let dropped = 0;
    for (const [id, entry] of this.#cache) {
      if (entry.claims.jti === jti) {
        this.#cache.delete(id);
        dropped++;
      }
    }
    return dropped;
  }

  /** Number of cached answers. */
  get size(): number {
    return this.#cache.size;
  }

  clear(): void {
    this.#cache.clear();
  }

  async #ask(id: string, token: string): Promise<TesseraClaims> {
    const { endpoint, rules } = this.#options;
    this.calls++;
    let body: Record<string, unknown>;
    try {
      const response = await fetchJson(endpoint, {
        fetch: this.#options.fetch,
        timeoutMs: this.#options.timeoutMs,
        maxBytes: MAX_ANSWER_BYTES,
        init: {
          method: 'POST',
          headers: { authorization: this.#authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        },
      });
      if (response.status !== 200) throw new Error(`${endpoint} answered with status ${response.status}`);
      body = response.body as Record<string, unknown>;
    } catch (cause) {
      throw new VerifyError('introspection_failed', { detail: (cause as Error).message, cause });
    }
    if (body['active'] !== true) throw new VerifyError('token_inactive');
    delete body['active'];
    delete body['token_type'];
    const claims = checkClaims(body, rules);
    const expiresAt = Math.min(rules.clock() + this.#options.cacheTtlMs, claims.exp * 1000);
    if (expiresAt > rules.clock() && this.#options.cacheSize > 0) {
      if (this.#cache.size >= this.#options.cacheSize) this.#cache.delete(this.#cache.keys().next().value as string);
      this.#cache.set(id, { claims, expiresAt });
    }
    return claims;
  }
}
