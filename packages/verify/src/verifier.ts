import { checkScopes, type TesseraClaims } from './claims.js';
import { discover } from './discovery.js';
import { VerifyError } from './errors.js';
import { HeaderCache } from './header.js';
import { Introspector } from './introspection.js';
import { KeySet } from './key-set.js';
import { MAX_TOKEN_LENGTH, looksLikeJwt, verifyLocally, type LocalContext } from './local-verify.js';
import { resolveOptions, type ResolvedOptions, type VerifierOptions } from './options.js';
import type { RevocationCheck, RevocationCheckFactory } from './revocation-check.js';

export interface VerifyOptions {
  /** Scopes this call requires on top of the verifier's `requiredScopes` (e.g. per route). */
  scopes?: readonly string[];
}

export interface Verifier {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly requiredScopes: readonly string[];
  /** Verifies a token: refreshes stale or unknown keys first, introspects opaque tokens when configured. */
  verify(token: string, options?: VerifyOptions): Promise<TesseraClaims>;
  /**
   * The hot path: cached keys only, no await. An unknown kid throws `token_unknown_key` (use `verify` to
   * refetch); stale keys are refreshed in the background while the cached ones keep serving.
   */
  verifySync(token: string, options?: VerifyOptions): TesseraClaims;
  /** Synchronous when cached state suffices (the usual case), else the promise of `verify`. Middleware use it. */
  verifyFast(token: string, options?: VerifyOptions): TesseraClaims | Promise<TesseraClaims>;
  /** Drops cached introspection answers for this token id. */
  invalidate(jti: string): void;
  /** Stops the revocation feed and drops cached answers; later calls throw `verifier_closed`. */
  close(): Promise<void>;
}

class TesseraVerifier implements Verifier {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly requiredScopes: readonly string[];
  readonly #context: LocalContext;
  readonly #keys: KeySet;
  readonly #introspector: Introspector | undefined;
  readonly #revocation: RevocationCheck | undefined;
  /** Whether a stale revocation feed sends tokens to introspection rather than refusing them. */
  readonly #introspectWhenStale: boolean;
  #closed = false;

  constructor(options: ResolvedOptions, keys: KeySet, introspector?: Introspector, revocation?: RevocationCheck) {
    this.issuer = options.issuer;
    this.audiences = options.audiences;
    this.requiredScopes = options.requiredScopes;
    this.#keys = keys;
    this.#introspector = introspector;
    this.#revocation = revocation;
    this.#introspectWhenStale = introspector !== undefined && options.revocations?.onStale === 'introspect';
    this.#context = { ...options, headers: new HeaderCache(options.algorithms), keys, revocation };
  }

  verifySync(token: string, options?: VerifyOptions): TesseraClaims {
    if (this.#closed) throw new VerifyError('verifier_closed');
    this.#keys.refreshInBackground();
    return verifyLocally(this.#context, token, options?.scopes);
  }

  verifyFast(token: string, options?: VerifyOptions): TesseraClaims | Promise<TesseraClaims> {
    if (this.#closed || this.#keys.stale) return this.verify(token, options);
    try {
      return verifyLocally(this.#context, token, options?.scopes);
    } catch (error) {
      if (this.#recoverable(error, token)) return this.#recover(error, token, options?.scopes);
      throw error;
    }
  }

  async verify(token: string, options?: VerifyOptions): Promise<TesseraClaims> {
    if (this.#closed) throw new VerifyError('verifier_closed');
    await this.#keys.ensureFresh();
    try {
      return verifyLocally(this.#context, token, options?.scopes);
    } catch (error) {
      if (this.#recoverable(error, token)) return this.#recover(error, token, options?.scopes);
      throw error;
    }
  }

  invalidate(jti: string): void {
    this.#introspector?.invalidate(jti);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#introspector?.clear();
    await this.#revocation?.close();
  }

  /** Whether async work may still accept the token: a key refetch, or introspection. */
  #recoverable(error: unknown, token: string): error is VerifyError {
    if (!(error instanceof VerifyError)) return false;
    if (error.code === 'token_unknown_key') return true;
    if (error.code === 'revocations_stale') return this.#introspectWhenStale;
    if (this.#introspector === undefined) return false;
    return error.code === 'token_malformed' && typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH && !looksLikeJwt(token);
  }

  async #recover(error: VerifyError, token: string, scopes: readonly string[] | undefined): Promise<TesseraClaims> {
    if (error.code !== 'token_unknown_key') return this.#introspect(token, scopes);
    if (!(await this.#keys.refreshForUnknownKid())) throw error;
    try {
      return verifyLocally(this.#context, token, scopes);
    } catch (again) {
      if (this.#introspectWhenStale && again instanceof VerifyError && again.code === 'revocations_stale') {
        return this.#introspect(token, scopes);
      }
      throw again;
    }
  }

  async #introspect(token: string, scopes: readonly string[] | undefined): Promise<TesseraClaims> {
    const introspector = this.#introspector as Introspector;
    const claims = await introspector.introspect(token);
    if (this.#revocation?.isRevoked(claims, '')) {
      introspector.invalidate(claims.jti);
      throw new VerifyError('token_revoked');
    }
    checkScopes(claims, this.requiredScopes);
    checkScopes(claims, scopes);
    return claims;
  }
}

/** createVerifier with the revocation factory injected; the public entry passes the real feed. */
export async function buildVerifier(options: VerifierOptions, createRevocationCheck: RevocationCheckFactory): Promise<Verifier> {
  const resolved = resolveOptions(options);
  const { issuer, fetch, clock, timeoutMs } = resolved;
  const metadata = await discover(issuer, resolved.discoveryUrl, { fetch, timeoutMs });
  const keys = new KeySet({
    jwksUri: metadata.jwksUri,
    algorithms: resolved.algorithms,
    fetch,
    clock,
    timeoutMs,
    cooldownMs: resolved.jwksCooldownMs,
    onError: resolved.onError,
  });
  await keys.refresh();
  let introspector: Introspector | undefined;
  if (resolved.introspection !== undefined) {
    if (metadata.introspectionEndpoint === undefined) {
      throw new VerifyError('discovery_failed', { detail: 'introspection is configured but the metadata names no introspection_endpoint' });
    }
    introspector = new Introspector({ ...resolved.introspection, endpoint: metadata.introspectionEndpoint, fetch, timeoutMs, rules: resolved });
  }
  const credentials = resolved.revocations;
  const revocation =
    credentials === undefined
      ? undefined
      : await createRevocationCheck({
          ...credentials,
          issuer,
          fetch,
          getKey: (kid) => keys.keyObject(kid),
          clock,
        });
  return new TesseraVerifier(resolved, keys, introspector, revocation);
}
