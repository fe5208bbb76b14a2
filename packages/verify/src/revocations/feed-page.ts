import { verify, type KeyObject } from 'node:crypto';
import type { FeedEntry, FeedEntryKind, FeedPage } from './types.js';

export const FEED_TYP = 'tessera-revocations+jwt';
/** A page of 5 000 entries is well under this; anything bigger is not a page. */
const MAX_PAGE_LENGTH = 8 * 1024 * 1024;
const KINDS: ReadonlySet<string> = new Set<FeedEntryKind>(['token', 'subject', 'client', 'session', 'family', 'key']);
const HEADER_MEMBERS: ReadonlySet<string> = new Set(['alg', 'typ', 'kid']);

/** A feed page that cannot be trusted; `retryable` when a later attempt may succeed (an unknown key id). */
export class FeedPageError extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'FeedPageError';
  }
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** Strict base64url: no padding, no foreign characters, canonical trailing bits. */
function decode(segment: string, what: string): Buffer {
  const bytes = BASE64URL.test(segment) && segment.length % 4 !== 1 ? Buffer.from(segment, 'base64url') : undefined;
  if (!bytes || bytes.toString('base64url') !== segment) throw new FeedPageError(`${what} is not canonical base64url`);
  return bytes;
}

function jsonObject(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decode(segment, what).toString('utf8'));
  } catch (error) {
    if (error instanceof FeedPageError) throw error;
    throw new FeedPageError(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new FeedPageError(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Whether the key can make signatures of `alg` (the header never gets to pick a weaker check). */
function keyFits(alg: unknown, key: KeyObject): boolean {
  switch (alg) {
    case 'ES256':
      return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    case 'EdDSA':
      return key.asymmetricKeyType === 'ed25519';
    case 'RS256':
      return key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
    default:
      return false;
  }
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function entryOf(value: unknown): FeedEntry {
  const e = value as Record<string, unknown> | null;
  if (
    typeof e !== 'object' ||
    e === null ||
    !isCount(e['seq']) ||
    typeof e['kind'] !== 'string' ||
    !KINDS.has(e['kind']) ||
    typeof e['target'] !== 'string' ||
    !Number.isFinite(e['created_at']) ||
    !Number.isFinite(e['expires_at'])
  ) {
    throw new FeedPageError('a feed entry is malformed');
  }
  return e as unknown as FeedEntry;
}

function pageOf(payload: Record<string, unknown>, issuer: string): FeedPage {
  if (payload['iss'] !== issuer) throw new FeedPageError('the page was issued by another server');
  const { iat, since, cursor, snapshot, more, entries } = payload;
  if (!isCount(iat) || !isCount(since) || !isCount(cursor) || typeof snapshot !== 'boolean' || typeof more !== 'boolean' || !Array.isArray(entries)) {
    throw new FeedPageError('the page payload is malformed');
  }
  const checked = entries.map(entryOf);
  let previous = since;
  for (const entry of checked) {
    if (entry.seq <= previous || entry.seq > cursor) throw new FeedPageError('the page entries are out of order');
    previous = entry.seq;
  }
  if (cursor < since) throw new FeedPageError('the page cursor goes backwards');
  return { iss: issuer, iat, since, cursor, snapshot, more, entries: checked };
}

/**
 * Verifies one feed page (a compact JWS) and returns its payload: only the header members Tessera
 * writes, `typ` tessera-revocations+jwt, an algorithm that matches the key named by `kid`, a valid
 * signature, our issuer, and well-formed, ordered entries. Anything else is refused.
 */
export function verifyFeedPage(jws: string, issuer: string, getKey: (kid: string) => KeyObject | undefined): FeedPage {
  if (typeof jws !== 'string' || jws.length > MAX_PAGE_LENGTH) throw new FeedPageError('the page is not a JWS of acceptable size');
  const [head, body, signature, extra] = jws.split('.');
  if (head === undefined || body === undefined || signature === undefined || extra !== undefined) {
    throw new FeedPageError('the page is not a compact JWS');
  }
  const header = jsonObject(head, 'the page header');
  if (Object.keys(header).some((name) => !HEADER_MEMBERS.has(name))) throw new FeedPageError('the page header has unexpected members');
  if (header['typ'] !== FEED_TYP) throw new FeedPageError('the page has the wrong typ');
  const kid = header['kid'];
  if (typeof kid !== 'string' || kid === '') throw new FeedPageError('the page names no key');
  const key = getKey(kid);
  if (!key) throw new FeedPageError(`the page is signed with unknown key ${kid.slice(0, 64)}`, true);
  if (!keyFits(header['alg'], key)) throw new FeedPageError('the page algorithm does not match its key');
  const digest = header['alg'] === 'EdDSA' ? null : 'sha256';
  const valid = verify(digest, Buffer.from(`${head}.${body}`), { key, dsaEncoding: 'ieee-p1363' }, decode(signature, 'the page signature'));
  if (!valid) throw new FeedPageError('the page signature is invalid');
  return pageOf(jsonObject(body, 'the page payload'), issuer);
}
