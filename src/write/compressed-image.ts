/**
 * Tile-compressed images (FITS 4.0 §10): the image is cut into tiles, each
 * tile compressed (RICE_1, GZIP_1, GZIP_2, HCOMPRESS_1 or PLIO_1)
 * into one row of a BINTABLE (COMPRESSED_DATA in the heap). Floating-point
 * images are quantized (ZSCALE/ZZERO per tile, NO_DITHER, SUBTRACTIVE_DITHER_1
 * or _2 with ZDITHER0) or stored losslessly with GZIP (ZQUANTIZ = 'NONE').
 * NaN pixels become ZBLANK. Tiles that cannot be quantized are stored gzipped
 * in GZIP_COMPRESSED_DATA, as CFITSIO does.
 */
import { FitsError } from '../errors.js';
import type { CardValue } from '../header/card.js';
import type { DType, ImageArray } from '../image/pixel-type.js';
import { NULL_VALUE, type QuantizeMethod } from '../decompress/quantize.js';
import type { CardInput } from './card-format.js';
import { keyOf, toCardInputs } from './header-build.js';
import { chooseImageEncoding, dtypeOf, encodePixels, type ImageEncoding } from './image-encode.js';
import { riceBound, riceEncodeInto } from './codecs/rice.js';
import { gzip1Encode } from './codecs/gzip.js';
import { swapInPlace } from '../image/convert.js';
import { hcompressEncode } from './codecs/hcompress.js';
import { plioEncode } from './codecs/plio.js';
import { checksumDitherSeed, noiseEstimate, quantizeTile } from './codecs/quantize.js';
import type { ColumnInput } from './table-encode.js';
import { writeTable } from './table-writer.js';
import type { FitsWriter, ImageWriteOptions } from './writer.js';

export type CompressionType = 'RICE_1' | 'GZIP_1' | 'GZIP_2' | 'HCOMPRESS_1' | 'PLIO_1';

/** Options of {@link FitsWriter.addCompressedImage}. */
export interface CompressedImageOptions extends ImageWriteOptions {
  /** Algorithm (default RICE_1). */
  compression?: CompressionType;
  /** Tile shape, C order (slowest first). Default: one row per tile (HCOMPRESS: 16 rows). */
  tileShape?: readonly number[];
  /**
   * Floating-point images: quantization level q (ZSCALE = noise / q; a
   * negative q is the absolute ZSCALE), or 'none' for lossless GZIP. Default 16.
   */
  quantize?: number | 'none';
  /** Dithering of quantized tiles (default SUBTRACTIVE_DITHER_1). */
  dither?: QuantizeMethod;
  /** ZDITHER0, 1 … 10000 (default: from the first tile's bytes, as CFITSIO's checksum seed). */
  ditherSeed?: number;
  /** HCOMPRESS scale: > 0 relative to each tile's noise, < 0 absolute, 0 lossless (default). */
  hcompScale?: number;
  /** HCOMPRESS: ask decompressors to smooth (ZVAL2 SMOOTH = 1). */
  hcompSmooth?: boolean;
  /** RICE_1 pixels per block (default 32). */
  blockSize?: number;
  /** Deflate level for GZIP (default 1, Z_BEST_SPEED, as CFITSIO and fpack). */
  gzipLevel?: number;
}

/** Deflate level of GZIP tiles by default: CFITSIO's (Z_BEST_SPEED). */
const DEFAULT_GZIP_LEVEL = 1;

const STRUCTURAL = new Set(['SIMPLE', 'XTENSION', 'BITPIX', 'NAXIS', 'PCOUNT', 'GCOUNT', 'EXTEND', 'CHECKSUM', 'DATASUM', 'ZHECKSUM', 'ZDATASUM', 'TFIELDS', 'THEAP']);
const Z_KEY = /^(Z(IMAGE|SIMPLE|TENSION|BITPIX|NAXIS\d*|TILE\d+|CMPTYPE|NAME\d+|VAL\d+|PCOUNT|GCOUNT|EXTEND|QUANTIZ|DITHER0|BLANK|MASKCMP|HECKSUM|DATASUM)|NAXIS\d+|T(TYPE|FORM|UNIT|DIM|SCAL|ZERO|NULL)\d+)$/;

function bad(message: string, hdu?: number): FitsError {
  return new FitsError('BAD_ARGUMENT', message, hdu !== undefined ? { hdu } : {});
}

