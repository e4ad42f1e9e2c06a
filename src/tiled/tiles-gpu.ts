/**
 * Decoding a tile-compressed image on the GPU: the GPU twin of
 * tile-decode.ts `decodeTiles`, taking the same job (spec, tile records,
 * staged compressed bytes).
 *
 * Per tile:
 *  - RICE_1 (BYTEPIX 1, 2, 4) and PLIO_1 tiles are decoded by WGSL kernels
 *    (rice.wgsl.ts, plio.wgsl.ts), one invocation per tile;
 *  - HCOMPRESS_1 tiles are decoded by hcompress.wgsl.ts, one invocation per
 *    tile, with per-tile scratch in a storage buffer (dispatched in batches
 *    that fit the device's binding limit). A tile whose scratch alone exceeds
 *    it, or whose values the kernel cannot prove the CPU computes exactly
 *    (HC_USE_CPU), is decoded by hcompress.ts instead, and uploaded;
 *  - GZIP_1 / GZIP_2 tiles and GZIP_COMPRESSED_DATA tiles are inflated by
 *    inflate.wgsl.ts (GZIP_2's byte planes are read in place by the
 *    placement kernel); a stream the GPU inflater does not vouch for is
 *    inflated by the CPU inflater instead, and uploaded;
 *  - tiles of other codecs (NOCOMPRESS, codecs registered at run time) are
 *    decoded on the CPU by the same functions as the CPU path, and their
 *    integers / raw bytes uploaded;
 *  - UNCOMPRESSED_DATA tiles are read by the GPU straight from the staged bytes.
 * Then one kernel (tile-decode.wgsl.ts) places every selected pixel in the
 * output: section geometry, sign offsets, BSCALE/BZERO/BLANK and
 * dequantization (with CFITSIO's dither sequence) in exact emulated binary64.
 *
 * Errors: when a GPU codec reports a corrupt tile, or a CPU-side decode throws,
 * the whole job is re-run by the CPU's decodeTiles, which throws exactly the
 * error the CPU path throws (same tile, same message). If the CPU then
 * succeeds, GPU and CPU disagree: FitsError('GPU'), never a wrong image.
 */
/// <reference types="@webgpu/types" preserve="true" />
import { FitsError } from '../core/errors.js';
import { ARRAY_CTOR, BYTES_PER, rawDType, type ImageArray, type PixelScaling } from '../image/pixel-type.js';
import { convertInvocations, f64Words, scalingWords } from '../image/convert.wgsl.js';
import { allTileCodecs } from '../codecs/registry-all.js';
import type { Inflater } from '../core/runtime.js';
import { cfitsioRandoms, ditherOffset, N_RANDOM } from '../codecs/quantize/dequantize.js';
import { decodeTiles, F_INDEX, F_LENGTH, F_OFFSET, F_SOURCE, F_ZBLANK, F_ZSCALE, F_ZZERO, SRC_GZIP, SRC_RAW, TILE_FIELDS, type TileJobSpec } from './tile-decode.js';
import { riceKernelWgsl, RICE_BINDINGS } from '../codecs/rice/decode.wgsl.js';
import { PLIO_BINDINGS, PLIO_WGSL } from '../codecs/plio/decode.wgsl.js';
import { HC_OK, HC_USE_CPU, HCOMPRESS_BINDINGS, HCOMPRESS_JOB_WORDS, HCOMPRESS_WGSL, hcompressScratchWords } from '../codecs/hcompress/decode.wgsl.js';
import { AXIS_WORDS, KIND_BE_INT32, KIND_INTS, KIND_RAW, META_HEADER, PLACE_BINDINGS, placeKernelWgsl, RECORD_WORDS } from './tile-decode.wgsl.js';
import { INFLATE_BINDINGS, INFLATE_WGSL } from '../codecs/gzip/inflate.wgsl.js';
import { gzip1Decode } from '../codecs/gzip/decode.js';
import { U } from '../gpu/constants.js';
import type { GpuContext } from '../gpu/device.js';
import { readBack, runPasses, wordsBuffer, type KernelPass } from '../gpu/dispatch.js';

