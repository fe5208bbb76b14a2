// Helpers for driving the SDK's revocation subscriber against a real server: the issuer's keys, an
// adjustable clock, a fetch that can cut the feed (and only the feed), and an event recorder.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { startRevocationFeed, type FeedEvent, type FeedRevocationCheck, type RevocationFeedOptions } from '../../dist/revocations/index.js';
import type { Credentials, FeedServer } from './revocations-server.js';

/** The issuer's published keys by kid, fetched once. */
export async function issuerKeys(url: string): Promise<(kid: string) => KeyObject | undefined> {
  const jwks = (await (await fetch(`${url}/jwks`)).json()) as { keys: Array<Record<string, string>> };
  const keys = new Map(jwks.keys.map((jwk) => [jwk['kid'] ?? '', createPublicKey({ key: jwk, format: 'jwk' })]));
  return (kid) => keys.get(kid);
}

/** Real time plus an offset the test moves forward: tokens stay valid, staleness and expiry are controlled. */
export class OffsetClock {
  offset = 0;
  readonly now = (): number => Date.now() + this.offset;
  advance(ms: number): void {
    this.offset += ms;
  }
}

/** A fetch whose requests to /revocations… can be cut (open streams aborted, new requests failing). */
export class FeedSwitch {
  #broken = false;
  readonly #open = new Set<AbortController>();
  /** Rewrites GET /revocations bodies when set (to forge pages). */
  rewrite: ((body: string) => string) | undefined;

  readonly fetch: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.includes('/revocations')) return fetch(input, init);
    if (this.#broken) throw new TypeError('fetch failed (the test cut the feed)');
    const controller = new AbortController();
    this.#open.add(controller);
    const signal = init?.signal ? AbortSignal.any([init.signal, controller.signal]) : controller.signal;
    const response = await fetch(input, { ...init, signal });
    if (!this.rewrite || url.includes('/stream')) return response;
    return new Response(this.rewrite(await response.text()), { status: response.status, headers: response.headers });
  };

  cut(): void {
    this.#broken = true;
    for (const controller of this.#open) controller.abort();
    this.#open.clear();
  }

  restore(): void {
    this.#broken = false;
  }
}

export interface Subscription {
  check: FeedRevocationCheck;
  events: FeedEvent[];
  /** Sequence numbers applied, in order, across every connection. */
  appliedSeqs(): number[];
  count(type: FeedEvent['type']): number;
}

/** Starts the SDK's revocation check against the test server with fast retries. */
export async function subscribe(
  t: FeedServer,
  reader: Credentials,
  options: Partial<RevocationFeedOptions> & { fetch?: typeof fetch; clock?: () => number } = {},
): Promise<Subscription> {
  const events: FeedEvent[] = [];
  const check = await startRevocationFeed({
    issuer: t.url,
    clientId: reader.id,
    clientSecret: reader.secret,
    fetch: globalThis.fetch,
    getKey: await issuerKeys(t.url),
    clock: Date.now,
    initialBackoffMs: 20,
    maxBackoffMs: 200,
    startTimeoutMs: 2000,
    ...options,
    onEvent: (event) => events.push(event),
  });
  return {
    check,
    events,
    appliedSeqs: () => events.flatMap((e) => (e.type === 'applied' ? e.entries.map((x) => x.seq) : [])),
    count: (type) => events.filter((e) => e.type === type).length,
  };
}
