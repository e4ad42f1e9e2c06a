/**
 * Display intervals: which data values map to black (min) and white (max).
 * Each follows astropy.visualization 5.2's algorithm step for step, with the
 * arithmetic in float64 (as astropy on a float64 array):
 *
 * - minmax: the smallest and largest finite values (MinMaxInterval);
 * - zscale: IRAF's zscale as ZScaleInterval (n_samples 1000, contrast 0.25,
 *   max_reject 0.5, min_npixels 5, krej 2.5, max_iterations 5), sampling the
 *   finite values in C order with stride `int(max(1, nfinite / n_samples))`;
 * - percentile: np.percentile with linear interpolation over the finite values
 *   (PercentileInterval P keeps the central P per cent: lower (100 − P)/2);
 * - manual: given limits (ManualInterval).
 *
 * NaN and ±Infinity never enter a limit. With no finite value at all (where
 * astropy raises) the limits are 0 and 0.
 */
import { FitsError } from '../core/errors.js';
import { asNumberArray, isIntegerArray, type NumberArray, type PixelArray } from './pixels.js';

/** The data values mapped to 0 (`min`) and 1 (`max`) before the stretch. */
export interface Limits {
  min: number;
  max: number;
}

/** Options of IRAF's zscale (astropy's ZScaleInterval names, camel-cased). */
export interface ZScaleOptions {
  /** Number of values sampled (default 1000). */
  nSamples?: number;
  /** Slope divisor: larger gives a wider range (default 0.25). */
  contrast?: number;
  /** Give up (use the samples' min/max) when more than this fraction is rejected (default 0.5). */
  maxReject?: number;
  /** Give up when fewer samples remain (default 5). */
  minNpixels?: number;
  /** Rejection threshold in standard deviations (default 2.5). */
  krej?: number;
  /** Rejection iterations (default 5). */
  maxIterations?: number;
}

/** How to choose the limits. */
export type IntervalSpec =
  | { type: 'minmax' }
  | ({ type: 'zscale' } & ZScaleOptions)
  | { type: 'percentile'; percent: number }
  | { type: 'asymmetric-percentile'; lower: number; upper: number }
  | { type: 'manual'; min: number; max: number };

/**
 * The limits of `values` by `spec`.
 * @example
 * const { min, max } = computeLimits(data, { type: 'zscale' });
 */
export function computeLimits(values: PixelArray, spec: IntervalSpec): Limits {
  switch (spec.type) {
    case 'minmax':
      return minMaxLimits(values);
    case 'zscale':
      return zscaleLimits(values, spec);
    case 'percentile': {
      checkPercent(spec.percent, 'percentile');
      const lower = (100 - spec.percent) * 0.5;
      return percentileLimits(values, lower, 100 - lower);
    }
    case 'asymmetric-percentile':
      return percentileLimits(values, spec.lower, spec.upper);
    case 'manual':
      if (typeof spec.min !== 'number' || typeof spec.max !== 'number' || !Number.isFinite(spec.min) || !Number.isFinite(spec.max)) {
        throw new FitsError('BAD_ARGUMENT', 'Manual limits must be two finite numbers (min and max).');
      }
      return { min: spec.min, max: spec.max };
  }
  throw new FitsError('BAD_ARGUMENT', `Unknown interval "${(spec as { type: unknown }).type}": use minmax, zscale, percentile, asymmetric-percentile or manual.`);
}

function checkPercent(p: number, what: string): void {
  if (typeof p !== 'number' || !(p >= 0 && p <= 100)) {
    throw new FitsError('BAD_ARGUMENT', `The ${what} must be a number from 0 to 100 (got ${p}).`);
  }
}

/** Smallest and largest finite values (MinMaxInterval); 0, 0 when there are none. */
export function minMaxLimits(values: PixelArray): Limits {
  const a = asNumberArray(values);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    // v - v is NaN for NaN and ±Infinity: one test for "finite".
    if (v - v === 0) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? { min, max } : { min: 0, max: 0 };
}

/** Number of finite values of `a`. */
function countFinite(a: NumberArray): number {
  if (isIntegerArray(a)) return a.length;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! - a[i]! === 0) n++;
  return n;
}

/**
 * The zscale samples: every `stride`-th finite value in C order, at most
 * `nSamples` of them (astropy: `values[isfinite][::stride][:n_samples]`).
 */
export function zscaleSamples(values: PixelArray, nSamples = 1000): Float64Array {
  const a = asNumberArray(values);
  const nFinite = countFinite(a);
  // Python's int(max(1.0, size / n)) truncates toward zero.
  const stride = Math.trunc(Math.max(1, nFinite / nSamples));
  const count = Math.min(nSamples, Math.ceil(nFinite / stride));
  const out = new Float64Array(count);
  if (count === 0) return out;
  let k = 0; // index among finite values
  let n = 0;
  if (isIntegerArray(a)) {
    for (let i = 0; n < count; i += stride) out[n++] = a[i]!;
    return out;
  }
  for (let i = 0; i < a.length && n < count; i++) {
    const v = a[i]!;
    if (v - v !== 0) continue;
    if (k % stride === 0) out[n++] = v;
    k++;
  }
  return out;
}

