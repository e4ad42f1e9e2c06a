/**
 * Tile-compressed images (FITS 4.0 §10): the image is cut into tiles, each
 * tile compressed (RICE_1, GZIP_1, GZIP_2, HCOMPRESS_1 or PLIO_1) into one
 * row of a BINTABLE (COMPRESSED_DATA in the heap), or stored as it is
 * (NOCOMPRESS: UNCOMPRESSED_DATA, as `fpack -d`). Floating-point images are
 * quantized (ZSCALE/ZZERO per tile, NO_DITHER, SUBTRACTIVE_DITHER_1 or _2
 * with ZDITHER0) or stored losslessly with GZIP or NOCOMPRESS
 * (ZQUANTIZ = 'NONE'). NaN pixels become ZBLANK. Tiles that cannot be
 * quantized are stored gzipped in GZIP_COMPRESSED_DATA, as CFITSIO does. GZIP
 * tiles use deflate level 1 by default, as CFITSIO (fpack, astropy, fitsio)
 * does. With checksums, ZHECKSUM/ZDATASUM hold the image's own CHECKSUM and
 * DATASUM (image-checksum.ts), as fpack and astropy write them.
 *
 * The tiles are compressed by tile-encoder.ts, for large images in batches
 * spread over the calling thread and the encode pool's workers when one is
 * installed (encode-pool.ts); the bytes are the same either way. The HDU
 * itself is written by compressed-hdu.ts. Images can also arrive in chunks
 * ({@link writeCompressedImageStream}), written with bounded memory.
 */
import { FitsError } from '../core/errors.js';
import type { CardValue } from '../header/card.js';
import { ARRAY_CTOR, type DType, type ImageArray } from '../image/pixel-type.js';
import { NULL_VALUE, type QuantizeMethod } from '../codecs/quantize/dequantize.js';
import type { CardInput } from '../header/format.js';
import { keyOf, toCardInputs, type AssembledCard } from './header-build.js';
import { chooseImageEncoding, dtypeOf, type ImageEncoding } from './image-encode.js';
import { imageHeader } from './image-header.js';
import { ImageDataSum, imageChecksums } from './image-checksum.js';
import { CompressedHduWriter, type CompressedHeaderParts, type TileColumnsLayout, type TileElementCode } from './compressed-hdu.js';
import { checksumDitherSeed } from '../codecs/quantize/quantize.js';
import { encodeBatch, TASK_ENCODE_TILES, type EncodePool, type EncodeTilesInput } from './encode-pool.js';
import type { Deflater } from '../codecs/gzip/encode.js';
import { TileEncoder, type CompressionType, type TileBatchResult, type TileSpec } from './tile-encoder.js';
import type { WriterContext, ImageWriteOptions } from './context.js';

export type { CompressionType };

