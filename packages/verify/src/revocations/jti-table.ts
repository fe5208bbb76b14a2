/**
 * Revoked token ids that are canonical lowercase UUIDs (what Tessera issues), kept as 16 bytes plus a
 * 4-byte expiry in an open-addressing table with linear probing: about 40 bytes per id at the
 * table's fill, against roughly 85 for a Map of strings. Ids of any other shape go to a plain Map.
 * Deletion shifts later entries of the same run back, so there are no tombstones to clean up.
 */

const EMPTY = 0;
const MIN_CAPACITY = 1024;
const MAX_FILL = 0.75;
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[48 + i] = i;
for (let i = 0; i < 6; i++) HEX[97 + i] = 10 + i;

/** Parses `count` hex digits starting at `at` (lowercase only); -1 on any other character. */
function hexAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? (HEX[code] as number) : -1;
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** Scratch space for the id being looked at: the 128 bits of a UUID as four words. */
const words = new Uint32Array(4);

/** Fills `words` with the UUID's bits; false when `id` is not a canonical lowercase UUID. Allocates nothing. */
function parseUuid(id: string): boolean {
  if (id.length !== 36 || id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45) {
    return false;
  }
  const a = hexAt(id, 0, 8);
  const b1 = hexAt(id, 9, 4);
  const b2 = hexAt(id, 14, 4);
  const c1 = hexAt(id, 19, 4);
  const c2 = hexAt(id, 24, 4);
  const d = hexAt(id, 28, 8);
  if (a < 0 || b1 < 0 || b2 < 0 || c1 < 0 || c2 < 0 || d < 0) return false;
  words[0] = a;
  words[1] = b1 * 0x10000 + b2;
  words[2] = c1 * 0x10000 + c2;
  words[3] = d;
  return true;
}

/** A 32-bit mix of the four words (UUIDv7 and v1 are not random in every bit, so all of them count). */
function hashWords(): number {
  let h = Math.imul((words[0] as number) ^ ((words[1] as number) >>> 7), 0x9e3779b1);
  h ^= Math.imul((words[2] as number) ^ ((words[3] as number) >>> 3), 0x85ebca77);
  h ^= (words[1] as number) ^ (words[3] as number);
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class JtiTable {
  #keys: Uint32Array;
  /** Expiry in whole seconds, rounded up; 0 marks an empty slot. */
  #expiries: Uint32Array;
  #mask: number;
  #count = 0;
  readonly #others = new Map<string, number>();

  constructor(capacity = MIN_CAPACITY) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(capacity, MIN_CAPACITY)));
    this.#keys = new Uint32Array(size * 4);
    this.#expiries = new Uint32Array(size);
    this.#mask = size - 1;
  }

  get size(): number {
    return this.#count + this.#others.size;
  }

  /** Adds or extends a revoked id until `expiresAtMs`. */
  add(jti: string, expiresAtMs: number): void {
    const expiry = Math.max(1, Math.min(0xffffffff, Math.ceil(expiresAtMs / 1000)));
    if (!parseUuid(jti)) {
      this.#others.set(jti, Math.max(expiry, this.#others.get(jti) ?? 0));
      return;
    }
    if (this.#count + 1 > (this.#mask + 1) * MAX_FILL) {
      this.#grow();
      parseUuid(jti); // growing used the scratch words
    }
    const slot = this.#find();
    if (this.#expiries[slot] === EMPTY) {
      this.#keys.set(words, slot * 4);
      this.#count++;
    }
    this.#expiries[slot] = Math.max(this.#expiries[slot] as number, expiry);
  }

  has(jti: string): boolean {
    if (this.#count === 0 && this.#others.size === 0) return false;
    if (!parseUuid(jti)) return this.#others.has(jti);
    return this.#expiries[this.#find()] !== EMPTY;
  }

  /** Drops every id whose expiry (in seconds, rounded up) is at or before `nowMs`. Returns how many went. */
  prune(nowMs: number): number {
    const now = Math.floor(nowMs / 1000);
    let removed = 0;
    for (const [jti, expiry] of this.#others) {
      if (expiry <= now) {
        this.#others.delete(jti);
        removed++;
      }
    }
    const expiries = this.#expiries;
    for (let slot = 0; slot <= this.#mask; slot++) {
      const expiry = expiries[slot] as number;
      if (expiry !== EMPTY && expiry <= now) {
        this.#delete(slot);
        removed++;
        slot--; // an entry may have shifted into this slot: look at it again
      }
    }
    return removed;
  }

  /** Bytes held by the typed arrays (the Map of other ids is not counted). */
  get byteLength(): number {
    return this.#keys.byteLength + this.#expiries.byteLength;
  }

  /** The slot holding the current `words`, or the empty slot where they would go. */
  #find(): number {
    const keys = this.#keys;
    const w0 = words[0] as number;
    const w1 = words[1] as number;
    const w2 = words[2] as number;
    const w3 = words[3] as number;
    let slot = hashWords() & this.#mask;
    for (;;) {
      if (this.#expiries[slot] === EMPTY) return slot;
      const at = slot * 4;
      if (keys[at] === w0 && keys[at + 1] === w1 && keys[at + 2] === w2 && keys[at + 3] === w3) return slot;
      slot = (slot + 1) & this.#mask;
    }
  }

  /** Backward-shift deletion: later entries of the run whose home is not between the hole and them move into the hole. */
  #delete(slot: number): void {
    const keys = this.#keys;
    const expiries = this.#expiries;
    const mask = this.#mask;
    let hole = slot;
    let next = (hole + 1) & mask;
    while (expiries[next] !== EMPTY) {
      words.set(keys.subarray(next * 4, next * 4 + 4));
      const home = hashWords() & mask;
      const distanceToNext = (next - home) & mask;
      const distanceToHole = (hole - home) & mask;
      if (distanceToHole < distanceToNext) {
        keys.copyWithin(hole * 4, next * 4, next * 4 + 4);
        expiries[hole] = expiries[next] as number;
        hole = next;
      }
      next = (next + 1) & mask;
    }
    expiries[hole] = EMPTY;
    this.#count--;
  }

  #grow(): void {
    const oldKeys = this.#keys;
    const oldExpiries = this.#expiries;
    const size = (this.#mask + 1) * 2;
    this.#keys = new Uint32Array(size * 4);
    this.#expiries = new Uint32Array(size);
    this.#mask = size - 1;
    for (let slot = 0; slot < oldExpiries.length; slot++) {
      const expiry = oldExpiries[slot] as number;
      if (expiry === EMPTY) continue;
      words.set(oldKeys.subarray(slot * 4, slot * 4 + 4));
      const target = this.#find();
      this.#keys.set(words, target * 4);
      this.#expiries[target] = expiry;
    }
  }
}
