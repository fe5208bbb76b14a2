import { exclusively } from '../ports/exclusive.js';
import type { Store } from '../ports/store.js';

/** The lock every instance takes before pruning the audit log (PostgreSQL: an advisory lock). */
export const AUDIT_RETENTION_LOCK = 'tessera.audit-retention';
/** Meta key holding when the audit log was last pruned (epoch ms), by any instance. */
export const AUDIT_PRUNED_AT_META = 'audit_pruned_at';

export interface AuditRetentionOptions {
  /** Keep events this long (TESSERA_AUDIT_RETENTION). */
  retentionMs: number;
  /** Prune at most this often across the whole cluster. */
  intervalMs: number;
}

/**
 * One retention step, for a timer on every instance: under the cluster-wide lock, and only when no
 * instance pruned within `intervalMs`, deletes audit events older than the retention (plus old
 * acknowledged alerts and dead letters; see AuditStore.pruneAuditLog). So exactly one instance
 * prunes at a time and the work is done once per interval, not once per instance. Resolves with the
 * number of rows removed, or undefined when it was not due.
 */
export function pruneAuditLogOnce(store: Store, now: number, options: AuditRetentionOptions): Promise<number | undefined> {
  return exclusively(store, AUDIT_RETENTION_LOCK, async () => {
    const last = Number((await store.getMeta(AUDIT_PRUNED_AT_META)) ?? 0);
    if (Number.isFinite(last) && now >= last && now - last < options.intervalMs) return undefined;
    const removed = await store.pruneAuditLog(now - options.retentionMs);
    await store.setMeta(AUDIT_PRUNED_AT_META, String(now));
    return removed;
  });
}
