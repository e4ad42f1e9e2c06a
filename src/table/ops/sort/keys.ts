/**
 * Order-preserving sort keys: every sortable column element maps to one or more
 * unsigned 32-bit key words such that comparing the words lexicographically
 * (most significant word first, as unsigned integers) gives the column order.
 *
 * This is the shared half of sorting: the CPU radix sort consumes these words,
 * and a GPU backend can upload the same Uint32Arrays (WGSL has u32 but neither
 * f64 nor i64). The order the words encode:
 * - numbers ascending, -0 equal to +0, NaN after every number (any NaN payload);
 * - with `descending`, numbers descending but NaN still last (like pandas);
 * - integers of any width exactly (64-bit as two words: high, low);
 * - strings by UTF-16 code units over a fixed-length prefix; `exact: false`
 *   then tells the sorter that equal words may hide different strings, which it
 *   resolves with a comparison sort inside each run of equal prefixes;
 * - nulls are not encoded here: see {@link nullFlags}.
 */
import type { Column } from '../../column.js';
import { FitsError } from '../../../core/errors.js';

export interface SortKeyWords {
  /** Key words, most significant first; each holds one word per row. */
  words: Uint32Array[];
  /** Significant low bits of each word (the rest are 0). */
  bits: number[];
  /** False when equal key words do not imply equal values (string prefixes). */
  exact: boolean;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Longest string prefix encoded in key words, in 32-bit words. */
export const MAX_STRING_KEY_WORDS = 4;

function view32(a: ArrayBufferView & { length: number }, perElement: number): Uint32Array {
  if (!LITTLE_ENDIAN) throw new FitsError('UNSUPPORTED', 'Sorting 64-bit and float columns needs a little-endian platform.');
  return new Uint32Array(a.buffer, a.byteOffset, a.length * perElement);
}

/**
 * The key words of a column's elements `element, element + stride, …` (one per row).
 * @param element flat element index within the cell (0 for scalar columns)
 */
export function sortKeyWords(
  col: Column,
  opts: { descending?: boolean; element?: number; rows?: Uint32Array | null; alloc?: (n: number) => Uint32Array } = {},
): SortKeyWords {
  const alloc = opts.alloc ?? ((k: number) => new Uint32Array(k));
  const desc = !!opts.descending;
  const rows = opts.rows ?? null;
  const n = rows ? rows.length : col.length;
  const stride = col.cellShape ? col.cellShape.reduce((a, b) => a * b, 1) : 1;
  const el = opts.element ?? 0;
  if (col.offsets || col.cellShape === null) throw new FitsError('BAD_ARGUMENT', `Cannot sort by '${col.name}': it holds variable-length arrays.`);
  const d = col.data;
  // Element of key i: row rows[i] (or i), element `el` of its cell.
  const idx = rows ? (i: number) => rows[i]! * stride + el : stride === 1 && el === 0 ? (i: number) => i : (i: number) => i * stride + el;
  switch (col.dtype) {
    case 'complex64':
    case 'complex128':
      throw new FitsError('BAD_ARGUMENT', `Cannot sort by '${col.name}': complex numbers have no order.`);
    case 'string':
      if (col.strings) return packedStringKeyWords(col.strings.bytes, col.strings.width, n, idx, desc, alloc);
      return stringKeyWords(d as string[], n, idx, desc, alloc);
    case 'float32': {
      const u = view32(d as Float32Array, 1);
      const w = alloc(n);
      const flip = desc ? 0xffffffff : 0;
      if (!rows && stride === 1) {
        // The common case, branch-light: NaN → all ones, -0 → +0, sign-flip transform.
        for (let i = 0; i < n; i++) {
          let x = u[i]!;
          if ((x & 0x7fffffff) > 0x7f800000) {
            w[i] = 0xffffffff;
            continue;
          }
          if (x === 0x80000000) x = 0;
          w[i] = (x ^ ((x >> 31) | 0x80000000) ^ flip) >>> 0;
        }
        return { words: [w], bits: [32], exact: true };
      }
      for (let i = 0; i < n; i++) {
        let x = u[idx(i)]!;
        if ((x & 0x7fffffff) > 0x7f800000) {
          w[i] = 0xffffffff; // NaN: after everything, both directions
          continue;
        }
        if (x === 0x80000000) x = 0; // -0 → +0
        const k = x ^ ((x >> 31) | 0x80000000);
        w[i] = desc ? ~k : k;
      }
      return { words: [w], bits: [32], exact: true };
    }
    case 'float64': {
      const u = view32(d as Float64Array, 2);
      const hi = alloc(n);
      const lo = alloc(n);
      for (let i = 0; i < n; i++) {
        const j = idx(i);
        let h = u[2 * j + 1]!;
        const l = u[2 * j]!;
        const ah = h & 0x7fffffff;
        if (ah > 0x7ff00000 || (ah === 0x7ff00000 && l !== 0)) {
          hi[i] = 0xffffffff;
          lo[i] = 0xffffffff;
          continue;
        }
        if (h === 0x80000000 && l === 0) h = 0;
        const m = h >> 31; // 0 or -1
        let kh = h ^ (m | 0x80000000);
        let kl = l ^ m;
        if (desc) {
          kh = ~kh;
          kl = ~kl;
        }
        hi[i] = kh;
        lo[i] = kl;
      }
      return { words: [hi, lo], bits: [32, 32], exact: true };
    }
    case 'int64':
    case 'uint64': {
      const u = view32(d as BigInt64Array, 2);
      const hi = alloc(n);
      const lo = alloc(n);
      const bias = col.dtype === 'int64' ? 0x80000000 : 0;
      const flip = desc ? 0xffffffff : 0;
      for (let i = 0; i < n; i++) {
        const j = idx(i);
        hi[i] = u[2 * j + 1]! ^ bias ^ flip;
        lo[i] = u[2 * j]! ^ flip;
      }
      return { words: [hi, lo], bits: [32, 32], exact: true };
    }
    default: {
      // bool, (u)int8, (u)int16, (u)int32: one word of 8, 16 or 32 bits.
      const a = d as Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
      const bits = a.BYTES_PER_ELEMENT * 8;
      const signed = a instanceof Int8Array || a instanceof Int16Array || a instanceof Int32Array;
      const bias = signed ? 2 ** (bits - 1) : 0;
      const mask = bits === 32 ? 0xffffffff : 2 ** bits - 1;
      const w = alloc(n);
      if (!rows && stride === 1 && !desc && bias === 0) w.set(a as Uint8Array);
      else {
        for (let i = 0; i < n; i++) {
          const k = (a[idx(i)]! + bias) >>> 0;
          w[i] = desc ? mask - k : k;
        }
      }
      return { words: [w], bits: [bits], exact: true };
    }
  }
}

/**
 * String prefixes as key words: 8-bit code units (4 per word) when every
 * character is below U+0100, else 16-bit units (2 per word); shorter strings are
 * padded with 0, so a proper prefix sorts first.
 */
function stringKeyWords(d: string[], n: number, idx: (i: number) => number, desc: boolean, alloc: (n: number) => Uint32Array): SortKeyWords {
  let maxLen = 0;
  let wide = false;
  for (let i = 0; i < n; i++) {
    const s = d[idx(i)]!;
    if (s.length > maxLen) maxLen = s.length;
    if (!wide) for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) > 0xff) { wide = true; break; }
  }
  const perWord = wide ? 2 : 4;
  const nWords = Math.min(MAX_STRING_KEY_WORDS, Math.ceil(maxLen / perWord));
  const words: Uint32Array[] = [];
  for (let w = 0; w < nWords; w++) words.push(alloc(n));
  const flip = desc ? 0xffffffff : 0;
  const unitBits = wide ? 16 : 8;
  for (let i = 0; i < n; i++) {
    const s = d[idx(i)]!;
    for (let w = 0; w < nWords; w++) {
      let k = 0;
      for (let u = 0; u < perWord; u++) {
        const c = w * perWord + u;
        k = k * (1 << unitBits) + (c < s.length ? s.charCodeAt(c) : 0);
      }
      words[w]![i] = (k ^ flip) >>> 0;
    }
  }
  // Exact when every string fits in the prefix and none contains U+0000 (which
  // would tie with the padding).
  let exact = maxLen <= nWords * perWord;
  if (exact) {
    for (let i = 0; i < n && exact; i++) if (d[idx(i)]!.includes('\0')) exact = false;
  }
  return { words, bits: words.map(() => 32), exact };
}

