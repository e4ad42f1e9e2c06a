/**
 * Compressing the tiles of an image (the work of writeCompressedImage, and of
 * its worker threads): quantization of floating-point tiles, then RICE_1,
 * GZIP_1/2, HCOMPRESS_1 or PLIO_1 (NOCOMPRESS: the tile's big-endian pixels
 * as they are), the compressed tiles back to back in one heap.
 * Runtime-neutral and message-friendly: a {@link TileSpec} and a
 * {@link TileBatchResult} are plain data (structured-cloneable).
 */
import type { ImageArray } from '../image/pixel-type.js';
import type { QuantizeMethod } from '../codecs/quantize/dequantize.js';
import { encodePixels, type ImageEncoding } from './image-encode.js';
import { riceBound, riceEncodeInto } from '../codecs/rice/encode.js';
import { gzip1Encode, type Deflater } from '../codecs/gzip/encode.js';
import { swapInPlace } from '../image/convert.js';
import { hcompressEncode } from '../codecs/hcompress/encode.js';
import { plioEncode } from '../codecs/plio/encode.js';
import { plioOffsetFor } from '../codecs/plio/offset.js';
import { noiseEstimate, quantizeTile } from '../codecs/quantize/quantize.js';

/** The tile compression algorithms (ZCMPTYPE) the writer encodes. */
export type CompressionType = 'RICE_1' | 'GZIP_1' | 'GZIP_2' | 'HCOMPRESS_1' | 'PLIO_1' | 'NOCOMPRESS';

/** How every tile of an image is compressed. */
export interface TileSpec {
  type: CompressionType;
  /** The storage of the pixels (BITPIX, scaling) before compression. */
  enc: ImageEncoding;
  /** Floating-point pixels quantized to integers. */
  quantized: boolean;
  /** Quantization level q (see CompressedImageOptions.quantize). */
  level: number;
  method: QuantizeMethod;
  /** ZDITHER0. */
  seed: number;
  /** RICE_1 pixels per block. */
  blockSize: number;
  gzipLevel: number;
  /** HCOMPRESS scale option (0 lossless). */
  hcompScale: number;
}

/** The compressed tiles of a run of consecutive tiles. */
export interface TileBatchResult {
  /** COMPRESSED_DATA of the tiles (NOCOMPRESS: their UNCOMPRESSED_DATA), back to back. */
  heap: Uint8Array;
  /** End of each tile's bytes in `heap`. */
  ends: Float64Array;
  /** GZIP_COMPRESSED_DATA (tiles that could not be quantized), back to back. */
  gzHeap: Uint8Array;
  gzEnds: Float64Array;
  /** ZSCALE, ZZERO per tile (quantized images; 0 for unquantized tiles). */
  zscale: Float64Array;
  zzero: Float64Array;
  anyNull: boolean;
  anyFallback: boolean;
}

/** Compresses consecutive tiles into one heap, reusing its scratch arrays. */
export class TileEncoder {
  private readonly width: number;
  private readonly intBuf: Int32Array;
  private readonly byteBuf: Uint8Array;
  private readonly shuffleBuf: Uint8Array;
  private readonly heap: ByteHeap;
  private readonly gzHeap = new ByteHeap(0);
  private readonly ends: Float64Array;
  private readonly gzEnds: Float64Array;
  private readonly zscale: Float64Array;
  private readonly zzero: Float64Array;
  private anyNull = false;
  private anyFallback = false;

  /**
   * @param tileMax most pixels in a tile
   * @param count number of tiles this encoder takes
   * @param heapBytes initial heap capacity (it grows as needed)
   */
  constructor(private readonly spec: TileSpec, tileMax: number, count: number, heapBytes: number, private readonly deflate: Deflater) {
    this.width = Math.abs(spec.enc.bitpix) / 8;
    const bytes = tileMax * Math.max(this.width, 4);
    this.intBuf = new Int32Array(tileMax);
    this.byteBuf = new Uint8Array(bytes);
    this.shuffleBuf = spec.type === 'GZIP_2' ? new Uint8Array(bytes) : this.byteBuf;
    this.heap = new ByteHeap(heapBytes);
    this.ends = new Float64Array(count);
    this.gzEnds = new Float64Array(spec.quantized ? count : 0);
    this.zscale = new Float64Array(spec.quantized ? count : 0);
    this.zzero = new Float64Array(spec.quantized ? count : 0);
  }

