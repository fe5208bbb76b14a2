import { systemClock, type AuthServer, type Clock, type EventSink } from '@tessera/core';
import type { Logger } from 'pino';
import { defaultRateLimits, type RateLimitSettings } from '../rate-limit/limits.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { RedisBuckets } from '../rate-limit/redis-buckets.js';
import type { DetectorSetting } from './detector-actions.js';
import { securitySink } from './security-sink.js';

export interface Security {
  /** The detectors, for the server's event fan-out. */
  sink: EventSink;
  /** Absent when rate limiting is off. */
  limiter: RateLimiter | undefined;
  /** Late binding: the fan-out the detectors' alerts and the limiter's events go to… */
  bindEvents(events: EventSink): void;
  /** …and the engine, once created. */
  bindAuth(auth: AuthServer): void;
  close(): Promise<void>;
}

/** Rate limiter (in memory, or shared through Redis) and anomaly detectors, wired to each other. */
export function startSecurity(
  config: { rateLimits?: RateLimitSettings | undefined; detectorActions?: Record<string, DetectorSetting> | undefined },
  logger: Logger,
  clock: Clock = systemClock,
): Security {
  let events: EventSink | undefined;
  let auth: AuthServer | undefined;
  const forward: EventSink = { emit: (event) => events?.emit(event) };
  const warn = (fields: Record<string, unknown>, message: string): void => logger.warn(fields, message);
  const limits = config.rateLimits ?? defaultRateLimits();
  const shared = limits.enabled && limits.redisUrl ? new RedisBuckets(limits.redisUrl, clock, { warn }) : undefined;
  const limiter = limits.enabled ? new RateLimiter(limits, clock, forward, shared) : undefined;
  const sink = securitySink({ clock, actions: config.detectorActions ?? {}, alerts: forward, limiter, auth: () => auth, warn });
  return {
    sink,
    limiter,
    bindEvents(fanOut) {
      events = fanOut;
    },
    bindAuth(server) {
      auth = server;
    },
    async close() {
      await limiter?.close();
    },
  };
}
