/**
 * Quantizing floating-point tiles to integers (tiled image convention,
 * FITS 4.0 §10.2), as CFITSIO's fits_quantize_float / fits_quantize_double:
 * the noise of the tile is estimated from median absolute differences
 * (FnNoise5: 2nd, 3rd and 5th order), ZSCALE = noise / q, and values are
 * dithered with CFITSIO's random sequence (src/decompress/quantize.ts) so
 * that funpack, astropy and fitsflow restore the same values.
 */
import { cfitsioRandoms, N_RANDOM, NULL_VALUE, ZERO_VALUE, type QuantizeMethod } from './dequantize.js';

const N_RESERVED_VALUES = 10;

let RANDOMS: Float32Array | undefined;
function randoms(): Float32Array {
  return (RANDOMS ??= cfitsioRandoms());
}

/** N. Devillard's quick select (as CFITSIO): the lower median, reordering `arr[0..n)` in place. */
function quickSelect(arr: Float32Array | Float64Array, n: number): number {
  return arr instanceof Float32Array ? quickSelectF32(arr, n) : quickSelectF64(arr, n);
}

// quickSelectF32 and quickSelectF64 are the same code for one array type each
// (monomorphic element access); the element order they leave matters (see noise5F32).
function quickSelectF32(arr: Float32Array, n: number): number {
  let low = 0;
  let high = n - 1;
  const median = (low + high) >> 1;
  let t = 0;
  for (;;) {
    if (high <= low) return arr[median]!;
    if (high === low + 1) {
      if (arr[low]! > arr[high]!) { t = arr[low]!; arr[low] = arr[high]!; arr[high] = t; }
      return arr[median]!;
    }
    const middle = (low + high) >> 1;
    if (arr[middle]! > arr[high]!) { t = arr[middle]!; arr[middle] = arr[high]!; arr[high] = t; }
    if (arr[low]! > arr[high]!) { t = arr[low]!; arr[low] = arr[high]!; arr[high] = t; }
    if (arr[middle]! > arr[low]!) { t = arr[middle]!; arr[middle] = arr[low]!; arr[low] = t; }
    t = arr[middle]!; arr[middle] = arr[low + 1]!; arr[low + 1] = t;
    let ll = low + 1;
    let hh = high;
    const pivot = arr[low]!;
    for (;;) {
      do ll++; while (pivot > arr[ll]!);
      do hh--; while (arr[hh]! > pivot);
      if (hh < ll) break;
      t = arr[ll]!; arr[ll] = arr[hh]!; arr[hh] = t;
    }
    t = arr[low]!; arr[low] = arr[hh]!; arr[hh] = t;
    if (hh <= median) low = ll;
    if (hh >= median) high = hh - 1;
  }
}

function quickSelectF64(arr: Float64Array, n: number): number {
  let low = 0;
  let high = n - 1;
  const median = (low + high) >> 1;
  let t = 0;
  for (;;) {
    if (high <= low) return arr[median]!;
    if (high === low + 1) {
      if (arr[low]! > arr[high]!) { t = arr[low]!; arr[low] = arr[high]!; arr[high] = t; }
      return arr[median]!;
    }
    const middle = (low + high) >> 1;
    if (arr[middle]! > arr[high]!) { t = arr[middle]!; arr[middle] = arr[high]!; arr[high] = t; }
    if (arr[low]! > arr[high]!) { t = arr[low]!; arr[low] = arr[high]!; arr[high] = t; }
    if (arr[middle]! > arr[low]!) { t = arr[middle]!; arr[middle] = arr[low]!; arr[low] = t; }
    t = arr[middle]!; arr[middle] = arr[low + 1]!; arr[low + 1] = t;
    let ll = low + 1;
    let hh = high;
    const pivot = arr[low]!;
    for (;;) {
      do ll++; while (pivot > arr[ll]!);
      do hh--; while (arr[hh]! > pivot);
      if (hh < ll) break;
      t = arr[ll]!; arr[ll] = arr[hh]!; arr[hh] = t;
    }
    t = arr[low]!; arr[low] = arr[hh]!; arr[hh] = t;
    if (hh <= median) low = ll;
    if (hh >= median) high = hh - 1;
  }
}

// Selection without reordering (the k-th smallest value, as Devillard's
// quick select finds it, but about 3× faster on large rows): bracket the
// answer between two values of a small sorted sample, keep only the values
// inside the bracket (branch-free pass), repeat; finish with quick select on
// the few values left. A bracket that misses falls back to quick select on a
// copy, and so does a bracket that keeps most values (many equal values).
// Only for NaN-free arrays (NaN breaks the ordering either way).

