/**
 * Resampling of a 2-D image (row-major, `width`×`height`) to another size, on
 * values (before the stretch), in float64:
 *
 * - `nearest`: the source pixel under the output pixel's centre;
 * - `bilinear`: linear interpolation between the four source pixels around the
 *   output pixel's centre (pixel centres aligned, edges clamped), NaN
 *   neighbours left out (their weight shared by the others);
 * - `area`: the mean of the source pixels the output pixel covers, each
 *   weighted by the area it covers (binning for whole factors), NaN left out.
 *
 * A pixel with no finite contribution is NaN. The area resampler also comes
 * as {@link AreaAccumulator}, which takes source rows in chunks so a big image
 * is binned without ever being held whole.
 */
import { FitsError } from '../core/errors.js';
import type { NumberArray } from './pixels.js';

/** Resampling methods. */
export type Resampling = 'nearest' | 'bilinear' | 'area';
/** Every {@link Resampling} method. */
export const RESAMPLINGS: readonly Resampling[] = ['nearest', 'bilinear', 'area'];

/** Largest output a renderer allocates (pixels): 2^28, a 16384² image. */
export const MAX_OUTPUT_PIXELS = 2 ** 28;

/** Check an output size (positive integers, at most MAX_OUTPUT_PIXELS pixels). */
export function checkOutputSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new FitsError('BAD_ARGUMENT', `The output size must be whole numbers of at least 1 pixel (got ${width}×${height}).`);
  }
  if (width * height > MAX_OUTPUT_PIXELS) {
    throw new FitsError('BAD_SIZE', `A ${width}×${height} picture is larger than the ${MAX_OUTPUT_PIXELS}-pixel limit; ask for a smaller width.`);
  }
}

/** Resample `src` (`sw`×`sh`, row-major) to `dw`×`dh`. */
export function resample(src: NumberArray, sw: number, sh: number, dw: number, dh: number, method: Resampling): Float64Array {
  checkOutputSize(dw, dh);
  if (src.length < sw * sh) throw new FitsError('BAD_ARGUMENT', `The image array has ${src.length} values, fewer than ${sw}×${sh}.`);
  switch (method) {
    case 'nearest':
      return nearest(src, sw, sh, dw, dh);
    case 'bilinear':
      return bilinear(src, sw, sh, dw, dh);
    case 'area': {
      const acc = new AreaAccumulator(sw, sh, dw, dh);
      acc.addRows(0, src, sh);
      return acc.result();
    }
  }
  throw new FitsError('BAD_ARGUMENT', `Unknown resampling "${method as string}": use nearest, bilinear or area.`);
}

/** Source index under the centre of output pixel i (of n over a source of m). */
export function nearestIndex(i: number, n: number, m: number): number {
  return Math.min(m - 1, Math.floor(((i + 0.5) * m) / n));
}

function nearest(src: NumberArray, sw: number, sh: number, dw: number, dh: number): Float64Array {
  const out = new Float64Array(dw * dh);
  const xs = new Int32Array(dw);
  for (let x = 0; x < dw; x++) xs[x] = nearestIndex(x, dw, sw);
  for (let y = 0; y < dh; y++) {
    const row = nearestIndex(y, dh, sh) * sw;
    const o = y * dw;
    for (let x = 0; x < dw; x++) out[o + x] = src[row + xs[x]!]!;
  }
  return out;
}

/** Left neighbour and weight of the right one for output pixel i (centre-aligned, clamped). */
function linearTaps(n: number, m: number): { i0: Int32Array; i1: Int32Array; w: Float64Array } {
  const i0 = new Int32Array(n), i1 = new Int32Array(n), w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.min(m - 1, Math.max(0, ((i + 0.5) * m) / n - 0.5));
    const f = Math.floor(c);
    i0[i] = f;
    i1[i] = Math.min(m - 1, f + 1);
    w[i] = c - f;
  }
  return { i0, i1, w };
}

function bilinear(src: NumberArray, sw: number, sh: number, dw: number, dh: number): Float64Array {
  const out = new Float64Array(dw * dh);
  const tx = linearTaps(dw, sw), ty = linearTaps(dh, sh);
  for (let y = 0; y < dh; y++) {
    const r0 = ty.i0[y]! * sw, r1 = ty.i1[y]! * sw, wy = ty.w[y]!;
    for (let x = 0; x < dw; x++) {
      const c0 = tx.i0[x]!, c1 = tx.i1[x]!, wx = tx.w[x]!;
      let sum = 0, wsum = 0;
      // The four neighbours; a NaN one (or one of weight 0) is left out.
      const v00 = src[r0 + c0]!, v01 = src[r0 + c1]!, v10 = src[r1 + c0]!, v11 = src[r1 + c1]!;
      const w00 = (1 - wx) * (1 - wy), w01 = wx * (1 - wy), w10 = (1 - wx) * wy, w11 = wx * wy;
      if (w00 > 0 && !Number.isNaN(v00)) { sum += v00 * w00; wsum += w00; }
      if (w01 > 0 && !Number.isNaN(v01)) { sum += v01 * w01; wsum += w01; }
      if (w10 > 0 && !Number.isNaN(v10)) { sum += v10 * w10; wsum += w10; }
      if (w11 > 0 && !Number.isNaN(v11)) { sum += v11 * w11; wsum += w11; }
      out[y * dw + x] = wsum > 0 ? sum / wsum : NaN;
    }
  }
  return out;
}

