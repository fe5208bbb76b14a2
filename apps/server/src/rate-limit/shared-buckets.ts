import type { TokenBuckets } from '@tessera/core';

/**
 * A store that shares buckets between instances. The hot path never waits for it: the limiter decides
 * from its local bucket and reports what it let through (`consumed`); the store settles those counts
 * against the shared bucket in the background and tightens the local bucket (`lowerTo`, `block`) when
 * the shared one is running dry. See docs/rate-limiting.md.
 */
export interface SharedBuckets {
  /** Makes `buckets` (named `name`, e.g. `client:token`) take part in sharing. */
  attach(name: string, buckets: TokenBuckets): void;
  consumed(name: string, key: string, cost: number): void;
  close(): Promise<void>;
}
