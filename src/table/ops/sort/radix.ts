/**
 * Stable LSD radix sort of row permutations by order-preserving key words
 * (see keys.ts). Multi-key sorts run least significant key first; within a key,
 * least significant word first; within a word, least significant digit first.
 * Each pass is a stable counting scatter, so the whole sort is stable.
 */
import type { Column } from '../../column.js';
import { nullFlags, sortKeyWords } from './keys.js';
import { borrowU32, releaseU32 } from './scratch.js';

/** Most bits per radix digit (2^12 = 4096 buckets: counts stay in L1). */
const MAX_DIGIT_BITS = 12;

/** Below this many rows, sort with a comparison sort on the key words instead. */
const SMALL = 64;

/** One sort key, normalised. */
export interface SortSpec {
  column: Column;
  descending: boolean;
  /** Where nulls go; NaN always sorts after every number, in both directions. */
  nulls: 'first' | 'last';
  /** Flat element index within array cells (0 for scalars). */
  element?: number;
  /** Sort rows `rows[0..n)` of the column (a view's row index) instead of rows 0..n. */
  rows?: Uint32Array | null;
}

/** Working buffers, reused across words and keys (scratch ones come from the pool). */
class Work {
  keys: Uint32Array;
  perm: Uint32Array;
  tmpKeys: Uint32Array;
  tmpPerm: Uint32Array;
  /** True while perm is still 0, 1, 2, … */
  identity = true;
  constructor(readonly n: number) {
    this.keys = borrowU32(n);
    this.perm = borrowU32(n);
    this.tmpKeys = borrowU32(n);
    this.tmpPerm = borrowU32(n);
    for (let i = 0; i < n; i++) this.perm[i] = i;
  }
  /** The permutation, in a fresh array of its own; the scratch goes back to the pool. */
  finish(): Uint32Array {
    // The result keeps its (borrowed) buffer unless that buffer is much bigger than needed.
    const p = this.perm;
    const out = p.buffer.byteLength <= p.byteLength * 1.25 ? p : p.slice();
    releaseU32(this.keys, this.tmpKeys, this.tmpPerm, out === p ? null : p);
    return out;
  }
}

/**
 * Stable sort of `w.perm` by `word[perm[i]]`. Only the bits that vary are
 * sorted: keys are reduced by their minimum first, so a word spanning 2^24
 * values takes two passes of 12 bits instead of three.
 */
function sortByWord(w: Work, word: Uint32Array): void {
  const n = w.n;
  if (n < 2) return;
  // Gather the keys in the current order (not needed while perm is the identity), and their range.
  let src: Uint32Array;
  let mn = 0xffffffff;
  let mx = 0;
  if (w.identity) {
    src = word;
    for (let i = 0; i < n; i++) {
      const k = word[i]!;
      if (k < mn) mn = k;
      if (k > mx) mx = k;
    }
  } else {
    src = w.keys;
    const perm = w.perm;
    for (let i = 0; i < n; i++) {
      const k = word[perm[i]!]!;
      src[i] = k;
      if (k < mn) mn = k;
      if (k > mx) mx = k;
    }
  }
  const span = (mx - mn) >>> 0;
  if (span === 0) return; // every key equal: the order stands
  const bits = 32 - Math.clz32(span);
  const passes = Math.ceil(bits / MAX_DIGIT_BITS);
  const digitBits = Math.ceil(bits / passes);
  const size = 1 << digitBits;
  const mask = size - 1;
  // All digit histograms in one read.
  const hist = new Uint32Array(size * passes);
  if (passes === 1) {
    for (let i = 0; i < n; i++) hist[(src[i]! - mn) & mask]!++;
  } else if (passes === 2) {
    for (let i = 0; i < n; i++) {
      const k = (src[i]! - mn) >>> 0;
      hist[k & mask]!++;
      hist[size + (k >>> digitBits)]!++;
    }
  } else {
    const s2 = 2 * digitBits;
    for (let i = 0; i < n; i++) {
      const k = (src[i]! - mn) >>> 0;
      hist[k & mask]!++;
      hist[size + ((k >>> digitBits) & mask)]!++;
      hist[2 * size + (k >>> s2)]!++;
    }
  }
  let perm = w.perm;
  let tp = w.tmpPerm;
  // keys is `word` itself before the first scatter (read-only), then one of the two scratch buffers.
  let keys = src;
  let kOut = src === w.keys ? w.tmpKeys : w.keys;
  let m0 = mn; // keys hold k - mn after the first scatter
  for (let p = 0; p < passes; p++) {
    const shift = p * digitBits;
    // Exclusive prefix sums → bucket starts; skip a digit every key shares.
    const off = hist.subarray(p * size, (p + 1) * size);
    let sum = 0;
    let trivial = false;
    for (let b = 0; b < size; b++) {
      const c = off[b]!;
      if (c === n) trivial = true;
      off[b] = sum;
      sum += c;
    }
    if (trivial) continue;
    const last = p === passes - 1;
    if (w.identity) {
      for (let i = 0; i < n; i++) {
        const k = (keys[i]! - m0) >>> 0;
        const pos = off[(k >>> shift) & mask]!++;
        kOut[pos] = k;
        tp[pos] = i;
      }
      w.identity = false;
    } else if (last) {
      for (let i = 0; i < n; i++) {
        const pos = off[(((keys[i]! - m0) >>> 0) >>> shift) & mask]!++;
        tp[pos] = perm[i]!;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const k = (keys[i]! - m0) >>> 0;
        const pos = off[(k >>> shift) & mask]!++;
        kOut[pos] = k;
        tp[pos] = perm[i]!;
      }
    }
    m0 = 0;
    const old = keys;
    keys = kOut;
    kOut = old === word ? (keys === w.keys ? w.tmpKeys : w.keys) : old;
    [perm, tp] = [tp, perm];
  }
  w.perm = perm;
  w.tmpPerm = tp;
}