const SAMPLE = 32;
const GAP = 5;
const SMALL = 100;
const sample = new Float64Array(SAMPLE);
let selA32 = new Float32Array(0);
let selB32 = new Float32Array(0);
let selA64 = new Float64Array(0);
let selB64 = new Float64Array(0);

/** Sorted sample of SAMPLE values of src[0..len) at a fixed stride (into `sample`). */
function takeSample(src: Float32Array | Float64Array, len: number): void {
  const step = len / SAMPLE;
  for (let i = 0; i < SAMPLE; i++) {
    const x = src[Math.floor(i * step)]!;
    let j = i - 1;
    while (j >= 0 && sample[j]! > x) {
      sample[j + 1] = sample[j]!;
      j--;
    }
    sample[j + 1] = x;
  }
}

/** Quick select (Devillard's partitioning) of the k-th smallest of arr[0..n), reordering it. */
function kthF32(arr: Float32Array, n: number, k: number): number {
  let low = 0;
  let high = n - 1;
  let t = 0;
  for (;;) {
    if (high <= low) return arr[k]!;
    if (high === low + 1) {
      if (arr[low]! > arr[high]!) { t = arr[low]!; arr[low] = arr[high]!; arr[high] = t; }
      return arr[k]!;
    }
    const middle = (low + high) >> 1;
    if (arr[middle]! > arr[high]!) { t = arr[middle]!; arr[middle] = arr[high]!; arr[high] = t; }
    if (arr[low]! > arr[high]!) { t = arr[low]!; arr[low] = arr[high]!; arr[high] = t; }
    if (arr[middle]! > arr[low]!) { t = arr[middle]!; arr[middle] = arr[low]!; arr[low] = t; }
    t = arr[middle]!; arr[middle] = arr[low + 1]!; arr[low + 1] = t;
    let ll = low + 1;
    let hh = high;
    const pivot = arr[low]!;
    for (;;) {
      do ll++; while (pivot > arr[ll]!);
      do hh--; while (arr[hh]! > pivot);
      if (hh < ll) break;
      t = arr[ll]!; arr[ll] = arr[hh]!; arr[hh] = t;
    }
    t = arr[low]!; arr[low] = arr[hh]!; arr[hh] = t;
    if (hh <= k) low = ll;
    if (hh >= k) high = hh - 1;
  }
}

function kthF64(arr: Float64Array, n: number, k: number): number {
  let low = 0;
  let high = n - 1;
  let t = 0;
  for (;;) {
    if (high <= low) return arr[k]!;
    if (high === low + 1) {
      if (arr[low]! > arr[high]!) { t = arr[low]!; arr[low] = arr[high]!; arr[high] = t; }
      return arr[k]!;
    }
    const middle = (low + high) >> 1;
    if (arr[middle]! > arr[high]!) { t = arr[middle]!; arr[middle] = arr[high]!; arr[high] = t; }
    if (arr[low]! > arr[high]!) { t = arr[low]!; arr[low] = arr[high]!; arr[high] = t; }
    if (arr[middle]! > arr[low]!) { t = arr[middle]!; arr[middle] = arr[low]!; arr[low] = t; }
    t = arr[middle]!; arr[middle] = arr[low + 1]!; arr[low + 1] = t;
    let ll = low + 1;
    let hh = high;
    const pivot = arr[low]!;
    for (;;) {
      do ll++; while (pivot > arr[ll]!);
      do hh--; while (arr[hh]! > pivot);
      if (hh < ll) break;
      t = arr[ll]!; arr[ll] = arr[hh]!; arr[hh] = t;
    }
    t = arr[low]!; arr[low] = arr[hh]!; arr[hh] = t;
    if (hh <= k) low = ll;
    if (hh >= k) high = hh - 1;
  }
}

// Rows of an image usually have similar noise, so the median found for the
// previous row (per kind of difference: slot 0, 1, 2) brackets the next one:
// one pass keeps the values within ±w of it. `w` adapts; a miss costs one pass.
const guess32 = new Float64Array(3);
const width32 = new Float64Array(3).fill(0.08);
const guess64 = new Float64Array(3);
const width64 = new Float64Array(3).fill(0.08);

/** Adjust the bracket width of a slot: wider after a miss, narrower when it kept too much. */
function adapt(widths: Float64Array, slot: number, hit: boolean, kept: number, n: number): void {
  const w = widths[slot]!;
  if (!hit) widths[slot] = Math.min(0.5, w * 1.5);
  else if (kept > n >> 3) widths[slot] = Math.max(0.01, w * 0.75);
}

