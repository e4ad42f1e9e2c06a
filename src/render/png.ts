/**
 * PNG encoder, pure JS: IHDR, IDAT (zlib stream from pako's deflate, the
 * package's deflater everywhere), IEND, each chunk with its CRC-32. Grey,
 * grey+alpha, RGB and RGBA at 8 or 16 bits per sample, no interlacing.
 *
 * Rows are filtered and deflated in batches, so memory is the compressed
 * output plus one batch, not a second copy of the picture.
 *
 * Filters: one for every row (`none`, `sub`, `up`, `average`, `paeth`) or
 * `adaptive` (per row the filter with the smallest sum of |signed bytes|,
 * the PNG specification's heuristic). Deflate strategy: zlib's Z_RLE by
 * default (matches of distance 1 only). Defaults — filter `sub`, level 6,
 * RLE — from bench/render.ts on a 4096² sky-noise picture and a smooth one:
 * 3–4× faster than zlib's default strategy for 0–15 % larger files
 * (bench/RESULTS-render.md).
 */
import pako from 'pako';
import { FitsError } from '../core/errors.js';
import { crc32 } from '../core/crc32.js';

/** Row filter choice. */
export type PngFilter = 'none' | 'sub' | 'up' | 'average' | 'paeth' | 'adaptive';

/** zlib's deflate strategies. */
export type DeflateStrategy = 'default' | 'filtered' | 'huffman' | 'rle';
const STRATEGY_CODE: Record<DeflateStrategy, number> = { default: 0, filtered: 1, huffman: 2, rle: 3 };

/** A deflater producing a zlib stream (RFC 1950); the default is pako's. */
export type ZlibDeflate = (chunks: Iterable<Uint8Array>, level: number, strategy: DeflateStrategy) => Uint8Array[];

/** Options of {@link encodePng}. */
export interface PngOptions {
  /** zlib compression level 0–9 (default 6, zlib's and PIL's default). */
  level?: number;
  /** Row filter (default 'sub'). */
  filter?: PngFilter;
  /** Deflate strategy (default 'rle'). */
  strategy?: DeflateStrategy;
  /** Replace the deflater (e.g. node:zlib on Node); it receives the filtered rows in batches. */
  deflate?: ZlibDeflate;
}

/** Samples to encode, rows top to bottom. */
export interface PngImage {
  width: number;
  height: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  bitDepth: 8 | 16;
  /** width × height × channels samples (Uint16Array, or big-endian byte pairs in a Uint8Array, at 16 bits). */
  pixels: Uint8Array | Uint16Array;
}

const COLOR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };
const FILTER_CODE: Record<Exclude<PngFilter, 'adaptive'>, number> = { none: 0, sub: 1, up: 2, average: 3, paeth: 4 };
const BATCH_BYTES = 1 << 20;
/** PNG's limit on width and height (2^31 − 1); fitsflow's renderers stay far below. */
const MAX_DIMENSION = 0x7fffffff;


/** The default deflater: pako's zlib stream. */
export const pakoZlibDeflate: ZlibDeflate = (chunks, level, strategy) => {
  const out: Uint8Array[] = [];
  const d = new pako.Deflate({ level: level as pako.DeflateFunctionOptions['level'], chunkSize: 1 << 16, strategy: STRATEGY_CODE[strategy] as pako.DeflateFunctionOptions['strategy'] });
  d.onData = (c: Uint8Array) => out.push(c);
  for (const c of chunks) d.push(c, false);
  d.push(new Uint8Array(0), true);
  if (d.err) throw new FitsError('IO', `PNG compression failed: ${d.msg}`);
  return out;
};

/**
 * Encode samples as PNG bytes.
 * @example
 * const png = encodePng({ width: 2, height: 1, channels: 1, bitDepth: 8, pixels: new Uint8Array([0, 255]) });
 */
