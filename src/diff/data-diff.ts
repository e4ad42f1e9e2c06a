/**
 * Image and raw data comparison, as astropy's ImageDataDiff and RawDataDiff:
 * integer images exactly, floating-point images within rtol/atol with every
 * non-finite value (NaN, ±inf) taken as equal to every other (numpy's
 * fix_invalid, which astropy applies before comparing).
 */
import type { Hdu } from '../file/hdu.js';
import type { ResolvedDiffOptions } from './options.js';
import { numbersDiffer } from './values.js';

/** What differs between two images. */
export interface ImageDataDiff {
  kind: 'image';
  identical: boolean;
  /** Shapes (C order) when they differ; nothing else is compared then. */
  dimensions?: [number[], number[]];
  /** Number of differing pixels. */
  total: number;
  /** total / number of pixels. */
  ratio: number;
  /** The first `numDiffs` differences; `index` is 1-based in FITS axis order (NAXIS1 first). */
  pixels: Array<{ index: number[]; a: number | bigint; b: number | bigint }>;
}

/** What differs between two HDUs' raw data bytes (extensions that are neither images nor tables). */
export interface RawDataDiff {
  kind: 'raw';
  identical: boolean;
  dimensions?: [number, number];
  total: number;
  ratio: number;
  bytes: Array<{ offset: number; a: number; b: number }>;
}

const INVALID_FILL = 1e20;
type NumArray = ArrayLike<number | bigint>;

function isFloat(dtype: string): boolean {
  return dtype === 'float32' || dtype === 'float64';
}

/** 1-based FITS-order index of C-order flat index `i` in `shape`. */
function fitsIndex(i: number, shape: readonly number[]): number[] {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d]!;
    idx.push((i % n) + 1);
    i = Math.floor(i / n);
  }
  return idx;
}

/** Compare two images (both HDUs hold image arrays). */
export async function diffImages(ha: Hdu, hb: Hdu, o: ResolvedDiffOptions): Promise<ImageDataDiff> {
  const a = await ha.readImage();
  const b = await hb.readImage();
  const out: ImageDataDiff = { kind: 'image', identical: true, total: 0, ratio: 0, pixels: [] };
  if (a.shape.length !== b.shape.length || a.shape.some((n, i) => n !== b.shape[i])) {
    out.dimensions = [a.shape, b.shape];
    out.identical = false;
    return out;
  }
  const da = a.data as NumArray;
  const db = b.data as NumArray;
  const n = da.length;
  const inexact = isFloat(a.dtype) || isFloat(b.dtype);
  const limit = o.numDiffs < 0 ? Infinity : o.numDiffs;
  for (let i = 0; i < n; i++) {
    const x = da[i]!;
    const y = db[i]!;
    let differs: boolean;
    if (inexact) {
      const fx = Number.isFinite(Number(x)) ? Number(x) : INVALID_FILL;
      const fy = Number.isFinite(Number(y)) ? Number(y) : INVALID_FILL;
      differs = o.rtol === 0 && o.atol === 0 ? fx !== fy : Math.abs(fx - fy) > o.atol + o.rtol * Math.abs(fy);
    } else differs = x !== y && numbersDiffer(x, y);
    if (differs) {
      out.total++;
      if (out.pixels.length < limit) out.pixels.push({ index: fitsIndex(i, a.shape), a: x, b: y });
    }
  }
  out.ratio = n ? out.total / n : 0;
  out.identical = out.total === 0;
  return out;
}

/** Compare two HDUs' data bytes. */
export async function diffRawData(ha: Hdu, hb: Hdu, o: ResolvedDiffOptions): Promise<RawDataDiff> {
  const na = ha.layout.dataBytes;
  const nb = hb.layout.dataBytes;
  const out: RawDataDiff = { kind: 'raw', identical: true, total: 0, ratio: 0, bytes: [] };
  if (na !== nb) {
    out.dimensions = [na, nb];
    out.identical = false;
    return out;
  }
  const limit = o.numDiffs < 0 ? Infinity : o.numDiffs;
  const step = 1 << 20;
  for (let at = 0; at < na; at += step) {
    const len = Math.min(step, na - at);
    const x = (await ha.source.read(ha.dataOffset + at, len)).slice();
    const y = await hb.source.read(hb.dataOffset + at, len);
    for (let i = 0; i < len; i++) {
      if (x[i] !== y[i]) {
        out.total++;
        if (out.bytes.length < limit) out.bytes.push({ offset: at + i, a: x[i]!, b: y[i]! });
      }
    }
  }
  out.ratio = na ? out.total / na : 0;
  out.identical = out.total === 0;
  return out;
}