/** The lower median of arr[0..n) (NaN-free), leaving arr as it is; `slot` keys the guess. */
function medianF32(arr: Float32Array, n: number, slot: number): number {
  if (selA32.length < n + 1) {
    selA32 = new Float32Array(n + 1);
    selB32 = new Float32Array(n + 1);
  }
  const g = guess32[slot]!;
  if (g > 0 && n > SMALL) {
    const w = width32[slot]!;
    const lo = g * (1 - w);
    const hi = g * (1 + w);
    const k = (n - 1) >> 1;
    const dst = selA32;
    let below = 0;
    let mid = 0;
    for (let i = 0; i < n; i++) {
      const x = arr[i]!;
      below += +(x < lo);
      dst[mid] = x;
      mid += +(x >= lo) & +(x <= hi);
    }
    const hit = k >= below && k < below + mid && mid <= n - (n >> 2);
    adapt(width32, slot, hit, mid, n);
    if (hit) return (guess32[slot] = kthF32(dst, mid, k - below));
  }
  return (guess32[slot] = sampledF32(arr, n));
}

/** medianF32 without a guess: brackets from samples. */
function sampledF32(arr: Float32Array, n: number): number {
  let src = arr;
  let dst = selA32;
  let len = n;
  let k = (n - 1) >> 1;
  for (;;) {
    if (len > SMALL) {
      takeSample(src, len);
      const ik = Math.floor((k * SAMPLE) / len);
      const lo = sample[ik < GAP ? 0 : ik - GAP]!;
      const hi = sample[ik + GAP > SAMPLE - 1 ? SAMPLE - 1 : ik + GAP]!;
      let below = 0;
      let mid = 0;
      for (let i = 0; i < len; i++) {
        const x = src[i]!;
        below += +(x < lo);
        dst[mid] = x;
        mid += +(x >= lo) & +(x <= hi);
      }
      if (k >= below && k < below + mid && mid <= len - (len >> 2)) {
        k -= below;
        len = mid;
        src = dst;
        dst = dst === selA32 ? selB32 : selA32;
        continue;
      }
    }
    if (src === arr) {
      selA32.set(arr.subarray(0, len));
      src = selA32;
    }
    return kthF32(src, len, k);
  }
}

function medianF64(arr: Float64Array, n: number, slot: number): number {
  if (selA64.length < n + 1) {
    selA64 = new Float64Array(n + 1);
    selB64 = new Float64Array(n + 1);
  }
  const g = guess64[slot]!;
  if (g > 0 && n > SMALL) {
    const w = width64[slot]!;
    const lo = g * (1 - w);
    const hi = g * (1 + w);
    const k = (n - 1) >> 1;
    const dst = selA64;
    let below = 0;
    let mid = 0;
    for (let i = 0; i < n; i++) {
      const x = arr[i]!;
      below += +(x < lo);
      dst[mid] = x;
      mid += +(x >= lo) & +(x <= hi);
    }
    const hit = k >= below && k < below + mid && mid <= n - (n >> 2);
    adapt(width64, slot, hit, mid, n);
    if (hit) return (guess64[slot] = kthF64(dst, mid, k - below));
  }
  return (guess64[slot] = sampledF64(arr, n));
}

function sampledF64(arr: Float64Array, n: number): number {
  let src = arr;
  let dst = selA64;
  let len = n;
  let k = (n - 1) >> 1;
  for (;;) {
    if (len > SMALL) {
      takeSample(src, len);
      const ik = Math.floor((k * SAMPLE) / len);
      const lo = sample[ik < GAP ? 0 : ik - GAP]!;
      const hi = sample[ik + GAP > SAMPLE - 1 ? SAMPLE - 1 : ik + GAP]!;
      let below = 0;
      let mid = 0;
      for (let i = 0; i < len; i++) {
        const x = src[i]!;
        below += +(x < lo);
        dst[mid] = x;
        mid += +(x >= lo) & +(x <= hi);
      }
      if (k >= below && k < below + mid && mid <= len - (len >> 2)) {
        k -= below;
        len = mid;
        src = dst;
        dst = dst === selA64 ? selB64 : selA64;
        continue;
      }
    }
    if (src === arr) {
      selA64.set(arr.subarray(0, len));
      src = selA64;
    }
    return kthF64(src, len, k);
  }
}

function medianOfSorted(d: Float64Array, n: number): number {
  const s = d.subarray(0, n).sort();
  return (s[(n - 1) >> 1]! + s[n >> 1]!) / 2;
}

