import { randomBytes } from 'node:crypto';
import type { AlertRecord, AuditStore, Clock, WebhookDeadLetter } from '@tessera/core';
import { SIGNATURE_HEADER, signWebhook } from './webhook-signature.js';

/** Sends one POST and resolves with the HTTP status; rejects on a network error or timeout. */
export type WebhookPost = (url: string, body: string, headers: Record<string, string>, timeoutMs: number) => Promise<number>;

/** Waits `ms`, or less when `signal` aborts (shutdown). Injected so tests need no sleeps. */
export type Wait = (ms: number, signal: AbortSignal) => Promise<void>;

export interface WebhookDispatcherOptions {
  urls: readonly string[];
  secret: string;
  store: Pick<AuditStore, 'insertDeadLetter'>;
  clock: Clock;
  /** Written into every body, so a receiver shared by several Tessera deployments can tell them apart. */
  issuer: string;
  /** Attempts per URL, the first included. Default 6 (1 s, 2 s, 4 s, 8 s, 16 s apart). */
  maxAttempts?: number;
  /** Delay before the second attempt; each later one doubles it. Default 1000 ms. */
  baseDelayMs?: number;
  /** Upper bound of one delay. Default 60 s. */
  maxDelayMs?: number;
  /** Per-request timeout. Default 5 s. */
  timeoutMs?: number;
  post?: WebhookPost;
  wait?: Wait;
  /** Told about each dead letter (for a log line). */
  onDeadLetter?: (letter: WebhookDeadLetter) => void;
  /** Told when a dead letter could not be stored. */
  onError?: (error: unknown) => void;
}

/** POST with fetch; user info in the URL (`https://user:pass@host/…`) is sent as Basic authentication. */
const fetchPost: WebhookPost = async (url, body, headers, timeoutMs) => {
  const target = new URL(url);
  const auth: Record<string, string> = {};
  if (target.username || target.password) {
    const credentials = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    auth['authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  const response = await fetch(target, { method: 'POST', body, headers: { ...headers, ...auth }, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  await response.body?.cancel();
  return response.status;
};

const timerWait: Wait = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

/** The receiver URL as it may be stored and logged: no user info, no query string, no fragment (they may hold credentials). */
export function redactWebhookUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(invalid url)';
  }
}

/** A failure as stored: an HTTP status or a network error code, never a response body. */
function describeFailure(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
  if (typeof cause === 'string') return cause;
  const name = (error as { name?: unknown })?.name;
  return typeof name === 'string' && name !== 'Error' ? name : 'network error';
}

/** The JSON body of an alert webhook (docs/alerts.md). */
export function webhookBody(alert: AlertRecord, issuer: string): string {
  const { ackedAt: _ackedAt, ackedBy: _ackedBy, ...rest } = alert;
  return JSON.stringify({ type: 'tessera.alert', issuer, alert: { ...rest, raisedAt: new Date(alert.raisedAt).toISOString() } });
}

/**
 * Delivers each alert to every configured URL: a signed JSON POST, retried with exponential backoff
 * on any non-2xx answer or network error; after the last attempt, a dead-letter record in the store.
 * Deliveries run in the background; `idle()` resolves when none is in flight. `close()` cuts the
 * waits short: a delivery that has not succeeded by then becomes a dead letter (nothing is lost silently).
 */
export class WebhookDispatcher {
  readonly #options: WebhookDispatcherOptions;
  readonly #post: WebhookPost;
  readonly #wait: Wait;
  readonly #pending = new Set<Promise<void>>();
  readonly #shutdown = new AbortController();

  constructor(options: WebhookDispatcherOptions) {
    this.#options = options;
    this.#post = options.post ?? fetchPost;
    this.#wait = options.wait ?? timerWait;
  }

  /** Starts delivering `alert` to every URL; returns at once. */
  deliver(alert: AlertRecord): void {
    const body = webhookBody(alert, this.#options.issuer);
    for (const url of this.#options.urls) {
      const delivery = this.#deliverOne(url, alert.id, body).catch((error: unknown) => this.#options.onError?.(error));
      this.#pending.add(delivery);
      void delivery.finally(() => this.#pending.delete(delivery));
    }
  }

  /** Resolves when no delivery is in flight. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Stops waiting between attempts: undelivered alerts become dead letters now. Resolves when all are settled. */
  async close(): Promise<void> {
    this.#shutdown.abort();
    await this.idle();
  }

  /** The delay before attempt `attempt + 1` (attempt counts from 1). */
  delayAfter(attempt: number): number {
    const base = this.#options.baseDelayMs ?? 1000;
    return Math.min(this.#options.maxDelayMs ?? 60_000, base * 2 ** (attempt - 1));
  }

  async #deliverOne(url: string, alertId: string, body: string): Promise<void> {
    const maxAttempts = Math.max(1, this.#options.maxAttempts ?? 6);
    const timeoutMs = this.#options.timeoutMs ?? 5000;
    let lastError = 'not attempted';
    let attempts = 0;
    while (attempts < maxAttempts) {
      attempts += 1;
      const timestamp = Math.floor(this.#options.clock.now() / 1000);
      const headers = {
        'content-type': 'application/json',
        'user-agent': 'Tessera-Webhook/1',
        [SIGNATURE_HEADER.toLowerCase()]: signWebhook(this.#options.secret, body, timestamp),
        'tessera-alert-id': alertId,
        'tessera-attempt': String(attempts),
      };
      try {
        const status = await this.#post(url, body, headers, timeoutMs);
        if (status >= 200 && status < 300) return;
        lastError = `http ${status}`;
      } catch (error) {
        lastError = describeFailure(error);
      }
      if (attempts >= maxAttempts) break;
      if (this.#shutdown.signal.aborted) {
        lastError = `${lastError}; shut down before the next retry`;
        break;
      }
      await this.#wait(this.delayAfter(attempts), this.#shutdown.signal);
      if (this.#shutdown.signal.aborted) {
        lastError = `${lastError}; shut down before the next retry`;
        break;
      }
    }
    const letter: WebhookDeadLetter = {
      id: `twd_${randomBytes(12).toString('base64url')}`,
      alertId,
      url: redactWebhookUrl(url),
      attempts,
      lastError,
      failedAt: this.#options.clock.now(),
      body,
    };
    await this.#options.store.insertDeadLetter(letter);
    this.#options.onDeadLetter?.(letter);
  }
}
