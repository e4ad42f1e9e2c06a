/**
 * Digest fields of a numeric array (DIGEST.md §3): SHA-256 of the little-endian
 * elements with canonical NaNs, the same over float64 values, and statistics.
 */
import type { DType, ImageArray } from '../image/pixel-type.js';
import { littleEndianHost } from '../core/buffers.js';
import { type Json, jsonNumber } from './json.js';
import { jsSha256, type Hasher } from '../core/sha256.js';

export interface ArrayDigest {
  shape: number[] | null;
  dtype: DType | null;
  sha256: string | null;
  sha256_f64: string | null;
  min: Json;
  max: Json;
  mean: Json;
  nan_count: number;
  [key: string]: Json;
}

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Digest fields for "no data" (NAXIS = 0). */
export function nullArrayDigest(): ArrayDigest {
  return { shape: null, dtype: null, sha256: null, sha256_f64: null, min: null, max: null, mean: null, nan_count: 0 };
}

const CHUNK = 1 << 16;

/** Hash the elements of `data` little-endian with canonical NaNs. */
export function hashElements(data: ImageArray, hasher: Hasher = jsSha256()): Hasher {
  if (!littleEndianHost) throw new Error('big-endian hosts are not supported by the digest');
  const isF32 = data instanceof Float32Array;
  const isF64 = data instanceof Float64Array;
  if (!isF32 && !isF64) {
    hasher.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return hasher;
  }
  const scratch = isF32 ? new Float32Array(CHUNK) : new Float64Array(CHUNK);
  const bytes = new Uint8Array(scratch.buffer);
  const words = new Uint32Array(scratch.buffer);
  for (let i = 0; i < data.length; i += CHUNK) {
    const n = Math.min(CHUNK, data.length - i);
    const part = data.subarray(i, i + n) as Float32Array | Float64Array;
    let hasNan = false;
    for (let k = 0; k < n; k++) if (part[k] !== part[k]) { hasNan = true; break; }
    if (!hasNan) {
      hasher.update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
      continue;
    }
    scratch.set(part);
    for (let k = 0; k < n; k++) {
      if (scratch[k] !== scratch[k]) {
        if (isF32) words[k] = 0x7fc00000;
        else { words[2 * k] = 0; words[2 * k + 1] = 0x7ff80000; }
      }
    }
    hasher.update(bytes.subarray(0, n * scratch.BYTES_PER_ELEMENT));
  }
  return hasher;
}

/** Hash the elements converted to float64 (integers to the nearest double). */
export function hashAsFloat64(data: ImageArray, hasher: Hasher = jsSha256()): Hasher {
  if (data instanceof Float64Array) return hashElements(data, hasher);
  const scratch = new Float64Array(CHUNK);
  for (let i = 0; i < data.length; i += CHUNK) {
    const n = Math.min(CHUNK, data.length - i);
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
      for (let k = 0; k < n; k++) scratch[k] = Number(data[i + k]!);
    } else {
      scratch.set((data as Exclude<ImageArray, BigInt64Array | BigUint64Array>).subarray(i, i + n));
    }
    hashElements(scratch.subarray(0, n), hasher);
  }
  return hasher;
}

/** min, max (non-NaN, in the element type), mean (float64) and NaN count. */
export function arrayStats(data: ImageArray): { min: Json; max: Json; mean: Json; nan_count: number } {
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    if (data.length === 0) return { min: null, max: null, mean: null, nan_count: 0 };
    let min = data[0]!, max = data[0]!;
    let sum = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += Number(v);
    }
    return { min: jsonNumber(min), max: jsonNumber(max), mean: jsonNumber(sum / data.length), nan_count: 0 };
  }
  const d = data as Exclude<ImageArray, BigInt64Array | BigUint64Array>;
  let min = Infinity, max = -Infinity, nan = 0, n = 0;
  // Kahan–Babuška summation keeps the mean within the digest's tolerance for long arrays.
  let sum = 0, comp = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v !== v) { nan++; continue; }
    if (v < min) min = v;
    if (v > max) max = v;
    const t = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - t + v : v - t + sum;
    sum = t;
    n++;
  }
  if (n === 0) return { min: null, max: null, mean: null, nan_count: nan };
  const total = sum + comp;
  const mean = Number.isFinite(total) ? total / n : meanOfInfinities(d);
  return { min: jsonNumber(min), max: jsonNumber(max), mean: jsonNumber(mean), nan_count: nan };
}

/** numpy's mean with infinities: +Inf, -Inf, or NaN if both occur. */
function meanOfInfinities(d: ArrayLike<number>): number {
  let pos = false, neg = false;
  for (let i = 0; i < d.length; i++) {
    if (d[i] === Infinity) pos = true;
    else if (d[i] === -Infinity) neg = true;
  }
  if (pos && neg) return NaN;
  if (pos) return Infinity;
  if (neg) return -Infinity;
  // finite values whose sum overflowed: numpy also gives ±inf here
  let s = 0;
  for (let i = 0; i < d.length; i++) if (d[i] === d[i]) s += d[i]!;
  return s;
}

/** All §3 fields of an array (hashed with `newHasher`: the runtime's SHA-256, or the pure-JS one). */
export function arrayDigest(data: ImageArray, shape: number[], dtype: DType, newHasher: () => Hasher = jsSha256): ArrayDigest {
  return {
    shape,
    dtype,
    sha256: hashElements(data, newHasher()).hex(),
    sha256_f64: hashAsFloat64(data, newHasher()).hex(),
    ...arrayStats(data),
  };
}
