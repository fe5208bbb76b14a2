import { parseRate, type BucketLimit } from '@tessera/core';

/** The rate limits in force (docs/rate-limiting.md). */
export interface RateLimitSettings {
  enabled: boolean;
  /** Per client id, on each of /token, /introspect and /revoke. */
  client: BucketLimit;
  /** Per client IP, on each of /token, /introspect and /revoke. */
  ip: BucketLimit;
  /** Per client IP, the login form POST. */
  login: BucketLimit;
  /** Per client IP, device-code entry (POST /device, /device/login). */
  device: BucketLimit;
  /** Shared buckets across instances when set (redis://…). */
  redisUrl: string | undefined;
}

/**
 * Defaults, high enough that one busy legitimate service is never limited (a service caches its tokens;
 * even an API introspecting every request rarely needs 1 000 a second from one client id), low enough
 * that a runaway or hostile caller is cut off within a second. Login and device entry are human-paced.
 */
export const DEFAULT_RATE_LIMITS = { client: '1000/s', ip: '2000/s', login: '60/min', device: '30/min' } as const;

export function defaultRateLimits(): RateLimitSettings {
  return {
    enabled: true,
    client: parseRate(DEFAULT_RATE_LIMITS.client),
    ip: parseRate(DEFAULT_RATE_LIMITS.ip),
    login: parseRate(DEFAULT_RATE_LIMITS.login),
    device: parseRate(DEFAULT_RATE_LIMITS.device),
    redisUrl: undefined,
  };
}
