/**
 * The verifier's view of the revocation feed, implemented in ./revocations/. The verifier calls
 * `assertFresh()` and then `isRevoked(claims, kid)` for every locally verified JWT, after the signature
 * and claim checks; both run on the synchronous hot path, so they must be in-memory lookups.
 * For a token accepted through introspection, `isRevoked` is called with `kid` = '' on every use
 * (cache hits included), which is how the feed invalidates cached introspection answers.
 */
export interface RevocationCheck { isRevoked(claims: { jti: string; sub: string; client_id: string; iat: number; sid?: string; fam?: string }, kid: string): boolean; /** throws VerifyError('revocations_stale') when the feed is too old and fail-closed is configured */ assertFresh(): void; close(): Promise<void>; }

/**
 * Builds the RevocationCheck: loads the snapshot, subscribes to the stream and resolves once the feed is
 * usable. `getKey` returns the issuer's cached verification key for a kid (an unknown kid schedules a JWKS
 * refetch, so retry later); `clock` returns ms since the epoch.
 */
// eslint-disable-next-line @typescript-eslint/consistent-type-imports -- the signature is fixed verbatim by the feed contract
export type RevocationCheckFactory = (options: { issuer: string; clientId: string; clientSecret: string; fetch: typeof fetch; getKey: (kid: string) => import('node:crypto').KeyObject | undefined; clock: () => number }) => Promise<RevocationCheck>;