  /**
   * Compress tile `t` of the image (0-based, FITS order), the `i`-th of this
   * encoder: `vals` its pixels (rows × cols, C order).
   */
  add(t: number, i: number, vals: ImageArray, rows: number, cols: number): void {
    const { spec, width, heap, gzHeap, intBuf, byteBuf, shuffleBuf } = this;
    const n = vals.length;
    const type = spec.type;
    if (spec.quantized) {
      const f = (vals instanceof Float32Array || vals instanceof Float64Array ? vals : Float64Array.from(vals as ArrayLike<number>)) as Float32Array | Float64Array;
      const q = quantizeTile(f, cols, rows, { level: spec.level, method: spec.method, ditherSeed: spec.seed, tileIndex: t }, intBuf);
      if (!q) {
        // Stored losslessly (GZIP_1 of the pixels), as CFITSIO does.
        const be = byteBuf.subarray(0, n * width);
        encodePixels(vals, spec.enc, be);
        gzHeap.append(gzip1Encode(be, spec.gzipLevel, this.deflate));
        this.anyFallback = true;
        this.zscale[i] = 0;
        this.zzero[i] = 0;
      } else {
        if (q.anyNull) this.anyNull = true;
        this.zscale[i] = q.zscale;
        this.zzero[i] = q.zzero;
        compressInts(heap, spec, q.ints, 4, rows, cols, byteBuf, shuffleBuf, type === 'HCOMPRESS_1' ? hcompScaleOf(spec.hcompScale, q.ints, cols, rows) : 0, this.deflate);
      }
      this.gzEnds[i] = gzHeap.size;
    } else if (type === 'NOCOMPRESS') {
      // Straight into the heap: every tile is whole pixels, so the heap stays aligned for encodePixels.
      heap.reserve(n * width);
      encodePixels(vals, spec.enc, heap.buf.subarray(heap.size, heap.size + n * width));
      heap.size += n * width;
    } else {
      const be = byteBuf.subarray(0, n * width);
      encodePixels(vals, spec.enc, be);
      if (type === 'GZIP_1') heap.append(gzip1Encode(be, spec.gzipLevel, this.deflate));
      else if (type === 'GZIP_2') heap.append(gzip1Encode(shuffleInto(be, width, shuffleBuf), spec.gzipLevel, this.deflate));
      else {
        const ints = storedInts(be, spec.enc.bitpix, intBuf);
        if (type === 'PLIO_1') {
          // Unsigned 16-bit data: PLIO holds the unsigned values (stored + 32768), as CFITSIO writes them.
          const offset = plioOffsetFor(spec.enc.bzeroCard);
          if (offset !== 0) for (let k = 0; k < n; k++) ints[k] = ints[k]! + offset;
        }
        const s = type === 'HCOMPRESS_1' ? hcompScaleOf(spec.hcompScale, ints, cols, rows) : 0;
        compressInts(heap, spec, ints, width as 1 | 2 | 4, rows, cols, byteBuf, shuffleBuf, s, this.deflate, t);
      }
    }
    this.ends[i] = heap.size;
  }

  /** Start over at tile index 0, keeping the buffers (the previous result's views are then overwritten). */
  reset(): void {
    this.heap.size = 0;
    this.gzHeap.size = 0;
    this.anyNull = false;
    this.anyFallback = false;
  }

  /** The compressed tiles so far (views of the encoder's buffers). */
  result(): TileBatchResult {
    return {
      heap: this.heap.bytes(),
      ends: this.ends,
      gzHeap: this.gzHeap.bytes(),
      gzEnds: this.gzEnds,
      zscale: this.zscale,
      zzero: this.zzero,
      anyNull: this.anyNull,
      anyFallback: this.anyFallback,
    };
  }
}