function findValue(cards: readonly CardInput[], key: string): CardValue | undefined {
  const c = cards.find((x) => !x.commentary && keyOf(x) === key);
  return c ? (c.value ?? null) : undefined;
}

/** Walks the tiles of an image (C-order dims) in FITS order: `start`, `shape` and `size` describe the current tile (updated in place). */
class TileCursor {
  readonly start: number[];
  readonly shape: number[];
  size = 0;
  private readonly idx: number[];
  constructor(
    private readonly dims: readonly number[],
    private readonly tile: readonly number[],
  ) {
    this.idx = dims.map(() => 0);
    this.start = dims.map(() => 0);
    this.shape = dims.map(() => 0);
    this.update();
  }
  /** Move to the next tile: the last C axis (fastest) advances first. */
  next(): void {
    const { idx, dims, tile } = this;
    for (let i = dims.length - 1; i >= 0; i--) {
      idx[i]!++;
      if (idx[i]! * tile[i]! < dims[i]!) break;
      idx[i] = 0;
    }
    this.update();
  }
  private update(): void {
    let size = 1;
    for (let i = 0; i < this.dims.length; i++) {
      const s = this.idx[i]! * this.tile[i]!;
      this.start[i] = s;
      this.shape[i] = Math.min(this.tile[i]!, this.dims[i]! - s);
      size *= this.shape[i]!;
    }
    this.size = size;
  }
}

