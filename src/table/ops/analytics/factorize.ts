/**
 * Key factorisation: every row's key (one or more scalar columns) becomes a
 * dense integer code, codes ascending in key order. Group-by and join both
 * start here.
 *
 * One key column at a time, the first method that applies:
 * - small-range integer columns (bool, 8/16/32-bit, 64-bit within ±2^53 whose
 *   range is at most max(65536, 2n)) are coded directly: value − min, then the
 *   used values ranked (a counting sort, one read of the column);
 * - numbers and strings with few distinct values (at most max(65536, n/4),
 *   and not nearly all distinct in a sample) are hashed to first-appearance
 *   ids, then the distinct values alone are radix-sorted to rank them;
 * - every other column is sorted with the radix sort of sort/radix.ts (its
 *   order-preserving key words: exact for int64, strings by code units,
 *   -0 = +0) and the sorted run is cut where the value changes.
 * Packed strings of at most 8 bytes are coded as the uint64 numbers their
 * bytes make (same order). All methods give the same codes (tested).
 * Several keys combine pairwise: code_a × count_b + code_b when the product is
 * small, else a radix sort of the pair; either way lexicographic order.
 *
 * NA (missing) is a null (validity bit 0) or a float NaN: both are the same
 * missing value, as in pandas. Per key, NA sorts after every value.
 */
import { cellSize, type Column } from '../../column.js';
import { sortPermutation } from '../sort/radix.js';
import { borrowU32, releaseU32 } from '../sort/scratch.js';

/** What happens to rows whose key has an NA part. */
export type NullKeys =
  /** Left out: code -1 (pandas groupby's dropna=True). */
  | 'drop'
  /** NA is a value equal to itself, after every other value (pandas merge; groupby dropna=False). */
  | 'group'
  /** Every such row is a key of its own, coded after all others in row order (SQL: NULL equals nothing). */
  | 'unique';

export interface KeyCodes {
  /** Each row's code (0 .. count-1, ascending in key order), or -1 for rows left out. */
  codes: Int32Array;
  /** Number of distinct codes; each of 0 .. count-1 is used. */
  count: number;
  /** When the coding had them for free: each code's row count and first row. */
  sizes?: Float64Array;
  first?: Uint32Array;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Largest direct-coding table, relative to the row count (the floor keeps small tables direct). */
const directLimit = (n: number) => Math.max(65536, 2 * n);

/** 1 where a row's value is NA (null, or NaN in a float column); null when there is none. */
export function naFlags(col: Column, n = col.length): Uint8Array | null {
  const v = col.validity;
  const isFloat = col.dtype === 'float32' || col.dtype === 'float64';
  if (!v && !isFloat) return null;
  const f = new Uint8Array(n);
  let any = 0;
  if (isFloat) {
    const d = col.data as Float32Array | Float64Array;
    for (let i = 0; i < n; i++) {
      const x = d[i]!;
      const na = x !== x ? 1 : 0;
      f[i] = na;
      any |= na;
    }
  }
  if (v) {
    for (let i = 0; i < n; i++) {
      const na = ((v[i >>> 3]! >>> (i & 7)) & 1) ^ 1;
      f[i] |= na;
      any |= na;
    }
  }
  return any ? f : null;
}

/** A uint32 column over an array of codes (for the radix sort). */
function codeColumn(a: Uint32Array): Column {
  return { name: '', dtype: 'uint32', format: 'J', cellShape: [], length: a.length, data: a };
}

/** Equality of two rows' (non-NA) values. */
export function valueEquality(col: Column): (a: number, b: number) => boolean {
  if (col.strings) {
    const { bytes, width } = col.strings;
    return (a, b) => {
      let ea = (a + 1) * width;
      let eb = (b + 1) * width;
      const sa = a * width;
      const sb = b * width;
      while (ea > sa && (bytes[ea - 1] === 0x20 || bytes[ea - 1] === 0)) ea--;
      while (eb > sb && (bytes[eb - 1] === 0x20 || bytes[eb - 1] === 0)) eb--;
      if (ea - sa !== eb - sb) return false;
      for (let k = 0; k < ea - sa; k++) if (bytes[sa + k] !== bytes[sb + k]) return false;
      return true;
    };
  }
  const d = col.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    const u = new Uint32Array(d.buffer, d.byteOffset, d.length * 2);
    return (a, b) => u[2 * a] === u[2 * b] && u[2 * a + 1] === u[2 * b + 1];
  }
  // Numbers (=== makes -0 equal +0), booleans as 0/1, strings.
  const arr = d as ArrayLike<unknown>;
  return (a, b) => arr[a] === arr[b];
}

