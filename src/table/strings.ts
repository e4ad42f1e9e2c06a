/**
 * String cells: bytes → JS strings, one char per byte (Latin-1, so every stored
 * byte survives), trailing spaces and NULs removed.
 *
 * Making a million small retained strings costs more in the garbage collector
 * than in decoding, so repeated values (flags, filter names, classes) are
 * interned: equal cells share one string. Columns of mostly unique values
 * switch interning off after a trial.
 */

/** Length of bytes[start, start + width) without trailing spaces and NULs. */
export function trimmedLength(bytes: Uint8Array, start: number, width: number): number {
  let end = start + width;
  while (end > start) {
    const c = bytes[end - 1]!;
    if (c !== 0x20 && c !== 0) break;
    end--;
  }
  return end - start;
}

/** bytes[s, s + n) as a string, one char per byte. */
export function latin1(b: Uint8Array, s: number, n: number): string {
  // Fixed-arity calls are much faster than apply() for the short strings tables are full of.
  switch (n) {
    case 0: return '';
    case 1: return String.fromCharCode(b[s]!);
    case 2: return String.fromCharCode(b[s]!, b[s + 1]!);
    case 3: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    case 8: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
  }
  if (n <= 8192) return String.fromCharCode.apply(null, b.subarray(s, s + n) as unknown as number[]);
  const parts: string[] = [];
  for (let k = 0; k < n; k += 8192) parts.push(String.fromCharCode.apply(null, b.subarray(s + k, s + Math.min(n, k + 8192)) as unknown as number[]));
  return parts.join('');
}

const SLOTS = 4096; // power of two; at most half are filled
const FULL = SLOTS / 2;
const TRIAL = 4096; // lookups per hit-rate check once the table is full
const MAX_INTERN_WIDTH = 64; // wider cells are decoded directly
const HASH = 0x9e3779b1;

/**
 * Shares one string among equal cells of a column of fixed-width string cells.
 * Cells are compared by their raw bytes (padding included) as a few 32-bit
 * words, so a repeated value costs a hash and a compare — no trimming, no
 * decoding, no allocation. Gives up on mostly unique columns.
 */
export class StringInterner {
  /** 32-bit words per key. */
  readonly perKey: number;
  readonly strings: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  readonly keys: Uint32Array;
  readonly key: Uint32Array;
  used = 0;
  enabled: boolean;
  private lookups = 0;
  private hits = 0;

  /** For cells of `width` bytes. */
  constructor(readonly width: number) {
    this.perKey = Math.ceil(width / 4);
    this.enabled = width > 0 && width <= MAX_INTERN_WIDTH;
    this.keys = new Uint32Array(this.enabled ? SLOTS * this.perKey : 0);
    this.key = new Uint32Array(this.perKey);
  }

  /** Record `lookups` lookups of which `hits` found a string; switch off when most miss. */
  account(lookups: number, hits: number): void {
    if (this.used < FULL) return;
    this.lookups += lookups;
    this.hits += hits;
    if (this.lookups < TRIAL) return;
    if (this.hits < this.lookups / 2) this.enabled = false;
    this.lookups = 0;
    this.hits = 0;
  }

  /** The string of the cell at byte p (see {@link gatherStrings}); generic width. */
  get(b: Uint8Array, dv: DataView, p: number): string {
    const width = this.width;
    if (!this.enabled) return latin1(b, p, trimmedLength(b, p, width));
    const key = this.key;
    const perKey = this.perKey;
    let h = width;
    for (let w = 0, q = p; w < perKey; w++, q += 4) {
      let x: number;
      if (q + 4 <= p + width) x = dv.getUint32(q);
      else {
        x = 0;
        for (let k = q; k < p + width; k++) x = (x << 8) | b[k]!;
      }
      key[w] = x;
      h = Math.imul(h ^ x, HASH);
    }
    h ^= h >>> 15;
    const strings = this.strings;
    const keys = this.keys;
    for (let slot = h & (SLOTS - 1); ; slot = (slot + 1) & (SLOTS - 1)) {
      const str = strings[slot];
      if (str === undefined) {
        const made = latin1(b, p, trimmedLength(b, p, width));
        if (this.used < FULL) {
          strings[slot] = made;
          keys.set(key, slot * perKey);
          this.used++;
        } else this.account(1, 0);
        return made;
      }
      let same = true;
      for (let w = 0, q = slot * perKey; w < perKey; w++, q++) {
        if (keys[q] !== key[w]) {
          same = false;
          break;
        }
      }
      if (same) {
        if (this.used >= FULL) this.account(1, 1);
        return str;
      }
    }
  }
}

