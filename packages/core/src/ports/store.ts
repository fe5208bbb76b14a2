import type { ChangeEntry, ClientRecord, NewChange, SigningKeyRecord } from '../model.js';
import type { AuditStore } from './audit-store.js';
import type { LoginStore } from './login-store.js';

/**
 * The storage port. Stores return facts; protocol code decides what they mean.
 *
 * Every method that writes several things writes them in one transaction: either all of them are
 * durable when the promise resolves, or none are. Records are returned as fresh copies; mutating
 * them never changes the store.
 *
 * The login methods (users, sessions, consents, authorization codes, refresh tokens, device codes)
 * are documented in {@link LoginStore} (ports/login-store.ts); the audit log, alerts and webhook dead
 * letters in {@link AuditStore} (ports/audit-store.ts).
 */
export interface Store extends LoginStore, AuditStore {
  /** Creates the client. Rejects with {@link DuplicateError} if the id exists. Appends `changes` atomically. */
  insertClient(client: ClientRecord, changes: NewChange[]): Promise<void>;

  /** The client with this id, or undefined. */
  getClient(id: string): Promise<ClientRecord | undefined>;

  /** Every client, ordered by creation time then id. */
  listClients(): Promise<ClientRecord[]>;

  /**
   * Replaces the stored client whose id matches, and appends `changes` in the same transaction.
   * Resolves false (and writes nothing) when no such client exists.
   */
  updateClient(client: ClientRecord, changes: NewChange[]): Promise<boolean>;

  /** Deletes the client and appends `changes` atomically. Resolves false when it did not exist. */
  deleteClient(id: string, changes: NewChange[]): Promise<boolean>;

  /** Every signing key in every state, ordered by creation time then kid. */
  listSigningKeys(): Promise<SigningKeyRecord[]>;

  /**
   * Inserts new keys and replaces existing ones (matched by kid) in one transaction, appending `changes`
   * and setting the `meta` values. Used for initialisation, rotation steps and master-key re-encryption.
   */
  saveSigningKeys(keys: SigningKeyRecord[], changes: NewChange[], meta?: Record<string, string>): Promise<void>;

  /** Appends entries to the change log; resolves with them and their cursors, in order. */
  appendChanges(changes: NewChange[]): Promise<ChangeEntry[]>;

  /** Up to `limit` entries with a cursor greater than `cursor`, in cursor order. */
  changesSince(cursor: number, limit: number): Promise<ChangeEntry[]>;

  /** The greatest cursor ever assigned (0 when the log is empty), even if that entry was pruned. */
  latestCursor(): Promise<number>;

  /**
   * Optional, for cheap polling: a value that changes whenever the change log may have grown, by a
   * write of this process or of any other. While it stays equal, `changesSince` would find nothing
   * new, so `sync()` skips the query. It may change without new entries (any committed write counts),
   * never the reverse. A store without a cheap signal leaves it out. SQLite reads `PRAGMA data_version`
   * plus its own write count; a store told about commits (e.g. PostgreSQL LISTEN/NOTIFY) can return a
   * counter bumped by each notification.
   */
  changeToken?(): Promise<number | string>;

  /** Every entry of the given kinds whose `expiresAt` is later than `now`, in cursor order. */
  unexpiredChanges(kinds: readonly ChangeEntry['kind'][], now: number): Promise<ChangeEntry[]>;

  /**
   * Records a one-time value (such as a client assertion's jti) under a namespace.
   * Resolves true on first use, false if the same namespace+id was recorded before and not yet pruned
   * (values are pruned once `expiresAt` has passed). Atomic: of two concurrent calls, exactly one wins.
   */
  useOnce(namespace: string, id: string, expiresAt: number): Promise<boolean>;

  /** Deletes change entries and one-time values that expired before `now`. Resolves with the number removed. */
  pruneExpired(now: number): Promise<number>;

  /** Small settings the server keeps for itself (e.g. the master-key check value). */
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;

  /**
   * Optional: runs `work` while holding a lock named `name` that every instance sharing this store
   * respects (PostgreSQL: an advisory lock), so read-decide-write steps such as key bootstrap and
   * scheduled rotation happen once across a cluster. A store used by one process may omit it.
   */
  exclusive?<T>(name: string, work: () => Promise<T>): Promise<T>;

  /** Resolves when the store answers a trivial query; rejects otherwise (readiness). */
  ping(): Promise<void>;

  close(): Promise<void>;
}

/** Thrown by a store when an insert collides with an existing primary key. */
export class DuplicateError extends Error {
  constructor(what: string) {
    super(`${what} already exists`);
    this.name = 'DuplicateError';
  }
}