/** A decode job, as tile-decode.ts takes it. */
export interface GpuTileJob {
  spec: TileJobSpec;
  /** Tile records, {@link TILE_FIELDS} per tile. */
  tiles: Float64Array;
  ntiles: number;
  /** The tiles' compressed bytes. */
  staging: Uint8Array;
  /** The inflater of tiles decoded on the CPU (GZIP tiles the GPU inflater hands back). */
  inflate: Inflater;
}

/** What ran where, for one job. */
export interface TileDecodeReport {
  /** Tiles decoded by a WGSL codec. */
  gpuTiles: number;
  /** Tiles decoded on the CPU (codec without a kernel, or GZIP_COMPRESSED_DATA), then placed on the GPU. */
  cpuTiles: number;
  /** Uncompressed tiles, read directly by the placement kernel. */
  rawTiles: number;
}

/** Rice bit positions are u32: the staged bytes must stay below 2^29 bytes. */
const MAX_STAGED_BYTES = 2 ** 29 - 64;

const randomTables = new WeakMap<GpuContext, GPUBuffer>();

function randomTable(ctx: GpuContext): GPUBuffer {
  let b = randomTables.get(ctx);
  if (!b) {
    const r = cfitsioRandoms();
    b = ctx.device.createBuffer({ size: N_RANDOM * 4, usage: U.STORAGE | U.COPY_DST, label: 'fitsflow dither table' });
    ctx.device.queue.writeBuffer(b, 0, new Uint32Array(r.buffer as ArrayBuffer, r.byteOffset, N_RANDOM));
    randomTables.set(ctx, b);
  }
  return b;
}

/** Why this job cannot run on this device ('' when it can). */
export function gpuTileJobProblem(ctx: GpuContext, job: GpuTileJob): string {
  const { spec } = job;
  const outBytes = job.spec.shape.reduce((a, b) => a * b, 1) * BYTES_PER[spec.scaling.dtype];
  if (outBytes > ctx.maxBinding) return `the output (${outBytes} bytes) exceeds the device's binding limit (${ctx.maxBinding})`;
  if (job.staging.length > Math.min(MAX_STAGED_BYTES, ctx.maxBinding - 64)) return 'the compressed bytes exceed what one GPU dispatch can address';
  if (spec.dims.length > 16) return 'more than 16 axes';
  if (spec.dims.reduce((a, b) => a * b, 1) > 2 ** 32 - 1) return 'more than 2^32 pixels';
  return '';
}

const isRice = (codec: string) => codec === 'RICE_1' || codec === 'RICE_ONE';

/** Scratch limits of the HCOMPRESS_1 kernel (mutable, for tests and tuning). */
export const HCOMPRESS_GPU_LIMITS = {
  /** Scratch bytes one dispatch aims at: tiles are batched up to this (a bigger tile gets a batch of its own). */
  batchBytes: 64 << 20,
  /** Largest scratch for one tile; beyond it (or the device's binding limit) the tile is decoded on the CPU. */
  tileBytes: 256 << 20,
};

/** Whether the CPU path has a decoder for these parameters (else it raises the error, and so does this path). */
function hasTileDecoder(codec: string, spec: TileJobSpec, inflate: Inflater): boolean {
  try {
    allTileCodecs(inflate).decoder(codec, spec);
    return true;
  } catch {
    return false;
  }
}

/** HCOMPRESS_1 tiles sent to the GPU kernel. */
interface HcompressTiles {
  /** {@link HCOMPRESS_JOB_WORDS} words per tile (the scratch index is per batch). */
  jobs: number[];
  tiles: { index: number; off: number; len: number; extents: number[]; base: number; pixels: number }[];
  /** Consecutive jobs sharing the scratch buffer, one dispatch each. */
  batches: { first: number; count: number }[];
  /** Scratch words of the largest batch. */
  scratchWords: number;
}