/** Options of {@link FitsWriter.addCompressedImage}. */
export interface CompressedImageOptions extends ImageWriteOptions {
  /** Algorithm (default RICE_1); NOCOMPRESS stores the tiles' pixels as they are (lossless, also for floating point). */
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
  /**
   * Compress tiles on worker threads too, when a pool is installed (Node's
   * createFitsWriter installs one) and the image is large (default true).
   * The output is the same either way.
   */
  workers?: boolean;
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
    /** Start at this tile (FITS order). */
    first = 0,
  ) {
    this.idx = dims.map(() => 0);
    this.start = dims.map(() => 0);
    this.shape = dims.map(() => 0);
    // Tile index → per-axis tile indices, the last C axis fastest.
    for (let i = dims.length - 1; i >= 0 && first > 0; i--) {
      const count = Math.ceil(dims[i]! / tile[i]!);
      this.idx[i] = first % count;
      first = Math.floor(first / count);
    }
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

/** Where the tiles of an image are, and their pixels. */
class TileLayout {
  readonly nd: number;
  readonly strides: number[];
  readonly tileMax: number;
  readonly nTiles: number;
  private tileBuf: ImageArray | null = null;
  constructor(
    readonly data: ImageArray,
    readonly dims: readonly number[],
    readonly tile: readonly number[],
  ) {
    this.nd = dims.length;
    this.strides = new Array<number>(this.nd);
    for (let i = this.nd - 1, acc = 1; i >= 0; i--) {
      this.strides[i] = acc;
      acc *= dims[i]!;
    }
    this.tileMax = tile.reduce((a, b) => a * b, 1);
    this.nTiles = dims.reduce((acc, d, i) => acc * Math.ceil(d / tile[i]!), 1);
  }
  /** Index in `data` of the cursor's tile when it is one run of pixels, else −1. */
  runStart(c: TileCursor): number {
    return contiguousStart(this.dims, this.strides, c.start, c.shape);
  }
  /** The pixels of the cursor's tile: a view of the image, or a copy in a scratch array (valid until the next call). */
  tilePixels(c: TileCursor): ImageArray {
    const at = this.runStart(c);
    if (at >= 0) return this.data.subarray(at, at + c.size) as ImageArray;
    this.tileBuf ??= new (this.data.constructor as new (n: number) => ImageArray)(this.tileMax);
    const vals = this.tileBuf.subarray(0, c.size) as ImageArray;
    gatherTile(this.data, this.dims, c.start, c.shape, vals);
    return vals;
  }
}

/** Images at least this large (pixels) are compressed on worker threads too, when a pool is installed. */
const PARALLEL_MIN_PIXELS = 1 << 20;
/** Pixels per batch of tiles handed to a thread. */
const BATCH_PIXELS = 1 << 19;

function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

function isShared(b: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && b instanceof SharedArrayBuffer;
}

/**
 * Compress every tile, in batches spread over the calling thread and the
 * encode pool's workers when there is one (same bytes as on one thread: each
 * tile is compressed on its own); the batches in tile order.
 */
async function compressTiles(layout: TileLayout, spec: TileSpec, rawBytes: number, deflate: Deflater, encodePool: EncodePool | null): Promise<TileBatchResult[]> {
  const { nTiles, tileMax, nd } = layout;
  const pool = encodePool && layout.data.length >= PARALLEL_MIN_PIXELS ? encodePool.pool : null;
  const workers = pool ? encodePool!.workersNow() : 0;
  const batchTiles = Math.max(1, Math.floor(BATCH_PIXELS / tileMax));
  const nb = Math.ceil(nTiles / batchTiles);
  if (!pool || workers < 1 || nb < 4) {
    // One thread: one encoder, tiles read in place when they are runs of the image.
    const enc = new TileEncoder(spec, tileMax, nTiles, Math.min(rawBytes, Math.max(1 << 20, rawBytes >> 2)), deflate);
    const cur = new TileCursor(layout.dims, layout.tile);
    for (let t = 0; t < nTiles; t++) {
      if (t > 0) cur.next();
      const cols = cur.shape[nd - 1]!;
      enc.add(t, t, layout.tilePixels(cur), cur.size / cols, cols);
    }
    return [enc.result()];
  }

  // Batches of consecutive tiles, prepared in order (one cursor walks the image).
  const cur = new TileCursor(layout.dims, layout.tile);
  let curTile = 0;
  const prepare = (b: number): EncodeTilesInput => {
    const t0 = b * batchTiles;
    const count = Math.min(batchTiles, nTiles - t0);
    const sizes = new Int32Array(count);
    const cols = new Int32Array(count);
    let total = 0;
    for (let i = 0; i < count; i++, curTile++) {
      if (curTile > 0) cur.next();
      sizes[i] = cur.size;
      cols[i] = cur.shape[nd - 1]!;
      total += cur.size;
    }
    // Walk back over the batch to collect its pixels: one run of the image, or gathered.
    return { spec, t0, sizes, cols, tileMax, pixels: batchPixels(layout, t0, count, total) };
  };
  const results: TileBatchResult[] = new Array(nb);
  let next = 0;
  let error: unknown = null;
  const inflight = new Set<Promise<void>>();
  const depth = 2 * workers;
  const submit = (): void => {
    const b = next++;
    const input = prepare(b);
    // The worker gets its own copy (transferred), or a view of shared memory.
    const pixels = isShared(input.pixels.buffer) ? input.pixels : (input.pixels.slice() as ImageArray);
    const transfer = isShared(pixels.buffer) ? [] : [pixels.buffer as ArrayBuffer];
    const p: Promise<void> = pool
      .run<TileBatchResult>({ ...input, type: TASK_ENCODE_TILES, pixels }, transfer)
      .then(
        (r) => {
          results[b] = r;
        },
        () => {
          // A worker failed: this batch on the calling thread (its errors are the real ones).
          results[b] = encodeBatch(input, deflate);
        },
      )
      .catch((e: unknown) => {
        error ??= e;
        next = nb;
      })
      .finally(() => {
        inflight.delete(p);
        while (error === null && next < nb && inflight.size < depth) submit();
      });
    inflight.add(p);
  };
  try {
    while (next < nb && inflight.size < depth) submit();
    // The calling thread takes batches too, letting worker replies in between.
    while (next < nb) {
      const b = next++;
      results[b] = encodeBatch(prepare(b), deflate);
      await yieldToEvents();
    }
  } catch (e) {
    error ??= e;
    next = nb;
  }
  while (inflight.size) await Promise.all([...inflight]);
  if (error !== null) throw error;
  return results;
}

/** The pixels of tiles [t0, t0 + count) back to back (`total` of them): a view of the image when they are one run. */
function batchPixels(layout: TileLayout, t0: number, count: number, total: number): ImageArray {
  const c = new TileCursor(layout.dims, layout.tile, t0);
  const first = layout.runStart(c);
  if (first >= 0) {
    // One run when every tile starts where the previous one ended.
    let at = first;
    let run = true;
    for (let i = 0; i < count; i++) {
      if (i > 0) c.next();
      if (layout.runStart(c) !== at) {
        run = false;
        break;
      }
      at += c.size;
    }
    if (run) return layout.data.subarray(first, first + total) as ImageArray;
  }
  const out = new (layout.data.constructor as new (n: number) => ImageArray)(total);
  const g = new TileCursor(layout.dims, layout.tile, t0);
  let o = 0;
  for (let i = 0; i < count; i++) {
    if (i > 0) g.next();
    const px = layout.tilePixels(g);
    (out as unknown as { set(a: ArrayLike<unknown>, at: number): void }).set(px as unknown as ArrayLike<unknown>, o);
    o += px.length;
  }
  return out;
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

/** What every compressed write decides before touching pixels. */
interface CompressionPlan {
  index: number;
  dims: number[];
  tile: number[];
  count: number;
  width: number;
  /** Everything but the dither seed, which may come from the first tile. */
  spec: TileSpec;
  lossless: boolean;
  /** The image's header as it would be written uncompressed (with placeholder checksums when they are wanted). */
  image: AssembledCard[];
  /** Write CHECKSUM/DATASUM (and ZHECKSUM/ZDATASUM). */
  checksum: boolean;
}

const TYPES: readonly CompressionType[] = ['RICE_1', 'GZIP_1', 'GZIP_2', 'HCOMPRESS_1', 'PLIO_1', 'NOCOMPRESS'];

/** Check the options against the image and decide storage, tiles, codec and the image's header. */
function planCompression(w: WriterContext, dtype: DType, dims: number[], opts: CompressedImageOptions): CompressionPlan {
  const index = Math.max(1, w.nextIndex);
  const count = dims.reduce((a, b) => a * b, 1);
  const type = opts.compression ?? 'RICE_1';
  const user = toCardInputs(opts.header);
  const enc: ImageEncoding = chooseImageEncoding(dtype, opts, {
    bitpix: opts.bitpix !== undefined ? undefined : findValue(user, 'BITPIX') ?? findValue(user, 'ZBITPIX'),
    bscale: findValue(user, 'BSCALE'),
    bzero: findValue(user, 'BZERO'),
    blank: findValue(user, 'BLANK'),
  });
  const bitpix = enc.bitpix;
  const isFloat = bitpix < 0;
  if (!TYPES.includes(type)) throw bad(`Unknown compression ${String(type)}.`, index);
  if (type === 'NOCOMPRESS' && typeof opts.quantize === 'number') throw bad('NOCOMPRESS stores the pixels as they are; leave quantize out (or set it to \'none\').', index);
  // NOCOMPRESS keeps floating-point pixels as they are.
  const lossless = isFloat && (opts.quantize === 'none' || type === 'NOCOMPRESS');
  if (isFloat && !lossless && (type === 'PLIO_1')) throw bad('PLIO_1 compresses integer masks only.', index);
  if (lossless && !(type === 'GZIP_1' || type === 'GZIP_2' || type === 'NOCOMPRESS')) throw bad(`Lossless floating-point compression needs GZIP_1, GZIP_2 or NOCOMPRESS, not ${type}.`, index);
  if (bitpix === 64 && (type === 'RICE_1' || type === 'HCOMPRESS_1' || type === 'PLIO_1')) throw bad(`${type} cannot compress 64-bit integers; use GZIP_1, GZIP_2 or NOCOMPRESS.`, index);
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
  const seed = opts.ditherSeed ?? 0;
  if (quantized && method !== 'NO_DITHER' && opts.ditherSeed !== undefined && !(Number.isInteger(seed) && seed >= 1 && seed <= 10000)) {
    throw bad(`ZDITHER0 must be an integer 1 … 10000, got ${seed}.`, index);
  }
  const spec: TileSpec = {
    type,
    enc,
    quantized,
    level,
    method,
    seed,
    blockSize: opts.blockSize ?? 32,
    gzipLevel: opts.gzipLevel ?? DEFAULT_GZIP_LEVEL,
    hcompScale: type === 'HCOMPRESS_1' ? opts.hcompScale ?? 0 : 0,
  };
  // The image's own header (checked now, before any pixel is read): user cards minus table and compression keywords.
  const primaryOrigin = !user.some((c) => !c.commentary && keyOf(c) === 'XTENSION');
  const userCards = user.filter((c) => c.commentary || !(STRUCTURAL.has(keyOf(c)) || Z_KEY.test(keyOf(c))));
  const checksum = w.wantsChecksum(opts);
  const image = imageHeader(primaryOrigin ? 0 : 1, dims, enc, userCards, { extname: opts.extname, checksum });
  return { index, dims, tile, count, width: Math.abs(bitpix) / 8, spec, lossless, image, checksum };
}

/** The default ZDITHER0 of quantized images: from the bytes of the first tile (as CFITSIO's checksum seed). */
function withSeed(plan: CompressionPlan, layout: TileLayout): TileSpec {
  const spec = plan.spec;
  if (!spec.quantized || spec.seed !== 0) return spec;
  const first = layout.tilePixels(new TileCursor(layout.dims, layout.tile));
  const f = first instanceof Float32Array || first instanceof Float64Array ? first : Float64Array.from(first as ArrayLike<number>);
  return { ...spec, seed: checksumDitherSeed(new Uint8Array(f.buffer, f.byteOffset, f.byteLength)) };
}

const UNCOMPRESSED_CODE: Record<number, TileElementCode> = { 8: 'B', 16: 'I', 32: 'J', 64: 'K', [-32]: 'E', [-64]: 'D' };
const P_LIMIT = 2147483647;

/**
 * The compressed HDU's columns and keywords (`heapBound`: the heap's size, or
 * a bound when it is not known yet, choosing 32- or 64-bit descriptors).
 */
function headerParts(plan: CompressionPlan, spec: TileSpec, heapBound: number, opts: CompressedImageOptions): CompressedHeaderParts {
  const { dims, tile, width, lossless } = plan;
  const { type, quantized, method, seed } = spec;
  const nTiles = dims.reduce((acc, d, i) => acc * Math.ceil(d / tile[i]!), 1);
  const layout: TileColumnsLayout = {
    compressed: type === 'PLIO_1' ? 'I' : 'B',
    gzip: quantized,
    uncompressed: type === 'NOCOMPRESS' ? UNCOMPRESSED_CODE[spec.enc.bitpix] : undefined,
    scales: quantized,
    descriptor: heapBound > P_LIMIT ? 'Q' : 'P',
  };
  const z: CardInput[] = [{ keyword: 'ZIMAGE', value: true, comment: 'extension contains compressed image' }];
  [...tile].reverse().forEach((v, i) => z.push({ keyword: `ZTILE${i + 1}`, value: v, comment: 'size of tiles to be compressed' }));
  z.push({ keyword: 'ZCMPTYPE', value: type, comment: 'compression algorithm' });
  if (type === 'RICE_1') {
    z.push({ keyword: 'ZNAME1', value: 'BLOCKSIZE', comment: 'compression block size' }, { keyword: 'ZVAL1', value: opts.blockSize ?? 32, comment: 'pixels per block' });
    z.push({ keyword: 'ZNAME2', value: 'BYTEPIX', comment: 'bytes per pixel (1, 2, 4, or 8)' }, { keyword: 'ZVAL2', value: quantized ? 4 : width, comment: 'bytes per pixel (1, 2, 4, or 8)' });
  } else if (type === 'HCOMPRESS_1') {
    z.push({ keyword: 'ZNAME1', value: 'SCALE', comment: 'HCOMPRESS scale factor' }, { keyword: 'ZVAL1', value: opts.hcompScale ?? 0, isReal: true, comment: 'HCOMPRESS scale factor' });
    z.push({ keyword: 'ZNAME2', value: 'SMOOTH', comment: 'HCOMPRESS smooth option' }, { keyword: 'ZVAL2', value: opts.hcompSmooth ? 1 : 0, comment: 'HCOMPRESS smooth option' });
  }
  const quant: CardInput[] = [];
  if (quantized) {
    quant.push({ keyword: 'ZQUANTIZ', value: method, comment: 'Pixel Quantization Algorithm' });
    if (method !== 'NO_DITHER') quant.push({ keyword: 'ZDITHER0', value: seed, comment: 'dithering offset when quantizing floats' });
  } else if (lossless) {
    quant.push({ keyword: 'ZQUANTIZ', value: 'NONE', comment: 'Lossless compression without quantization' });
  }
  return {
    layout,
    nTiles,
    zcards: z,
    zblank: quantized ? { keyword: 'ZBLANK', value: NULL_VALUE, comment: 'null value in the compressed integer array' } : null,
    quantCards: quant,
    checksum: plan.checksum,
  };
}

/** Compress an image into a BINTABLE HDU. */
export async function writeCompressedImage(w: WriterContext, data: ImageArray, opts: CompressedImageOptions): Promise<void> {
  const dims = [...(opts.shape ?? [data.length])];
  const count = dims.reduce((a, b) => a * b, 1);
  if (dims.length === 0 || count !== data.length) throw bad(`The image has ${data.length} pixels but its shape [${dims.join(', ')}] needs ${count}.`, Math.max(1, w.nextIndex));
  const plan = planCompression(w, dtypeOf(data), dims, opts);
  const layout = new TileLayout(data, plan.dims, plan.tile);
  // The seed is taken before the tiles are spread over threads.
  const spec = withSeed(plan, layout);
  const batches = await w.prepare(() => compressTiles(layout, spec, plan.count * plan.width, w.deflate, opts.workers !== false ? w.encodePool() : null));
  const heap = batches.reduce((acc, b) => acc + b.heap.length + b.gzHeap.length, 0);
  const parts = headerParts(plan, spec, heap, opts);
  await w.ensurePrimary();
  await w.run(async () => {
    const out = new CompressedHduWriter(w.sink, { parts, mayHaveNulls: batches.some((b) => b.anyNull), hdu: plan.index });
    await out.begin(plan.image);
    for (const b of batches) await out.add(b);
    if (plan.checksum) {
      const sum = new ImageDataSum(spec.enc);
      sum.add(data);
      imageChecksums(plan.image, sum.value);
    }
    await out.finish(plan.image);
    w.hduWritten();
  });
}

/** Options of {@link FitsWriter.addCompressedImageStream}: the whole image's shape and element type up front. */
export interface CompressedImageStreamOptions extends CompressedImageOptions {
  shape: readonly number[];
  dtype: DType;
}

/** A bound of the heap of a streamed image (its tiles are not seen yet): chooses 32- or 64-bit descriptors. */
function heapBoundOf(plan: CompressionPlan, spec: TileSpec, nTiles: number): number {
  const raw = plan.count * Math.max(plan.width, spec.quantized ? 4 : plan.width);
  if (spec.type === 'NOCOMPRESS') return raw;
  // Coders can expand incompressible tiles a little (HCOMPRESS and PLIO more).
  const factor = spec.type === 'HCOMPRESS_1' || spec.type === 'PLIO_1' ? 4 : 2;
  return raw * factor + nTiles * 1024;
}

/**
 * Compress an image whose pixels arrive in chunks (C order, any lengths),
 * writing the HDU as they come: the pixels are held one band of tiles at a
 * time (the tiles sharing the slowest axis' index, tile[0] × the other axes),
 * each band's compressed tiles go to the heap at once, and the table and
 * header are written in place at the end. Same bytes as writeCompressedImage,
 * except (a) for images whose compressed tiles could pass 2 GiB before they
 * are seen (over ~1 GiB of pixels, 512 MiB for HCOMPRESS_1 and PLIO_1): they
 * get 64-bit (1Q) descriptors, and (b) for quantized images without null
 * pixels whose header is one block shorter without the ZBLANK card it was
 * sized for: blank cards fill that block.
 *
 * Errors found before the first band is complete (a chunk of the wrong type)
 * leave the writer usable; later ones (too many or too few pixels) discard
 * the output, as for every HDU whose bytes have started.
 */
export async function writeCompressedImageStream(w: WriterContext, opts: CompressedImageStreamOptions, chunks: AsyncIterable<ImageArray> | Iterable<ImageArray>): Promise<void> {
  const index = Math.max(1, w.nextIndex);
  const dims = [...opts.shape];
  for (const n of dims) if (!Number.isSafeInteger(n) || n < 1) throw bad(`Image axis length ${n} is not a positive integer.`, index);
  if (dims.length === 0) throw bad('A compressed image needs at least one axis.', index);
  const plan = planCompression(w, opts.dtype, dims, opts);
  const { tile, count } = plan;
  const nd = dims.length;
  const rowPixels = plan.count / dims[0]!; // pixels per index of the slowest axis
  const bandRows = tile[0]!;
  const tilesPerBand = dims.reduce((acc, d, i) => (i === 0 ? acc : acc * Math.ceil(d / tile[i]!)), 1);
  const nTiles = Math.ceil(dims[0]! / bandRows) * tilesPerBand;
  const tileMax = tile.reduce((a, b) => a * b, 1);
  const Ctor = ARRAY_CTOR[opts.dtype] as unknown as new (n: number) => ImageArray;
  const band = new Ctor(bandRows * rowPixels);
  const imageSum = plan.checksum ? new ImageDataSum(plan.spec.enc) : null;
  let spec: TileSpec | null = null;
  let encoder: TileEncoder | null = null;
  let out: CompressedHduWriter | null = null;
  let filled = 0; // pixels in `band`
  let seen = 0;
  let k = 0; // band index
  const flush = async (): Promise<void> => {
    const rows = Math.min(bandRows, dims[0]! - k * bandRows);
    const bandDims = [rows, ...dims.slice(1)];
    const layout = new TileLayout(band.subarray(0, rows * rowPixels) as ImageArray, bandDims, tile);
    spec ??= withSeed(plan, layout);
    encoder ??= new TileEncoder(spec, tileMax, tilesPerBand, Math.max(1 << 16, (band.length * Math.max(plan.width, 4)) >> 1), w.deflate);
    encoder.reset();
    const cur = new TileCursor(bandDims, tile);
    for (let i = 0; i < tilesPerBand; i++) {
      if (i > 0) cur.next();
      const cols = cur.shape[nd - 1]!;
      encoder.add(k * tilesPerBand + i, i, layout.tilePixels(cur), cur.size / cols, cols);
    }
    if (!out) {
      // The first band is ready (and the dither seed known): the HDU starts.
      await w.ensurePrimaryWithin();
      const parts = headerParts(plan, spec, heapBoundOf(plan, spec, nTiles), opts);
      out = new CompressedHduWriter(w.sink, { parts, mayHaveNulls: spec.quantized, hdu: plan.index });
      await out.begin(plan.image);
    }
    await out.add(encoder.result());
    k++;
    filled = 0;
  };
  await w.run(async () => {
    for await (const chunk of chunks) {
      if (dtypeOf(chunk) !== opts.dtype && !(opts.dtype === 'uint8' && chunk instanceof Uint8ClampedArray)) {
        throw bad(`A chunk of ${dtypeOf(chunk)} in a ${opts.dtype} image.`, index);
      }
      if (seen + chunk.length > count) throw bad(`The image data has more than the ${count} pixels of its shape.`, index);
      imageSum?.add(chunk);
      let at = 0;
      while (at < chunk.length) {
        const bandSize = Math.min(bandRows, dims[0]! - k * bandRows) * rowPixels;
        const take = Math.min(bandSize - filled, chunk.length - at);
        (band as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(chunk.subarray(at, at + take) as unknown as ArrayLike<unknown>, filled);
        filled += take;
        at += take;
        if (filled === bandSize) await flush();
      }
      seen += chunk.length;
    }
    if (seen !== count) throw bad(`The image data has ${seen} pixels but its shape needs ${count}.`, index);
    if (imageSum) imageChecksums(plan.image, imageSum.value);
    await out!.finish(plan.image);
    w.hduWritten();
  });
}
