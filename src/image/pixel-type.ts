/**
 * The element type and scaling of an image, by astropy's default rules
 * (DIGEST.md §3): unsigned/signed-byte conventions, BSCALE/BZERO/BLANK.
 */
import type { Header } from '../header/header.js';
import { FitsError } from '../core/errors.js';

/** Element type names, as numpy spells them. */
export type DType = 'uint8' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64';

/** The typed array for each DType. */
export interface DTypeArrays {
  uint8: Uint8Array;
  int8: Int8Array;
  int16: Int16Array;
  uint16: Uint16Array;
  int32: Int32Array;
  uint32: Uint32Array;
  int64: BigInt64Array;
  uint64: BigUint64Array;
  float32: Float32Array;
  float64: Float64Array;
}

/** Any array fitsflow returns for image data. */
export type ImageArray = DTypeArrays[DType];

export const BYTES_PER: Record<DType, number> = {
  uint8: 1, int8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, float32: 4, float64: 8,
};

type TypedArrayCtor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => ImageArray;
export const ARRAY_CTOR: Record<DType, TypedArrayCtor> = {
  uint8: Uint8Array, int8: Int8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, float32: Float32Array, float64: Float64Array,
} as unknown as Record<DType, TypedArrayCtor>;

/** The stored (raw) type for each BITPIX. */
/** `readImage({ into })`: the caller's array, checked to be of `dtype` with at least `count` elements, cut to `count`. */
export function intoArray(into: ImageArray, dtype: DType, count: number, hdu: number): ImageArray {
  if (!(into instanceof ARRAY_CTOR[dtype]) || into.length < count) {
    throw new FitsError('BAD_ARGUMENT', `readImage({ into }) needs a ${dtype} array of at least ${count} elements.`, { hdu });
  }
  return into.length === count ? into : (into.subarray(0, count) as ImageArray);
}

export function rawDType(bitpix: number): DType {
  switch (bitpix) {
    case 8: return 'uint8';
    case 16: return 'int16';
    case 32: return 'int32';
    case 64: return 'int64';
    case -32: return 'float32';
    case -64: return 'float64';
  }
  throw new Error(`bad BITPIX ${bitpix}`);
}

/**
 * How raw values become output values:
 * - `raw`: stored values as they are (byte-swapped);
 * - `offset`: the sign bit flipped (uint16/32/64 via BZERO 2^(n−1), int8 via BZERO −128) — exact;
 * - `scale`: `raw * bscale + bzero` in the output float type, BLANK → NaN.
 */
export interface PixelScaling {
  bitpix: number;
  raw: DType;
  dtype: DType;
  mode: 'raw' | 'offset' | 'scale';
  bscale: number;
  bzero: number;
  /** BLANK (integer images only), undefined when absent or not applied. */
  blank: number | bigint | undefined;
}

/**
 * A numeric scaling keyword (BSCALE, BZERO, PSCALn, TZEROn, …): its value, or
 * `fallback` when absent; a value that is not a number is ignored, with a
 * warning on the header.
 */
export function scalingNumber(header: Header, keyword: string, fallback: number): number {
  const v = header.get(keyword);
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v !== undefined) ignored(header, keyword, 'it is not a number');
  return fallback;
}

function ignored(header: Header, keyword: string, why: string): void {
  const c = header.card(keyword);
  if (c?.invalid && c.lenient === undefined) return; // its INVALID_CARD warning says it is ignored
  const shown = c ? ` = ${c.invalid ? c.comment : JSON.stringify(c.value)}` : '';
  header.warn({ code: 'IGNORED_KEYWORD', message: `${keyword}${shown} is ignored: ${why}.`, card: c ? c.index + 1 : undefined });
}

/** Element type and scaling of an uncompressed image (or random-groups data with `groups`). */
export function pixelScaling(header: Header, bitpix: number, opts: { compressed?: boolean; groups?: boolean } = {}): PixelScaling {
  const raw = rawDType(bitpix);
  const bscale = scalingNumber(header, 'BSCALE', 1);
  const bzeroValue = header.get('BZERO');
  const bzero = scalingNumber(header, 'BZERO', 0);
  const blankValue = header.get('BLANK');
  let blank: number | bigint | undefined;
  if (blankValue !== undefined && !opts.groups) {
    // As astropy: BLANK applies to integer data and must be an integer; otherwise it is ignored, with a warning.
    if (bitpix < 0) {
      // (A quantized compressed image may use it for ZBLANK: src/tiled/zimage.ts.)
      if (!opts.compressed) ignored(header, 'BLANK', 'it applies to integer images only');
    }
    else if (typeof blankValue === 'bigint' || (typeof blankValue === 'number' && Number.isInteger(blankValue))) blank = blankValue;
    else ignored(header, 'BLANK', 'it must be an integer');
  }
  const base = { bitpix, raw, bscale, bzero };
  if (opts.groups) {
    if (bscale === 1 && bzero === 0) return { ...base, dtype: raw, mode: 'raw', blank: undefined };
    return { ...base, dtype: 'float64', mode: 'scale', blank: undefined };
  }
  if (bitpix < 0) {
    return { ...base, dtype: raw, mode: bscale === 1 && bzero === 0 ? 'raw' : 'scale', blank: undefined };
  }
  if (bscale === 1) {
    if (bitpix === 8 && bzero === -128 && !opts.compressed) return { ...base, dtype: 'int8', mode: 'offset', blank: undefined };
    if (bitpix !== 8 && isUnsignedOffset(bitpix, bzeroValue)) {
      return { ...base, dtype: `uint${bitpix}` as DType, mode: 'offset', blank: undefined };
    }
  }
  // Compressed images: BLANK alone (no scaling) is not applied (DIGEST.md §3 (1)).
  const blankCounts = blank !== undefined && !opts.compressed;
  if (bscale === 1 && bzero === 0 && !blankCounts) return { ...base, dtype: raw, mode: 'raw', blank: undefined };
  return { ...base, dtype: bitpix <= 16 ? 'float32' : 'float64', mode: 'scale', blank };
}

function isUnsignedOffset(bitpix: number, bzero: unknown): boolean {
  if (bitpix === 64) return bzero === 2 ** 63 || bzero === 9223372036854775808n;
  return bzero === 2 ** (bitpix - 1);
}