/** Rank the used entries of `used` (1 = used) in place: entry → 0-based rank, -1 unused. Returns the count. */
function rankUsed(table: Int32Array): number {
  let k = 0;
  for (let j = 0; j < table.length; j++) table[j] = table[j]! >= 0 ? k++ : -1;
  return k;
}

/** Direct coding of an integer column with a small value range, or null when the range is too wide. */
function directCodes(col: Column, n: number, na: Uint8Array | null, out: () => Int32Array): { codes: Int32Array; count: number; sizes?: Float64Array; first?: Uint32Array } | null {
  const d = col.data;
  if (Array.isArray(d) || col.strings || col.dtype === 'float32' || col.dtype === 'float64') return null;
  const limit = directLimit(n);
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    if (!LITTLE_ENDIAN) return null;
    const u = new Uint32Array(d.buffer, d.byteOffset, d.length * 2);
    const signed = d instanceof BigInt64Array;
    let mn = Infinity;
    let mx = -Infinity;
    for (let i = 0; i < n; i++) {
      if (na && na[i]) continue;
      const hi = signed ? u[2 * i + 1]! | 0 : u[2 * i + 1]!;
      if (hi >= 0x200000 || hi < -0x200000) return null; // beyond ±2^53: not exact as a double
      const x = hi * 4294967296 + u[2 * i]!;
      if (x < mn) mn = x;
      if (x > mx) mx = x;
    }
    if (mn === Infinity) return allNa(n, na, out);
    if (mx - mn + 1 > limit) return null;
    const codes = out();
    const table = new Int32Array(mx - mn + 1).fill(-1);
    for (let i = 0; i < n; i++) {
      if (na && na[i]) continue;
      const hi = signed ? u[2 * i + 1]! | 0 : u[2 * i + 1]!;
      const off = hi * 4294967296 + u[2 * i]! - mn;
      codes[i] = off;
      table[off] = 1;
    }
    return finishDirect(codes, table, n, na);
  }
  const a = d as Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
  let mn = Infinity;
  let mx = -Infinity;
  if (na) {
    for (let i = 0; i < n; i++) {
      if (na[i]) continue;
      const x = a[i]!;
      if (x < mn) mn = x;
      if (x > mx) mx = x;
    }
  } else if (a instanceof Int32Array) {
    [mn, mx] = rangeInt32(a, n);
  } else {
    for (let i = 0; i < n; i++) {
      const x = a[i]!;
      if (x < mn) mn = x;
      if (x > mx) mx = x;
    }
  }
  if (mn === Infinity) return allNa(n, na, out);
  if (mx - mn + 1 > limit) return null;
  const table = new Int32Array(mx - mn + 1).fill(-1);
  if (!na && a instanceof Int32Array) {
    // Each value's count and first row (group sizes for free); when the values are 0 .. G-1
    // already, every one used, they are their own codes: the column is shared, not copied.
    const counts = new Int32Array(mx - mn + 1);
    const first = new Uint32Array(mx - mn + 1);
    countInt32(a, mn, n, counts, first);
    const sizes = Float64Array.from(counts);
    let full = true;
    for (let v = 0; v < sizes.length; v++) {
      if (sizes[v]! > 0) table[v] = 1;
      else full = false;
    }
    if (full && mn === 0 && a.length === n) return { codes: a, count: sizes.length, sizes, first };
    const codes = out();
    if (full) {
      for (let i = 0; i < n; i++) codes[i] = a[i]! - mn;
      return { codes, count: sizes.length, sizes, first };
    }
    // Some values in the range unused: codes are the used values' ranks (one pass through the small table).
    const count = rankUsed(table);
    for (let i = 0; i < n; i++) codes[i] = table[a[i]! - mn]!;
    const sz = new Float64Array(count);
    const fr = new Uint32Array(count);
    for (let v = 0; v < sizes.length; v++) {
      if (table[v]! < 0) continue;
      sz[table[v]!] = sizes[v]!;
      fr[table[v]!] = first[v]!;
    }
    return { codes, count, sizes: sz, first: fr };
  }
  const codes = out();
  if (!na) {
    // The common case in one pass: codes, and each value's count and first row (group sizes for free).
    const counts = new Int32Array(mx - mn + 1);
    const first = new Uint32Array(mx - mn + 1);
      for (let i = 0; i < n; i++) {
        const off = a[i]! - mn;
        codes[i] = off;
        if (counts[off]!++ === 0) first[off] = i;
      }
    const sizes = Float64Array.from(counts);
    for (let v = 0; v < sizes.length; v++) if (sizes[v]! > 0) table[v] = 1;
    const coded = finishDirect(codes, table, n, na);
    if (coded.count === sizes.length) return { ...coded, sizes, first };
    const sz = new Float64Array(coded.count);
    const fr = new Uint32Array(coded.count);
    for (let v = 0; v < sizes.length; v++) {
      if (table[v]! < 0) continue;
      sz[table[v]!] = sizes[v]!;
      fr[table[v]!] = first[v]!;
    }
    return { ...coded, sizes: sz, first: fr };
  }
  for (let i = 0; i < n; i++) {
    const off = a[i]! - mn;
    codes[i] = off;
    if (!na[i]) table[off] = 1;
  }
  return finishDirect(codes, table, n, na);
}