/** A growing byte buffer holding compressed tiles back to back. */
export class ByteHeap {
  buf: Uint8Array;
  size = 0;
  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
  }
  /** Make room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.size + n;
    if (need <= this.buf.length) return;
    const next = new Uint8Array(Math.max(need, Math.ceil(this.buf.length * 1.5), 1 << 16));
    next.set(this.buf.subarray(0, this.size));
    this.buf = next;
  }
  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.size);
    this.size += bytes.length;
  }
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.size);
  }
}

/** Big-endian bytes → Int32 values of the stored integer type (into `out`). */
function storedInts(be: Uint8Array, bitpix: number, out: Int32Array): Int32Array {
  const n = be.length / (bitpix / 8);
  const ints = out.subarray(0, n);
  if (bitpix === 8) {
    ints.set(be);
    return ints;
  }
  const dv = new DataView(be.buffer, be.byteOffset, be.byteLength);
  if (bitpix === 16) for (let i = 0; i < n; i++) ints[i] = dv.getInt16(2 * i);
  else for (let i = 0; i < n; i++) ints[i] = dv.getInt32(4 * i);
  return ints;
}

/** CFITSIO's GZIP_2 shuffle of big-endian bytes into `out` (returned, trimmed). */
function shuffleInto(src: Uint8Array, bytepix: number, out: Uint8Array): Uint8Array {
  if (bytepix === 1) return src;
  const n = src.length / bytepix;
  const o = out.subarray(0, src.length);
  for (let k = 0; k < bytepix; k++) {
    const base = k * n;
    for (let i = 0, j = k; i < n; i++, j += bytepix) o[base + i] = src[j]!;
  }
  return o;
}

/** Int32 values → their big-endian bytes, shuffled as GZIP_2 does (most significant bytes first). */
function intsShuffled(ints: Int32Array, out: Uint8Array): Uint8Array {
  const n = ints.length;
  const n2 = 2 * n;
  const n3 = 3 * n;
  for (let i = 0; i < n; i++) {
    const v = ints[i]!;
    out[i] = v >>> 24;
    out[n + i] = v >>> 16;
    out[n2 + i] = v >>> 8;
    out[n3 + i] = v;
  }
  return out.subarray(0, 4 * n);
}

/** Int32 values → big-endian bytes. */
function intsBE(ints: Int32Array, out: Uint8Array): Uint8Array {
  const o = out.subarray(0, ints.length * 4);
  o.set(new Uint8Array(ints.buffer, ints.byteOffset, ints.byteLength));
  swapInPlace(o.buffer, o.byteOffset, ints.length, 4);
  return o;
}

/** HCOMPRESS scale for one tile: relative to its noise when > 0 (CFITSIO). */
function hcompScaleOf(s: number, ints: Int32Array, cols: number, rows: number): number {
  if (s === 0) return 0;
  if (s < 0) return Math.trunc(-s + 0.5);
  const e = noiseEstimate(ints, cols, rows, null, false);
  let sigma = e.noise3;
  if (e.noise2 !== 0 && e.noise2 < sigma) sigma = e.noise2;
  if (e.noise5 !== 0 && e.noise5 < sigma) sigma = e.noise5;
  return Math.trunc(Math.fround(s * sigma) + 0.5);
}

/** Compress one tile of integers, appending the stream to `heap`. */
function compressInts(
  heap: ByteHeap, spec: TileSpec, ints: Int32Array, bytepix: 1 | 2 | 4, rows: number, cols: number,
  byteBuf: Uint8Array, shuffleBuf: Uint8Array, hscale: number, deflate: Deflater, tile?: number,
): void {
  const { blockSize, gzipLevel } = spec;
  switch (spec.type) {
    case 'RICE_1': {
      heap.reserve(riceBound(ints.length, bytepix, blockSize));
      heap.size = riceEncodeInto(ints, ints.length, bytepix, blockSize, heap.buf, heap.size);
      return;
    }
    case 'HCOMPRESS_1':
      heap.append(hcompressEncode(ints, rows, cols, hscale));
      return;
    case 'PLIO_1': {
      const words = plioEncode(ints, tile);
      heap.reserve(words.length * 2);
      const dv = new DataView(heap.buf.buffer, heap.buf.byteOffset + heap.size, words.length * 2);
      for (let i = 0; i < words.length; i++) dv.setInt16(2 * i, words[i]!);
      heap.size += words.length * 2;
      return;
    }
    case 'GZIP_1':
      heap.append(gzip1Encode(intsBE(ints, byteBuf), gzipLevel, deflate));
      return;
    case 'GZIP_2':
      heap.append(gzip1Encode(intsShuffled(ints, shuffleBuf), gzipLevel, deflate));
      return;
    case 'NOCOMPRESS':
      throw new Error('internal: NOCOMPRESS tiles are not integer-coded');
  }
}