/** IRAF's zscale limits, as astropy's ZScaleInterval.get_limits. */
export function zscaleLimits(values: PixelArray, opts: ZScaleOptions = {}): Limits {
  const nSamples = opts.nSamples ?? 1000;
  const contrast = opts.contrast ?? 0.25;
  const maxReject = opts.maxReject ?? 0.5;
  const minNpixels = opts.minNpixels ?? 5;
  const krej = opts.krej ?? 2.5;
  const maxIterations = opts.maxIterations ?? 5;
  if (!Number.isInteger(nSamples) || nSamples < 1) throw new FitsError('BAD_ARGUMENT', 'zscale nSamples must be a positive integer.');
  if (!Number.isInteger(maxIterations) || maxIterations < 0) throw new FitsError('BAD_ARGUMENT', 'zscale maxIterations must be a non-negative integer.');
  const samples = zscaleSamples(values, nSamples).sort();
  return zscaleOfSortedSamples(samples, { contrast, maxReject, minNpixels, krej, maxIterations });
}

/** The zscale fit on already sorted samples (exported for tests and callers with their own sample). */
export function zscaleOfSortedSamples(
  samples: Float64Array,
  o: { contrast: number; maxReject: number; minNpixels: number; krej: number; maxIterations: number },
): Limits {
  const npix = samples.length;
  if (npix === 0) return { min: 0, max: 0 };
  let vmin = samples[0]!;
  let vmax = samples[npix - 1]!;
  const minpix = Math.max(o.minNpixels, Math.trunc(npix * o.maxReject));
  let ngoodpix = npix;
  let lastNgoodpix = npix + 1;
  let badpix: Uint8Array = new Uint8Array(npix);
  const ngrow = Math.max(1, Math.trunc(npix * 0.01));
  const flat = new Float64Array(npix);
  let slope = NaN;
  for (let iter = 0; iter < o.maxIterations; iter++) {
    if (ngoodpix >= lastNgoodpix || ngoodpix < minpix) break;
    // Least-squares line through the good samples (x = index): np.polyfit with 0/1 weights.
    let n = 0;
    let goodMin = Infinity, goodMax = -Infinity;
    for (let i = 0; i < npix; i++) {
      if (badpix[i]) continue;
      n++;
      if (samples[i]! < goodMin) goodMin = samples[i]!;
      if (samples[i]! > goodMax) goodMax = samples[i]!;
    }
    if (goodMin === goodMax && goodMin !== 0) {
      // All good samples are equal (and not 0, for which numpy's fit is exactly 0):
      // the exact fit is flat with zero residuals, and what numpy's lstsq returns
      // is rounding noise. Against it astropy's 2.5σ
      // test usually rejects nearly every sample, leaving fewer than minpix, and
      // the result is the samples' min and max (measured on random integer
      // arrays: about 4 times in 5; otherwise astropy keeps a noise-flat fit).
      // Take the usual outcome, deterministically.
      slope = 0;
      ngoodpix = 0;
      break;
    }
    const fit = fitLine(samples, badpix, n, Math.max(Math.abs(goodMin), Math.abs(goodMax)));
    slope = fit.slope;
    const intercept = fit.intercept;
    // Residuals and their (population) standard deviation over the good samples.
    let fm = 0;
    for (let i = 0; i < npix; i++) {
      flat[i] = samples[i]! - (slope * i + intercept);
      if (!badpix[i]) fm += flat[i]!;
    }
    fm /= n;
    let ss = 0;
    for (let i = 0; i < npix; i++) {
      if (badpix[i]) continue;
      const d = flat[i]! - fm;
      ss += d * d;
    }
    const threshold = o.krej * Math.sqrt(ss / n);
    for (let i = 0; i < npix; i++) if (flat[i]! < -threshold || flat[i]! > threshold) badpix[i] = 1;
    // Dilate the rejected set: np.convolve(badpix, ones(ngrow), mode='same') on booleans,
    // i.e. out[i] = OR of badpix[i - ceil((ngrow-1)/2) .. i + floor((ngrow-1)/2)].
    badpix = dilate(badpix, ngrow);
    lastNgoodpix = ngoodpix;
    ngoodpix = 0;
    for (let i = 0; i < npix; i++) if (!badpix[i]) ngoodpix++;
  }
  if (ngoodpix >= minpix && !Number.isNaN(slope)) {
    let s = slope;
    if (o.contrast > 0) s = s / o.contrast;
    const centerPixel = Math.floor((npix - 1) / 2);
    const median = npix % 2 === 1 ? samples[(npix - 1) / 2]! : (samples[npix / 2 - 1]! + samples[npix / 2]!) / 2;
    vmin = Math.max(vmin, median - (centerPixel - 1) * s);
    vmax = Math.min(vmax, median + (npix - centerPixel) * s);
  }
  return { min: vmin, max: vmax };
}