/** Min and max of an Int32Array (monomorphic: int32 keys are the common case). */
function rangeInt32(a: Int32Array, n: number): [number, number] {
  let mn = Infinity;
  let mx = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    if (x < mn) mn = x;
    if (x > mx) mx = x;
  }
  return [mn, mx];
}

/** Each value's count and first row (monomorphic int32 loop). */
function countInt32(a: Int32Array, mn: number, n: number, counts: Int32Array, first: Uint32Array): void {
  for (let i = 0; i < n; i++) {
    const off = a[i]! - mn;
    if (counts[off]!++ === 0) first[off] = i;
  }
}

function finishDirect(codes: Int32Array, table: Int32Array, n: number, na: Uint8Array | null): { codes: Int32Array; count: number } {
  let count = rankUsed(table);
  // Every value in the range used: value − min is the rank already.
  if (count !== table.length) for (let i = 0; i < n; i++) codes[i] = table[codes[i]!]!;
  if (na) {
    for (let i = 0; i < n; i++) if (na[i]) codes[i] = count;
    count++;
  }
  return { codes, count };
}

function allNa(n: number, na: Uint8Array | null, out: () => Int32Array): { codes: Int32Array; count: number } {
  // Every row NA (or no rows).
  return { codes: out().fill(0), count: n > 0 && na ? 1 : 0 };
}

/**
 * Packed strings of at most 8 bytes as uint64 numbers with the same order and
 * equality: the bytes big-endian, trailing spaces and NULs dropped (zeros
 * after the end, so a prefix sorts first). Null when a value holds an inner
 * NUL byte (it would tie with the padding).
 */
function packedAsUint64(col: Column, n: number): Column | null {
  const { bytes, width } = col.strings!;
  const words = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const at = i * width;
    let end = at + width;
    while (end > at && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0)) end--;
    let hi = 0;
    let lo = 0;
    for (let k = 0; k < 8; k++) {
      const b = at + k < end ? bytes[at + k]! : 0;
      if (b === 0 && at + k < end) return null;
      if (k < 4) hi = (hi << 8) | b;
      else lo = (lo << 8) | b;
    }
    words[2 * i] = lo >>> 0;
    words[2 * i + 1] = hi >>> 0;
  }
  const c: { -readonly [K in keyof Column]?: Column[K] } = { name: col.name, dtype: 'uint64', format: 'K', cellShape: [], length: n, data: new BigUint64Array(words.buffer) };
  if (col.validity) c.validity = col.validity;
  return c as Column;
}

/** Most distinct values hashing goes on with before giving way to the radix sort. */
const hashLimit = (n: number) => Math.max(65536, n >>> 2);

/**
 * Hash coding of a numeric column (first-appearance ids through an
 * open-addressing table on the values' bits, -0 folded into +0), then the
 * distinct values radix-sorted to turn ids into ascending codes. Null when the
 * column has too many distinct values: sorting every row is then as cheap.
 */
