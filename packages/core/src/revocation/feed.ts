import { toSeconds } from '../clock.js';
import { OAuthError } from '../errors.js';
import { signBytes, type Keyring, type LoadedKey } from '../keys/keyring.js';
import { REVOCATION_KINDS, type ChangeEntry, type ChangeKind, type SigningAlgorithm } from '../model.js';
import type { Store } from '../ports/store.js';

/** The scope a client must be allowed to read the revocation feed. */
export const REVOCATION_FEED_SCOPE = 'tessera:revocations';
/** The JWS `typ` of a feed page (RFC 8725 §3.11 explicit typing). */
export const REVOCATION_FEED_TYP = 'tessera-revocations+jwt';
export const DEFAULT_FEED_PAGE_SIZE = 1000;
export const MAX_FEED_PAGE_SIZE = 5000;
/** At most this many batches are scanned for one page, so a long run of irrelevant entries cannot stall a request. */
const MAX_BATCHES_PER_PAGE = 10;

export type FeedEntryKind = 'token' | 'subject' | 'client' | 'session' | 'family' | 'key';

/** One revocation on the wire. Times are epoch milliseconds. */
export interface FeedEntry {
  seq: number;
  kind: FeedEntryKind;
  /** The jti, subject, client id, session id, family id or kid. */
  target: string;
  /** For subject, client and session: tokens with iat × 1000 ≤ created_at are revoked. */
  created_at: number;
  /** After this instant the entry no longer matters. */
  expires_at: number;
}

/** The signed payload of one feed page. */
export interface RevocationFeedPayload {
  iss: string;
  /** Seconds since the epoch. */
  iat: number;
  /** The cursor this page continues from (0 for a snapshot). */
  since: number;
  /** True when the page starts a fresh snapshot: the reader drops everything it held before applying it. */
  snapshot: boolean;
  /** Ask for `since=cursor` next. */
  cursor: number;
  /** True when more entries are waiting beyond `cursor`. */
  more: boolean;
  entries: FeedEntry[];
}

export interface RevocationFeedPage {
  /** The compact JWS carrying the payload. */
  jws: string;
  payload: RevocationFeedPayload;
}

export interface FeedDeps {
  store: Store;
  keyring(): Keyring;
  issuer: string;
  /** The default signing algorithm: the feed is signed with its active key. */
  algorithm: SigningAlgorithm;
  now(): number;
}

const WIRE_KIND = new Map<ChangeKind, FeedEntryKind>(REVOCATION_KINDS.map((kind) => [kind, kind.slice('revoke.'.length) as FeedEntryKind]));

export function toFeedEntry(entry: ChangeEntry): FeedEntry | undefined {
  const kind = WIRE_KIND.get(entry.kind);
  if (kind === undefined) return undefined;
  return { seq: entry.seq, kind, target: entry.target, created_at: entry.createdAt, expires_at: entry.expiresAt };
}

/**
 * Whether `since` must be answered with a fresh snapshot: 0 (first contact), a cursor this store never
 * assigned (the reader followed another database), or one older than the oldest entry still kept (the
 * entries in between were pruned, so a delta could not be shown to be complete).
 */
async function needsSnapshot(store: Store, since: number, latest: number): Promise<boolean> {
  if (since <= 0 || since > latest) return true;
  const [oldest] = await store.changesSince(0, 1);
  const oldestKept = oldest?.seq ?? latest + 1;
  return since < oldestKept - 1;
}

/** Collects up to `limit` unexpired revocations after `since`, scanning past other kinds and expired entries. */
async function collect(store: Store, since: number, limit: number, now: number): Promise<{ entries: FeedEntry[]; last: number; more: boolean }> {
  const entries: FeedEntry[] = [];
  const batchSize = Math.max(limit, 256);
  let last = since;
  for (let batchNo = 0; batchNo < MAX_BATCHES_PER_PAGE; batchNo++) {
    const batch = await store.changesSince(last, batchSize);
    for (let i = 0; i < batch.length; i++) {
      const change = batch[i] as ChangeEntry;
      last = change.seq;
      const entry = change.expiresAt > now ? toFeedEntry(change) : undefined;
      if (entry) entries.push(entry);
      if (entries.length === limit) return { entries, last, more: i < batch.length - 1 || batch.length === batchSize };
    }
    if (batch.length < batchSize) return { entries, last, more: false };
  }
  return { entries, last, more: true };
}

const headers = new WeakMap<LoadedKey, string>();

function feedHeader(key: LoadedKey): string {
  let header = headers.get(key);
  if (header === undefined) {
    header = `${Buffer.from(JSON.stringify({ alg: key.alg, typ: REVOCATION_FEED_TYP, kid: key.kid })).toString('base64url')}.`;
    headers.set(key, header);
  }
  return header;
}

/** Signs a payload as a compact JWS with the given key. */
export function signFeedPayload(key: LoadedKey, payload: RevocationFeedPayload): string {
  const signingInput = feedHeader(key) + Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${signingInput}.${signBytes(key, signingInput).toString('base64url')}`;
}

/**
 * One page of the revocation feed after cursor `since`: unexpired revocation entries in cursor order,
 * signed with the active key of the default algorithm. A snapshot (see needsSnapshot) starts from 0.
 * When the page reaches the end of the log, its cursor is at least the latest cursor read before the
 * scan, so a reader whose last entries were pruned does not ask for a snapshot again.
 */
export async function readFeedPage(deps: FeedDeps, since: number, limit: number): Promise<RevocationFeedPage> {
  const key = deps.keyring().activeKey(deps.algorithm);
  if (!key) throw new OAuthError('temporarily_unavailable', 'the revocation feed cannot be signed right now', { detail: `no active ${deps.algorithm} key` });
  const now = deps.now();
  const latest = await deps.store.latestCursor();
  const snapshot = await needsSnapshot(deps.store, since, latest);
  const from = snapshot ? 0 : since;
  const { entries, last, more } = await collect(deps.store, from, limit, now);
  const payload: RevocationFeedPayload = {
    iss: deps.issuer,
    iat: toSeconds(now),
    since: from,
    snapshot,
    cursor: more ? last : Math.max(last, latest),
    more,
    entries,
  };
  return { jws: signFeedPayload(key, payload), payload };
}

function integerParam(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined || value === '') return fallback;
  const number = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= min)) throw new OAuthError('invalid_request', `${name} must be an integer of at least ${min}`);
  return number;
}

/** Reads `since` (default 0: snapshot) and `limit` (capped at MAX_FEED_PAGE_SIZE); anything else is invalid_request. */
export function parseFeedParams(since: string | undefined, limit: string | undefined): { since: number; limit: number } {
  return {
    since: integerParam('since', since, 0, 0),
    limit: Math.min(integerParam('limit', limit, DEFAULT_FEED_PAGE_SIZE, 1), MAX_FEED_PAGE_SIZE),
  };
}