interface Scratch {
  d2: Float32Array | Float64Array;
  d3: Float32Array | Float64Array;
  d5: Float32Array | Float64Array;
  r2: Float64Array;
  r3: Float64Array;
  r5: Float64Array;
  vals: Float64Array;
}
interface ScratchStore {
  full: Scratch;
  /** Views of length nx / ny of the last call (reads past them must see undefined, as before). */
  view: Scratch;
  nx: number;
  ny: number;
}
const scratch: { f32?: ScratchStore; f64?: ScratchStore } = {};

/** Reusable work arrays (d2 zeroed like CFITSIO's calloc), so tiles make no garbage. */
function scratchFor(single: boolean, nx: number, ny: number): Scratch {
  const key = single ? 'f32' : 'f64';
  let st = scratch[key];
  if (!st || st.full.d2.length < nx || st.full.r2.length < ny) {
    const Arr = single ? Float32Array : Float64Array;
    const n = Math.max(nx, st?.full.d2.length ?? 0);
    const m = Math.max(ny, st?.full.r2.length ?? 0);
    const full: Scratch = { d2: new Arr(n), d3: new Arr(n), d5: new Arr(n), r2: new Float64Array(m), r3: new Float64Array(m), r5: new Float64Array(m), vals: new Float64Array(9) };
    st = { full, view: full, nx: -1, ny: -1 };
    scratch[key] = st;
  }
  if (st.nx !== nx || st.ny !== ny) {
    const f = st.full;
    st.view = { d2: f.d2.subarray(0, nx), d3: f.d3.subarray(0, nx), d5: f.d5.subarray(0, nx), r2: f.r2.subarray(0, ny), r3: f.r3.subarray(0, ny), r5: f.r5.subarray(0, ny), vals: f.vals };
    st.nx = nx;
    st.ny = ny;
  }
  st.view.d2.fill(0);
  return st.view;
}

export interface NoiseEstimate {
  ngood: number;
  minval: number;
  maxval: number;
  noise2: number;
  noise3: number;
  noise5: number;
}

/**
 * CFITSIO's FnNoise5 over an nx × ny tile (nx fastest). `isNull(i)` marks
 * undefined pixels. `single`: float32 arithmetic for the differences (as for
 * float images), else float64.
 */
export function noiseEstimate(array: ArrayLike<number>, nx: number, ny: number, isNull: ((v: number) => boolean) | null, single: boolean): NoiseEstimate {
  if (nx < 9) {
    nx = nx * ny;
    ny = 1;
  }
  // Fast paths (same results): float32 data in float32 arithmetic, float64 data in float64, no nulls.
  if (isNull === null && nx >= 9) {
    if (single && array instanceof Float32Array) return noise5F32(array, nx, ny);
    if (!single && array instanceof Float64Array) return noise5F64(array, nx, ny);
  }
  const f = single ? Math.fround : (x: number) => x;
  let xmin = Infinity;
  let xmax = -Infinity;
  let ngood = 0;
  if (nx < 9) {
    for (let i = 0; i < nx; i++) {
      const v = array[i]!;
      if (isNull && isNull(v)) continue;
      if (v < xmin) xmin = v;
      if (v > xmax) xmax = v;
      ngood++;
    }
    return { ngood, minval: xmin, maxval: xmax, noise2: 0, noise3: 0, noise5: 0 };
  }
  const sc = scratchFor(single, nx, ny);
  const d2 = sc.d2;
  const d3 = sc.d3;
  const d5 = sc.d5;
  const diffs2 = sc.r2;
  const diffs3 = sc.r3;
  const diffs5 = sc.r5;
  let nrows = 0;
  let nrows2 = 0;
  for (let jj = 0; jj < ny; jj++) {
    const row = jj * nx;
    let ii = 0;
    const vals = sc.vals;
    let got = 0;
    // The first 8 valid pixels of the row.
    for (; got < 8; ii++) {
      if (isNull) while (ii < nx && isNull(array[row + ii]!)) ii++;
      if (ii >= nx) break;
      const v = array[row + ii]!;
      vals[got++] = v;
      ngood++;
      if (v < xmin) xmin = v;
      if (v > xmax) xmax = v;
    }
    if (got < 8) continue;
    let v1 = vals[0]!, v2 = vals[1]!, v3 = vals[2]!, v4 = vals[3]!, v5 = vals[4]!, v6 = vals[5]!, v7 = vals[6]!, v8 = vals[7]!;
    let nvals = 0;
    let nvals2 = 0;
    for (; ii < nx; ii++) {
      if (isNull) while (ii < nx && isNull(array[row + ii]!)) ii++;
      if (ii >= nx) break;
      const v9 = array[row + ii]!;
      if (v9 < xmin) xmin = v9;
      if (v9 > xmax) xmax = v9;
      if (!(v5 === v6 && v6 === v7)) {
        d2[nvals2] = Math.abs(f(v5 - v7));
        nvals2++;
      }
      if (!(v3 === v4 && v4 === v5 && v5 === v6 && v6 === v7)) {
        d3[nvals] = Math.abs(f(f(f(2 * v5) - v3) - v7));
        d5[nvals] = Math.abs(f(f(f(f(f(6 * v5) - f(4 * v3)) - f(4 * v7)) + v1) + v9));
        nvals++;
      } else {
        ngood++;
      }
      v1 = v2; v2 = v3; v3 = v4; v4 = v5; v5 = v6; v6 = v7; v7 = v8; v8 = v9;
    }
    ngood += nvals;
    if (nvals === 0) continue;
    if (nvals === 1) {
      if (nvals2 === 1) diffs2[nrows2++] = d2[0]!;
      diffs3[nrows] = d3[0]!;
      diffs5[nrows] = d5[0]!;
    } else {
      // CFITSIO passes nvals (not nvals2) for the 2nd-order differences; kept for identical results.
      if (nvals2 > 1) diffs2[nrows2++] = quickSelect(d2, nvals);
      diffs3[nrows] = quickSelect(d3, nvals);
      diffs5[nrows] = quickSelect(d5, nvals);
    }
    nrows++;
  }
  let n3 = 0;
  let n5 = 0;
  let n2 = 0;
  if (nrows === 1) {
    n3 = diffs3[0]!;
    n5 = diffs5[0]!;
  } else if (nrows > 1) {
    n3 = medianOfSorted(diffs3, nrows);
    n5 = medianOfSorted(diffs5, nrows);
  }
  if (nrows2 === 1) n2 = diffs2[0]!;
  else if (nrows2 > 1) n2 = medianOfSorted(diffs2, nrows2);
  return { ngood, minval: xmin, maxval: xmax, noise2: 1.0483579 * n2, noise3: 0.6052697 * n3, noise5: 0.1772048 * n5 };
}

