/**
 * Native typed arrays → big-endian FITS pixels: the inverse of
 * src/image/convert.ts. Chooses BITPIX/BZERO for each dtype (unsigned and
 * signed-byte conventions), applies BSCALE/BZERO on request and writes NaN as
 * BLANK for integer output. Pure, chunk-at-a-time.
 */
import { FitsError } from '../core/errors.js';
import type { CardValue } from '../header/card.js';
import { ARRAY_CTOR, BYTES_PER, rawDType, type DType, type ImageArray } from '../image/pixel-type.js';
import { flipSignInPlace, swapInPlace } from '../image/convert.js';

/** The FITS pixel types: 8 (uint8), 16, 32, 64 (signed integers), -32 and -64 (IEEE floats). */
export type Bitpix = 8 | 16 | 32 | 64 | -32 | -64;
const BITPIXES = new Set([8, 16, 32, 64, -32, -64]);

/** How pixels are stored. */
export interface ImageEncoding {
  bitpix: Bitpix;
  /** raw: stored as given; offset: sign bit flipped (BZERO 2^(n−1), or −128 for int8); scale: (v − BZERO) / BSCALE. */
  mode: 'raw' | 'offset' | 'scale';
  bscale: number;
  bzero: number;
  /** The BZERO card value to write (bigint for 2^63), or undefined for none. */
  bzeroCard: number | bigint | undefined;
  /** BSCALE card value, or undefined for none. */
  bscaleCard: number | undefined;
  /** BLANK for integer output (NaN pixels), or undefined. */
  blank: number | bigint | undefined;
  /** The element type of the input arrays. */
  dtype: DType;
}

/** Options controlling how an image is stored. */
export interface ImageEncodingOptions {
  /** Storage type. Default: the natural one for the dtype (uint16 → 16 with BZERO 32768, …). */
  bitpix?: Bitpix;
  /** Store `(v − bzero) / bscale` (rounded for integer BITPIX). */
  bscale?: number;
  bzero?: number;
  /** Integer value standing for NaN in integer output (BLANK). */
  blank?: number | bigint;
}

/** BITPIX and offset convention for a dtype stored without scaling. */
export function naturalBitpix(dtype: DType): { bitpix: Bitpix; offset: number | bigint | undefined } {
  switch (dtype) {
    case 'uint8': return { bitpix: 8, offset: undefined };
    case 'int8': return { bitpix: 8, offset: -128 };
    case 'int16': return { bitpix: 16, offset: undefined };
    case 'uint16': return { bitpix: 16, offset: 32768 };
    case 'int32': return { bitpix: 32, offset: undefined };
    case 'uint32': return { bitpix: 32, offset: 2147483648 };
    case 'int64': return { bitpix: 64, offset: undefined };
    case 'uint64': return { bitpix: 64, offset: 9223372036854775808n };
    case 'float32': return { bitpix: -32, offset: undefined };
    case 'float64': return { bitpix: -64, offset: undefined };
  }
}

/** The dtype of a typed array (Uint8ClampedArray counts as uint8). */
export function dtypeOf(a: unknown): DType {
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Uint32Array) return 'uint32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof BigUint64Array) return 'uint64';
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  throw new FitsError('BAD_ARGUMENT', 'Image data must be a typed array (Uint8Array … Float64Array, BigInt64Array, BigUint64Array).');
}