/** Cells of at most 8 bytes: the key is two words, compared inline (the common case: names, flags, filters). */
function gatherShort(src: Uint8Array, dv: DataView, pos: number, rowBytes: number, n: number, perRow: number, width: number, out: string[], at: number, t: StringInterner): void {
  const strings = t.strings;
  const keys = t.keys; // 2 words per slot (perKey is 1 or 2; a missing word is 0)
  const stride = t.perKey;
  const w0 = Math.min(4, width);
  let lookups = 0;
  let hits = 0;
  let j = at;
  for (let i = 0, s = pos; i < n; i++, s += rowBytes) {
    for (let k = 0, p = s; k < perRow; k++, p += width) {
      let a: number, b = 0;
      if (w0 === 4) a = dv.getUint32(p);
      else {
        a = 0;
        for (let q = p; q < p + w0; q++) a = (a << 8) | src[q]!;
      }
      if (width === 8) b = dv.getUint32(p + 4);
      else for (let q = p + 4; q < p + width; q++) b = (b << 8) | src[q]!;
      let h = Math.imul(Math.imul(a ^ width, HASH) ^ b, 0x85ebca6b);
      h ^= h >>> 15;
      let slot = h & (SLOTS - 1);
      let str: string | undefined;
      for (;;) {
        str = strings[slot];
        if (str === undefined) {
          str = latin1(src, p, trimmedLength(src, p, width));
          if (t.used < FULL) {
            strings[slot] = str;
            keys[slot * stride] = a;
            if (stride === 2) keys[slot * stride + 1] = b;
            t.used++;
          }
          break;
        }
        if (keys[slot * stride] === a && (stride === 1 || keys[slot * stride + 1] === b)) {
          hits++;
          break;
        }
        slot = (slot + 1) & (SLOTS - 1);
      }
      out[j++] = str;
      lookups++;
    }
    if (lookups >= 1024) {
      t.account(lookups, hits);
      lookups = hits = 0;
      if (!t.enabled) {
        // The rest of the block without interning.
        gatherStrings(src, dv, s + rowBytes, rowBytes, n - i - 1, perRow, width, out, j, t);
        return;
      }
    }
  }
  t.account(lookups, hits);
}

/**
 * Decode the strings of one column from `n` row-major records: each row holds
 * `perRow` strings of `width` bytes starting at byte `pos`.
 */
export function gatherStrings(
  src: Uint8Array,
  dv: DataView,
  pos: number,
  rowBytes: number,
  n: number,
  perRow: number,
  width: number,
  out: string[],
  at: number,
  interner: StringInterner,
): void {
  if (interner.enabled && width <= 8) {
    gatherShort(src, dv, pos, rowBytes, n, perRow, width, out, at, interner);
    return;
  }
  let j = at;
  if (!interner.enabled) {
    for (let i = 0, s = pos; i < n; i++, s += rowBytes) {
      for (let k = 0, p = s; k < perRow; k++, p += width) out[j++] = latin1(src, p, trimmedLength(src, p, width));
    }
    return;
  }
  for (let i = 0, s = pos; i < n; i++, s += rowBytes) {
    for (let k = 0, p = s; k < perRow; k++, p += width) out[j++] = interner.get(src, dv, p);
  }
}

/** Every element of packed fixed-width strings, decoded (interned as a column read does). */
export function decodePackedStrings(p: { readonly bytes: Uint8Array; readonly width: number }): string[] {
  const { bytes, width } = p;
  const n = width > 0 ? Math.floor(bytes.length / width) : 0;
  const out = new Array<string>(n);
  if (n === 0) return out;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  gatherStrings(bytes, dv, 0, width, n, 1, width, out, 0, new StringInterner(width));
  return out;
}

/**
 * Copy `n` rows of `perRow` fixed-width cells (`width` bytes each, starting at
 * byte `pos` of each `rowBytes`-long row) into `out` at byte `at`: the packed
 * layout of a string column.
 */
export function gatherStringBytes(src: Uint8Array, pos: number, rowBytes: number, n: number, cellBytes: number, out: Uint8Array, at: number): void {
  if (cellBytes >= 64) {
    for (let i = 0, s = pos; i < n; i++, s += rowBytes, at += cellBytes) out.set(src.subarray(s, s + cellBytes), at);
    return;
  }
  if (cellBytes % 4 === 0 && (out.byteOffset + at) % 4 === 0) {
    // Whole 32-bit words, bytes kept in stored order (little-endian loads into a little-endian-stored view).
    const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const words = cellBytes >>> 2;
    const o32 = new Uint32Array(out.buffer, out.byteOffset + at, n * words);
    if (words === 2) {
      for (let i = 0, s = pos, j = 0; i < n; i++, s += rowBytes, j += 2) {
        o32[j] = dv.getUint32(s, LITTLE);
        o32[j + 1] = dv.getUint32(s + 4, LITTLE);
      }
      return;
    }
    for (let i = 0, s = pos, j = 0; i < n; i++, s += rowBytes) for (let k = 0; k < words; k++) o32[j++] = dv.getUint32(s + 4 * k, LITTLE);
    return;
  }
  for (let i = 0, s = pos; i < n; i++, s += rowBytes) {
    for (let k = 0; k < cellBytes; k++) out[at++] = src[s + k]!;
  }
}

/** The host's byte order, for loads that must keep bytes in stored order. */
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Element i of packed fixed-width strings, decoded. */
export function packedString(p: { readonly bytes: Uint8Array; readonly width: number }, i: number): string {
  const at = i * p.width;
  return latin1(p.bytes, at, trimmedLength(p.bytes, at, p.width));
}
