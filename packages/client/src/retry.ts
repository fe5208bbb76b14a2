import { TokenError } from './errors.js';

export interface RetryPolicy {
  /** Requests in all, the first included (1 = no retry). */
  maxAttempts: number;
  /** Delay before the first retry; doubles for each next one. */
  baseDelayMs: number;
  /** Upper bound of any single delay, Retry-After included. */
  maxDelayMs: number;
}

export interface RetryEnvironment {
  policy: RetryPolicy;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform in [0, 1). */
  random: () => number;
  signal?: AbortSignal | undefined;
}

/**
 * A failure worth another try (no answer, 5xx, 429). `error` is what surfaces when the attempts run out;
 * `retryAfterMs` is the server's Retry-After, if it sent one.
 */
export class TransientFailure extends Error {
  constructor(
    readonly error: TokenError,
    readonly retryAfterMs?: number,
  ) {
    super(error.message, { cause: error });
  }
}

/**
 * Exponential backoff with "equal jitter": the n-th retry waits between half and all of
 * min(maxDelay, base·2ⁿ⁻¹), so retries always back off and never synchronise across instances.
 * A Retry-After longer than the computed delay is honoured up to maxDelayMs.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  const jittered = ceiling / 2 + (random() * ceiling) / 2;
  return Math.round(Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0)));
}

/** Runs `attempt` (given its number, from 1) until it succeeds, throws anything but a TransientFailure, or the attempts run out. */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, env: RetryEnvironment): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (failure) {
      if (!(failure instanceof TransientFailure)) throw failure;
      if (n >= env.policy.maxAttempts) {
        const last = failure.error;
        throw new TokenError(last.code, `${last.message} (after ${n} attempt${n === 1 ? '' : 's'})`, {
          status: last.status,
          attempts: n,
          cause: last.cause,
        });
      }
      await env.sleep(backoffDelay(n, env.policy, env.random, failure.retryAfterMs), env.signal);
      if (env.signal?.aborted) throw env.signal.reason;
    }
  }
}

/** The default sleep: a timer that an abort cuts short. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