function hashedNumberCodes(col: Column, n: number, na: Uint8Array | null, out: () => Int32Array): { codes: Int32Array; count: number } | null {
  const d = col.data;
  if (Array.isArray(d) || col.strings || !LITTLE_ENDIAN) return null;
  const a = d as Exclude<Column['data'], string[]>;
  const wide = a.BYTES_PER_ELEMENT === 8;
  const isFloat = a instanceof Float64Array || a instanceof Float32Array;
  // The values' bits, one or two words per row (narrow integers as their numbers).
  const u = wide ? new Uint32Array(a.buffer, a.byteOffset, 2 * n) : a instanceof Float32Array ? new Uint32Array(a.buffer, a.byteOffset, n) : null;
  const narrow = u ? null : (a as Int32Array);
  if (n > 65536) {
    // Nearly all distinct in a sample (IDs): sorting every row wins; don't start hashing.
    const seen = new Set<number>();
    const step = Math.floor(n / 8192);
    for (let i = 0; i < n; i += step) seen.add(wide ? u![2 * i + 1]! * 4294967296 + u![2 * i]! : u ? u[i]! : narrow![i]!);
    if (seen.size > 0.9 * Math.ceil(n / step)) return null;
  }
  const limit = hashLimit(n);
  let cap = 4096;
  let keys = new Uint32Array(wide ? 2 * cap : cap);
  let ids = new Int32Array(cap).fill(-1);
  let uniq = new Uint32Array(wide ? 2 * 1024 : 1024);
  let count = 0;
  const codes = out();
  for (let i = 0; i < n; i++) {
    if (na && na[i]) continue;
    let lo: number;
    let hi = 0;
    if (wide) {
      lo = u![2 * i]!;
      hi = u![2 * i + 1]!;
      if (isFloat && lo === 0 && hi === 0x80000000) hi = 0; // -0 → +0
    } else if (u) {
      lo = u[i]!;
      if (lo === 0x80000000) lo = 0; // float32 -0 → +0
    } else lo = narrow![i]! >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi ^ 0x27d4eb2f, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    let mask = cap - 1;
    let slot = h & mask;
    let id: number;
    for (;;) {
      id = ids[slot]!;
      if (id < 0) break;
      if (wide ? keys[2 * slot] === lo && keys[2 * slot + 1] === hi : keys[slot] === lo) break;
      slot = (slot + 1) & mask;
    }
    if (id < 0) {
      if (count >= limit) return null;
      id = count++;
      if (wide) {
        if (2 * count > uniq.length) uniq = grow(uniq);
        uniq[2 * id] = lo;
        uniq[2 * id + 1] = hi;
        keys[2 * slot] = lo;
        keys[2 * slot + 1] = hi;
      } else {
        if (count > uniq.length) uniq = grow(uniq);
        uniq[id] = lo;
        keys[slot] = lo;
      }
      ids[slot] = id;
      if (2 * count > cap) {
        // Rehash into a table twice the size.
        cap *= 2;
        mask = cap - 1;
        keys = new Uint32Array(wide ? 2 * cap : cap);
        ids = new Int32Array(cap).fill(-1);
        for (let k = 0; k < count; k++) {
          const l = wide ? uniq[2 * k]! : uniq[k]!;
          const hh = wide ? uniq[2 * k + 1]! : 0;
          let g = Math.imul(l ^ Math.imul(hh ^ 0x27d4eb2f, 0x9e3779b1), 0x85ebca6b);
          g ^= g >>> 15;
          let sl = g & mask;
          while (ids[sl]! >= 0) sl = (sl + 1) & mask;
          ids[sl] = k;
          if (wide) {
            keys[2 * sl] = l;
            keys[2 * sl + 1] = hh;
          } else keys[sl] = l;
        }
      }
    }
    codes[i] = id;
  }
  // Rank the distinct values with the radix sort, in the column's own type (exact int64, -0 = +0, ...).
  let distinct: Column['data'];
  if (narrow) {
    // Narrow integers were keyed by the uint32 bits of their numbers.
    const back = new (a.constructor as new (k: number) => Int32Array)(count);
    const signed = a instanceof Int8Array || a instanceof Int16Array || a instanceof Int32Array;
    for (let k = 0; k < count; k++) back[k] = signed ? uniq[k]! | 0 : uniq[k]!;
    distinct = back;
  } else distinct = new (a.constructor as new (b: ArrayBuffer) => Float64Array)(uniq.buffer.slice(0, (wide ? 8 : 4) * count));
  return finishHashed(codes, n, na, { name: '', dtype: col.dtype, format: '', cellShape: [], length: count, data: distinct }, count);
}

