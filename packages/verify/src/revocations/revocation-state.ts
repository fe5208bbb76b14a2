import { JtiTable } from './jti-table.js';
import type { FeedEntry, RevocableClaims } from './types.js';

interface Watermark {
  createdAt: number;
  expiresAt: number;
}

/**
 * Every revocation that still matters, in memory (the same rules as Tessera's own revocation set):
 * token ids, refresh families and signing keys are revoked outright; subjects, clients and sessions by
 * a "not before" watermark — a token is revoked when iat × 1000 ≤ the watermark's created_at, so a token
 * issued in the same second as a logout counts as revoked (too much is safe, too little is not).
 */
export class RevocationState {
  readonly #tokens = new JtiTable();
  readonly #families = new Map<string, number>();
  readonly #keys = new Map<string, number>();
  readonly #subjects = new Map<string, Watermark>();
  readonly #clients = new Map<string, Watermark>();
  readonly #sessions = new Map<string, Watermark>();

  /** Applies one entry; applying it again changes nothing. Entries already expired at `nowMs` are skipped. */
  apply(entry: FeedEntry, nowMs: number): void {
    if (entry.expires_at <= nowMs) return;
    switch (entry.kind) {
      case 'token':
        return this.#tokens.add(entry.target, entry.expires_at);
      case 'family':
        return keepLongest(this.#families, entry);
      case 'key':
        return keepLongest(this.#keys, entry);
      case 'subject':
        return keepLatest(this.#subjects, entry);
      case 'client':
        return keepLatest(this.#clients, entry);
      case 'session':
        return keepLatest(this.#sessions, entry);
    }
  }

  isRevoked(claims: RevocableClaims, kid: string): boolean {
    if (this.#tokens.has(claims.jti)) return true;
    if (kid !== '' && this.#keys.has(kid)) return true;
    if (claims.fam !== undefined && this.#families.has(claims.fam)) return true;
    const issuedAtMs = claims.iat * 1000;
    return (
      issuedBefore(this.#subjects.get(claims.sub), issuedAtMs) ||
      issuedBefore(this.#clients.get(claims.client_id), issuedAtMs) ||
      (claims.sid !== undefined && issuedBefore(this.#sessions.get(claims.sid), issuedAtMs))
    );
  }

  /** Drops entries that expired at or before `nowMs`; returns how many. */
  prune(nowMs: number): number {
    let removed = this.#tokens.prune(nowMs);
    for (const map of [this.#families, this.#keys]) {
      for (const [id, expiresAt] of map) if (expiresAt <= nowMs && map.delete(id)) removed++;
    }
    for (const map of [this.#subjects, this.#clients, this.#sessions]) {
      for (const [id, mark] of map) if (mark.expiresAt <= nowMs && map.delete(id)) removed++;
    }
    return removed;
  }

  get size(): number {
    return this.#tokens.size + this.#families.size + this.#keys.size + this.#subjects.size + this.#clients.size + this.#sessions.size;
  }
}

function keepLongest(map: Map<string, number>, entry: FeedEntry): void {
  map.set(entry.target, Math.max(entry.expires_at, map.get(entry.target) ?? 0));
}

/** A later watermark replaces an earlier one; each keeps its own expiry. */
function keepLatest(map: Map<string, Watermark>, entry: FeedEntry): void {
  const current = map.get(entry.target);
  if (!current || current.createdAt <= entry.created_at) {
    map.set(entry.target, { createdAt: entry.created_at, expiresAt: Math.max(entry.expires_at, current?.expiresAt ?? 0) });
  }
}

function issuedBefore(mark: Watermark | undefined, issuedAtMs: number): boolean {
  return mark !== undefined && issuedAtMs <= mark.createdAt;
}