/** Stable partition of perm: rows with flag 1 first (`first`) or last. */
function partitionNulls(w: Work, flags: Uint8Array, first: boolean): void {
  const n = w.n;
  const perm = w.perm;
  const out = w.tmpPerm;
  let nNull = 0;
  for (let i = 0; i < n; i++) nNull += flags[i]!;
  if (nNull === 0 || nNull === n) return;
  let a = first ? nNull : 0; // next valid slot
  let b = first ? 0 : n - nNull; // next null slot
  for (let i = 0; i < n; i++) {
    const r = perm[i]!;
    if (flags[r]) out[b++] = r;
    else out[a++] = r;
  }
  w.tmpPerm = perm;
  w.perm = out;
  w.identity = false;
}

/** Inside runs of equal key words, order by the full strings (stable). */
function fixStringRuns(w: Work, words: Uint32Array[], strings: string[], stride: number, element: number, desc: boolean, rows: Uint32Array | null): void {
  const n = w.n;
  const perm = w.perm;
  const str = rows ? (r: number) => strings[rows[r]! * stride + element]! : (r: number) => strings[r * stride + element]!;
  const sameWords = (a: number, b: number) => {
    for (const word of words) if (word[a] !== word[b]) return false;
    return true;
  };
  let i = 0;
  while (i < n) {
    let j = i + 1;
    while (j < n && sameWords(perm[i]!, perm[j]!)) j++;
    if (j - i > 1) {
      const s0 = str(perm[i]!);
      let differ = false;
      for (let k = i + 1; k < j && !differ; k++) differ = str(perm[k]!) !== s0;
      if (differ) {
        // Array.prototype.sort is stable; this only runs on ties of the prefix.
        const run = Array.from(perm.subarray(i, j));
        run.sort(desc ? (x, y) => cmpStr(str(y), str(x)) : (x, y) => cmpStr(str(x), str(y)));
        perm.set(run, i);
      }
    }
    i = j;
  }
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Comparison sort on key words for tiny inputs (radix setup costs more). */
function smallSortByWords(w: Work, words: Uint32Array[]): void {
  const run = Array.from(w.perm);
  run.sort((x, y) => {
    for (const word of words) {
      const a = word[x]!;
      const b = word[y]!;
      if (a !== b) return a < b ? -1 : 1;
    }
    return 0;
  });
  w.perm.set(run);
  w.identity = false;
}

/**
 * The stable permutation that sorts rows by `specs` (first spec most significant).
 * @param n the number of rows (every column's length)
 */
export function sortPermutation(specs: readonly SortSpec[], n: number): Uint32Array {
  if (n < 2) return n === 1 ? new Uint32Array([0]) : new Uint32Array(0);
  const w = new Work(n);
  for (let s = specs.length - 1; s >= 0; s--) {
    const spec = specs[s]!;
    const element = spec.element ?? 0;
    const rows = spec.rows ?? null;
    const keyWords = sortKeyWords(spec.column, { descending: spec.descending, element, rows, alloc: borrowU32 });
    if (n <= SMALL) smallSortByWords(w, keyWords.words);
    else for (let k = keyWords.words.length - 1; k >= 0; k--) sortByWord(w, keyWords.words[k]!);
    if (!keyWords.exact) {
      const stride = spec.column.cellShape ? spec.column.cellShape.reduce((a, b) => a * b, 1) : 1;
      fixStringRuns(w, keyWords.words, spec.column.data as string[], stride, element, spec.descending, rows);
    }
    releaseU32(...keyWords.words);
    const flags = nullFlags(spec.column, element, rows);
    if (flags) partitionNulls(w, flags, spec.nulls === 'first');
  }
  return w.finish();
}