export function encodePng(img: PngImage, opts: PngOptions = {}): Uint8Array {
  const { width, height, channels, bitDepth } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
    throw new FitsError('BAD_ARGUMENT', `A PNG must be at least 1×1 pixel (got ${width}×${height}).`);
  }
  if (!(channels in COLOR_TYPE)) throw new FitsError('BAD_ARGUMENT', `PNG channels must be 1, 2, 3 or 4 (got ${channels}).`);
  if (bitDepth !== 8 && bitDepth !== 16) throw new FitsError('BAD_ARGUMENT', `PNG bit depth must be 8 or 16 (got ${bitDepth}).`);
  const level = opts.level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new FitsError('BAD_ARGUMENT', `The PNG compression level must be 0–9 (got ${level}).`);
  const filter = opts.filter ?? 'sub';
  const strategy = opts.strategy ?? 'rle';
  if (!(strategy in STRATEGY_CODE)) throw new FitsError('BAD_ARGUMENT', `Unknown deflate strategy "${strategy}": use default, filtered, huffman or rle.`);
  if (filter !== 'adaptive' && !(filter in FILTER_CODE)) throw new FitsError('BAD_ARGUMENT', `Unknown PNG filter "${filter}": use none, sub, up, average, paeth or adaptive.`);
  const bytesPerSample = bitDepth / 8;
  const bpp = channels * bytesPerSample;
  const rowBytes = width * bpp;
  const samples = width * height * channels;
  const wide = img.pixels instanceof Uint16Array;
  if (wide && bitDepth !== 16) throw new FitsError('BAD_ARGUMENT', 'A Uint16Array of samples needs bitDepth 16.');
  const have = wide ? img.pixels.length : img.pixels.length / bytesPerSample;
  if (have < samples) throw new FitsError('BAD_ARGUMENT', `The picture needs ${samples} samples, the array has ${have}.`);

  const bytes = wide ? null : (img.pixels as Uint8Array);
  const raw = (y: number, into: Uint8Array): Uint8Array => {
    if (bytes) return bytes.subarray(y * rowBytes, (y + 1) * rowBytes);
    const p = img.pixels as Uint16Array;
    const base = y * width * channels;
    for (let i = 0, n = width * channels; i < n; i++) {
      const v = p[base + i]!;
      into[2 * i] = v >>> 8;
      into[2 * i + 1] = v & 0xff;
    }
    return into;
  };

  const deflate = opts.deflate ?? pakoZlibDeflate;
  const rowsPerBatch = Math.max(1, Math.floor(BATCH_BYTES / (rowBytes + 1)));
  function* batches(): Generator<Uint8Array> {
    let prev: Uint8Array = new Uint8Array(rowBytes); // row above the first: zeros
    let prevOwned = new Uint8Array(wide ? rowBytes : 0);
    let cur = new Uint8Array(wide ? rowBytes : 0);
    const scratch = filter === 'adaptive' ? Array.from({ length: 5 }, () => new Uint8Array(rowBytes)) : [];
    for (let y0 = 0; y0 < height; y0 += rowsPerBatch) {
      const n = Math.min(rowsPerBatch, height - y0);
      const batch = new Uint8Array(n * (rowBytes + 1));
      for (let r = 0; r < n; r++) {
        const row = raw(y0 + r, cur);
        const o = r * (rowBytes + 1);
        const dst = batch.subarray(o + 1, o + 1 + rowBytes);
        if (filter === 'adaptive') {
          let best = 0, bestCost = Infinity;
          for (let f = 0; f < 5; f++) {
            applyFilter(f, row, prev, scratch[f]!, bpp);
            const cost = signedCost(scratch[f]!, bestCost);
            if (cost < bestCost) {
              bestCost = cost;
              best = f;
            }
          }
          batch[o] = best;
          dst.set(scratch[best]!);
        } else {
          const f = FILTER_CODE[filter];
          batch[o] = f;
          applyFilter(f, row, prev, dst, bpp);
        }
        if (wide) {
          // `cur` is reused for the next row: keep this one as `prev`.
          [prevOwned, cur] = [cur, prevOwned];
          prev = prevOwned;
        } else prev = row;
      }
      yield batch;
    }
  }
  const idat = deflate(batches(), level, strategy);

  let idatBytes = 0;
  for (const c of idat) idatBytes += c.length + 12;
  const out = new Uint8Array(8 + 25 + idatBytes + 12);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0);
  let pos = 8;
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = bitDepth;
  ihdr[9] = COLOR_TYPE[channels]!;
  // compression 0, filter method 0, interlace 0
  pos = writeChunk(out, pos, 'IHDR', ihdr);
  for (const c of idat) if (c.length) pos = writeChunk(out, pos, 'IDAT', c);
  pos = writeChunk(out, pos, 'IEND', new Uint8Array(0));
  return out.subarray(0, pos);
}

function writeChunk(out: Uint8Array, pos: number, type: string, data: Uint8Array): number {
  const dv = new DataView(out.buffer, out.byteOffset);
  dv.setUint32(pos, data.length);
  const typeBytes = new Uint8Array([type.charCodeAt(0), type.charCodeAt(1), type.charCodeAt(2), type.charCodeAt(3)]);
  out.set(typeBytes, pos + 4);
  out.set(data, pos + 8);
  dv.setUint32(pos + 8 + data.length, crc32(data, crc32(typeBytes)));
  return pos + 12 + data.length;
}

/** Filter one row (`row`, with `prev` the unfiltered row above) into `dst` with filter type `f`. */
function applyFilter(f: number, row: Uint8Array, prev: Uint8Array, dst: Uint8Array, bpp: number): void {
  const n = row.length;
  switch (f) {
    case 0:
      dst.set(row);
      return;
    case 1:
      for (let i = 0; i < bpp && i < n; i++) dst[i] = row[i]!;
      for (let i = bpp; i < n; i++) dst[i] = row[i]! - row[i - bpp]!;
      return;
    case 2:
      for (let i = 0; i < n; i++) dst[i] = row[i]! - prev[i]!;
      return;
    case 3:
      for (let i = 0; i < bpp && i < n; i++) dst[i] = row[i]! - (prev[i]! >>> 1);
      for (let i = bpp; i < n; i++) dst[i] = row[i]! - ((row[i - bpp]! + prev[i]!) >>> 1);
      return;
    case 4:
      for (let i = 0; i < bpp && i < n; i++) dst[i] = row[i]! - prev[i]!; // paeth(0, b, 0) = b
      for (let i = bpp; i < n; i++) {
        const a = row[i - bpp]!, b = prev[i]!, c = prev[i - bpp]!;
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        dst[i] = row[i]! - (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
      return;
  }
}

/** Sum of |bytes as signed|, stopping once it reaches `stop`. */
function signedCost(a: Uint8Array, stop: number): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    s += v < 128 ? v : 256 - v;
    if ((i & 1023) === 1023 && s >= stop) return s;
  }
  return s;
}
