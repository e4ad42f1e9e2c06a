/**
 * Restoring quantized floating-point tiles (tiled image convention, FITS 4.0
 * §10.2 and §10.3), bit for bit as CFITSIO does it in imcomp_decompress_tile:
 * `unquantize_i4r4` / `unquantize_i4r8` for the subtractive dither methods,
 * `fffi4r4` / `fffi4r8` for NO_DITHER. astropy (which bundles CFITSIO), fitsio
 * and funpack give the same values, except that CFITSIO turns ZBLANK into NaN
 * and astropy 5.2.1 does not; this module follows CFITSIO.
 *
 * The formulas, evaluated in float64 exactly in this order, for a pixel whose
 * quantized integer is `i` and whose dither value is `r` (a float32 from the
 * table below, widened to float64):
 *
 *   i == ZBLANK                                  → NaN
 *   SUBTRACTIVE_DITHER_2 and i == -2147483646    → 0.0 exactly
 *   SUBTRACTIVE_DITHER_1 / _2                    → ((i − r) + 0.5) · ZSCALE + ZZERO
 *   NO_DITHER (or no ZQUANTIZ)                   → i · ZSCALE + ZZERO
 *
 * and, for float32 output, the float64 result rounded once to float32 (C's
 * `(float)` cast; a Float32Array store does the same rounding).
 *
 * Dither values: pixel k of tile t (0-based) uses table entry `next`, where the
 * tile starts at `seedIndex = (t + ZDITHER0 − 1) mod 10000` and
 * `next = floor(table[seedIndex] · 500)`; `next` advances by one per pixel
 * (null pixels included) and when it reaches 10000, `seedIndex` advances by one
 * (wrapping to 0) and `next = floor(table[seedIndex] · 500)` again.
 *
 * Notes for the WGSL port (no f64 on the GPU):
 * - The random table and the per-tile starting index must be computed on the
 *   CPU (`cfitsioRandoms`, `ditherOffset`); upload the table as f32, its bit
 *   patterns are exactly CFITSIO's. Tiles longer than 10000 − offset pixels
 *   restart the index mid-tile (rule above); ship the restart positions or
 *   fall back to the CPU for such tiles.
 * - CFITSIO's arithmetic is f64 with one final rounding to f32, and f32
 *   alone is far off: for tiles with NaNs (and SUBTRACTIVE_DITHER_2 tiles)
 *   CFITSIO stores integers near −2^31 with ZZERO near +2^31·ZSCALE, so
 *   `(f32(i) − r + 0.5) · ZSCALE + ZZERO` in f32 is wrong by up to hundreds
 *   of quantization steps (71 % of corpus pixels differ). Rebase on the CPU:
 *   pick `i0 = round(−ZZERO / ZSCALE)` per tile, pass `ZZERO' = ZZERO +
 *   i0·ZSCALE` (computed in f64) and compute `(f32(i − i0) − r + 0.5) ·
 *   ZSCALE + ZZERO'` (the i32 subtraction is exact); that is within 2 ulp but
 *   still differs in ~44 % of pixels (test/decompress/quantize.test.ts
 *   measures both). Bit-exact output needs emulated double precision
 *   (float-float with fma) and one rounding to f32; float64 outputs cannot be
 *   reproduced exactly on the GPU.
 * - `floor(table[s] · 500)`: CFITSIO multiplies in float32; for this table the
 *   float32 and float64 products truncate to the same integer for all 10000
 *   entries, so either is fine.
 */
import { FitsError } from '../../core/errors.js';

/** Length of CFITSIO's dither random sequence (N_RANDOM). */
export const N_RANDOM = 10000;

/** Quantized value CFITSIO/fpack write for NaN pixels (its usual ZBLANK). */
export const NULL_VALUE = -2147483647;

/** Quantized value marking an exactly-zero pixel under SUBTRACTIVE_DITHER_2. */
export const ZERO_VALUE = -2147483646;

/** ZQUANTIZ methods that need dequantizing. A missing ZQUANTIZ means NO_DITHER. */
export type QuantizeMethod = 'NO_DITHER' | 'SUBTRACTIVE_DITHER_1' | 'SUBTRACTIVE_DITHER_2';

/** Per-tile parameters of {@link dequantize}. */
export interface DequantizeOptions {
  /** The tile's ZSCALE (column value, or keyword). */
  zscale: number;
  /** The tile's ZZERO (column value, or keyword). */
  zzero: number;
  /** ZQUANTIZ; use 'NO_DITHER' when the keyword is absent. */
  method: QuantizeMethod;
  /** ZDITHER0; use 1 (CFITSIO's default) when the keyword is absent. Ignored for NO_DITHER. */
  ditherSeed: number;
  /** 0-based tile number (= table row − 1). Ignored for NO_DITHER. */
  tileIndex: number;
  /** Quantized value standing for NaN (ZBLANK column or keyword, else BLANK); omit if none. */
  zblank?: number;
}

let table: Float32Array | undefined;