/** Assign each tile its scratch within a batch of at most `HCOMPRESS_GPU_LIMITS.batchBytes` (or one tile). */
function batchHcompress(hc: HcompressTiles): void {
  let words = 0;
  hc.tiles.forEach((t, j) => {
    const w = hcompressScratchWords(t.pixels, t.extents[t.extents.length - 1]!);
    if (hc.batches.length === 0 || (words + w) * 4 > HCOMPRESS_GPU_LIMITS.batchBytes) {
      hc.batches.push({ first: j, count: 0 });
      words = 0;
    }
    hc.jobs[j * HCOMPRESS_JOB_WORDS + 5] = words;
    words += w;
    hc.batches[hc.batches.length - 1]!.count++;
    hc.scratchWords = Math.max(hc.scratchWords, words);
  });
}

/**
 * Decode the HCOMPRESS_1 tiles into `bufInts` with the WGSL kernel; tiles it
 * does not vouch for (HC_USE_CPU) are decoded by hcompress.ts and uploaded,
 * and a corrupt tile re-runs the CPU decoder for its exact error.
 */
async function runHcompress(ctx: GpuContext, job: GpuTileJob, hc: HcompressTiles, bufRaw: GPUBuffer, bufInts: GPUBuffer, report: TileDecodeReport): Promise<void> {
  const { pool, device } = ctx;
  const njobs = hc.tiles.length;
  const bufJobs = pool.upload(Uint32Array.from(hc.jobs));
  const bufStatus = pool.acquire(njobs * 4, U.STORAGE | U.COPY_SRC);
  const bufScratch = pool.acquire(Math.max(16, hc.scratchWords * 4), U.STORAGE);
  const params = hc.batches.map((b) => wordsBuffer(ctx, [b.first, b.count, job.spec.smooth ? 1 : 0]));
  try {
    const pipeline = await ctx.pipelines.get(HCOMPRESS_WGSL, 'main', {}, HCOMPRESS_BINDINGS);
    // Batches run one after another (each dispatch sees the previous one's writes), sharing the scratch.
    const passes: KernelPass[] = hc.batches.map((b, k) => ({ pipeline, buffers: [bufRaw, bufInts, bufJobs, bufStatus, params[k]!, bufScratch], invocations: b.count }));
    await runPasses(ctx, passes);
    const st = await readBack(ctx, bufStatus, njobs * 4);
    const status = new Uint32Array(st.buffer, st.byteOffset, njobs);
    if (status.some((x) => x !== HC_OK && x !== HC_USE_CPU)) cpuError(job, 'a corrupt tile');
    const dec = allTileCodecs(job.inflate).decoder(job.spec.codec, job.spec);
    for (let j = 0; j < njobs; j++) {
      if (status[j] === HC_OK) continue;
      const t = hc.tiles[j]!;
      const values = new Int32Array(t.pixels);
      try {
        if (dec.kind !== 'int') throw new Error('not an integer codec');
        dec.decode(job.staging.subarray(t.off, t.off + t.len), values, t.index, t.extents);
      } catch {
        cpuError(job, 'a tile it cannot vouch for');
      }
      device.queue.writeBuffer(bufInts, t.base * 4, values);
      report.gpuTiles--;
      report.cpuTiles++;
    }
  } finally {
    for (const b of [bufJobs, bufStatus, bufScratch, ...params]) pool.release(b);
  }
}

/** Tile extents (C order) of tile `index`. */
function tileExtents(spec: TileJobSpec, index: number): { extents: number[]; coords: number[]; pixels: number } {
  const n = spec.dims.length;
  const extents = new Array<number>(n);
  const coords = new Array<number>(n);
  let rest = index;
  let pixels = 1;
  for (let i = n - 1; i >= 0; i--) {
    const c = spec.counts[i]!;
    const t = rest % c;
    rest = (rest - t) / c;
    const T = spec.tile[i]!;
    coords[i] = t;
    extents[i] = Math.min(T, spec.dims[i]! - t * T);
    pixels *= extents[i]!;
  }
  return { extents, coords, pixels };
}

/** Whether the section selects any pixel of the tile at these tile coordinates. */
function intersects(spec: TileJobSpec, coords: number[]): boolean {
  for (let i = 0; i < coords.length; i++) {
    const T = spec.tile[i]!;
    const lo = coords[i]! * T;
    const hi = Math.min(lo + T, spec.dims[i]!) - 1;
    const s = spec.start[i]!;
    const st = spec.step[i]!;
    const jFirst = Math.max(0, Math.ceil((lo - s) / st));
    const jLast = Math.min(spec.shape[i]! - 1, Math.floor((hi - s) / st));
    if (jLast < jFirst) return false;
  }
  return true;
}

