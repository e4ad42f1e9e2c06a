/**
 * Decoding tiles and placing their pixels in the output image: the part of the
 * tile container that runs on every thread (inline, or in a worker). Pure
 * over memory: the tiles' compressed bytes are already read into `staging`.
 *
 * A job is described by plain, structured-clonable data ({@link TileJobSpec}
 * plus a Float64Array of per-tile records), so a worker receives exactly what
 * the main thread would use. The decoders are the thread's own (TileCodecs):
 * the ones a read loaded on the calling thread, every codec in a worker.
 */
import { FitsError } from '../core/errors.js';
import { convertPixels } from '../image/convert.js';
import type { ImageArray, PixelScaling } from '../image/pixel-type.js';
import type { TileCodecs, TileDecoder } from '../codecs/tile-codec.js';
import { dequantize, type QuantizeMethod } from '../codecs/quantize/dequantize.js';

/** Everything about a read that is the same for all its tiles. */
export interface TileJobSpec {
  hdu: number;
  /** Normalised ZCMPTYPE. */
  codec: string;
  zbitpix: number;
  bytepix: number;
  blocksize: number;
  smooth: boolean;
  /** Tiles hold quantized integers (ZSCALE column or keyword). */
  quantized: boolean;
  /** PLIO_1: subtracted from the decoded pixels (unsigned 16-bit data, codecs/plio/tile.ts). */
  plioOffset?: number;
  method: QuantizeMethod;
  ditherSeed: number;
  /** Output element type and BSCALE/BZERO/BLANK. */
  scaling: PixelScaling;
  /** Image dims, C order. */
  dims: number[];
  /** Nominal tile size, C order (clipped to dims). */
  tile: number[];
  /** Tiles per axis, C order. */
  counts: number[];
  /** The section, C order. */
  start: number[];
  shape: number[];
  step: number[];
}

/** Fields of one tile record in the tile table (a Float64Array, {@link TILE_FIELDS} per tile). */
export const TILE_FIELDS = 7;
/** Record field: tile number. */
export const F_INDEX = 0;
/** Record field: where the bytes come from ({@link SRC_CODEC}, {@link SRC_GZIP}, {@link SRC_RAW}). */
export const F_SOURCE = 1;
/** Record field: byte offset of the tile's bytes in the staging buffer. */
export const F_OFFSET = 2;
/** Record field: byte length. */
export const F_LENGTH = 3;
/** Record field: ZSCALE (NaN if none). */
export const F_ZSCALE = 4;
/** Record field: ZZERO. */
export const F_ZZERO = 5;
/** Record field: ZBLANK (NaN if none). */
export const F_ZBLANK = 6;

/** COMPRESSED_DATA, decoded by the codec. */
export const SRC_CODEC = 0;
/** GZIP_COMPRESSED_DATA: gzip of the raw big-endian pixels. */
export const SRC_GZIP = 1;
/** UNCOMPRESSED_DATA: the raw big-endian pixels. */
export const SRC_RAW = 2;

/** Per-thread scratch buffers, grown as needed (up to a cap; bigger tiles get temporaries). */
const SCRATCH_KEEP_BYTES = 64 << 20;
let scratchBuf = new ArrayBuffer(1 << 16);
let scratchBuf2 = new ArrayBuffer(1 << 16);

function scratch(bytes: number, second = false): ArrayBuffer {
  const cur = second ? scratchBuf2 : scratchBuf;
  if (cur.byteLength >= bytes) return cur;
  const b = new ArrayBuffer(Math.max(bytes, cur.byteLength * 2));
  if (b.byteLength <= SCRATCH_KEEP_BYTES) {
    if (second) scratchBuf2 = b;
    else scratchBuf = b;
  }
  return b;
}

/** Remove the " (HDU 1, tile 2)" suffix FitsError adds, to re-add a complete location. */
export function bareMessage(e: FitsError): string {
  return e.message.replace(/ \((?:(?:HDU|card|tile|byte) [^,()]+(?:, )?)+\)$/, '');
}