/** The medians of the per-row medians (FnNoise5's last step). */
function finishNoise(sc: Scratch, nrows: number, nrows2: number, ngood: number, xmin: number, xmax: number): NoiseEstimate {
  const diffs2 = sc.r2;
  const diffs3 = sc.r3;
  const diffs5 = sc.r5;
  let n3 = 0;
  let n5 = 0;
  let n2 = 0;
  if (nrows === 1) {
    n3 = diffs3[0]!;
    n5 = diffs5[0]!;
  } else if (nrows > 1) {
    n3 = medianOfSorted(diffs3, nrows);
    n5 = medianOfSorted(diffs5, nrows);
  }
  if (nrows2 === 1) n2 = diffs2[0]!;
  else if (nrows2 > 1) n2 = medianOfSorted(diffs2, nrows2);
  return { ngood, minval: xmin, maxval: xmax, noise2: 1.0483579 * n2, noise3: 0.6052697 * n3, noise5: 0.1772048 * n5 };
}

// noise5F32 / noise5F64: noiseEstimate without nulls, nx >= 9, as tight loops
// over one array type (float32 differences rounded with Math.fround as C does).
// Same statements as the general loop, so the same results and scratch contents.

function noise5F32(array: Float32Array, nx: number, ny: number): NoiseEstimate {
  const sc = scratchFor(true, nx, ny);
  const d2 = sc.d2 as Float32Array;
  const d3 = sc.d3 as Float32Array;
  const d5 = sc.d5 as Float32Array;
  const fr = Math.fround;
  let xmin = Infinity;
  let xmax = -Infinity;
  let ngood = 0;
  let nrows = 0;
  let nrows2 = 0;
  for (let jj = 0; jj < ny; jj++) {
    const row = jj * nx;
    const end = row + nx;
    // The row's range first: it decides whether the shortcuts below are exact.
    let rmin = Infinity;
    let rmax = -Infinity;
    for (let p = row; p < end; p++) {
      const v = array[p]!;
      if (v < rmin) rmin = v;
      if (v > rmax) rmax = v;
    }
    if (rmin < xmin) xmin = rmin;
    if (rmax > xmax) xmax = rmax;
    let v1 = array[row]!, v2 = array[row + 1]!, v3 = array[row + 2]!, v4 = array[row + 3]!;
    let v5 = array[row + 4]!, v6 = array[row + 5]!, v7 = array[row + 6]!, v8 = array[row + 7]!;
    let nvals = 0;
    let nvals2 = 0;
    let same = 0;
    // Float32 arithmetic as C: each operation rounded with Math.fround, except
    // the last one, which the store into the Float32Array rounds (|round(x)| =
    // round(|x|)). For |values| < 1e37, 2v, 4v are exact in float32 too.
    if (rmin > -1e37 && rmax < 1e37) {
      for (let p = row + 8; p < end; p++) {
        const v9 = array[p]!;
        if (!(v5 === v6 && v6 === v7)) {
          d2[nvals2++] = Math.abs(v5 - v7);
          d3[nvals] = Math.abs(fr(2 * v5 - v3) - v7);
          d5[nvals] = Math.abs(fr(fr(fr(fr(6 * v5) - 4 * v3) - 4 * v7) + v1) + v9);
          nvals++;
        } else if (!(v3 === v4 && v4 === v5)) {
          d3[nvals] = Math.abs(fr(2 * v5 - v3) - v7);
          d5[nvals] = Math.abs(fr(fr(fr(fr(6 * v5) - 4 * v3) - 4 * v7) + v1) + v9);
          nvals++;
        } else {
          same++;
        }
        v1 = v2; v2 = v3; v3 = v4; v4 = v5; v5 = v6; v6 = v7; v7 = v8; v8 = v9;
      }
    } else {
      for (let p = row + 8; p < end; p++) {
        const v9 = array[p]!;
        if (!(v5 === v6 && v6 === v7)) {
          d2[nvals2++] = Math.abs(v5 - v7);
          d3[nvals] = Math.abs(fr(fr(2 * v5) - v3) - v7);
          d5[nvals] = Math.abs(fr(fr(fr(fr(6 * v5) - fr(4 * v3)) - fr(4 * v7)) + v1) + v9);
          nvals++;
        } else if (!(v3 === v4 && v4 === v5)) {
          d3[nvals] = Math.abs(fr(fr(2 * v5) - v3) - v7);
          d5[nvals] = Math.abs(fr(fr(fr(fr(6 * v5) - fr(4 * v3)) - fr(4 * v7)) + v1) + v9);
          nvals++;
        } else {
          same++;
        }
        v1 = v2; v2 = v3; v3 = v4; v4 = v5; v5 = v6; v6 = v7; v7 = v8; v8 = v9;
      }
    }
    ngood += 8;
    ngood += nvals + same;
    if (nvals === 0) continue;
    // No NaN among the differences when every value so far is well inside the float32 range.
    const safe = xmin > -1e37 && xmax < 1e37;
    if (nvals === 1) {
      if (nvals2 === 1) sc.r2[nrows2++] = d2[0]!;
      sc.r3[nrows] = d3[0]!;
      sc.r5[nrows] = d5[0]!;
    } else {
      // CFITSIO passes nvals (not nvals2) for the 2nd-order differences; kept for identical results.
      if (safe) {
        // Same values as quick select. d2's order is read again by a later row
        // (entries nvals2 … nvals), so only the last row may leave it unsorted.
        if (nvals2 > 1) sc.r2[nrows2++] = jj === ny - 1 ? medianF32(d2, nvals, 0) : quickSelectF32(d2, nvals);
        sc.r3[nrows] = medianF32(d3, nvals, 1);
        sc.r5[nrows] = medianF32(d5, nvals, 2);
      } else {
        if (nvals2 > 1) sc.r2[nrows2++] = quickSelectF32(d2, nvals);
        sc.r3[nrows] = quickSelectF32(d3, nvals);
        sc.r5[nrows] = quickSelectF32(d5, nvals);
      }
    }
    nrows++;
  }
  return finishNoise(sc, nrows, nrows2, ngood, xmin, xmax);
}

