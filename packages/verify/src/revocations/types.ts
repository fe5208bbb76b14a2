/** What a revocation entry is about (the wire names of Tessera's revocation feed). */
export type FeedEntryKind = 'token' | 'subject' | 'client' | 'session' | 'family' | 'key';

/** One revocation as the feed sends it. Times are epoch milliseconds. */
export interface FeedEntry {
  seq: number;
  kind: FeedEntryKind;
  /** The jti, subject, client id, session id, family id or kid. */
  target: string;
  /** For subject, client and session: tokens with iat × 1000 ≤ created_at are revoked. */
  created_at: number;
  expires_at: number;
}

/** The verified payload of one feed page (see docs/revocation-feed.md). */
export interface FeedPage {
  iss: string;
  iat: number;
  since: number;
  snapshot: boolean;
  cursor: number;
  more: boolean;
  entries: FeedEntry[];
}

/** The claims a revocation can target. */
export interface RevocableClaims {
  jti: string;
  sub: string;
  client_id: string;
  /** Issued-at, seconds. */
  iat: number;
  sid?: string;
  fam?: string;
}

/** What the subscriber reports, for logs, metrics and tests. */
export type FeedEvent =
  | { type: 'snapshot'; cursor: number; size: number }
  | { type: 'applied'; entries: readonly FeedEntry[]; cursor: number }
  | { type: 'connected'; cursor: number }
  | { type: 'disconnected'; error?: Error; retryInMs: number }
  | { type: 'page_rejected'; error: Error }
  | { type: 'pruned'; removed: number };

/**
 * What to do when the feed has been out of contact for longer than `maxStalenessMs`.
 * - 'fail-closed' (default): `assertFresh()` throws `revocations_stale`; without introspection the
 *   request is refused with 503. A revocation can never be missed, at the price of availability.
 * - 'introspect': `assertFresh()` throws `revocations_stale` too, which the verifier answers by asking the
 *   introspection endpoint (when introspection is configured) — correct, but every request becomes a
 *   network call to Tessera exactly when Tessera may be struggling.
 */
export type StalePolicy = 'fail-closed' | 'introspect';

/** Tuning of the revocation feed subscriber; every field has a default. */
export interface RevocationFeedOptions {
  /** Longest time without contact with the feed before tokens are no longer trusted locally. Default 30 000 ms. */
  maxStalenessMs?: number;
  /** See StalePolicy. Default 'fail-closed'. */
  onStale?: StalePolicy;
  /** How long the initial snapshot may take, retries included, before startup fails. Default 30 000 ms (a snapshot of a million entries takes several seconds). */
  startTimeoutMs?: number;
  /** Timeout of each page request. Default 5 000 ms. */
  requestTimeoutMs?: number;
  /** First reconnect delay; doubles per failure up to maxBackoffMs, each wait jittered between half and all of it. Default 200 ms. */
  initialBackoffMs?: number;
  /** Default 10 000 ms. */
  maxBackoffMs?: number;
  /** A stream silent this long (no event, no heartbeat) is dropped and reopened. Default 45 000 ms. */
  idleTimeoutMs?: number;
  /** How often expired entries are dropped from memory. Default 60 000 ms. */
  pruneIntervalMs?: number;
  /** Observer of the subscriber's life (connects, pages applied, errors). */
  onEvent?: (event: FeedEvent) => void;
  /** Source of jitter in [0, 1). Default Math.random. */
  random?: () => number;
}
