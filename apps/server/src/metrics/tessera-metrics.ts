import type { AuthServer, EventSink, Store } from '@tessera/core';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerEngineGauges } from './engine-gauges.js';
import { instrumentRoutes } from './http-metrics.js';
import { tokenMetricsSink } from './token-metrics.js';

export interface MetricsOptions {
  /** Events waiting in the batched audit writer (its `depth()`); without it the gauge is left out. */
  auditQueueDepth?: () => number;
  /** Node.js process metrics (CPU, memory, event-loop lag, GC). Default true. */
  processMetrics?: boolean;
}

/** Everything Tessera reports to Prometheus, on a registry of its own (several servers may share a process). */
export interface TesseraMetrics {
  readonly registry: Registry;
  /** Counts tokens and alerts; add it to the engine's sinks with fanOutEvents. */
  readonly events: EventSink;
  /** Latency and error metrics for every route; call on the app before routes are added. */
  instrument(app: FastifyInstance): void;
  /** Gauges read from the engine at scrape time; call once the engine exists. */
  observeEngine(auth: AuthServer, store: Pick<Store, 'listSigningKeys'>): void;
}

export function createMetrics(options: MetricsOptions = {}): TesseraMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  return {
    registry,
    events: tokenMetricsSink(registry),
    instrument: (app) => instrumentRoutes(app, registry),
    observeEngine(auth, store) {
      registerEngineGauges(registry, { auth, store, ...(options.auditQueueDepth ? { auditQueueDepth: options.auditQueueDepth } : {}) });
    },
  };
}