function noise5F64(array: Float64Array, nx: number, ny: number): NoiseEstimate {
  const sc = scratchFor(false, nx, ny);
  const d2 = sc.d2 as Float64Array;
  const d3 = sc.d3 as Float64Array;
  const d5 = sc.d5 as Float64Array;
  let xmin = Infinity;
  let xmax = -Infinity;
  let ngood = 0;
  let nrows = 0;
  let nrows2 = 0;
  for (let jj = 0; jj < ny; jj++) {
    const row = jj * nx;
    let v1 = array[row]!, v2 = array[row + 1]!, v3 = array[row + 2]!, v4 = array[row + 3]!;
    let v5 = array[row + 4]!, v6 = array[row + 5]!, v7 = array[row + 6]!, v8 = array[row + 7]!;
    for (let k = 0; k < 8; k++) {
      const v = array[row + k]!;
      if (v < xmin) xmin = v;
      if (v > xmax) xmax = v;
    }
    ngood += 8;
    let nvals = 0;
    let nvals2 = 0;
    let same = 0;
    const end = row + nx;
    for (let p = row + 8; p < end; p++) {
      const v9 = array[p]!;
      if (v9 < xmin) xmin = v9;
      if (v9 > xmax) xmax = v9;
      if (!(v5 === v6 && v6 === v7)) {
        d2[nvals2++] = Math.abs(v5 - v7);
        d3[nvals] = Math.abs(2 * v5 - v3 - v7);
        d5[nvals] = Math.abs(6 * v5 - 4 * v3 - 4 * v7 + v1 + v9);
        nvals++;
      } else if (!(v3 === v4 && v4 === v5)) {
        d3[nvals] = Math.abs(2 * v5 - v3 - v7);
        d5[nvals] = Math.abs(6 * v5 - 4 * v3 - 4 * v7 + v1 + v9);
        nvals++;
      } else {
        same++;
      }
      v1 = v2; v2 = v3; v3 = v4; v4 = v5; v5 = v6; v6 = v7; v7 = v8; v8 = v9;
    }
    ngood += nvals + same;
    if (nvals === 0) continue;
    // No NaN among the differences when every value so far is finite and not huge.
    const safe = xmin > -1e300 && xmax < 1e300;
    if (nvals === 1) {
      if (nvals2 === 1) sc.r2[nrows2++] = d2[0]!;
      sc.r3[nrows] = d3[0]!;
      sc.r5[nrows] = d5[0]!;
    } else {
      if (safe) {
        if (nvals2 > 1) sc.r2[nrows2++] = jj === ny - 1 ? medianF64(d2, nvals, 0) : quickSelectF64(d2, nvals);
        sc.r3[nrows] = medianF64(d3, nvals, 1);
        sc.r5[nrows] = medianF64(d5, nvals, 2);
      } else {
        if (nvals2 > 1) sc.r2[nrows2++] = quickSelectF64(d2, nvals);
        sc.r3[nrows] = quickSelectF64(d3, nvals);
        sc.r5[nrows] = quickSelectF64(d5, nvals);
      }
    }
    nrows++;
  }
  return finishNoise(sc, nrows, nrows2, ngood, xmin, xmax);
}