/** Copy a box of a C-order array into `out` (C order within the box). */
function gatherTile(src: ImageArray, dims: readonly number[], start: readonly number[], shape: readonly number[], out: ImageArray): void {
  const nd = dims.length;
  const strides = new Array<number>(nd);
  let acc = 1;
  for (let i = nd - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= dims[i]!;
  }
  const run = shape[nd - 1]!;
  const idx = new Array<number>(Math.max(0, nd - 1)).fill(0);
  let o = 0;
  const outAny = out as unknown as { set(a: ArrayLike<unknown>, at: number): void };
  for (;;) {
    let s = start[nd - 1]!;
    for (let i = 0; i < nd - 1; i++) s += (start[i]! + idx[i]!) * strides[i]!;
    outAny.set((src as Float64Array).subarray(s, s + run) as unknown as ArrayLike<unknown>, o);
    o += run;
    let k = nd - 2;
    while (k >= 0) {
      idx[k]!++;
      if (idx[k]! < shape[k]!) break;
      idx[k] = 0;
      k--;
    }
    if (k < 0) break;
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

/** A growing byte buffer holding compressed tiles back to back. */
class ByteHeap {
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

/** The VLA column of a heap: row i is bytes [offsets[i], offsets[i+1]) (for 'I', big-endian 16-bit words). */
function vlaColumn(bytes: Uint8Array, byteOffsets: Float64Array, name: string, code: 'B' | 'I'): ColumnInput {
  const rows = byteOffsets.length - 1;
  const offsets = code === 'I' ? byteOffsets.map((x) => x / 2) : byteOffsets;
  let max = 0;
  for (let i = 0; i < rows; i++) max = Math.max(max, offsets[i + 1]! - offsets[i]!);
  const desc = bytes.length > 2147483647 ? 'Q' : 'P';
  if (code === 'I') {
    const words = new Int16Array(bytes.length / 2);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let k = 0; k < words.length; k++) words[k] = dv.getInt16(2 * k);
    return { name, data: words, offsets, format: `1${desc}I(${max})` };
  }
  return { name, data: bytes, offsets, format: `1${desc}B(${max})` };
}

/**
 * If a tile box is one contiguous run of the C-order image (all axes after
 * the first one longer than 1 are whole), its first element's index; else −1.
 */
function contiguousStart(dims: readonly number[], strides: readonly number[], start: readonly number[], shape: readonly number[]): number {
  const nd = dims.length;
  let j = 0;
  while (j < nd - 1 && shape[j] === 1) j++;
  for (let i = j + 1; i < nd; i++) if (shape[i] !== dims[i]) return -1;
  let at = 0;
  for (let i = 0; i < nd; i++) at += start[i]! * strides[i]!;
  return at;
}

/** Compress an image into a BINTABLE HDU. */
export async function writeCompressedImage(w: FitsWriter, data: ImageArray, opts: CompressedImageOptions): Promise<void> {
  const index = Math.max(1, w.nextIndex);
  const dims = [...(opts.shape ?? [data.length])];
  const count = dims.reduce((a, b) => a * b, 1);
  if (dims.length === 0 || count !== data.length) throw bad(`The image has ${data.length} pixels but its shape [${dims.join(', ')}] needs ${count}.`, index);
  const type = opts.compression ?? 'RICE_1';
  const user = toCardInputs(opts.header);
  const dtype: DType = dtypeOf(data);
  const enc: ImageEncoding = chooseImageEncoding(dtype, opts, {
    bitpix: opts.bitpix !== undefined ? undefined : findValue(user, 'BITPIX') ?? findValue(user, 'ZBITPIX'),
    bscale: findValue(user, 'BSCALE'),
    bzero: findValue(user, 'BZERO'),
    blank: findValue(user, 'BLANK'),
  });
  const bitpix = enc.bitpix;
  const isFloat = bitpix < 0;
  const lossless = isFloat && opts.quantize === 'none';
  if (isFloat && !lossless && (type === 'PLIO_1')) throw bad('PLIO_1 compresses integer masks only.', index);
  if (!['RICE_1', 'GZIP_1', 'GZIP_2', 'HCOMPRESS_1', 'PLIO_1'].includes(type)) throw bad(`Unknown compression ${String(type)}.`, index);
  if (lossless && !(type === 'GZIP_1' || type === 'GZIP_2')) throw bad(`Lossless floating-point compression needs GZIP_1 or GZIP_2, not ${type}.`, index);
  if (bitpix === 64 && (type === 'RICE_1' || type === 'HCOMPRESS_1' || type === 'PLIO_1')) throw bad(`${type} cannot compress 64-bit integers; use GZIP_1 or GZIP_2.`, index);
  const nd = dims.length;
  let tile = opts.tileShape ? [...opts.tileShape] : dims.map((d, i) => (i === nd - 1 ? d : 1));
  if (!opts.tileShape && type === 'HCOMPRESS_1' && nd >= 2) tile[nd - 2] = Math.min(16, dims[nd - 2]!);
  if (tile.length !== nd) throw bad(`The tile shape has ${tile.length} axes, the image ${nd}.`, index);
  tile = tile.map((t, i) => Math.min(t <= 0 ? dims[i]! : t, dims[i]!));
  if (type === 'HCOMPRESS_1') {
    const big = tile.filter((t) => t > 1).length;
    if (big > 2) throw bad('HCOMPRESS_1 tiles must be 2-D (at most two axes longer than 1).', index);
  }
  const level = opts.quantize === undefined || opts.quantize === 'none' ? 16 : opts.quantize;
  const method: QuantizeMethod = opts.dither ?? 'SUBTRACTIVE_DITHER_1';
  const quantized = isFloat && !lossless;
  const width = Math.abs(bitpix) / 8;

  let anyNull = false;
  let anyFallback = false;
  let seed = opts.ditherSeed ?? 0;
  if (quantized && method !== 'NO_DITHER' && opts.ditherSeed !== undefined && !(Number.isInteger(seed) && seed >= 1 && seed <= 10000)) {
    throw bad(`ZDITHER0 must be an integer 1 … 10000, got ${seed}.`, index);
  }
  const gzipLevel = opts.gzipLevel ?? DEFAULT_GZIP_LEVEL;
  const blockSize = opts.blockSize ?? 32;
  const Ctor = data.constructor as new (n: number) => ImageArray;
  const tileMax = tile.reduce((a, b) => a * b, 1);
  const nTiles = dims.reduce((acc, d, i) => acc * Math.ceil(d / tile[i]!), 1);
  const strides = new Array<number>(nd);
  for (let i = nd - 1, acc = 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= dims[i]!;
  }
  // Scratch reused by every tile: the gathered pixels (when a tile is not a
  // contiguous run of the image), the quantized or stored integers, and bytes.
  let tileBuf: ImageArray | null = null;
  const intBuf = new Int32Array(tileMax);
  const byteBuf = new Uint8Array(tileMax * Math.max(width, 4));
  const shuffleBuf = type === 'GZIP_2' ? new Uint8Array(tileMax * Math.max(width, 4)) : byteBuf;
  // Compressed tiles go one after another into one heap (offsets per tile).
  const heap = new ByteHeap(Math.min(count * width, Math.max(1 << 20, (count * width) >> 2)));
  const offsets = new Float64Array(nTiles + 1);
  const gzHeap = new ByteHeap(0);
  const gzOffsets = new Float64Array(quantized ? nTiles + 1 : 1);
  const zscale = new Float64Array(quantized ? nTiles : 0);
  const zzero = new Float64Array(quantized ? nTiles : 0);
  const box = new TileCursor(dims, tile);
  for (let t = 0; t < nTiles; t++) {
    if (t > 0) box.next();
    const n = box.size;
    let vals: ImageArray;
    const at = contiguousStart(dims, strides, box.start, box.shape);
    if (at >= 0) vals = data.subarray(at, at + n) as ImageArray;
    else {
      tileBuf ??= new Ctor(tileMax);
      vals = tileBuf.subarray(0, n) as ImageArray;
      gatherTile(data, dims, box.start, box.shape, vals);
    }
    const cols = box.shape[nd - 1]!;
    const rows = n / cols;
    if (quantized) {
      const f = (vals instanceof Float32Array || vals instanceof Float64Array ? vals : Float64Array.from(vals as ArrayLike<number>)) as Float32Array | Float64Array;
      if (t === 0 && seed === 0) seed = checksumDitherSeed(new Uint8Array(f.buffer, f.byteOffset, f.byteLength));
      const q = quantizeTile(f, cols, rows, { level, method, ditherSeed: seed, tileIndex: t }, intBuf);
      if (!q) {
        const be = byteBuf.subarray(0, n * width);
        encodePixels(vals, enc, be);
        gzHeap.append(gzip1Encode(be, gzipLevel));
        anyFallback = true;
        zscale[t] = 0;
        zzero[t] = 0;
      } else {
        anyNull ||= q.anyNull;
        zscale[t] = q.zscale;
        zzero[t] = q.zzero;
        compressInts(heap, type, q.ints, 4, rows, cols, opts, blockSize, gzipLevel, byteBuf, shuffleBuf, type === 'HCOMPRESS_1' ? hcompScaleOf(opts, q.ints, cols, rows) : 0);
      }
      gzOffsets[t + 1] = gzHeap.size;
    } else {
      const be = byteBuf.subarray(0, n * width);
      encodePixels(vals, enc, be);
      if (type === 'GZIP_1') heap.append(gzip1Encode(be, gzipLevel));
      else if (type === 'GZIP_2') heap.append(gzip1Encode(shuffleInto(be, width, shuffleBuf), gzipLevel));
      else {
        const ints = storedInts(be, bitpix, intBuf);
        const s = type === 'HCOMPRESS_1' ? hcompScaleOf(opts, ints, cols, rows) : 0;
        compressInts(heap, type, ints, width as 1 | 2 | 4, rows, cols, opts, blockSize, gzipLevel, byteBuf, shuffleBuf, s, t);
      }
    }
    offsets[t + 1] = heap.size;
  }

  // The table: one row per tile.
  const columns: ColumnInput[] = [];
  if (type === 'PLIO_1') columns.push(vlaColumn(heap.bytes(), offsets, 'COMPRESSED_DATA', 'I'));
  else columns.push(vlaColumn(heap.bytes(), offsets, 'COMPRESSED_DATA', 'B'));
  if (anyFallback) columns.push(vlaColumn(gzHeap.bytes(), gzOffsets, 'GZIP_COMPRESSED_DATA', 'B'));
  if (quantized) {
    columns.push({ name: 'ZSCALE', data: zscale, format: '1D' });
    columns.push({ name: 'ZZERO', data: zzero, format: '1D' });
  }

  // Header: Z keywords, then the user's (image) cards.
  const naxes = [...dims].reverse();
  const ztile = [...tile].reverse();
  const z: CardInput[] = [{ keyword: 'ZIMAGE', value: true, comment: 'extension contains compressed image' }];
  ztile.forEach((v, i) => z.push({ keyword: `ZTILE${i + 1}`, value: v, comment: 'size of tiles to be compressed' }));
  z.push({ keyword: 'ZCMPTYPE', value: type, comment: 'compression algorithm' });
  if (type === 'RICE_1') {
    z.push({ keyword: 'ZNAME1', value: 'BLOCKSIZE', comment: 'compression block size' }, { keyword: 'ZVAL1', value: opts.blockSize ?? 32, comment: 'pixels per block' });
    z.push({ keyword: 'ZNAME2', value: 'BYTEPIX', comment: 'bytes per pixel (1, 2, 4, or 8)' }, { keyword: 'ZVAL2', value: quantized ? 4 : width, comment: 'bytes per pixel (1, 2, 4, or 8)' });
  } else if (type === 'HCOMPRESS_1') {
    z.push({ keyword: 'ZNAME1', value: 'SCALE', comment: 'HCOMPRESS scale factor' }, { keyword: 'ZVAL1', value: opts.hcompScale ?? 0, isReal: true, comment: 'HCOMPRESS scale factor' });
    z.push({ keyword: 'ZNAME2', value: 'SMOOTH', comment: 'HCOMPRESS smooth option' }, { keyword: 'ZVAL2', value: opts.hcompSmooth ? 1 : 0, comment: 'HCOMPRESS smooth option' });
  }
  if (quantized && anyNull) z.push({ keyword: 'ZBLANK', value: NULL_VALUE, comment: 'null value in the compressed integer array' });
  const primaryOrigin = !user.some((c) => !c.commentary && keyOf(c) === 'XTENSION');
  z.push(primaryOrigin ? { keyword: 'ZSIMPLE', value: true, comment: 'file does conform to FITS standard' } : { keyword: 'ZTENSION', value: 'IMAGE', comment: 'Image extension' });
  z.push({ keyword: 'ZBITPIX', value: bitpix, comment: 'data type of original image' });
  z.push({ keyword: 'ZNAXIS', value: naxes.length, comment: 'dimension of original image' });
  naxes.forEach((v, i) => z.push({ keyword: `ZNAXIS${i + 1}`, value: v, comment: 'length of original image axis' }));
  if (!primaryOrigin) z.push({ keyword: 'ZPCOUNT', value: 0, comment: 'number of parameters' }, { keyword: 'ZGCOUNT', value: 1, comment: 'number of groups' });
  if (quantized) {
    z.push({ keyword: 'ZQUANTIZ', value: method, comment: 'Pixel Quantization Algorithm' });
    if (method !== 'NO_DITHER') z.push({ keyword: 'ZDITHER0', value: seed, comment: 'dithering offset when quantizing floats' });
  } else if (lossless) {
    z.push({ keyword: 'ZQUANTIZ', value: 'NONE', comment: 'Lossless compression without quantization' });
  }
  const userCards = user.filter((c) => c.commentary || !(STRUCTURAL.has(keyOf(c)) || Z_KEY.test(keyOf(c))));
  // Scaling cards of the encoding (BZERO for unsigned, BSCALE/BZERO/BLANK on request) stay plain keywords.
  const scaling: CardInput[] = [];
  if (enc.bscaleCard !== undefined && !userCards.some((c) => keyOf(c) === 'BSCALE')) scaling.push({ keyword: 'BSCALE', value: enc.bscaleCard });
  if (enc.bzeroCard !== undefined && !userCards.some((c) => keyOf(c) === 'BZERO')) scaling.push({ keyword: 'BZERO', value: enc.bzeroCard });
  if (enc.blank !== undefined && !userCards.some((c) => keyOf(c) === 'BLANK')) scaling.push({ keyword: 'BLANK', value: enc.blank });
  const extname = opts.extname ?? (findValue(user, 'EXTNAME') === undefined ? 'COMPRESSED_IMAGE' : undefined);
  await writeTable(w, columns, { header: [...z, ...scaling, ...userCards], extname, checksum: opts.checksum });
}

/** HCOMPRESS scale for one tile: relative to its noise when > 0 (CFITSIO). */
function hcompScaleOf(opts: CompressedImageOptions, ints: Int32Array, cols: number, rows: number): number {
  const s = opts.compression === 'HCOMPRESS_1' ? opts.hcompScale ?? 0 : 0;
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
  heap: ByteHeap, type: CompressionType, ints: Int32Array, bytepix: 1 | 2 | 4, rows: number, cols: number, opts: CompressedImageOptions,
  blockSize: number, gzipLevel: number, byteBuf: Uint8Array, shuffleBuf: Uint8Array, hscale: number, tile?: number,
): void {
  switch (type) {
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
      heap.append(gzip1Encode(intsBE(ints, byteBuf), gzipLevel));
      return;
    case 'GZIP_2':
      heap.append(gzip1Encode(intsShuffled(ints, shuffleBuf), gzipLevel));
      return;
  }
  void opts;
}