/** Run the CPU decoder on the job to obtain its exact error. */
function cpuError(job: GpuTileJob, why: string): never {
  const { spec } = job;
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const scratch = new ARRAY_CTOR[spec.scaling.dtype](new ArrayBuffer(count * BYTES_PER[spec.scaling.dtype]), 0, count);
  // Whole tiles, as the GPU decodes them: a corrupt tail the GPU met must fail here too.
  decodeTiles(spec, job.tiles, 0, job.ntiles, job.staging, scratch, allTileCodecs(job.inflate), true);
  throw new FitsError('GPU', `The GPU decoder reported ${why}, but the CPU decodes the image: GPU and CPU disagree (a bug; please report it).`, { hdu: spec.hdu });
}

/** The place() scaling words (BLANK compared with decoded integers) for the meta header. */
function placeScalingWords(s: PixelScaling): number[] {
  const single = s.dtype === 'float32';
  const f = single ? Math.fround : (x: number) => x;
  const blankNum = s.blank !== undefined ? Number(s.blank) : NaN;
  const useBlank = s.mode === 'scale' && Number.isInteger(blankNum) && blankNum !== 0 && blankNum >= -(2 ** 31) && blankNum < 2 ** 31;
  const flags = (s.mode === 'scale' && s.bscale !== 1 ? 1 : 0) | (s.mode === 'scale' && s.bzero !== 0 ? 2 : 0) | (useBlank ? 4 : 0);
  return [...f64Words(f(s.bscale)), ...f64Words(f(s.bzero)), useBlank ? blankNum >>> 0 : 0, 0, flags];
}

/**
 * Decode and place a job on the GPU. Writes into `sink.out` (read back) or
 * into `sink.target` (a GPU buffer of at least the output's bytes, rounded up to 4).
 */