export interface QuantizeOptions {
  /** q > 0: ZSCALE = noise / q; q < 0: ZSCALE = −q; (q = 0: noise / 4, CFITSIO's default). */
  level: number;
  method: QuantizeMethod;
  /** ZDITHER0 (1 … 10000). */
  ditherSeed: number;
  /** 0-based tile index. */
  tileIndex: number;
}

export interface QuantizedTile {
  ints: Int32Array;
  zscale: number;
  zzero: number;
  /** Whether any pixel was NaN (stored as NULL_VALUE). */
  anyNull: boolean;
}

const NINT = (x: number): number => (x >= 0 ? Math.trunc(x + 0.5) : Math.trunc(x - 0.5));

/**
 * Quantize one tile (nx fastest, ny rows). Returns null when the tile cannot be
 * quantized (no noise, or a range too large): store it losslessly instead.
 */
export function quantizeTile(data: Float32Array | Float64Array, nx: number, ny: number, o: QuantizeOptions, out?: Int32Array): QuantizedTile | null {
  const n = data.length;
  if (n <= 1) return null;
  const single = data instanceof Float32Array;
  let anyNull = false;
  for (let i = 0; i < n; i++) if (data[i] !== data[i]) { anyNull = true; break; }
  const isNull = anyNull ? (v: number) => v !== v : null;
  let delta: number;
  const level = single ? Math.fround(o.level) : Math.fround(o.level);
  let est: NoiseEstimate;
  if (level >= 0) {
    est = noiseEstimate(data, nx, ny, isNull, single);
    let stdev: number;
    if (anyNull && est.ngood === 0) {
      est.minval = 0;
      est.maxval = 1;
      stdev = 1;
    } else {
      stdev = est.noise3;
      if (est.noise2 !== 0 && est.noise2 < stdev) stdev = est.noise2;
      if (est.noise5 !== 0 && est.noise5 < stdev) stdev = est.noise5;
    }
    delta = level === 0 ? stdev / 4 : stdev / level;
    if (delta === 0) return null;
  } else {
    delta = -level;
    est = { ...minMax(data, isNull), noise2: 0, noise3: 0, noise5: 0 }; // only min, max, ngood are used
  }
  let { minval, maxval } = est;
  if (single) {
    minval = Math.fround(minval);
    maxval = Math.fround(maxval);
  }
  if ((maxval - minval) / delta > 2 * 2147483647 - N_RESERVED_VALUES) return null;
  const dither = o.method !== 'NO_DITHER';
  const rnd = randoms();
  let iseed = 0;
  let nextrand = 0;
  if (dither) {
    iseed = (o.tileIndex + o.ditherSeed - 1) % N_RANDOM;
    nextrand = Math.trunc(Math.fround(rnd[iseed]! * 500));
  }
  const ints = out && out.length >= n ? out.subarray(0, n) : new Int32Array(n);
  const ngood = anyNull ? est.ngood : n;
  let zeropt: number;
  if (ngood === n) {
    if (o.method === 'SUBTRACTIVE_DITHER_2') zeropt = minval - delta * (NULL_VALUE + N_RESERVED_VALUES);
    else if ((maxval - minval) / delta < 2147483647 - N_RESERVED_VALUES) {
      zeropt = minval;
      const iq = Math.trunc(zeropt / delta + 0.5);
      zeropt = iq * delta;
    } else zeropt = (minval + maxval) / 2;
  } else {
    zeropt = minval - delta * (NULL_VALUE + N_RESERVED_VALUES);
  }
  const zeroKept = o.method === 'SUBTRACTIVE_DITHER_2';
  if (dither && !anyNull && !zeroKept) {
    if (data instanceof Float32Array) ditherF32(data, ints, n, zeropt, delta, rnd, iseed, nextrand);
    else ditherF64(data, ints, n, zeropt, delta, rnd, iseed, nextrand);
    return { ints, zscale: delta, zzero: zeropt, anyNull };
  }
  for (let i = 0; i < n; i++) {
    const v = data[i]!;
    if (v !== v) ints[i] = NULL_VALUE;
    else if (dither) ints[i] = zeroKept && v === 0 ? ZERO_VALUE : NINT((v - zeropt) / delta + rnd[nextrand]! - 0.5);
    else ints[i] = NINT((v - zeropt) / delta);
    if (dither) {
      nextrand++;
      if (nextrand === N_RANDOM) {
        iseed++;
        if (iseed === N_RANDOM) iseed = 0;
        nextrand = Math.trunc(Math.fround(rnd[iseed]! * 500));
      }
    }
  }
  return { ints, zscale: delta, zzero: zeropt, anyNull };
}