function num(v: CardValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/** Scaling keywords found in a user header (they define the encoding of a copied image). */
export interface HeaderScaling {
  bitpix?: CardValue;
  bscale?: CardValue;
  bzero?: CardValue;
  blank?: CardValue;
}

function isOffsetPair(bitpix: number, bzero: CardValue | number | bigint | undefined): boolean {
  if (bitpix === 8) return bzero === -128;
  if (bitpix === 64) return bzero === 2 ** 63 || bzero === 9223372036854775808n;
  if (bitpix === 16 || bitpix === 32) return bzero === 2 ** (bitpix - 1);
  return false;
}

/**
 * Decide the storage of an image of `dtype`: explicit options first, then the
 * scaling cards of the user's header, then the natural type of the dtype.
 */
export function chooseImageEncoding(dtype: DType, opts: ImageEncodingOptions = {}, fromHeader: HeaderScaling = {}): ImageEncoding {
  const hb = num(fromHeader.bitpix);
  const bitpix = (opts.bitpix ?? (hb !== undefined ? hb : naturalBitpix(dtype).bitpix)) as Bitpix;
  if (!BITPIXES.has(bitpix)) throw new FitsError('BAD_ARGUMENT', `BITPIX ${bitpix} is not one of 8, 16, 32, 64, -32, -64.`);
  const explicitScale = opts.bscale !== undefined || opts.bzero !== undefined;
  const bscale = opts.bscale ?? (explicitScale ? 1 : num(fromHeader.bscale) ?? 1);
  const bzeroRaw: number | bigint | undefined = opts.bzero ?? (explicitScale ? undefined : (fromHeader.bzero as number | bigint | undefined));
  const bzero = num(bzeroRaw) ?? 0;
  if (!Number.isFinite(bscale) || bscale === 0 || !Number.isFinite(bzero)) throw new FitsError('BAD_ARGUMENT', 'BSCALE must be finite and non-zero, BZERO finite.');
  const blankOpt = opts.blank ?? (typeof fromHeader.blank === 'number' || typeof fromHeader.blank === 'bigint' ? fromHeader.blank : undefined);
  const nat = naturalBitpix(dtype);
  const base = { dtype, bitpix, bscale, bzero };
  // Natural storage (no scaling): raw, or the sign-bit conventions.
  if (bscale === 1 && bitpix === nat.bitpix) {
    if (nat.offset !== undefined && (bzeroRaw === undefined || isOffsetPair(bitpix, bzeroRaw))) {
      return { ...base, bzero: Number(nat.offset), mode: 'offset', bzeroCard: nat.offset, bscaleCard: undefined, blank: undefined };
    }
    if (nat.offset === undefined && bzero === 0) {
      const blank = bitpix > 0 ? blankOpt : undefined;
      return { ...base, mode: 'raw', bzeroCard: bzeroRaw !== undefined ? bzeroRaw : undefined, bscaleCard: fromHeader.bscale !== undefined && !explicitScale ? bscale : undefined, blank };
    }
  }
  // Integer data into another integer BITPIX without scaling: exact or refused per value.
  if (bitpix > 0 && bscale === 1 && bzero === 0 && !dtype.startsWith('float')) {
    return { ...base, mode: 'scale', bzeroCard: bzeroRaw, bscaleCard: fromHeader.bscale !== undefined && !explicitScale ? 1 : undefined, blank: blankOpt };
  }
  // General scaling.
  let blank = blankOpt;
  if (bitpix > 0 && blank === undefined && dtype.startsWith('float') && fromHeader.bitpix === undefined) blank = defaultBlank(bitpix);
  if (bitpix < 0) blank = undefined;
  return {
    ...base,
    mode: 'scale',
    bzeroCard: bzeroRaw !== undefined ? bzeroRaw : bzero !== 0 ? bzero : undefined,
    bscaleCard: bscale !== 1 || (fromHeader.bscale !== undefined && !explicitScale) ? bscale : undefined,
    blank,
  };
}

function defaultBlank(bitpix: number): number | bigint {
  switch (bitpix) {
    case 8: return 255;
    case 16: return -32768;
    case 32: return -2147483648;
    default: return -9223372036854775808n;
  }
}

/** Structural cards for the scaling of an encoding (BSCALE, BZERO, BLANK). */
export function scalingCards(enc: ImageEncoding): { keyword: string; value: CardValue; comment: string; isReal?: boolean }[] {
  const out: { keyword: string; value: CardValue; comment: string; isReal?: boolean }[] = [];
  if (enc.bscaleCard !== undefined) out.push({ keyword: 'BSCALE', value: enc.bscaleCard, comment: 'data = raw * BSCALE + BZERO', isReal: !Number.isInteger(enc.bscaleCard) });
  if (enc.bzeroCard !== undefined) {
    out.push({ keyword: 'BZERO', value: enc.bzeroCard, comment: enc.mode === 'offset' ? 'offset data range to that of unsigned/signed type' : 'data = raw * BSCALE + BZERO' });
  }
  if (enc.blank !== undefined) out.push({ keyword: 'BLANK', value: enc.blank, comment: 'value of undefined pixels' });
  return out;
}

const INT_RANGE: Record<number, [number, number]> = { 8: [0, 255], 16: [-32768, 32767], 32: [-2147483648, 2147483647] };

/** Round half away from zero (CFITSIO's NINT). */
function nint(x: number): number {
  return x >= 0 ? Math.floor(x + 0.5) : -Math.floor(-x + 0.5);
}

/**
 * Encode `src` (elements of `enc.dtype`) as big-endian FITS pixels into `out`
 * (exactly `src.length × |BITPIX|/8` bytes, 8-byte aligned offset recommended).
 * @throws FitsError('BAD_ARGUMENT') when a value does not fit the storage type,
 *   or NaN must be stored in an integer image without BLANK.
 */
export function encodePixels(src: ImageArray, enc: ImageEncoding, out: Uint8Array): void {
  const width = Math.abs(enc.bitpix) / 8;
  const n = src.length;
  if (out.length !== n * width) throw new FitsError('BAD_ARGUMENT', `Output holds ${out.length} bytes for ${n} pixels of ${width} bytes.`);
  if (n === 0) return;
  if (enc.mode !== 'scale' && (out.byteOffset % width) === 0) {
    out.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
    if (enc.mode === 'offset') flipSignInPlace(out.buffer, out.byteOffset, n, width);
    swapInPlace(out.buffer, out.byteOffset, n, width);
    return;
  }
  if (enc.mode !== 'scale') {
    // Unaligned output: go through an aligned scratch copy.
    const tmp = new Uint8Array(n * width);
    encodePixels(src, enc, tmp);
    out.set(tmp);
    return;
  }
  scalePixelsOut(src, enc, out);
}

function scalePixelsOut(src: ImageArray, enc: ImageEncoding, out: Uint8Array): void {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const { bitpix, bscale, bzero } = enc;
  const n = src.length;
  const big = src instanceof BigInt64Array || src instanceof BigUint64Array;
  const identity = bscale === 1 && bzero === 0;
  if (bitpix < 0) {
    const single = bitpix === -32;
    for (let i = 0; i < n; i++) {
      const v = big ? Number((src as BigInt64Array)[i]!) : (src as Float64Array)[i]!;
      const r = identity ? v : (v - bzero) / bscale;
      if (single) dv.setFloat32(i * 4, r);
      else dv.setFloat64(i * 8, r);
    }
    return;
  }
  const blank = enc.blank;
  if (bitpix === 64) {
    const bzeroBig = Number.isInteger(bzero) ? BigInt(bzero) : undefined;
    for (let i = 0; i < n; i++) {
      let r: bigint;
      if (big && bscale === 1 && bzeroBig !== undefined) {
        r = (src as BigInt64Array)[i]! - bzeroBig;
        if (r < -(2n ** 63n) || r >= 2n ** 63n) overflow(String((src as BigInt64Array)[i]), 64);
      } else {
        const v = big ? Number((src as BigInt64Array)[i]!) : (src as Float64Array)[i]!;
        if (v !== v) {
          if (blank === undefined) noBlank();
          r = BigInt(blank!);
        } else {
          const x = identity ? v : nint((v - bzero) / bscale);
          if (!Number.isFinite(x) || x < -(2 ** 63) || x >= 2 ** 63) overflow(String(v), 64);
          r = BigInt(x);
        }
      }
      dv.setBigInt64(i * 8, r);
    }
    return;
  }
  const [lo, hi] = INT_RANGE[bitpix]!;
  const blankNum = blank === undefined ? undefined : Number(blank);
  for (let i = 0; i < n; i++) {
    const v = big ? Number((src as BigInt64Array)[i]!) : (src as Float64Array)[i]!;
    let r: number;
    if (v !== v) {
      if (blankNum === undefined) noBlank();
      r = blankNum!;
    } else {
      r = identity ? v : nint((v - bzero) / bscale);
      if (!(r >= lo && r <= hi)) overflow(String(v), bitpix);
    }
    if (bitpix === 8) out[i] = r;
    else if (bitpix === 16) dv.setInt16(i * 2, r);
    else dv.setInt32(i * 4, r);
  }
}

function overflow(v: string, bitpix: number): never {
  throw new FitsError('BAD_ARGUMENT', `The value ${v} does not fit a BITPIX ${bitpix} image with this BSCALE/BZERO.`);
}

function noBlank(): never {
  throw new FitsError('BAD_ARGUMENT', 'NaN pixels cannot be stored in an integer image without BLANK.');
}

/** Bytes per stored pixel. */
export function bytesPerPixel(bitpix: number): number {
  return Math.abs(bitpix) / 8;
}

/** The raw (stored) dtype of a BITPIX. */
export { rawDType, ARRAY_CTOR, BYTES_PER };