/**
 * stringKeyWords over packed fixed-width Latin-1 cells (column.ts): the same
 * words the decoded strings would give (bytes are the code units; trailing
 * spaces and NULs are padding), without decoding.
 */
function packedStringKeyWords(bytes: Uint8Array, width: number, n: number, idx: (i: number) => number, desc: boolean, alloc: (n: number) => Uint32Array): SortKeyWords {
  const lengths = new Uint32Array(n);
  let maxLen = 0;
  let innerNul = false;
  for (let i = 0; i < n; i++) {
    const at = idx(i) * width;
    let end = at + width;
    while (end > at && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0)) end--;
    const len = end - at;
    lengths[i] = len;
    if (len > maxLen) maxLen = len;
    if (!innerNul) for (let k = at; k < end; k++) if (bytes[k] === 0) { innerNul = true; break; }
  }
  const nWords = Math.min(MAX_STRING_KEY_WORDS, Math.ceil(maxLen / 4));
  const words: Uint32Array[] = [];
  for (let w = 0; w < nWords; w++) words.push(alloc(n));
  const flip = desc ? 0xffffffff : 0;
  for (let i = 0; i < n; i++) {
    const at = idx(i) * width;
    const len = lengths[i]!;
    for (let w = 0, c = 0; w < nWords; w++) {
      let k = 0;
      for (let u = 0; u < 4; u++, c++) k = (k << 8) | (c < len ? bytes[at + c]! : 0);
      words[w]![i] = (k ^ flip) >>> 0;
    }
  }
  return { words, bits: words.map(() => 32), exact: maxLen <= nWords * 4 && !innerNul };
}

/** 1 for null elements (validity bit 0), 0 otherwise (one per row, or per `rows` entry); null without nulls. */
export function nullFlags(col: Column, element = 0, rows: Uint32Array | null = null): Uint8Array | null {
  const v = col.validity;
  if (!v) return null;
  const stride = col.cellShape ? col.cellShape.reduce((a, b) => a * b, 1) : 1;
  const n = rows ? rows.length : col.length;
  const f = new Uint8Array(n);
  let any = 0;
  for (let i = 0; i < n; i++) {
    const j = (rows ? rows[i]! : i) * stride + element;
    const x = ((v[j >>> 3]! >>> (j & 7)) & 1) ^ 1;
    f[i] = x;
    any |= x;
  }
  return any ? f : null;
}
