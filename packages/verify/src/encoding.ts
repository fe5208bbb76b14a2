import { isUtf8 } from 'node:buffer';

/** Value of each base64url character, -1 for anything else. */
const VALUES = new Int8Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('').forEach((ch, i) => {
  VALUES[ch.charCodeAt(0)] = i;
});

/** True when every character is ASCII (one UTF-8 byte each). */
export const isAscii = (value: string): boolean => Buffer.byteLength(value) === value.length;

/**
 * Decodes an ASCII base64url segment into `target` at `offset`; returns the byte length, or -1 unless the
 * segment is canonical. Cheaper than a regex over the segment: Node's decoder skips or stops at ASCII
 * characters outside the alphabet, which shortens the output, so an exact output length plus "no `+` or
 * `/`" (the only foreign characters it decodes) and zero trailing bits prove the segment canonical.
 * Callers must check ASCII first: the decoder reads a non-Latin-1 character by its low byte (`Ł` as `A`).
 */
export function decodeCanonicalInto(segment: string, target: Buffer, offset: number): number {
  const length = segment.length;
  const remainder = length & 3;
  const expected = (length * 3) >> 2;
  if (length === 0 || remainder === 1 || target.length - offset < expected) return -1;
  if (target.write(segment, offset, 'base64url') !== expected || segment.indexOf('+') !== -1 || segment.indexOf('/') !== -1) return -1;
  if (remainder === 0) return expected;
  const last = VALUES[segment.charCodeAt(length - 1)] as number;
  return (remainder === 2 ? last & 0x0f : last & 0x03) === 0 ? expected : -1;
}

/** decodeCanonicalInto a new Buffer; undefined unless canonical. */
export function decodeCanonical(segment: string): Buffer | undefined {
  const bytes = Buffer.allocUnsafe((segment.length * 3) >> 2);
  return decodeCanonicalInto(segment, bytes, 0) === -1 ? undefined : bytes;
}

/** The UTF-8 text of `length` bytes at `offset`; undefined when they are not valid UTF-8. */
export function utf8At(buffer: Buffer, offset: number, length: number): string | undefined {
  return isUtf8(buffer.subarray(offset, offset + length)) ? buffer.toString('utf8', offset, offset + length) : undefined;
}

/** Decodes a canonical base64url segment holding UTF-8 text; undefined when it is neither. */
export function decodeText(segment: string): string | undefined {
  const bytes = isAscii(segment) ? decodeCanonical(segment) : undefined;
  return bytes === undefined ? undefined : utf8At(bytes, 0, bytes.length);
}

const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index of the quote closing the string whose opening quote is at `open`. */
function closingQuote(text: string, open: number): number {
  let close = text.indexOf('"', open + 1);
  for (;;) {
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === 0x5c) backslashes++;
    if ((backslashes & 1) === 0) return close;
    close = text.indexOf('"', close + 1);
  }
}

/** Scratch space for the scan: per open container, where its keys start (-1 for arrays); key bounds. */
const SCAN_CAPACITY = 16_384;
const LEVEL_START = new Int32Array(SCAN_CAPACITY);
const KEY_BOUNDS = new Int32Array(SCAN_CAPACITY);

function sameText(text: string, a: number, b: number, length: number): boolean {
  for (let k = 0; k < length; k++) if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}

function hasBackslash(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (text.charCodeAt(k) === 0x5c) return true;
  return false;
}

/**
 * Whether any object in a well-formed JSON text names the same member twice. JSON.parse keeps the
 * last one silently, so `{"sub":"a","sub":"b"}` could mean different things to different parsers.
 * Jumps from quote to quote and compares member names in place, allocating nothing; a text with an
 * escaped member name (where `"a"` and `"\u0061"` are the same) takes the decoding path.
 */
export function hasDuplicateKeys(text: string): boolean {
  if (text.length * 2 > SCAN_CAPACITY) return hasDuplicateKeysDecoded(text);
  let depth = -1;
  let count = 0;
  let i = 0;
  for (;;) {
    const open = text.indexOf('"', i);
    const end = open === -1 ? text.length : open;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x7b) LEVEL_START[++depth] = count;
      else if (c === 0x5b) LEVEL_START[++depth] = -1;
      else if (c === 0x7d || c === 0x5d) {
        if ((LEVEL_START[depth] as number) >= 0) count = LEVEL_START[depth] as number;
        depth--;
      }
    }
    if (open === -1) return false;
    const close = closingQuote(text, open);
    i = close + 1;
    const first = depth < 0 ? -1 : (LEVEL_START[depth] as number);
    if (first < 0) continue;
    let next = i;
    while (isWhitespace(text.charCodeAt(next))) next++;
    if (text.charCodeAt(next) !== 0x3a) continue;
    const start = open + 1;
    const length = close - start;
    if (hasBackslash(text, start, close)) return hasDuplicateKeysDecoded(text);
    for (let k = first; k < count; k++) {
      const other = KEY_BOUNDS[2 * k] as number;
      if ((KEY_BOUNDS[2 * k + 1] as number) - other === length && sameText(text, other, start, length)) return true;
    }
    KEY_BOUNDS[2 * count] = start;
    KEY_BOUNDS[2 * count + 1] = close;
    count++;
  }
}

/** The same check with member names decoded (escapes resolved) and collected per object. */
function hasDuplicateKeysDecoded(text: string): boolean {
  const stack: (Set<string> | null)[] = [];
  let keys: Set<string> | null = null;
  let i = 0;
  for (;;) {
    const open = text.indexOf('"', i);
    const end = open === -1 ? text.length : open;
    for (; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x7b || c === 0x5b) {
        stack.push(keys);
        keys = c === 0x7b ? new Set() : null;
      } else if (c === 0x7d || c === 0x5d) {
        keys = stack.pop() ?? null;
      }
    }
    if (open === -1) return false;
    const close = closingQuote(text, open);
    i = close + 1;
    if (keys === null) continue;
    let next = i;
    while (isWhitespace(text.charCodeAt(next))) next++;
    if (text.charCodeAt(next) !== 0x3a) continue;
    const key = JSON.parse(text.slice(open, close + 1)) as string;
    if (keys.has(key)) return true;
    keys.add(key);
  }
}

/** Parses JSON text that must be an object; undefined otherwise. Does not look for duplicate members. */
export function parseObject(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Parses a JSON object, refusing anything else and any duplicate member name. */
export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  const value = parseObject(text);
  return value === undefined || hasDuplicateKeys(text) ? undefined : value;
}
