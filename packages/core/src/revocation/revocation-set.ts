import type { ChangeEntry } from '../model.js';

/** What a token carries that a revocation can target. */
export interface RevocableToken {
  jti: string;
  sub: string;
  client_id: string;
  /** Issued-at, seconds. */
  iat: number;
  sid?: string;
  fam?: string;
}

/**
 * Every revocation that still matters, in memory, so checking a token costs a few map lookups.
 * Token ids are revoked outright; subjects, clients and sessions by a "not before" watermark: a token
 * issued (iat) before the watermark is revoked, one issued after it is not. Families and keys are
 * revoked outright. Entries are dropped once `expiresAt` has passed.
 */
export class RevocationSet {
  readonly #tokens = new Map<string, number>();
  readonly #subjects = new Map<string, ChangeEntry>();
  readonly #clients = new Map<string, ChangeEntry>();
  readonly #sessions = new Map<string, ChangeEntry>();
  readonly #families = new Map<string, number>();
  readonly #keys = new Map<string, number>();

  /** Applies a change-log entry; non-revocation kinds are ignored. Applying an entry twice changes nothing. */
  apply(entry: ChangeEntry): void {
    switch (entry.kind) {
      case 'revoke.token':
        this.#tokens.set(entry.target, entry.expiresAt);
        return;
      case 'revoke.family':
        this.#families.set(entry.target, entry.expiresAt);
        return;
      case 'revoke.key':
        this.#keys.set(entry.target, entry.expiresAt);
        return;
      case 'revoke.subject':
        return keepLatest(this.#subjects, entry);
      case 'revoke.client':
        return keepLatest(this.#clients, entry);
      case 'revoke.session':
        return keepLatest(this.#sessions, entry);
      default:
        return;
    }
  }

  /** Whether the token, signed by key `kid`, has been revoked by any entry. */
  isRevoked(token: RevocableToken, kid: string): boolean {
    if (this.#tokens.has(token.jti) || this.#keys.has(kid)) return true;
    if (token.fam !== undefined && this.#families.has(token.fam)) return true;
    const issuedAtMs = token.iat * 1000;
    return (
      issuedBefore(this.#subjects.get(token.sub), issuedAtMs) ||
      issuedBefore(this.#clients.get(token.client_id), issuedAtMs) ||
      (token.sid !== undefined && issuedBefore(this.#sessions.get(token.sid), issuedAtMs))
    );
  }

  /** Drops entries that expired at or before `now`. */
  prune(now: number): void {
    for (const map of [this.#tokens, this.#families, this.#keys]) {
      for (const [id, expiresAt] of map) if (expiresAt <= now) map.delete(id);
    }
    for (const map of [this.#subjects, this.#clients, this.#sessions]) {
      for (const [id, entry] of map) if (entry.expiresAt <= now) map.delete(id);
    }
  }

  get size(): number {
    return (
      this.#tokens.size + this.#subjects.size + this.#clients.size + this.#sessions.size + this.#families.size + this.#keys.size
    );
  }
}

function keepLatest(map: Map<string, ChangeEntry>, entry: ChangeEntry): void {
  const current = map.get(entry.target);
  if (!current || current.createdAt <= entry.createdAt) map.set(entry.target, entry);
}

/**
 * iat has one-second resolution, so a token whose iat second overlaps the watermark's second counts
 * as issued before it: revoking a little too much is safe, missing a token is not.
 */
function issuedBefore(watermark: ChangeEntry | undefined, issuedAtMs: number): boolean {
  return watermark !== undefined && issuedAtMs <= watermark.createdAt;
}
