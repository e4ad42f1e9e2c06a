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
