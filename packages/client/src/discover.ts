import { loadMetadata, type IssuerMetadata } from './discovery.js';
import { DEFAULT_RETRY, type ClientOptions } from './options.js';
import { sleep } from './retry.js';

export type DiscoveryOptions = Pick<ClientOptions, 'discoveryUrl' | 'timeoutMs' | 'retry' | 'fetch' | 'clock' | 'sleep' | 'random'> & {
  signal?: AbortSignal;
};

/**
 * Reads an issuer's RFC 8414 metadata once, e.g. to share it (option `metadata`) between many managers,
 * one per user session in a backend-for-frontend.
 */
export function discoverIssuer(issuer: string, options: DiscoveryOptions = {}): Promise<IssuerMetadata> {
  const policy = options.retry === false ? { ...DEFAULT_RETRY, maxAttempts: 1 } : { ...DEFAULT_RETRY, ...options.retry };
  return loadMetadata(issuer, {
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    timeoutMs: options.timeoutMs ?? 10_000,
    signal: options.signal,
    discoveryUrl: options.discoveryUrl,
    now: options.clock ?? Date.now,
    retry: { policy, sleep: options.sleep ?? sleep, random: options.random ?? Math.random, signal: options.signal },
  });
}
