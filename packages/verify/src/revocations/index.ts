import { VerifyError } from '../errors.js';
import type { RevocationCheck, RevocationCheckFactory } from '../revocation-check.js';
import { basicAuthorization } from './feed-http.js';
import { FeedSubscriber, type SubscriberSettings } from './subscriber.js';
import type { RevocationFeedOptions, StalePolicy } from './types.js';

export type { FeedEntry, FeedEntryKind, FeedEvent, FeedPage, RevocableClaims, RevocationFeedOptions, StalePolicy } from './types.js';
export { verifyFeedPage, FeedPageError, FEED_TYP } from './feed-page.js';
export { JtiTable } from './jti-table.js';
export { RevocationState } from './revocation-state.js';

/** What the verifier passes, plus the feed's own tuning. */
export type RevocationCheckOptions = Parameters<RevocationCheckFactory>[0] & RevocationFeedOptions;

/** The RevocationCheck backed by the feed, with a few numbers for operators and tests. */
export interface FeedRevocationCheck extends RevocationCheck {
  readonly onStale: StalePolicy;
  readonly maxStalenessMs: number;
  /** The cursor applied so far, entries held, and ms since the feed was last known current. */
  stats(): { cursor: number; size: number; stalenessMs: number };
  /** Drops expired entries now (it also happens every pruneIntervalMs); returns how many went. */
  prune(): number;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new TypeError(`revocations: ${name} must be a number > 0`);
  return value;
}

function settingsOf(options: RevocationCheckOptions): SubscriberSettings {
  const onStale = options.onStale ?? 'fail-closed';
  if (onStale !== 'fail-closed' && onStale !== 'introspect') throw new TypeError('revocations: onStale must be "fail-closed" or "introspect"');
  const maxStalenessMs = positive('maxStalenessMs', options.maxStalenessMs, 30_000);
  return {
    maxStalenessMs,
    onStale,
    startTimeoutMs: positive('startTimeoutMs', options.startTimeoutMs, 30_000),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, 5000),
    initialBackoffMs: positive('initialBackoffMs', options.initialBackoffMs, 200),
    maxBackoffMs: positive('maxBackoffMs', options.maxBackoffMs, 10_000),
    idleTimeoutMs: positive('idleTimeoutMs', options.idleTimeoutMs, Math.max(45_000, maxStalenessMs)),
    pruneIntervalMs: positive('pruneIntervalMs', options.pruneIntervalMs, 60_000),
    random: options.random ?? Math.random,
    onEvent: options.onEvent,
  };
}

/**
 * Subscribes to Tessera's revocation feed and resolves once the snapshot is loaded (see
 * docs/revocation-feed.md). `assertFresh()` throws `revocations_stale` once the feed has been out of
 * contact for longer than `maxStalenessMs`; whether the verifier then refuses the token or asks the
 * introspection endpoint is the `onStale` policy, 'fail-closed' by default.
 */
export async function startRevocationFeed(options: RevocationCheckOptions): Promise<FeedRevocationCheck> {
  const settings = settingsOf(options);
  const clock = options.clock;
  const subscriber = new FeedSubscriber(
    {
      issuer: options.issuer,
      authorization: basicAuthorization(options.clientId, options.clientSecret),
      fetch: options.fetch,
      getKey: options.getKey,
    },
    settings,
    clock,
  );
  try {
    await subscriber.start();
  } catch (error) {
    await subscriber.close();
    throw new VerifyError('revocations_stale', { detail: `the revocation feed could not be loaded: ${(error as Error).message}`, cause: error });
  }
  return {
    onStale: settings.onStale,
    maxStalenessMs: settings.maxStalenessMs,
    isRevoked: (claims, kid) => subscriber.isRevoked(claims, kid),
    assertFresh() {
      const staleness = subscriber.staleness;
      if (staleness > settings.maxStalenessMs) {
        throw new VerifyError('revocations_stale', { detail: `no contact with the revocation feed for ${Math.round(staleness)} ms` });
      }
    },
    stats: () => ({ cursor: subscriber.cursor, size: subscriber.size, stalenessMs: subscriber.staleness }),
    prune: () => subscriber.prune(),
    close: () => subscriber.close(),
  };
}

/** The factory the verifier uses (createVerifier's `revocations` option). */
export const createRevocationCheck: RevocationCheckFactory = startRevocationFeed;
