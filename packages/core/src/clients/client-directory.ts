import type { ClientRecord } from '../model.js';
import type { Store } from '../ports/store.js';

/**
 * Clients by id, held in memory so authenticating a client reads no database row. An entry is
 * dropped when the change log says the client changed; the next lookup reads it again.
 */
export class ClientDirectory {
  readonly #store: Store;
  readonly #cache = new Map<string, ClientRecord>();

  constructor(store: Store) {
    this.#store = store;
  }

  async get(id: string): Promise<ClientRecord | undefined> {
    const cached = this.#cache.get(id);
    if (cached) return cached;
    const client = await this.#store.getClient(id);
    if (client) this.#cache.set(id, client);
    return client;
  }

  /** The cached entry only; used where a database read is not worth it. */
  peek(id: string): ClientRecord | undefined {
    return this.#cache.get(id);
  }

  invalidate(id: string): void {
    this.#cache.delete(id);
  }

  clear(): void {
    this.#cache.clear();
  }
}
