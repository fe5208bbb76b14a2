import { decodeText, hasDuplicateKeys, parseObject } from './encoding.js';
import { VerifyError } from './errors.js';

/** The two header members the hot path needs, from a header that passed every check. */
export interface TokenHeader {
  readonly alg: string;
  readonly kid: string;
}

/**
 * Header members we accept. Everything else is refused rather than ignored: `crit` (RFC 7515 §4.1.11
 * demands understanding), `b64` (RFC 7797 unencoded payloads), and the key-carrying `jku`, `jwk`, `x5u`,
 * `x5c` — a token must never choose its own verification key.
 */
const ALLOWED_MEMBERS: ReadonlySet<string> = new Set(['alg', 'typ', 'kid']);
const ACCESS_TOKEN_TYPE = /^(?:application\/)?at\+jwt$/i;
const CACHE_SIZE = 64;

function parseHeader(segment: string, algorithms: ReadonlySet<string>): TokenHeader {
  const text = decodeText(segment);
  const header = text === undefined ? undefined : parseObject(text);
  if (header === undefined) throw new VerifyError('token_malformed', { detail: 'the header is not a base64url JSON object' });
  for (const name in header) {
    if (!ALLOWED_MEMBERS.has(name)) {
      throw new VerifyError('token_header_invalid', { detail: `header member ${JSON.stringify(name.slice(0, 32))} is not accepted` });
    }
  }
  // Checked after the member names, which bounds the distinct names to three before the scan.
  if (hasDuplicateKeys(text as string)) throw new VerifyError('token_malformed', { detail: 'the header repeats a member' });
  const { alg, typ, kid } = header;
  if (typeof alg !== 'string') throw new VerifyError('token_header_invalid', { detail: 'alg is missing' });
  if (!algorithms.has(alg)) throw new VerifyError('token_unsupported_alg', { detail: `alg ${JSON.stringify(alg.slice(0, 16))}` });
  if (typeof typ !== 'string' || !ACCESS_TOKEN_TYPE.test(typ)) throw new VerifyError('token_wrong_type');
  if (typeof kid !== 'string' || kid === '') throw new VerifyError('token_header_invalid', { detail: 'kid is missing' });
  return Object.freeze({ alg, kid });
}

/**
 * Parsed headers keyed by the header segment itself. An issuer signs every token of one key with the same
 * header, so after the first token the header costs one Map lookup. Only valid headers are cached; the
 * cache is bounded, dropping its oldest entry.
 */
export class HeaderCache {
  readonly #algorithms: ReadonlySet<string>;
  /** Keyed by the header segment; the entry holds a flat copy of it, so no token stays alive through a slice. */
  readonly #entries = new Map<string, { readonly segment: string; readonly header: TokenHeader }>();
  /** The last header seen: compared with ===, which beats hashing a freshly sliced string for the Map. */
  #lastSegment = '';
  #lastHeader: TokenHeader | undefined;

  constructor(algorithms: ReadonlySet<string>) {
    this.#algorithms = algorithms;
  }

  get(segment: string): TokenHeader {
    if (segment === this.#lastSegment && this.#lastHeader !== undefined) return this.#lastHeader;
    let entry = this.#entries.get(segment);
    if (entry === undefined) {
      const header = parseHeader(segment, this.#algorithms);
      if (this.#entries.size >= CACHE_SIZE) this.#entries.delete(this.#entries.keys().next().value as string);
      entry = { segment: Buffer.from(segment, 'latin1').toString('latin1'), header };
      this.#entries.set(entry.segment, entry);
    }
    this.#lastSegment = entry.segment;
    this.#lastHeader = entry.header;
    return entry.header;
  }
}