/** The same error, located at this HDU and tile. */
export function locate(e: unknown, hdu: number, tile: number): FitsError {
  if (e instanceof FitsError) {
    if (e.hdu === hdu && e.tile === tile) return e;
    return new FitsError(e.code, bareMessage(e), { hdu, tile, offset: e.offset, cause: e });
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new FitsError('CORRUPT_DATA', `Cannot decode the tile: ${msg}`, { hdu, tile, cause: e });
}

/** Per-thread decoder cache: the decoder of the last spec object (a read's tiles share one spec). */
let lastSpec: TileJobSpec | undefined;
let lastCodecs: TileCodecs | undefined;
let lastDecoder: TileDecoder | undefined;

function decoderFor(spec: TileJobSpec, codecs: TileCodecs): TileDecoder {
  if (spec !== lastSpec || codecs !== lastCodecs) {
    lastDecoder = codecs.decoder(spec.codec, spec);
    lastSpec = spec;
    lastCodecs = codecs;
  }
  return lastDecoder!;
}

/** Geometry of one tile's intersection with the section. */
interface Geometry {
  pixels: number;
  /**
   * Leading pixels of the tile (C order) the section uses: the last selected
   * pixel's tile-local index + 1. A codec with `prefix` decodes only these.
   */
  needed: number;
  extents: number[];
  /** First source element (tile-local linear index). */
  srcBase: number;
  /** First output element. */
  outBase: number;
  /** True when the selected part of the tile is one contiguous block in the output and in the tile. */
  contiguous: boolean;
  /** True when the whole tile is selected (and contiguous). */
  whole: boolean;
  /** Selected elements (for contiguous placement). */
  count: number;
  /** Per axis: count, local start. */
  counts: number[];
  /** Tile strides (C order). */
  tstrides: number[];
  /** Output strides (C order). */
  ostrides: number[];
}

function geometry(spec: TileJobSpec, index: number): Geometry {
  const n = spec.dims.length;
  const extents = new Array<number>(n);
  const counts = new Array<number>(n);
  const locals = new Array<number>(n);
  const outs = new Array<number>(n);
  let rest = index;
  for (let i = n - 1; i >= 0; i--) {
    const c = spec.counts[i]!;
    const t = rest % c;
    rest = (rest - t) / c;
    const T = spec.tile[i]!;
    const lo = t * T;
    const hi = Math.min(lo + T, spec.dims[i]!) - 1;
    const s = spec.start[i]!;
    const st = spec.step[i]!;
    const jFirst = Math.max(0, Math.ceil((lo - s) / st));
    const jLast = Math.min(spec.shape[i]! - 1, Math.floor((hi - s) / st));
    extents[i] = hi - lo + 1;
    counts[i] = Math.max(0, jLast - jFirst + 1);
    locals[i] = s + jFirst * st - lo;
    outs[i] = jFirst;
  }
  const tstrides = new Array<number>(n);
  const ostrides = new Array<number>(n);
  let ta = 1;
  let oa = 1;
  for (let i = n - 1; i >= 0; i--) {
    tstrides[i] = ta;
    ostrides[i] = oa;
    ta *= extents[i]!;
    oa *= spec.shape[i]!;
  }
  let srcBase = 0;
  let outBase = 0;
  let count = 1;
  let contiguous = spec.step[0] === 1;
  for (let i = 0; i < n; i++) {
    srcBase += locals[i]! * tstrides[i]!;
    outBase += outs[i]! * ostrides[i]!;
    count *= counts[i]!;
    if (i > 0 && (spec.step[i] !== 1 || locals[i] !== 0 || counts[i] !== extents[i] || spec.shape[i] !== extents[i])) contiguous = false;
  }
  const whole = contiguous && locals[0] === 0 && counts[0] === extents[0];
  // The tile-local index is increasing in every coordinate, so the last selected
  // pixel takes the last selected index on every axis.
  let needed = 1;
  for (let i = 0; i < n; i++) needed += (locals[i]! + (counts[i]! - 1) * spec.step[i]!) * tstrides[i]!;
  return { pixels: ta, needed, extents, srcBase, outBase, contiguous, whole, count, counts, tstrides, ostrides };
}

type NumArray = Uint8Array | Int16Array | Int32Array | Float32Array | Float64Array;
type OutNum = Exclude<ImageArray, BigInt64Array | BigUint64Array>;

/**
 * Copy the selected elements of a decoded tile (`src`, native values) into the
 * output, converting them: raw copy, offset (uint conventions) or scaling.
 */
function place(spec: TileJobSpec, g: Geometry, src: NumArray, out: OutNum, isFloatSrc: boolean): void {
  const s = spec.scaling;
  const n = g.counts.length;
  // A contiguous block is one run; otherwise one run per output row.
  const inner = g.contiguous ? g.count : g.counts[n - 1]!;
  const outer = g.contiguous ? 0 : n - 1;
  const ist = spec.step[n - 1]!;
  const convert = runConverter(s, out instanceof Float32Array, isFloatSrc);
  const idx = new Array<number>(Math.max(0, outer)).fill(0);
  let sp = g.srcBase;
  let op = g.outBase;
  for (;;) {
    if (convert) convert(src, sp, ist, out, op, inner);
    else if (ist === 1) out.set(src.subarray(sp, sp + inner) as never, op); // native conversion (int → int, float → float)
    else for (let k = 0, p = sp; k < inner; k++, p += ist) out[op + k] = src[p]!;
    // Odometer over the outer axes.
    let k = outer - 1;
    while (k >= 0) {
      idx[k]!++;
      sp += spec.step[k]! * g.tstrides[k]!;
      op += g.ostrides[k]!;
      if (idx[k]! < g.counts[k]!) break;
      sp -= g.counts[k]! * spec.step[k]! * g.tstrides[k]!;
      op -= g.counts[k]! * g.ostrides[k]!;
      idx[k] = 0;
      k--;
    }
    if (k < 0) break;
  }
}

type RunConverter = (src: NumArray, sp: number, ist: number, out: OutNum, op: number, count: number) => void;

/** The per-element conversion of a run for this scaling, or null for a plain copy. */
function runConverter(s: PixelScaling, single: boolean, isFloatSrc: boolean): RunConverter | null {
  if (s.mode === 'raw') return null;
  if (s.mode === 'offset') {
    // Unsigned conventions: raw + 2^(n-1), exact, wrapped by the unsigned output array.
    const add = s.dtype === 'uint16' ? 32768 : 2147483648;
    return (src, sp, ist, out, op, count) => {
      for (let k = 0, p = sp; k < count; k++, p += ist) out[op + k] = src[p]! + add;
    };
  }
  const bscale = single ? Math.fround(s.bscale) : s.bscale;
  const bzero = single ? Math.fround(s.bzero) : s.bzero;
  const doScale = s.bscale !== 1;
  const doZero = s.bzero !== 0; // adding 0 would turn -0 into +0
  // BLANK = 0 keeps zero pixels as 0.0 (as for uncompressed images).
  const blank = !isFloatSrc && s.blank !== undefined && Number(s.blank) !== 0 ? Number(s.blank) : NaN;
  if (single) {
    // Every step rounded to float32: f32(f32(raw) * f32(BSCALE)), then + f32(BZERO) rounded by the store.
    return (src, sp, ist, out, op, count) => {
      for (let k = 0, p = sp; k < count; k++, p += ist) {
        const v = src[p]!;
        if (v === blank) out[op + k] = NaN;
        else {
          const x = doScale ? Math.fround(Math.fround(v) * bscale) : Math.fround(v);
          out[op + k] = doZero ? x + bzero : x;
        }
      }
    };
  }
  return (src, sp, ist, out, op, count) => {
    for (let k = 0, p = sp; k < count; k++, p += ist) {
      const v = src[p]!;
      if (v === blank) out[op + k] = NaN;
      else {
        const x = doScale ? v * bscale : v;
        out[op + k] = doZero ? x + bzero : x;
      }
    }
  };
}

/** Place raw big-endian pixel bytes (width `w`) with the image scaling, one output row at a time. */
function placeBytes(spec: TileJobSpec, g: Geometry, bytes: Uint8Array, w: number, out: ImageArray): void {
  if (g.contiguous) {
    convertPixels(bytes.subarray(g.srcBase * w), g.count, out, g.outBase, spec.scaling);
    return;
  }
  const n = g.counts.length;
  const inner = g.counts[n - 1]!;
  const ist = spec.step[n - 1]!;
  const idx = new Array<number>(Math.max(0, n - 1)).fill(0);
  let sp = g.srcBase;
  let op = g.outBase;
  for (;;) {
    convertPixels(bytes.subarray(sp * w), inner, out, op, spec.scaling, ist);
    let k = n - 2;
    while (k >= 0) {
      idx[k]!++;
      sp += spec.step[k]! * g.tstrides[k]!;
      op += g.ostrides[k]!;
      if (idx[k]! < g.counts[k]!) break;
      sp -= g.counts[k]! * spec.step[k]! * g.tstrides[k]!;
      op -= g.counts[k]! * g.ostrides[k]!;
      idx[k] = 0;
      k--;
    }
    if (k < 0) break;
  }
}

const INT_CTORS = { uint8: Uint8Array, int16: Int16Array, int32: Int32Array } as const;

/** Read `n` big-endian int32 from `bytes` into `out`. */
function beInt32(bytes: Uint8Array, out: Int32Array, n: number): void {
  for (let i = 0, b = 0; i < n; i++, b += 4) out[i] = (bytes[b]! << 24) | (bytes[b + 1]! << 16) | (bytes[b + 2]! << 8) | bytes[b + 3]!;
}

/**
 * Decode the tiles `from … to-1` of a tile table into `out`.
 * @param wholeTiles decode every tile entirely, even where the codec could stop
 *   at the last pixel the section needs (the GPU path's CPU check, which must
 *   meet the same corrupt tails as the GPU, which decodes whole tiles).
 * @throws FitsError located at the HDU and the failing tile.
 */
export function decodeTiles(spec: TileJobSpec, tiles: Float64Array, from: number, to: number, staging: Uint8Array, out: ImageArray, codecs: TileCodecs, wholeTiles = false): void {
  for (let r = from; r < to; r++) {
    const index = tiles[r * TILE_FIELDS + F_INDEX]!;
    try {
      decodeOne(spec, tiles, r, index, staging, out, codecs, undefined, wholeTiles);
    } catch (e) {
      throw locate(e, spec.hdu, index);
    }
  }
}

/** Writes a decoded tile into the output now, or not at all (see {@link workTileJob}). */
type Commit = (write: () => void) => void;
const writeNow: Commit = (write) => write();

/**
 * Decode tile record `r` and place it in `out`. Without `commit`, codecs may
 * decode straight into the output; with it, the tile is decoded into scratch
 * and every write to `out` goes through `commit`.
 *
 * A codec that produces pixels in order (`prefix`) decodes only the tile's
 * first `needed` pixels, unless `wholeTiles`: everything after the last pixel
 * the section uses is never decoded, dequantized or converted. Corruption
 * confined to that skipped tail is therefore not detected by such a read.
 */
function decodeOne(spec: TileJobSpec, tiles: Float64Array, r: number, index: number, staging: Uint8Array, out: ImageArray, codecs: TileCodecs, commit?: Commit, wholeTiles = false): void {
  const direct = commit === undefined;
  const emit = commit ?? writeNow;
  const base = r * TILE_FIELDS;
  const source = tiles[base + F_SOURCE]!;
  const off = tiles[base + F_OFFSET]!;
  const len = tiles[base + F_LENGTH]!;
  const src = staging.subarray(off, off + len);
  const g = geometry(spec, index);
  if (g.count === 0) return;
  const s = spec.scaling;
  const rawWidth = Math.abs(spec.zbitpix) / 8;

  if (source !== SRC_CODEC) {
    // Raw big-endian pixels, either gzipped or as they are.
    let raw: Uint8Array;
    if (source === SRC_GZIP) {
      const gz = codecs.decoder('GZIP_1', { ...spec, quantized: false });
      const bytes = (gz.prefix && !wholeTiles ? g.needed : g.pixels) * rawWidth;
      raw = new Uint8Array(scratch(bytes), 0, bytes);
      gz.decode(src, raw as never, index, g.extents);
    } else {
      const bytes = g.pixels * rawWidth;
      if (len !== bytes) throw new FitsError('CORRUPT_DATA', `Uncompressed tile has ${len} bytes, expected ${bytes}.`);
      raw = src;
    }
    emit(() => placeBytes(spec, g, raw, rawWidth, out));
    return;
  }

  const dec = decoderFor(spec, codecs);
  // Pixels to decode: the whole tile, or the prefix the section needs.
  const n = dec.prefix && !wholeTiles ? g.needed : g.pixels;
  if (dec.kind === 'bytes' && !spec.quantized) {
    const bytes = n * dec.width;
    const raw = new Uint8Array(scratch(bytes), 0, bytes);
    dec.decode(src, raw, index, g.extents);
    emit(() => placeBytes(spec, g, raw, dec.width, out));
    return;
  }

  // Integer tiles: decode into native ints.
  let ints: Uint8Array | Int16Array | Int32Array;
  const directInt = direct && dec.kind === 'int' && !spec.quantized && g.whole && s.mode === 'raw' && out.constructor === INT_CTORS[dec.array];
  if (directInt) {
    ints = (out as Int32Array).subarray(g.outBase, g.outBase + g.pixels);
    dec.decode(src, ints, index, g.extents);
    return;
  }
  if (dec.kind === 'int') {
    const C = INT_CTORS[dec.array];
    ints = new C(scratch(n * C.BYTES_PER_ELEMENT), 0, n);
    dec.decode(src, ints, index, g.extents);
  } else {
    // Quantized integers stored as bytes (NOCOMPRESS): 4-byte big-endian.
    const raw = new Uint8Array(scratch(n * 4), 0, n * 4);
    dec.decode(src, raw, index, g.extents);
    ints = new Int32Array(scratch(n * 4, true), 0, n);
    beInt32(raw, ints as Int32Array, n);
  }

  if (!spec.quantized) {
    const decoded = ints;
    emit(() => place(spec, g, decoded, out as OutNum, false));
    return;
  }

  // Quantized floating point: restore the decoded pixels from the tile's first
  // one on (the dither sequence runs from there, so a prefix dequantizes the same).
  let i32: Int32Array;
  if (ints instanceof Int32Array) i32 = ints;
  else {
    i32 = new Int32Array(scratch(n * 4, true), 0, n);
    for (let k = 0; k < n; k++) i32[k] = ints[k]!;
  }
  const zscale = tiles[base + F_ZSCALE]!;
  const zzero = tiles[base + F_ZZERO]!;
  const zb = tiles[base + F_ZBLANK]!;
  const opts = { zscale, zzero, method: spec.method, ditherSeed: spec.ditherSeed, tileIndex: index, zblank: Number.isNaN(zb) ? undefined : zb };
  const F = out instanceof Float64Array ? Float64Array : Float32Array;
  if (direct && g.whole && s.mode === 'raw') {
    dequantize(i32, (out as Float32Array).subarray(g.outBase, g.outBase + g.pixels), opts);
    return;
  }
  const second = i32.buffer !== scratchBuf2;
  const floats = new F(scratch(n * F.BYTES_PER_ELEMENT, second), 0, n);
  dequantize(i32, floats, opts);
  emit(() => place(spec, g, floats, out as OutNum, true));
}

/**
 * A decode shared by several threads through memory. Tiles are claimed in
 * chunks from a shared counter, so the threads balance the load without
 * messages. Each tile is written to the output exactly once, by whoever
 * wins its state: the calling thread decodes straight into the output; a
 * worker decodes into scratch and writes only if the tile is still free.
 * When the calling thread runs out of chunks it takes over the tiles workers
 * have not written yet (a worker that is slow to start, or descheduled on a
 * busy machine, cannot hold the read back), and returns once every tile is
 * written: no worker writes to the output after that.
 */
export interface SharedTileJob {
  spec: TileJobSpec;
  /** Tile records (on a SharedArrayBuffer). */
  tiles: Float64Array;
  /** Number of tiles. */
  ntiles: number;
  /** Compressed bytes (on a SharedArrayBuffer). */
  staging: Uint8Array;
  /** Output (on a SharedArrayBuffer). */
  out: ImageArray;
  /** [next chunk, stop flag], Int32Array on a SharedArrayBuffer. */
  control: Int32Array;
  /** One state per tile record (TILE_*), Int32Array on a SharedArrayBuffer. */
  states: Int32Array;
  /** Tiles per chunk. */
  chunk: number;
}

/** Control slots of a {@link SharedTileJob}. */
export const CONTROL_SLOTS = 2;
/** Tile states: not written yet. */
export const TILE_FREE = 0;
/** Being decoded into the output by the calling thread. */
export const TILE_MAIN = 1;
/** Being written by a worker. */
export const TILE_COMMIT = 2;
/** Written by a worker. */
export const TILE_DONE_WORKER = 3;
/** Written by the calling thread. */
export const TILE_DONE_MAIN = 4;

/**
 * Worker side: decode claimed chunks; write each tile only if it is still
 * free. Returns the number of tiles written. Stops at the first error (the
 * calling thread will meet the same tile and report it).
 */
export function workTileJob(job: SharedTileJob, codecs: TileCodecs): number {
  const { control, states, chunk, ntiles, spec, tiles, staging, out } = job;
  let written = 0;
  for (;;) {
    if (Atomics.load(control, 1) !== 0) return written;
    const from = Atomics.add(control, 0, 1) * chunk;
    if (from >= ntiles) return written;
    const to = Math.min(ntiles, from + chunk);
    for (let r = from; r < to; r++) {
      if (Atomics.load(states, r) !== TILE_FREE) continue;
      const index = tiles[r * TILE_FIELDS + F_INDEX]!;
      try {
        decodeOne(spec, tiles, r, index, staging, out, codecs, (write) => {
          if (Atomics.compareExchange(states, r, TILE_FREE, TILE_COMMIT) !== TILE_FREE) return;
          try {
            write();
          } finally {
            Atomics.store(states, r, TILE_DONE_WORKER);
            Atomics.notify(states, r);
          }
          written++;
        });
      } catch (e) {
        throw locate(e, spec.hdu, index);
      }
    }
  }
}

function decodeMine(job: SharedTileJob, r: number, codecs: TileCodecs): boolean {
  if (Atomics.compareExchange(job.states, r, TILE_FREE, TILE_MAIN) !== TILE_FREE) return false;
  const index = job.tiles[r * TILE_FIELDS + F_INDEX]!;
  try {
    decodeOne(job.spec, job.tiles, r, index, job.staging, job.out, codecs);
  } catch (e) {
    Atomics.store(job.control, 1, 1); // stop the workers
    throw locate(e, job.spec.hdu, index);
  }
  Atomics.store(job.states, r, TILE_DONE_MAIN);
  return true;
}

/**
 * Calling-thread side: decode claimed chunks, then every tile no worker has
 * started writing. Returns the tile records still being written by workers
 * (wait for them with {@link tilesCommitted}).
 * @throws FitsError at the first corrupt tile (and tells the workers to stop).
 */
export function leadTileJob(job: SharedTileJob, codecs: TileCodecs): number[] {
  const { control, chunk, ntiles, states } = job;
  for (;;) {
    const from = Atomics.add(control, 0, 1) * chunk;
    if (from >= ntiles) break;
    const to = Math.min(ntiles, from + chunk);
    for (let r = from; r < to; r++) decodeMine(job, r, codecs);
  }
  Atomics.store(control, 1, 1); // every chunk is claimed: workers finish the tile they are on and stop
  // Take over what the workers have not written, from the end (they work forwards).
  const pending: number[] = [];
  for (let r = ntiles - 1; r >= 0; r--) {
    if (decodeMine(job, r, codecs)) continue;
    const st = Atomics.load(states, r);
    if (st === TILE_COMMIT) pending.push(r);
  }
  return pending;
}