function grow(a: Uint32Array): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}

/** Distinct values sorted → each row's id replaced by its value's rank; NA last. */
function finishHashed(codes: Int32Array, n: number, na: Uint8Array | null, distinct: Column, count: number): { codes: Int32Array; count: number } {
  const perm = sortPermutation([{ column: distinct, descending: false, nulls: 'last' }], count);
  const rank = new Int32Array(count);
  for (let k = 0; k < count; k++) rank[perm[k]!] = k;
  for (let i = 0; i < n; i++) codes[i] = na && na[i] ? count : rank[codes[i]!]!;
  return { codes, count: na ? count + 1 : count };
}

/** String keys through a Map (first-appearance ids), the distinct strings then sorted by code units. */
function hashedStringCodes(col: Column, n: number, na: Uint8Array | null, out: () => Int32Array): { codes: Int32Array; count: number } | null {
  if (col.strings || !Array.isArray(col.data)) return null;
  const d = col.data;
  const ids = new Map<string, number>();
  const codes = out();
  const limit = hashLimit(n);
  for (let i = 0; i < n; i++) {
    if (na && na[i]) continue;
    let id = ids.get(d[i]!);
    if (id === undefined) {
      if (ids.size >= limit) return null;
      id = ids.size;
      ids.set(d[i]!, id);
    }
    codes[i] = id;
  }
  const distinct = [...ids.keys()];
  const order = distinct.map((_, k) => k).sort((x, y) => (distinct[x]! < distinct[y]! ? -1 : distinct[x]! > distinct[y]! ? 1 : 0));
  const rank = new Int32Array(distinct.length);
  order.forEach((k, r) => (rank[k] = r));
  const count = distinct.length;
  for (let i = 0; i < n; i++) codes[i] = na && na[i] ? count : rank[codes[i]!]!;
  return { codes, count: na ? count + 1 : count };
}

/** How columnCodes codes a column: the fastest that applies ('auto'), or one method (tests compare them). */
export type CodingMethod = 'auto' | 'direct' | 'hash' | 'sort';

/**
 * Codes of one scalar column: ascending value order, NA (if any) the last code.
 * Every method gives the same codes; a forced method that does not apply falls back to sorting.
 */
export function columnCodes(
  col: Column,
  n = col.length,
  method: CodingMethod = 'auto',
  out: () => Int32Array = () => new Int32Array(n),
): { codes: Int32Array; count: number; na: Uint8Array | null; sizes?: Float64Array; first?: Uint32Array } {
  if (col.strings && col.strings.width <= 8 && LITTLE_ENDIAN && n > 0) {
    const asNumber = packedAsUint64(col, n);
    if (asNumber) return columnCodes(asNumber, n, method, out);
  }
  const na = naFlags(col, n);
  if (n === 0) return { codes: new Int32Array(0), count: 0, na };
  const direct =
    (method === 'auto' || method === 'direct' ? directCodes(col, n, na, out) : null) ??
    (method === 'auto' || method === 'hash' ? (hashedNumberCodes(col, n, na, out) ?? hashedStringCodes(col, n, na, out)) : null);
  if (direct) return { ...direct, na };
  const perm = sortPermutation([{ column: col, descending: false, nulls: 'last' }], n);
  const same = valueEquality(col);
  const codes = out();
  let code = -1;
  let prev = -1;
  let j = 0;
  // NaN and nulls sort last: the NA rows are the tail of the permutation.
  for (; j < n; j++) {
    const r = perm[j]!;
    if (na && na[r]) break;
    if (prev < 0 || !same(prev, r)) code++;
    codes[r] = code;
    prev = r;
  }
  let count = code + 1;
  if (j < n) {
    for (; j < n; j++) codes[perm[j]!] = count;
    count++;
  }
  return { codes, count, na };
}