/**
 * Slope and intercept of the least-squares line through (i, samples[i]) over
 * the good samples. Huge values are scaled by a power of two first (exact), as
 * LAPACK's lstsq scales its right-hand side, so the fit stays finite where
 * numpy's does; the residuals after it are computed unscaled, as numpy does.
 */
function fitLine(samples: Float64Array, badpix: Uint8Array, n: number, maxAbs: number): { slope: number; intercept: number } {
  const scale = maxAbs > 2 ** 500 ? 2 ** -Math.ceil(Math.log2(maxAbs)) : 1;
  let sx = 0, sy = 0;
  for (let i = 0; i < samples.length; i++) {
    if (badpix[i]) continue;
    sx += i;
    sy += samples[i]! * scale;
  }
  const xm = sx / n, ym = sy / n;
  let sxx = 0, sxy = 0;
  for (let i = 0; i < samples.length; i++) {
    if (badpix[i]) continue;
    const dx = i - xm;
    sxx += dx * dx;
    sxy += dx * (samples[i]! * scale - ym);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  return { slope: slope / scale, intercept: (ym - slope * xm) / scale };
}

function dilate(bad: Uint8Array, width: number): Uint8Array {
  if (width <= 1) return bad;
  const n = bad.length;
  const before = Math.ceil((width - 1) / 2);
  const after = Math.floor((width - 1) / 2);
  const out = new Uint8Array(n);
  // Running count of bad samples in the window [i - before, i + after].
  let count = 0;
  for (let j = 0; j <= Math.min(n - 1, after); j++) count += bad[j]!;
  for (let i = 0; i < n; i++) {
    out[i] = count > 0 ? 1 : 0;
    const enter = i + after + 1;
    const leave = i - before;
    if (enter < n) count += bad[enter]!;
    if (leave >= 0) count -= bad[leave]!;
  }
  return out;
}

/**
 * Values at two percentiles (0–100) of the finite values, as np.percentile
 * with linear interpolation (AsymmetricPercentileInterval without sampling).
 */
export function percentileLimits(values: PixelArray, lower: number, upper: number): Limits {
  checkPercent(lower, 'lower percentile');
  checkPercent(upper, 'upper percentile');
  const a = asNumberArray(values);
  const finite = finiteCopy(a);
  if (finite.length === 0) return { min: 0, max: 0 };
  return { min: quantileOfUnsorted(finite, lower / 100), max: quantileOfUnsorted(finite, upper / 100) };
}

/** The finite values of `a` in a new array of a type that holds them exactly (float64 for integers). */
function finiteCopy(a: NumberArray): Float64Array | Float32Array {
  const n = countFinite(a);
  const out = a instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  if (n === a.length) {
    out.set(a);
    return out;
  }
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v - v === 0) out[k++] = v;
  }
  return out;
}

/**
 * np.quantile(values, q, method='linear') of finite values (reordered in place):
 * virtual index (n − 1)·q, then numpy's `_lerp` (which subtracts from the upper
 * neighbour when the weight is ≥ 0.5).
 */
export function quantileOfUnsorted(values: Float64Array | Float32Array, q: number): number {
  const n = values.length;
  const virtual = (n - 1) * q;
  if (virtual >= n - 1) return select(values, n - 1);
  const lo = Math.floor(virtual);
  const a = select(values, lo);
  // The next order statistic is the smallest value right of the partition point.
  let b = Infinity;
  for (let i = lo + 1; i < n; i++) if (values[i]! < b) b = values[i]!;
  const t = virtual - lo;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * The k-th smallest value (0-based), partitioning `a` in place so that
 * a[i] ≤ a[k] for i < k and a[i] ≥ a[k] for i > k. Quickselect with
 * median-of-three pivots; ranges that refuse to shrink are sorted instead,
 * which bounds the worst case by n log n.
 */
export function select(a: Float64Array | Float32Array, k: number): number {
  let left = 0;
  let right = a.length - 1;
  let budget = 2 * Math.ceil(Math.log2(a.length + 1)) + 8;
  while (right > left) {
    if (right - left < 32 || budget-- <= 0) {
      const part = a.subarray(left, right + 1).sort();
      return part[k - left]!;
    }
    const mid = (left + right) >>> 1;
    // Median of three to a[mid], then Hoare partition around it.
    if (a[mid]! < a[left]!) swap(a, mid, left);
    if (a[right]! < a[left]!) swap(a, right, left);
    if (a[right]! < a[mid]!) swap(a, right, mid);
    const pivot = a[mid]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        swap(a, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return a[k]!;
  }
  return a[k]!;
}

function swap(a: Float64Array | Float32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
