import type { ChangeEntry, ClientRecord, NewChange, SigningKeyRecord } from '../model.js';
import { DuplicateError, type Store } from '../ports/store.js';
import { MemoryLoginStore } from './memory-login-store.js';

/** Records are plain JSON data; a JSON round trip copies them faster than structuredClone. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** An in-memory Store for unit tests. Passes the same contract suite as the SQL stores. */
export class MemoryStore extends MemoryLoginStore implements Store {
  readonly #clients = new Map<string, ClientRecord>();
  readonly #keys = new Map<string, SigningKeyRecord>();
  #changes: ChangeEntry[] = [];
  #cursor = 0;
  readonly #once = new Map<string, number>();
  readonly #meta = new Map<string, string>();
  #closed = false;

  #append(changes: NewChange[]): ChangeEntry[] {
    const entries = changes.map((c) => ({ ...c, seq: ++this.#cursor }));
    this.#changes.push(...entries);
    return copy(entries);
  }

  #open(): void {
    if (this.#closed) throw new Error('store is closed');
  }

  protected appendNow(changes: NewChange[]): void {
    this.#append(changes);
  }

  protected assertOpen(): void {
    this.#open();
  }

  async insertClient(client: ClientRecord, changes: NewChange[]): Promise<void> {
    this.#open();
    if (this.#clients.has(client.id)) throw new DuplicateError(`client ${client.id}`);
    this.#clients.set(client.id, copy(client));
    this.#append(changes);
  }

  async getClient(id: string): Promise<ClientRecord | undefined> {
    this.#open();
    const client = this.#clients.get(id);
    return client && copy(client);
  }

  async listClients(): Promise<ClientRecord[]> {
    this.#open();
    return copy([...this.#clients.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)));
  }

  async updateClient(client: ClientRecord, changes: NewChange[]): Promise<boolean> {
    this.#open();
    if (!this.#clients.has(client.id)) return false;
    this.#clients.set(client.id, copy(client));
    this.#append(changes);
    return true;
  }

  async deleteClient(id: string, changes: NewChange[]): Promise<boolean> {
    this.#open();
    if (!this.#clients.delete(id)) return false;
    this.#append(changes);
    return true;
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    this.#open();
    return copy([...this.#keys.values()].sort((a, b) => a.createdAt - b.createdAt || a.kid.localeCompare(b.kid)));
  }

  async saveSigningKeys(keys: SigningKeyRecord[], changes: NewChange[], meta: Record<string, string> = {}): Promise<void> {
    this.#open();
    for (const key of keys) this.#keys.set(key.kid, copy(key));
    for (const [name, value] of Object.entries(meta)) this.#meta.set(name, value);
    this.#append(changes);
  }

  async appendChanges(changes: NewChange[]): Promise<ChangeEntry[]> {
    this.#open();
    return this.#append(changes);
  }

  async changesSince(cursor: number, limit: number): Promise<ChangeEntry[]> {
    this.#open();
    return copy(this.#changes.filter((c) => c.seq > cursor).slice(0, limit));
  }

  async latestCursor(): Promise<number> {
    this.#open();
    return this.#cursor;
  }

  /** See Store.changeToken: here every append moves the cursor, so the cursor itself is the token. */
  async changeToken(): Promise<number> {
    this.#open();
    return this.#cursor;
  }

  async unexpiredChanges(kinds: readonly ChangeEntry['kind'][], now: number): Promise<ChangeEntry[]> {
    this.#open();
    return copy(this.#changes.filter((c) => kinds.includes(c.kind) && c.expiresAt > now));
  }

  async useOnce(namespace: string, id: string, expiresAt: number): Promise<boolean> {
    this.#open();
    const key = `${namespace}\u0000${id}`;
    if (this.#once.has(key)) return false;
    this.#once.set(key, expiresAt);
    return true;
  }

  async pruneExpired(now: number): Promise<number> {
    this.#open();
    const before = this.#changes.length + this.#once.size;
    this.#changes = this.#changes.filter((c) => c.expiresAt >= now);
    for (const [key, expiresAt] of this.#once) if (expiresAt < now) this.#once.delete(key);
    return before - this.#changes.length - this.#once.size;
  }

  async getMeta(key: string): Promise<string | undefined> {
    this.#open();
    return this.#meta.get(key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.#open();
    this.#meta.set(key, value);
  }

  async ping(): Promise<void> {
    this.#open();
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
