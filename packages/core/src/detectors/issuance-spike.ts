import { BoundedMap } from './bounded-map.js';
import { guarded, raiseAlert, type Detector, type DetectorAction, type DetectorDeps } from './detector.js';
import { IncidentGate } from './incident-gate.js';

export interface IssuanceSpikeOptions {
  /** Length of one counting interval. Default 1 min. */
  intervalMs?: number;
  /** EWMA weight of the newest interval. Default 0.05 (a memory of roughly 20 intervals). */
  alpha?: number;
  /** Alert when an interval's count exceeds `multiplier` × baseline… Default 10. */
  multiplier?: number;
  /** …and at least `floor` tokens (so quiet or new clients are not flagged for a handful). Default 600 per interval. */
  floor?: number;
  /** `alert` (default) or `throttle`: the client is held to its threshold rate for `throttleForMs`. */
  action?: Extract<DetectorAction, 'alert' | 'throttle'>;
  throttleForMs?: number;
  /** Intervals a client's baseline learns before the normal threshold applies (meanwhile: multiplier × floor). Default 3. */
  warmupIntervals?: number;
  /** One alert per client within this window. Default 1 h. */
  incidentWindowMs?: number;
  maxClients?: number;
}

interface Baseline {
  intervalStart: number;
  count: number;
  /** Raw EWMA; divided by 1 − (1 − α)^intervals it is the bias-corrected baseline (no cold-start zero). */
  ewma: number;
  intervals: number;
}

export const ISSUANCE_SPIKE = 'issuance_spike';

/**
 * Rule 4 — issuance spike. Per client, tokens issued are counted per clock-aligned interval; closed
 * intervals feed an exponentially weighted moving average (idle intervals decay it; bias-corrected, so a
 * new client's baseline is its observed rate rather than zero). An interval whose count passes
 * max(floor, multiplier × baseline) is a spike — during the first `warmupIntervals` of a client (after a
 * restart too) the threshold is multiplier × floor. One alert per incident window, optionally a throttle
 * to the threshold rate. A spike interval enters the baseline clamped to the threshold, so an attacker
 * cannot teach the baseline a new normal within a few intervals.
 */
export function issuanceSpikeDetector(deps: DetectorDeps, options: IssuanceSpikeOptions = {}): Detector {
  const intervalMs = options.intervalMs ?? 60_000;
  const alpha = options.alpha ?? 0.05;
  const multiplier = options.multiplier ?? 10;
  const floor = options.floor ?? 600;
  const action = options.action ?? 'alert';
  const throttleForMs = options.throttleForMs ?? 15 * 60_000;
  const baselines = new BoundedMap<string, Baseline>(options.maxClients ?? 50_000);
  const gate = new IncidentGate(options.incidentWindowMs ?? 3_600_000);
  const warmup = options.warmupIntervals ?? 3;
  const baselineOf = (b: Baseline): number => (b.intervals === 0 ? 0 : b.ewma / (1 - (1 - alpha) ** Math.min(b.intervals, 1000)));
  const thresholdOf = (b: Baseline): number => (b.intervals < warmup ? multiplier * floor : Math.max(floor, multiplier * baselineOf(b)));

  return guarded(ISSUANCE_SPIKE, (event) => {
    if (event.type !== 'token.issued' || !event.clientId) return;
    const now = event.time;
    const b = baselines.getOrCreate(event.clientId, () => ({ intervalStart: now - (now % intervalMs), count: 0, ewma: 0, intervals: 0 }));
    const elapsed = Math.floor((now - b.intervalStart) / intervalMs);
    if (elapsed >= 1) {
      const closed = Math.min(b.count, thresholdOf(b));
      b.ewma = alpha * closed + (1 - alpha) * b.ewma;
      // Intervals with no issuance at all count as zeros.
      const idle = Math.min(elapsed - 1, 10_000);
      if (idle > 0) b.ewma *= (1 - alpha) ** idle;
      b.intervals += 1 + idle;
      b.intervalStart += elapsed * intervalMs;
      b.count = 0;
    }
    b.count += 1;
    const threshold = thresholdOf(b);
    if (b.count <= threshold || !gate.open(event.clientId, now)) return;
    let taken: DetectorAction = 'alert';
    if (action === 'throttle' && deps.responses?.throttle) {
      const ratePerSecond = threshold / (intervalMs / 1000);
      deps.responses.throttle({ kind: 'client', key: event.clientId, ratePerSecond, burst: Math.max(1, Math.ceil(ratePerSecond)), until: now + throttleForMs });
      taken = 'throttle';
    }
    raiseAlert(deps, {
      detector: ISSUANCE_SPIKE,
      severity: 'medium',
      action: taken,
      summary: `Client ${event.clientId} issued more than ${Math.round(threshold)} tokens within ${intervalMs / 1000} s (baseline ${baselineOf(b).toFixed(1)})`,
      details: { countThisInterval: b.count, intervalSeconds: intervalMs / 1000, baseline: Number(baselineOf(b).toFixed(2)), learning: b.intervals < warmup, threshold: Math.round(threshold), lastGrantType: event.grantType },
      clientId: event.clientId,
      ip: event.ip,
      userAgent: event.userAgent,
    });
  });
}