/** For each output pixel along an axis, the source pixels it covers and their weights (overlap lengths). */
interface AreaTaps {
  /** First source index of output pixel i. */
  first: Int32Array;
  /** Offsets into `weights` per output pixel (length n + 1). */
  offsets: Int32Array;
  weights: Float64Array;
}

function areaTaps(n: number, m: number): AreaTaps {
  const first = new Int32Array(n);
  const offsets = new Int32Array(n + 1);
  const ws: number[] = [];
  const scale = m / n;
  for (let i = 0; i < n; i++) {
    const a = i * scale, b = (i + 1) * scale;
    const k0 = Math.min(m - 1, Math.floor(a));
    const k1 = Math.min(m, Math.ceil(b));
    first[i] = k0;
    offsets[i] = ws.length;
    for (let k = k0; k < k1; k++) {
      const w = Math.min(b, k + 1) - Math.max(a, k);
      ws.push(w > 0 ? w : 0);
    }
  }
  offsets[n] = ws.length;
  return { first, offsets, weights: Float64Array.from(ws) };
}

/**
 * Area (box-filter) resampling fed by rows: call {@link addRows} with source
 * rows in any order of chunks (each row once), then {@link result}. Memory is
 * four float64 arrays of the output size, whatever the source size.
 */
export class AreaAccumulator {
  private readonly tx: AreaTaps;
  private readonly sum: Float64Array;
  private readonly weight: Float64Array;
  /** Vertical taps: for each output row, the source rows it covers and their weights. */
  private readonly ty: AreaTaps;
  private readonly rowSum: Float64Array;
  private readonly rowWeight: Float64Array;

  constructor(
    readonly sourceWidth: number,
    readonly sourceHeight: number,
    readonly width: number,
    readonly height: number,
  ) {
    checkOutputSize(width, height);
    if (!(Number.isInteger(sourceWidth) && Number.isInteger(sourceHeight) && sourceWidth > 0 && sourceHeight > 0)) {
      throw new FitsError('BAD_ARGUMENT', `The source image must be at least 1×1 (got ${sourceWidth}×${sourceHeight}).`);
    }
    this.tx = areaTaps(width, sourceWidth);
    this.ty = areaTaps(height, sourceHeight);
    this.sum = new Float64Array(width * height);
    this.weight = new Float64Array(width * height);
    this.rowSum = new Float64Array(width);
    this.rowWeight = new Float64Array(width);
  }

  /** Add `count` source rows starting at source row `y0`, taken from `rows` (row-major, `sourceWidth` per row). */
  addRows(y0: number, rows: NumberArray, count: number): void {
    const sw = this.sourceWidth;
    if (!Number.isInteger(y0) || y0 < 0 || y0 + count > this.sourceHeight || rows.length < count * sw) {
      throw new FitsError('BAD_ARGUMENT', `Rows ${y0}..${y0 + count - 1} do not fit a ${sw}×${this.sourceHeight} source.`);
    }
    const { first, offsets, weights } = this.tx;
    const dw = this.width;
    for (let r = 0; r < count; r++) {
      const base = r * sw;
      // Horizontal pass over one source row: weighted sums of its finite values.
      for (let x = 0; x < dw; x++) {
        let s = 0, w = 0;
        for (let j = offsets[x]!, k = base + first[x]!; j < offsets[x + 1]!; j++, k++) {
          const v = rows[k]!;
          if (Number.isNaN(v)) continue;
          const wt = weights[j]!;
          s += v * wt;
          w += wt;
        }
        this.rowSum[x] = s;
        this.rowWeight[x] = w;
      }
      // The output rows covering source row k: those around ⌊k·height/sourceHeight⌋ whose taps include k.
      const k = y0 + r;
      const ty = this.ty;
      for (let out = Math.max(0, Math.floor((k * this.height) / this.sourceHeight) - 1); out < this.height && ty.first[out]! <= k; out++) {
        const j = ty.offsets[out]! + (k - ty.first[out]!);
        if (j >= ty.offsets[out + 1]!) continue;
        const wy = ty.weights[j]!;
        if (!(wy > 0)) continue;
        const o = out * dw;
        for (let x = 0; x < dw; x++) {
          if (this.rowWeight[x] === 0) continue;
          this.sum[o + x] += this.rowSum[x]! * wy;
          this.weight[o + x] += this.rowWeight[x]! * wy;
        }
      }
    }
  }

  /** The resampled image (NaN where no finite source value fell). */
  result(): Float64Array {
    const out = new Float64Array(this.width * this.height);
    for (let i = 0; i < out.length; i++) out[i] = this.weight[i]! > 0 ? this.sum[i]! / this.weight[i]! : NaN;
    return out;
  }
}