/** Codes of (a, b) pairs, lexicographic. */
function combineCodes(a: Int32Array, ca: number, b: Int32Array, cb: number, n: number, out: () => Int32Array): { codes: Int32Array; count: number } {
  const product = ca * cb;
  if (product <= directLimit(n)) {
    const table = new Int32Array(product).fill(-1);
    const codes = out();
    for (let i = 0; i < n; i++) {
      const c = a[i]! * cb + b[i]!;
      codes[i] = c;
      table[c] = 1;
    }
    const count = rankUsed(table);
    if (count !== product) for (let i = 0; i < n; i++) codes[i] = table[codes[i]!]!;
    return { codes, count };
  }
  const codes = out();
  let code = -1;
  if (product <= 4294967296) {
    const comp = new Uint32Array(n);
    for (let i = 0; i < n; i++) comp[i] = a[i]! * cb + b[i]!;
    const perm = sortPermutation([{ column: codeColumn(comp), descending: false, nulls: 'last' }], n);
    let prev = -1;
    for (let j = 0; j < n; j++) {
      const r = perm[j]!;
      if (prev < 0 || comp[r] !== comp[prev]) code++;
      codes[r] = code;
      prev = r;
    }
    return { codes, count: code + 1 };
  }
  const ua = new Uint32Array(a.buffer, a.byteOffset, n);
  const ub = new Uint32Array(b.buffer, b.byteOffset, n);
  const perm = sortPermutation(
    [
      { column: codeColumn(ua), descending: false, nulls: 'last' },
      { column: codeColumn(ub), descending: false, nulls: 'last' },
    ],
    n,
  );
  let prev = -1;
  for (let j = 0; j < n; j++) {
    const r = perm[j]!;
    if (prev < 0 || ua[r] !== ua[prev] || ub[r] !== ub[prev]) code++;
    codes[r] = code;
    prev = r;
  }
  return { codes, count: code + 1 };
}

/**
 * Dense codes of the keys formed by `cols` (scalar columns of `n` rows, first
 * most significant): equal keys get equal codes, and codes ascend with the
 * keys (each column ascending, NA after every value).
 */
export function factorizeKeys(cols: readonly Column[], n: number, nulls: NullKeys): KeyCodes {
  let codes: Int32Array | null = null;
  let count = n > 0 ? 1 : 0;
  let na: Uint8Array | null = null;
  // The result is a fresh array; the codes of single columns before they combine are scratch
  // from the sort's pool (reused memory: no fresh pages to fault in, several times n).
  const owned = () => new Int32Array(n);
  const borrowed: Uint32Array[] = [];
  const scratch = () => {
    const u = borrowU32(n);
    borrowed.push(u);
    return new Int32Array(u.buffer, u.byteOffset, n);
  };
  try {
    for (let k = 0; k < cols.length; k++) {
      const col = cols[k]!;
      if (cellSize(col) !== 1) throw new Error('factorizeKeys: scalar columns only');
      const c = columnCodes(col, n, 'auto', cols.length === 1 ? owned : scratch);
      if (cols.length === 1 && c.sizes && !c.na) return { codes: c.codes, count: c.count, sizes: c.sizes, first: c.first! };
      if (c.na) {
        if (!na) na = c.na.slice();
        else for (let i = 0; i < n; i++) na[i]! |= c.na[i]!;
      }
      if (!codes) {
        codes = c.codes;
        count = c.count;
      } else {
        const m = combineCodes(codes, count, c.codes, c.count, n, k === cols.length - 1 ? owned : scratch);
        codes = m.codes;
        count = m.count;
      }
    }
  } finally {
    releaseU32(...borrowed);
  }
  codes ??= new Int32Array(n);
  if (nulls === 'group' || !na) return { codes, count };
  // Leave the NA rows out and renumber the rest densely.
  for (let i = 0; i < n; i++) if (na[i]) codes[i] = -1;
  const table = new Int32Array(count).fill(-1);
  for (let i = 0; i < n; i++) if (codes[i]! >= 0) table[codes[i]!] = 1;
  count = rankUsed(table);
  for (let i = 0; i < n; i++) if (codes[i]! >= 0) codes[i] = table[codes[i]!]!;
  if (nulls === 'unique') for (let i = 0; i < n; i++) if (na[i]) codes[i] = count++;
  return { codes, count };
}