// ditherF32 / ditherF64: SUBTRACTIVE_DITHER_1 without nulls, the general loop's
// arithmetic ((v − ZZERO) / ZSCALE + r − 0.5, rounded half away from zero) over one
// array type, the random index advanced per run of pixels instead of per pixel.

function ditherF32(data: Float32Array, ints: Int32Array, n: number, zeropt: number, delta: number, rnd: Float32Array, iseed: number, nextrand: number): void {
  let i = 0;
  for (;;) {
    const end = Math.min(n, i + (N_RANDOM - nextrand));
    for (let r = nextrand; i < end; i++, r++) {
      const x = (data[i]! - zeropt) / delta + rnd[r]! - 0.5;
      ints[i] = x >= 0 ? Math.trunc(x + 0.5) : Math.trunc(x - 0.5);
    }
    if (i >= n) return;
    iseed++;
    if (iseed === N_RANDOM) iseed = 0;
    nextrand = Math.trunc(Math.fround(rnd[iseed]! * 500));
  }
}

function ditherF64(data: Float64Array, ints: Int32Array, n: number, zeropt: number, delta: number, rnd: Float32Array, iseed: number, nextrand: number): void {
  let i = 0;
  for (;;) {
    const end = Math.min(n, i + (N_RANDOM - nextrand));
    for (let r = nextrand; i < end; i++, r++) {
      const x = (data[i]! - zeropt) / delta + rnd[r]! - 0.5;
      ints[i] = x >= 0 ? Math.trunc(x + 0.5) : Math.trunc(x - 0.5);
    }
    if (i >= n) return;
    iseed++;
    if (iseed === N_RANDOM) iseed = 0;
    nextrand = Math.trunc(Math.fround(rnd[iseed]! * 500));
  }
}

function minMax(data: Float32Array | Float64Array, isNull: ((v: number) => boolean) | null): { minval: number; maxval: number; ngood: number } {
  let minval = Infinity;
  let maxval = -Infinity;
  let ngood = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (isNull && isNull(v)) continue;
    ngood++;
    if (v < minval) minval = v;
    if (v > maxval) maxval = v;
  }
  return { minval, maxval, ngood };
}

/** CFITSIO-style default ZDITHER0 from the data ("checksum" seed): 1 … 10000. */
export function checksumDitherSeed(firstTile: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < firstTile.length; i++) sum = (sum + firstTile[i]!) % 2147483647;
  return (sum % 10000) + 1;
}