export async function decodeTilesGpu(ctx: GpuContext, job: GpuTileJob, sink: { out?: ImageArray; target?: GPUBuffer }): Promise<TileDecodeReport> {
  const { spec, tiles, ntiles, staging } = job;
  const s = spec.scaling;
  const n = spec.dims.length;
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const outWidth = BYTES_PER[s.dtype];
  const report: TileDecodeReport = { gpuTiles: 0, cpuTiles: 0, rawTiles: 0 };
  if (count === 0 || ntiles === 0) return report;
  const problem = gpuTileJobProblem(ctx, job);
  if (problem) throw new FitsError('GPU', `This read cannot run on the GPU: ${problem}.`, { hdu: spec.hdu });

  const codec = spec.codec.trim().toUpperCase();
  // PLIO tiles of unsigned 16-bit data (an offset to subtract) are decoded on the CPU.
  const gpuCodec = isRice(codec) || (codec === 'PLIO_1' && !spec.plioOffset);
  const gzipCodec = codec === 'GZIP_1' || codec === 'GZIP_2';
  const hcompressCodec = codec === 'HCOMPRESS_1' && hasTileDecoder(codec, spec, job.inflate);
  const hcTileBytes = Math.min(HCOMPRESS_GPU_LIMITS.tileBytes, ctx.maxBinding);
  const hc: HcompressTiles = { jobs: [], tiles: [], batches: [], scratchWords: 0 };
  const rawWidth = Math.abs(spec.zbitpix) / 8;
  const raw = rawDType(spec.zbitpix);
  const quantized = spec.quantized;
  const dither = quantized && spec.method !== 'NO_DITHER';

  // The section's box of tiles, per axis.
  const boxFirst = new Array<number>(n);
  const boxCount = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const T = spec.tile[i]!;
    const first = Math.floor(spec.start[i]! / T);
    const last = Math.floor((spec.start[i]! + (spec.shape[i]! - 1) * spec.step[i]!) / T);
    boxFirst[i] = first;
    boxCount[i] = last - first + 1;
  }
  const boxSize = boxCount.reduce((a, b) => a * b, 1);
  const slotMap = new Uint32Array(boxSize).fill(0xffffffff);

  const records = new Uint32Array(ntiles * RECORD_WORDS);
  const segments: number[] = [];
  const codecJobs: number[] = []; // byte offset, length, ints base, pixels
  const inflateJobs: number[] = []; // byte offset, length, output byte address, expected bytes
  const inflateSources: { off: number; len: number; bytes: number; at: number }[] = [];
  const cpuInts: { base: number; values: Int32Array }[] = [];
  const extraBytes: Uint8Array[] = [];
  // raw_bytes: the staging bytes, padding, then CPU-decoded raw tiles, then GPU inflate outputs (4-byte aligned).
  let extraLength = 0;
  const stagedLength = Math.ceil((staging.length + 8) / 4) * 4;
  let intPixels = 0;
  let intTiles = false;
  let byteTiles = false;
  let firstError: unknown;
  const pendingRegions: { rec: number; bytes: number }[] = [];

  for (let r = 0; r < ntiles && firstError === undefined; r++) {
    const b = r * TILE_FIELDS;
    const index = tiles[b + F_INDEX]!;
    const source = tiles[b + F_SOURCE]!;
    const off = tiles[b + F_OFFSET]!;
    const len = tiles[b + F_LENGTH]!;
    const { extents, coords, pixels } = tileExtents(spec, index);
    // As tile-decode.ts: a tile with no selected pixel is not decoded at all.
    if (!intersects(spec, coords)) continue;
    let box = 0;
    for (let i = 0; i < n; i++) box = box * boxCount[i]! + (coords[i]! - boxFirst[i]!);
    slotMap[box] = r;
    const rec = r * RECORD_WORDS;
    const asInts = (values: Int32Array | null) => {
      records[rec] = KIND_INTS;
      records[rec + 1] = intPixels;
      if (values) cpuInts.push({ base: intPixels, values });
      intPixels += pixels;
      intTiles = true;
    };
    const asBytes = (addr: number) => {
      records[rec] = KIND_RAW;
      records[rec + 1] = addr;
      byteTiles = true;
    };
    /** A GPU inflate job whose output (`bytes` bytes) the record reads as `kind`, byte-shuffled when `shuffled`. */
    const inflate = (kind: number, bytes: number, shuffled: boolean) => {
      records[rec] = kind;
      records[rec + 10] = shuffled ? pixels : 0;
      if (kind === KIND_RAW) byteTiles = true;
      else intTiles = true;
      inflateJobs.push(off, len, 0, bytes);
      inflateSources.push({ off, len, bytes, at: 0 });
      pendingRegions.push({ rec, bytes });
      report.gpuTiles++;
    };
    try {
      if (source === SRC_RAW) {
        if (len !== pixels * rawWidth) throw new FitsError('CORRUPT_DATA', `Uncompressed tile has ${len} bytes, expected ${pixels * rawWidth}.`);
        asBytes(off);
        report.rawTiles++;
      } else if (source === SRC_GZIP) {
        // GZIP_COMPRESSED_DATA: GZIP_1 layout of the raw pixels.
        inflate(KIND_RAW, pixels * rawWidth, false);
      } else if (gpuCodec) {
        codecJobs.push(off, len, intPixels, pixels);
        asInts(null);
        report.gpuTiles++;
      } else if (hcompressCodec && hcompressScratchWords(pixels, extents[n - 1]!) * 4 <= hcTileBytes) {
        hc.jobs.push(off, len, intPixels, pixels, extents[n - 1]!, 0);
        hc.tiles.push({ index, off, len, extents, base: intPixels, pixels });
        asInts(null);
        report.gpuTiles++;
      } else if (gzipCodec) {
        const shuffle = codec === 'GZIP_2';
        if (quantized) inflate(KIND_BE_INT32, pixels * 4, shuffle);
        else inflate(KIND_RAW, pixels * rawWidth, shuffle && rawWidth > 1);
      } else {
        const dec = allTileCodecs(job.inflate).decoder(codec, spec);
        const src = staging.subarray(off, off + len);
        if (dec.kind === 'int') {
          const C = dec.array === 'uint8' ? Uint8Array : dec.array === 'int16' ? Int16Array : Int32Array;
          const a = new C(pixels);
          dec.decode(src, a, index, extents);
          asInts(a instanceof Int32Array ? a : Int32Array.from(a));
        } else if (!quantized) {
          const bytes = new Uint8Array(pixels * dec.width);
          dec.decode(src, bytes, index);
          asBytes(stagedLength + extraLength);
          extraBytes.push(bytes);
          extraLength += Math.ceil(bytes.length / 4) * 4;
        } else {
          // Quantized integers stored as bytes (NOCOMPRESS): 4-byte big-endian.
          const bytes = new Uint8Array(pixels * 4);
          dec.decode(src, bytes, index);
          const dv = new DataView(bytes.buffer);
          const a = new Int32Array(pixels);
          for (let k = 0; k < pixels; k++) a[k] = dv.getInt32(4 * k);
          asInts(a);
        }
        report.cpuTiles++;
      }
      if (quantized && records[rec] !== KIND_RAW) {
        const zscale = tiles[b + F_ZSCALE]!;
        const zzero = tiles[b + F_ZZERO]!;
        const zb = tiles[b + F_ZBLANK]!;
        records.set([...f64Words(zscale), ...f64Words(zzero)], rec + 2);
        // The CPU compares the int32 value with ZBLANK as numbers: only an int32 can match.
        const hasBlank = !Number.isNaN(zb) && Number.isInteger(zb) && zb >= -(2 ** 31) && zb < 2 ** 31;
        records[rec + 6] = hasBlank ? 1 : 0;
        records[rec + 7] = hasBlank ? zb >>> 0 : 0;
        if (dither) {
          records[rec + 8] = segments.length / 2;
          let k = 0;
          let j = 0;
          let segs = 0;
          while (k < pixels) {
            const next = ditherOffset(spec.ditherSeed, index + j);
            segments.push(k, next);
            k += N_RANDOM - next;
            j++;
            segs++;
          }
          records[rec + 9] = segs;
        }
      }
    } catch (e) {
      firstError = e;
    }
  }
  if (firstError !== undefined) cpuError(job, 'nothing'); // throws the CPU's error for the first failing tile
  batchHcompress(hc);

  // Inflate outputs go after the CPU-decoded bytes.
  let regionAt = stagedLength + extraLength;
  pendingRegions.forEach((p, k) => {
    records[p.rec + 1] = regionAt;
    inflateJobs[4 * k + 2] = regionAt;
    inflateSources[k]!.at = regionAt;
    regionAt += Math.ceil(p.bytes / 4) * 4;
  });
  if (regionAt + 8 > Math.min(MAX_STAGED_BYTES, ctx.maxBinding)) {
    throw new FitsError('GPU', 'The decoded tile bytes exceed what one GPU dispatch can address.', { hdu: spec.hdu });
  }

  // Buffers.
  const { pool, device } = ctx;
  const rawAll = new Uint8Array(regionAt + 8);
  rawAll.set(staging);
  let at = stagedLength;
  for (const x of extraBytes) {
    rawAll.set(x, at);
    at += Math.ceil(x.length / 4) * 4;
  }
  const header = new Uint32Array(META_HEADER);
  const geoAt = META_HEADER;
  const segAt = geoAt + n * AXIS_WORDS;
  const slotAt = segAt + segments.length;
  const recAt = slotAt + boxSize;
  const meta = new Uint32Array(recAt + records.length);
  header.set([count, n, geoAt, segAt, slotAt, recAt]);
  header.set(placeScalingWords(s), 6);
  meta.set(header);
  for (let i = 0; i < n; i++) {
    meta.set([spec.shape[i]!, spec.start[i]!, spec.step[i]!, spec.tile[i]!, spec.dims[i]!, boxFirst[i]!, boxCount[i]!], geoAt + i * AXIS_WORDS);
  }
  meta.set(segments, segAt);
  meta.set(slotMap, slotAt);
  meta.set(records, recAt);

  const bufRaw = pool.upload(rawAll);
  const bufInts = pool.acquire(Math.max(16, intPixels * 4), U.STORAGE | U.COPY_DST);
  for (const c of cpuInts) device.queue.writeBuffer(bufInts, c.base * 4, c.values as Int32Array<ArrayBuffer>);
  const bufMeta = pool.upload(meta);
  const bufScal = wordsBuffer(ctx, scalingWords(s, raw));
  const outBytes = count * outWidth;
  const dst = sink.target ?? pool.acquire(outBytes, U.STORAGE | U.COPY_SRC);
  const njobs = codecJobs.length / 4;
  const bufJobs = njobs ? pool.upload(Uint32Array.from(codecJobs)) : null;
  const bufStatus = njobs ? pool.acquire(njobs * 4, U.STORAGE | U.COPY_SRC) : null;
  const bufParams = wordsBuffer(ctx, [njobs, spec.blocksize]);
  const nInflate = inflateJobs.length / 4;
  const bufInflateJobs = nInflate ? pool.upload(Uint32Array.from(inflateJobs)) : null;
  const bufInflateStatus = nInflate ? pool.acquire(nInflate * 4, U.STORAGE | U.COPY_SRC) : null;
  const bufInflateParams = nInflate ? wordsBuffer(ctx, [nInflate]) : null;
  try {
    const passes: KernelPass[] = [];
    if (njobs) {
      const codecPipeline = isRice(codec)
        ? await ctx.pipelines.get(riceKernelWgsl(spec.bytepix as 1 | 2 | 4), 'main', {}, RICE_BINDINGS)
        : await ctx.pipelines.get(PLIO_WGSL, 'main', {}, PLIO_BINDINGS);
      passes.push({ pipeline: codecPipeline, buffers: [bufRaw, bufInts, bufJobs, bufStatus, bufParams], invocations: njobs });
    }
    if (hc.tiles.length) await runHcompress(ctx, job, hc, bufRaw, bufInts, report);
    if (nInflate) {
      const inflatePipeline = await ctx.pipelines.get(INFLATE_WGSL, 'main', {}, INFLATE_BINDINGS);
      passes.push({ pipeline: inflatePipeline, buffers: [bufRaw, bufInflateJobs, bufInflateStatus, bufInflateParams], invocations: nInflate });
      // Tiles the GPU inflater would not vouch for are inflated by the CPU inflater, then placed like the others.
      await runPasses(ctx, passes.splice(0));
      const st = await readBack(ctx, bufInflateStatus!, nInflate * 4);
      const status = new Uint32Array(st.buffer, st.byteOffset, nInflate);
      for (let k = 0; k < nInflate; k++) {
        if (status[k] === 0) continue;
        const t = inflateSources[k]!;
        const bytes = new Uint8Array(Math.ceil(t.bytes / 4) * 4);
        try {
          gzip1Decode(staging.subarray(t.off, t.off + t.len), bytes.subarray(0, t.bytes), undefined, job.inflate);
        } catch {
          cpuError(job, 'nothing');
        }
        device.queue.writeBuffer(bufRaw, t.at, bytes);
        report.gpuTiles--;
        report.cpuTiles++;
      }
    }
    const place = await ctx.pipelines.get(
      placeKernelWgsl({ out: s.dtype, mode: s.mode, intTiles, byteTiles, raw, quant: quantized ? spec.method : 'none' }),
      'main',
      {},
      PLACE_BINDINGS,
    );
    passes.push({ pipeline: place, buffers: [bufRaw, bufInts, dst, bufMeta, randomTable(ctx), bufScal], invocations: convertInvocations(count, outWidth) });
    await runPasses(ctx, passes);
    if (bufStatus) {
      const st = await readBack(ctx, bufStatus, njobs * 4);
      const status = new Uint32Array(st.buffer, st.byteOffset, njobs);
      if (status.some((x) => x !== 0)) cpuError(job, 'a corrupt tile');
    }
    if (sink.out) {
      const out = sink.out;
      await readBack(ctx, dst, outBytes, 0, new Uint8Array(out.buffer, out.byteOffset, outBytes));
    }
    return report;
  } finally {
    for (const b of [bufRaw, bufInts, bufMeta, bufScal, bufJobs, bufStatus, bufParams, bufInflateJobs, bufInflateStatus, bufInflateParams]) pool.release(b);
    if (!sink.target) pool.release(dst);
  }
}