/** fits_init_randoms: the Park–Miller "minimal standard" generator, seed 1, stored as C floats. */
function randomTable(): Float32Array {
  if (table === undefined) {
    const t = new Float32Array(N_RANDOM);
    const a = 16807;
    const m = 2147483647;
    let seed = 1;
    for (let i = 0; i < N_RANDOM; i++) {
      // All exact in float64: a·seed < 2^46.
      const temp = a * seed;
      seed = temp - m * Math.trunc(temp / m);
      t[i] = seed / m;
    }
    // CFITSIO's own self-check of the sequence.
    if (seed !== 1043618065) throw new Error('dither random sequence is wrong');
    table = t;
  }
  return table;
}

/**
 * A copy of CFITSIO's 10000 dither random numbers (`fits_rand_value`), as the
 * float32 values CFITSIO stores. Built once; each call returns a fresh copy,
 * so callers can't disturb the decoder's table.
 */
export function cfitsioRandoms(): Float32Array {
  return randomTable().slice();
}

/** Index into the random table where tile `tileIndex` starts (iseed in CFITSIO). */
function seedIndex(ditherSeed: number, tileIndex: number): number {
  if (!Number.isSafeInteger(tileIndex) || tileIndex < 0) {
    throw new FitsError('BAD_ARGUMENT', `tile index must be a non-negative integer, got ${tileIndex}`);
  }
  const row = tileIndex + ditherSeed - 1;
  // CFITSIO indexes before its table here (undefined behaviour); refuse instead.
  if (!Number.isSafeInteger(ditherSeed) || row < 0) {
    throw new FitsError('BAD_HEADER', `ZDITHER0 = ${ditherSeed} is not a valid dither seed`, { tile: tileIndex });
  }
  return row % N_RANDOM;
}

/** `(int) (fits_rand_value[s] * 500)`, the product taken in float32 as in C. */
function startOf(rnd: Float32Array, s: number): number {
  return Math.trunc(Math.fround(rnd[s] * 500));
}

/**
 * The index into {@link cfitsioRandoms} of the dither value for the first pixel
 * of tile `tileIndex` (0-based) with ZDITHER0 = `ditherSeed`. Later pixels use
 * the following entries until index 10000 is reached (see the module notes).
 */
export function ditherOffset(ditherSeed: number, tileIndex: number): number {
  return startOf(randomTable(), seedIndex(ditherSeed, tileIndex));
}

/**
 * Restore the floating-point pixels of one quantized tile, exactly as CFITSIO.
 *
 * Reads `ints[0 … out.length)` (so a larger scratch array can be passed) and
 * writes every element of `out`; NaN for ZBLANK pixels. Never modifies `ints`.
 * @throws FitsError('BAD_ARGUMENT') if `ints` is shorter than `out` or the tile
 *   index is invalid; FitsError('BAD_HEADER') for a ZDITHER0 CFITSIO can't use.
 */
export function dequantize(ints: Int32Array, out: Float32Array | Float64Array, opts: DequantizeOptions): void {
  const n = out.length;
  if (ints.length < n) {
    throw new FitsError('BAD_ARGUMENT', `${ints.length} quantized values for ${n} pixels`, { tile: opts.tileIndex });
  }
  const { zscale, zzero, method } = opts;
  const hasBlank = opts.zblank !== undefined && opts.zblank !== null;
  const blank = hasBlank ? (opts.zblank as number) : 0;

  if (method === 'NO_DITHER') {
    if (hasBlank) {
      for (let k = 0; k < n; k++) {
        const v = ints[k];
        out[k] = v === blank ? NaN : v * zscale + zzero;
      }
    } else {
      for (let k = 0; k < n; k++) out[k] = ints[k] * zscale + zzero;
    }
    return;
  }
  if (method !== 'SUBTRACTIVE_DITHER_1' && method !== 'SUBTRACTIVE_DITHER_2') {
    throw new FitsError('BAD_ARGUMENT', `unknown quantization method ${String(method)}`, { tile: opts.tileIndex });
  }

  const rnd = randomTable();
  const zeroKept = method === 'SUBTRACTIVE_DITHER_2';
  let s = seedIndex(opts.ditherSeed, opts.tileIndex);
  let next = startOf(rnd, s);
  // Walk the tile in runs that use consecutive table entries, so the inner
  // loops carry no wrap-around test.
  let k = 0;
  while (k < n) {
    const end = Math.min(n, k + (N_RANDOM - next));
    const shift = next - k; // table index of pixel j is j + shift
    if (!hasBlank && !zeroKept) {
      for (let j = k; j < end; j++) out[j] = (ints[j] - rnd[j + shift] + 0.5) * zscale + zzero;
    } else {
      for (let j = k; j < end; j++) {
        const v = ints[j];
        if (hasBlank && v === blank) out[j] = NaN;
        else if (zeroKept && v === ZERO_VALUE) out[j] = 0;
        else out[j] = (v - rnd[j + shift] + 0.5) * zscale + zzero;
      }
    }
    next += end - k;
    k = end;
    if (next === N_RANDOM) {
      s = s + 1 === N_RANDOM ? 0 : s + 1;
      next = startOf(rnd, s);
    }
  }
}
