import type { AuditEvent, EventSink } from '@tessera/core';
import { Counter, type Registry } from 'prom-client';

/** Clients get their own label value up to this many; later ones share `other` (a cardinality guard). */
const MAX_CLIENT_LABELS = 10_000;
const OTHER = 'other';
const NONE = 'none';

type Child = Counter.Internal;

/**
 * Pre-bound counter children cached per (first label, second label): after the first event of a
 * (client, grant) pair, counting is two Map lookups and an add — no label hashing, no allocation.
 */
class ChildCache {
  readonly #byFirst = new Map<string, Map<string, Child>>();
  constructor(readonly counter: Counter<string>, readonly capFirst: boolean) {}

  get(first: string, second: string): Child {
    let bySecond = this.#byFirst.get(first);
    if (bySecond === undefined) {
      if (this.capFirst && this.#byFirst.size >= MAX_CLIENT_LABELS) return this.get(OTHER, second);
      bySecond = new Map();
      this.#byFirst.set(first, bySecond);
    }
    let child = bySecond.get(second);
    if (child === undefined) {
      child = this.counter.labels(first, second);
      bySecond.set(second, child);
    }
    return child;
  }
}

/**
 * Counts tokens issued, refreshed and revoked (by client and grant or token type) and security alerts
 * (by detector and severity) from the core event stream. Synchronous, cheap, and never throws.
 */
export function tokenMetricsSink(registry: Registry): EventSink {
  const counter = (name: string, help: string, labelNames: string[]): Counter<string> =>
    new Counter({ name, help, labelNames, registers: [registry] });
  const issued = new ChildCache(counter('tessera_tokens_issued_total', 'Access tokens issued, by client and grant type.', ['client_id', 'grant_type']), true);
  const refreshed = new ChildCache(counter('tessera_tokens_refreshed_total', 'Refresh tokens rotated (refresh_token grant), by client.', ['client_id', 'grant_type']), true);
  const revoked = new ChildCache(counter('tessera_tokens_revoked_total', 'Tokens revoked through the revocation endpoint, by client and token type.', ['client_id', 'token_type']), true);
  const alerts = new ChildCache(counter('tessera_alerts_raised_total', 'Security alerts raised, by detector and severity.', ['detector', 'severity']), false);

  return {
    emit(event: AuditEvent) {
      try {
        switch (event.type) {
          case 'token.issued':
            issued.get(event.clientId ?? NONE, event.grantType).inc();
            break;
          case 'token.refreshed':
            refreshed.get(event.clientId ?? NONE, 'refresh_token').inc();
            break;
          case 'token.revoked':
            revoked.get(event.clientId ?? NONE, event.tokenType).inc();
            break;
          case 'refresh_token.revoked':
            revoked.get(event.clientId ?? NONE, 'refresh_token').inc();
            break;
          case 'security.alert_raised':
            alerts.get(event.detector, event.severity).inc();
            break;
          default:
            break;
        }
      } catch {
        // A sink never throws: a metric that cannot be counted must not fail the request.
      }
    },
  };
}
