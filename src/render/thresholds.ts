/**
 * The renderer's value → index map as a table of float32 thresholds, so a GPU
 * can reproduce the CPU's result exactly with comparisons only.
 *
 * For the monotonic maps the renderer uses (every stretch is non-decreasing,
 * histeq included), index(v) = number of thresholds T_k ≤ v, where T_k is the
 * smallest float32 with index ≥ k. A float32 pixel p compares with T_k exactly,
 * so for float32 input the GPU's index equals the CPU's bit for bit, whatever
 * the GPU's float arithmetic. Each T_k is found by bisection over the ordered
 * float32 values (32 steps), i.e. 32·levels evaluations of the CPU's own
 * index function.
 *
 * Limits with max < min make the map decreasing: then the thresholds are for
 * −v (`negate`), which is exact in float32.
 */
import type { Limits } from './interval.js';

/** Thresholds for index(v): the first `count` entries of `thresholds`, ascending; compare `negate ? −v : v`. */
export interface IndexThresholds {
  thresholds: Float32Array<ArrayBuffer>;
  count: number;
  negate: boolean;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Order-preserving key of a float32 (−Infinity → smallest, +Infinity → largest). */
function keyOf(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  return (b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
}

function floatOfKey(key: number): number {
  u32[0] = key & 0x80000000 ? (key & 0x7fffffff) >>> 0 : ~key >>> 0;
  return f32[0]!;
}

/**
 * Thresholds of `index` (a non-decreasing map of float32 values to 0…levels−1,
 * or non-increasing when `limits.max < limits.min`).
 */
export function indexThresholds(index: (v: number) => number, levels: number, limits: Limits): IndexThresholds {
  const negate = limits.max < limits.min;
  const g = negate ? (v: number) => index(-v) : index;
  const thresholds = new Float32Array(Math.max(1, levels - 1));
  let low = keyOf(-Infinity);
  const high = keyOf(Infinity);
  let count = 0;
  for (let k = 1; k < levels; k++) {
    if (g(floatOfKey(high)) < k) break; // no value reaches index k (nor any higher one)
    // Smallest key in [low, high] with g ≥ k.
    let a = low, b = high;
    while (a < b) {
      const mid = a + Math.floor((b - a) / 2);
      if (g(floatOfKey(mid)) >= k) b = mid;
      else a = mid + 1;
    }
    thresholds[count++] = floatOfKey(a);
    low = a;
  }
  return { thresholds, count, negate };
}

/** Element types the GPU renderer reads (numpy's names, as fitsflow's image readers return them). */
export type GpuPixelType = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64';

/** The shader's code for each element type. */
export const PIXEL_TYPE_CODE: Record<GpuPixelType, number> = {
  uint8: 0, int8: 1, int16: 2, uint16: 3, int32: 4, uint32: 5, float32: 6, int64: 7, uint64: 8, float64: 9,
};

/** Thresholds as 64-bit order keys, two u32 words each (high, low): the first `count` pairs of `words`. */
export interface KeyThresholds {
  words: Uint32Array<ArrayBuffer>;
  count: number;
  negate: boolean;
  /** Keys outside [valid[0..1], valid[2..3]] (high, low words; compared after complementing for `negate`) have no index: NaN colour. */
  valid: Uint32Array<ArrayBuffer>;
}

const MASK64 = (1n << 64n) - 1n;
const dv64 = new DataView(new ArrayBuffer(8));

/**
 * The order key of each element type: keys sort as the values do.
 *   unsigned ints: the value; signed ints: the value with its sign bit flipped;
 *   floats: sign bit set for positives, every bit flipped for negatives.
 * Types of 32 bits and fewer have a 32-bit key (the shader's high word; its
 * low word is 0), 64-bit types a 64-bit one. `valueOf` is the number the CPU
 * renders for that element (int64 → the nearest double, as Number(bigint)
 * and numpy's astype(float)).
 */
function keySpace32(dtype: GpuPixelType): { min: number; max: number; valueOf: (k: number) => number } | null {
  switch (dtype) {
    case 'uint8': return { min: 0, max: 255, valueOf: (k) => k };
    case 'int8': return { min: 0, max: 255, valueOf: (k) => k - 128 };
    case 'uint16': return { min: 0, max: 0xffff, valueOf: (k) => k };
    case 'int16': return { min: 0, max: 0xffff, valueOf: (k) => k - 32768 };
    case 'uint32': return { min: 0, max: 0xffffffff, valueOf: (k) => k };
    case 'int32': return { min: 0, max: 0xffffffff, valueOf: (k) => k - 2147483648 };
    case 'float32': return { min: keyOf(-Infinity), max: keyOf(Infinity), valueOf: floatOfKey };
    default: return null;
  }
}

function keySpace64(dtype: GpuPixelType): { min: bigint; max: bigint; valueOf: (k: bigint) => number } {
  switch (dtype) {
    case 'uint64': return { min: 0n, max: MASK64, valueOf: (k) => Number(k) };
    case 'int64': return { min: 0n, max: MASK64, valueOf: (k) => Number(k - (1n << 63n)) };
    default: {
      const keyOfDouble = (x: number) => {
        dv64.setFloat64(0, x);
        const b = dv64.getBigUint64(0);
        return b >> 63n ? ~b & MASK64 : b | (1n << 63n);
      };
      return {
        min: keyOfDouble(-Infinity),
        max: keyOfDouble(Infinity),
        valueOf: (k) => {
          dv64.setBigUint64(0, k >> 63n ? k & ~(1n << 63n) : ~k & MASK64);
          return dv64.getFloat64(0);
        },
      };
    }
  }
}

/** Smallest c in [lo, hi] with pred(c) (pred false then true), or hi + 1. */
function firstTrue(lo: number, hi: number, pred: (c: number) => boolean): number {
  let a = lo, b = hi + 1;
  while (a < b) {
    const mid = a + Math.floor((b - a) / 2);
    if (pred(mid)) b = mid;
    else a = mid + 1;
  }
  return a;
}

function firstTrue64(lo: bigint, hi: bigint, pred: (c: bigint) => boolean): bigint {
  let a = lo, b = hi + 1n;
  while (a < b) {
    const mid = a + ((b - a) >> 1n);
    if (pred(mid)) b = mid;
    else a = mid + 1n;
  }
  return a;
}

/**
 * Thresholds of `index` over the order keys of `dtype`: T_k is the smallest
 * key whose value has index ≥ k (for falling limits, max < min, the keys are
 * complemented so the map rises: `negate`). The shader counts T_k ≤ key(pixel):
 * comparisons of integers, so the GPU's index is the CPU's for every element
 * type, 64-bit ones included, whatever the GPU's float arithmetic. Each T_k
 * is found by bisection (at most 32 or 64 steps).
 *
 * Where max − min overflows to infinity (float64 images spanning ±1e308),
 * the CPU's (v − min)/(max − min) is ∞/∞ = NaN for values whose v − min
 * overflows too: those lie at the ends of the key range, outside
 * `valid` = [low, high], and get the NaN colour, as on the CPU.
 */
export function keyThresholds(index: (v: number) => number, levels: number, limits: Limits, dtype: GpuPixelType): KeyThresholds {
  const negate = limits.max < limits.min;
  const infinite = !Number.isFinite(limits.max - limits.min);
  const words = new Uint32Array(2 * Math.max(1, levels - 1));
  const valid = new Uint32Array(4);
  let count = 0;
  // v − min overflowing at the low and the high end of the (possibly complemented) key range.
  const lowEnd = negate ? Infinity : -Infinity;
  const highEnd = -lowEnd;
  const s32 = keySpace32(dtype);
  if (s32) {
    // In complemented key space a key c stands for the element with key ~c (32 bits; its low word ~0).
    const value = negate ? (c: number) => s32.valueOf(~c >>> 0) : s32.valueOf;
    let low = negate ? ~s32.max >>> 0 : s32.min;
    let highest = negate ? ~s32.min >>> 0 : s32.max;
    if (infinite) {
      const from = firstTrue(low, highest, (c) => value(c) - limits.min !== lowEnd);
      highest = firstTrue(low, highest, (c) => value(c) - limits.min === highEnd) - 1;
      low = from;
    }
    valid.set([low, 0, highest, 0xffffffff]);
    const g = (c: number) => index(value(c));
    for (let k = 1; k < levels && low <= highest; k++) {
      if (g(highest) < k) break; // no element reaches index k (nor any higher one)
      const a = firstTrue(low, highest, (c) => g(c) >= k);
      words[2 * count] = a;
      words[2 * count + 1] = 0;
      count++;
      low = a;
    }
    return { words, count, negate, valid };
  }
  const s64 = keySpace64(dtype);
  const value = negate ? (c: bigint) => s64.valueOf(~c & MASK64) : s64.valueOf;
  let low = negate ? ~s64.max & MASK64 : s64.min;
  let highest = negate ? ~s64.min & MASK64 : s64.max;
  if (infinite) {
    const from = firstTrue64(low, highest, (c) => value(c) - limits.min !== lowEnd);
    highest = firstTrue64(low, highest, (c) => value(c) - limits.min === highEnd) - 1n;
    low = from;
  }
  if (low <= highest) valid.set([Number(low >> 32n), Number(low & 0xffffffffn), Number(highest >> 32n), Number(highest & 0xffffffffn)]);
  else valid.set([0xffffffff, 0xffffffff, 0, 0]); // empty: every element is NaN-coloured
  const g = (c: bigint) => index(value(c));
  for (let k = 1; k < levels && low <= highest; k++) {
    if (g(highest) < k) break;
    const a = firstTrue64(low, highest, (c) => g(c) >= k);
    words[2 * count] = Number(a >> 32n);
    words[2 * count + 1] = Number(a & 0xffffffffn);
    count++;
    low = a;
  }
  return { words, count, negate, valid };
}
