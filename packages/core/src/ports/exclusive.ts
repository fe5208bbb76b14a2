import type { Store } from './store.js';

/** The lock name for every read-decide-write step on signing keys and the master-key check. */
export const SIGNING_KEYS_LOCK = 'tessera.signing-keys';

/**
 * Runs `work` under the store's cluster-wide lock `name` when it has one (PostgreSQL), or directly
 * (a store owned by one process). Not reentrant: never call it for the same name from inside `work`.
 */
export function exclusively<T>(store: Store, name: string, work: () => Promise<T>): Promise<T> {
  return store.exclusive ? store.exclusive(name, work) : work();
}
