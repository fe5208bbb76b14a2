import { IncidentGate, type BucketLimit, type Clock, type EventSink, TokenBuckets } from '@tessera/core';
import type { RateLimitSettings } from './limits.js';
import type { SharedBuckets } from './shared-buckets.js';

/** A limited route: which buckets it draws from. */
export interface LimitedRoute {
  /** Name in events and bucket names: token, introspect, revoke, login, device. */
  endpoint: string;
  /** OAuth endpoints have per-client and per-IP buckets; the HTML forms per-IP only. */
  kind: 'oauth' | 'form';
}

export type Refusal = { limitedBy: 'client' | 'ip'; retryAfterMs: number };

/** A route with its buckets looked up (`RateLimiter.bind`). */
export interface BoundRoute extends LimitedRoute {
  ipName: string;
  clientName: string;
  ip: TokenBuckets | undefined;
  client: TokenBuckets | undefined;
}

const MAX_KEYS = 100_000;

/**
 * Token buckets per endpoint × (client id | IP). Every check is synchronous: a Map lookup and some
 * arithmetic. With a shared store (Redis) the local decision stands and the store reconciles later.
 */
export class RateLimiter {
  readonly #clock: Clock;
  readonly #events: EventSink;
  readonly #shared: SharedBuckets | undefined;
  readonly #buckets = new Map<string, TokenBuckets>();
  readonly #reported = new IncidentGate(10_000, 10_000);

  constructor(settings: RateLimitSettings, clock: Clock, events: EventSink, shared?: SharedBuckets) {
    this.#clock = clock;
    this.#events = events;
    this.#shared = shared;
    for (const endpoint of ['token', 'introspect', 'revoke']) {
      this.#add(`client:${endpoint}`, settings.client);
      this.#add(`ip:${endpoint}`, settings.ip);
    }
    this.#add('ip:login', settings.login);
    this.#add('ip:device', settings.device);
  }

  #add(name: string, limit: BucketLimit): void {
    const buckets = new TokenBuckets(limit, MAX_KEYS);
    this.#buckets.set(name, buckets);
    this.#shared?.attach(name, buckets);
  }

  /** The buckets a route draws from, resolved once when the route is registered (no lookups per request). */
  bind(route: LimitedRoute): BoundRoute {
    const ipName = `ip:${route.endpoint}`;
    const clientName = `client:${route.endpoint}`;
    return { ...route, ipName, clientName, ip: this.#buckets.get(ipName), client: route.kind === 'oauth' ? this.#buckets.get(clientName) : undefined };
  }

  #take(buckets: TokenBuckets | undefined, name: string, key: string, now: number): number {
    if (!buckets) return 0;
    const wait = buckets.take(key, now);
    if (wait === 0 && this.#shared) this.#shared.consumed(name, key, 1);
    return wait;
  }

  /**
   * Charges one request. The IP is always charged; the client id (as claimed, not yet authenticated)
   * is charged too, and `refundClient` gives it back when authentication fails, so nobody can drain
   * another client's bucket by naming it.
   */
  check(route: BoundRoute, ip: string, clientId: string | undefined, context: { userAgent?: string | undefined }): Refusal | undefined {
    const now = this.#clock.now();
    const ipWait = this.#take(route.ip, route.ipName, ip, now);
    if (ipWait > 0) return this.#refuse(route, 'ip', ip, clientId, ipWait, now, context);
    if (route.client !== undefined && clientId !== undefined) {
      const clientWait = this.#take(route.client, route.clientName, clientId, now);
      if (clientWait > 0) return this.#refuse(route, 'client', ip, clientId, clientWait, now, context);
    }
    return undefined;
  }

  refundClient(route: BoundRoute, clientId: string): void {
    route.client?.refund(clientId);
    this.#shared?.consumed(route.clientName, clientId, -1);
  }

  /** A detector's throttle: a tighter limit for one client id or IP on every OAuth endpoint, for a while. */
  tighten(kind: 'client' | 'ip', key: string, limit: BucketLimit, until: number): void {
    for (const [name, buckets] of this.#buckets) if (name.startsWith(`${kind}:`) && !name.endsWith(':login') && !name.endsWith(':device')) buckets.tighten(key, limit, until);
  }

  #refuse(route: LimitedRoute, limitedBy: 'client' | 'ip', ip: string, clientId: string | undefined, wait: number, now: number, context: { userAgent?: string | undefined }): Refusal {
    // One event per caller and endpoint every 10 s: a flood must not become a flood of audit events.
    if (this.#reported.open(`${route.endpoint} ${limitedBy} ${limitedBy === 'ip' ? ip : clientId}`, now)) {
      this.#events.emit({
        type: 'rate_limit.exceeded',
        time: now,
        endpoint: route.endpoint,
        limitedBy,
        ...(clientId === undefined ? {} : { clientId }),
        ip,
        ...(context.userAgent === undefined ? {} : { userAgent: context.userAgent }),
        outcome: 'failure',
        reason: 'rate_limited',
      });
    }
    return { limitedBy, retryAfterMs: wait };
  }

  async close(): Promise<void> {
    await this.#shared?.close();
  }
}
