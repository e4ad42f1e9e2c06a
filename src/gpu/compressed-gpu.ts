/**
 * `hdu.readImage({ gpu })` for tile-compressed images.
 *
 * Installed as the compressed-image reader (hdu.ts `hduReaders`, the hook
 * meant for a GPU decoder): without a `gpu` option (or with `gpu: false`) it is
 * exactly the built-in reader of tiled-image.ts; with `gpu: true` or `'auto'`
 * the planner decides, and a GPU read plans the tiles and stages their bytes
 * like tiled-image.ts (same table rows, same heap ranges), then decodes with
 * {@link decodeTilesGpu}. Any GPU failure (device lost, out of memory, a
 * kernel error) falls back to the CPU reader with a `fallback` event.
 */
import { FitsError } from '../errors.js';
import type { CompressedImageReader, HduContext } from '../hdu/hdu.js';
import type { ByteSource } from '../io/byte-source.js';
import { ARRAY_CTOR, BYTES_PER, type ImageArray } from '../image/pixel-type.js';
import type { ImageData } from '../image/read-image.js';
import { resolveSection, type ResolvedSection } from '../image/section.js';
import { allocateBuffer } from '../util/buffers.js';
import { tileDecoder } from '../decompress/codec-registry.js';
import type { QuantizeMethod } from '../decompress/quantize.js';
import { compressedImageInfo, compressedImageSummary, readCompressedImage, type CompressedImageInfo, type CompressedReadOptions } from '../decompress/tiled-image.js';
import { F_INDEX, F_LENGTH, F_OFFSET, F_SOURCE, F_ZBLANK, F_ZSCALE, F_ZZERO, SRC_CODEC, SRC_GZIP, SRC_RAW, TILE_FIELDS, type TileJobSpec } from '../decompress/tile-decode.js';
import { checkTilePixels, tilesForSection, type TilePlacement } from '../decompress/tile-grid.js';
import { readTileRows } from '../decompress/tile-table.js';
import { U } from './constants.js';
import { emitGpuEvent, requireGpu, type GpuChoice, type GpuContext } from './device.js';
import { isGpuLost } from './dispatch.js';
import type { GpuImage } from './image-gpu.js';
import { AUTO_THRESHOLDS, GPU_CODECS, plan } from './planner.js';
import { decodeTilesGpu, gpuTileJobProblem, type GpuTileJob, type TileDecodeReport } from './tiles-gpu.js';

/** `readImage` options with the GPU choice. */
export interface GpuCompressedReadOptions extends CompressedReadOptions {
  /** Decode on the GPU (`true`), the CPU (`false`, default), or where the planner expects the GPU to win (`'auto'`). */
  gpu?: GpuChoice;
}

function readSyncOf(source: ByteSource): ((offset: number, length: number, into?: Uint8Array) => Uint8Array) | undefined {
  const s = source as ByteSource & { readSync?: (o: number, l: number, into?: Uint8Array) => Uint8Array };
  return typeof s.readSync === 'function' ? s.readSync.bind(s) : undefined;
}

async function readAll(source: ByteSource, jobs: { offset: number; into: Uint8Array }[], hdu: number): Promise<void> {
  const sync = readSyncOf(source);
  const check = (got: Uint8Array, j: { offset: number; into: Uint8Array }) => {
    if (got.length !== j.into.length) {
      throw new FitsError('TRUNCATED', `The file ends inside the compressed image data (wanted ${j.into.length} bytes at ${j.offset}, got ${got.length}).`, { hdu, offset: j.offset });
    }
    if (got !== j.into && got.buffer !== j.into.buffer) j.into.set(got);
  };
  if (sync) {
    for (const j of jobs) check(sync(j.offset, j.into.length, j.into), j);
    return;
  }
  for (let i = 0; i < jobs.length; i += 64) {
    const batch = jobs.slice(i, i + 64);
    const got = await Promise.all(batch.map((j) => source.read(j.offset, j.into.length, j.into)));
    got.forEach((g, k) => check(g, batch[k]!));
  }
}

function quantizeMethodOf(info: CompressedImageInfo, hdu: number): QuantizeMethod {
  switch (info.quantizeMethod) {
    case 'NO_DITHER':
    case 'NONE':
      return 'NO_DITHER';
    case 'SUBTRACTIVE_DITHER_1':
    case 'SUBTRACTIVE_DITHER_2':
      return info.quantizeMethod;
    default:
      throw new FitsError('UNSUPPORTED', `ZQUANTIZ = '${info.quantizeMethod}' is not a known quantization method.`, { hdu });
  }
}

function jobSpec(info: CompressedImageInfo, sec: ResolvedSection, hdu: number): TileJobSpec {
  return {
    hdu,
    codec: info.codec,
    zbitpix: info.zbitpix,
    bytepix: info.bytepix,
    blocksize: info.blocksize,
    smooth: info.smooth,
    quantized: info.quantized,
    method: info.quantized ? quantizeMethodOf(info, hdu) : 'NO_DITHER',
    ditherSeed: info.ditherSeed,
    scaling: info.scaling,
    dims: info.dims,
    tile: [...info.grid.tile],
    counts: [...info.grid.counts],
    start: sec.start,
    shape: sec.shape,
    step: sec.step,
  };
}

/**
 * Read the table rows and heap bytes of the placements, as tiled-image.ts
 * does (the same rows, the same merged byte ranges, the same tile records).
 */
async function stageTiles(ctx: HduContext, info: CompressedImageInfo, placements: TilePlacement[]): Promise<{ tiles: Float64Array; staging: Uint8Array }> {
  const hdu = ctx.index;
  const { table } = info;
  const rowRuns: { first: number; count: number }[] = [];
  for (const p of placements) {
    const last = rowRuns[rowRuns.length - 1];
    if (last && last.first + last.count === p.index) last.count++;
    else rowRuns.push({ first: p.index, count: 1 });
  }
  const ntiles = placements.length;
  const tiles = new Float64Array(ntiles * TILE_FIELDS);
  const fileOffsets = new Float64Array(ntiles);
  const num = (a: ArrayLike<number | bigint> | undefined, k: number) => (a === undefined ? undefined : Number(a[k]));
  let r = 0;
  for (const run of rowRuns) {
    const rows = await readTileRows(ctx, table, run.first, run.count);
    const { compressed, gzip, uncompressed } = rows.ranges;
    for (let k = 0; k < run.count; k++, r++) {
      const index = run.first + k;
      const b = r * TILE_FIELDS;
      let src: number;
      let at: number;
      let len: number;
      if (compressed && compressed.byteLengths[k]! > 0) [src, at, len] = [SRC_CODEC, compressed.fileOffsets[k]!, compressed.byteLengths[k]!];
      else if (gzip && gzip.byteLengths[k]! > 0) [src, at, len] = [SRC_GZIP, gzip.fileOffsets[k]!, gzip.byteLengths[k]!];
      else if (uncompressed && uncompressed.byteLengths[k]! > 0) [src, at, len] = [SRC_RAW, uncompressed.fileOffsets[k]!, uncompressed.byteLengths[k]!];
      else throw new FitsError('CORRUPT_DATA', 'The tile has no data (its COMPRESSED_DATA is empty and there is no other copy).', { hdu, tile: index });
      tiles[b + F_INDEX] = index;
      tiles[b + F_SOURCE] = src;
      fileOffsets[r] = at;
      tiles[b + F_LENGTH] = len;
      if (info.quantized) {
        const zscale = num(rows.values.zscale, k) ?? info.zscaleKeyword;
        if (zscale === undefined) throw new FitsError('BAD_HEADER', 'A quantized tile has no ZSCALE.', { hdu, tile: index });
        tiles[b + F_ZSCALE] = zscale;
        tiles[b + F_ZZERO] = num(rows.values.zzero, k) ?? info.zzeroKeyword ?? 0;
        tiles[b + F_ZBLANK] = num(rows.values.zblank, k) ?? info.zblankKeyword ?? NaN;
      } else {
        tiles[b + F_ZSCALE] = NaN;
        tiles[b + F_ZZERO] = 0;
        tiles[b + F_ZBLANK] = NaN;
      }
    }
  }
  const order = Array.from({ length: ntiles }, (_, i) => i).sort((a, b) => fileOffsets[a]! - fileOffsets[b]!);
  const merged: { start: number; end: number; at: number }[] = [];
  let staged = 0;
  for (const i of order) {
    const start = fileOffsets[i]!;
    const end = start + tiles[i * TILE_FIELDS + F_LENGTH]!;
    let m = merged[merged.length - 1];
    if (m && start <= m.end) {
      if (end > m.end) {
        staged += end - m.end;
        m.end = end;
      }
    } else {
      m = { start, end, at: staged };
      merged.push(m);
      staged += end - start;
    }
    tiles[i * TILE_FIELDS + F_OFFSET] = m.at + (start - m.start);
  }
  const staging = new Uint8Array(staged);
  await readAll(ctx.source, merged.map((m) => ({ offset: m.start, into: staging.subarray(m.at, m.at + (m.end - m.start)) })), hdu);
  return { tiles, staging };
}

interface Prepared {
  info: CompressedImageInfo;
  sec: ResolvedSection;
  placements: TilePlacement[];
  spec: TileJobSpec;
  pixels: number;
}

function prepare(ctx: HduContext, opts: CompressedReadOptions): Prepared {
  const info = compressedImageInfo(ctx);
  const sec = resolveSection(info.dims, opts, ctx.index);
  const placements = sec.count === 0 ? [] : tilesForSection(info.grid, sec);
  const spec = jobSpec(info, sec, ctx.index);
  if (placements.length) {
    try {
      tileDecoder(spec.codec, spec);
    } catch (e) {
      if (e instanceof FitsError) throw new FitsError(e.code, e.message, { hdu: ctx.index, cause: e });
      throw e;
    }
  }
  let pixels = 0;
  for (const p of placements) {
    checkTilePixels(p.pixels, ctx.index, p.index);
    pixels += p.pixels;
  }
  return { info, sec, placements, spec, pixels };
}

/** Why 'auto' should not use the GPU for this read (null: it should). */
function autoVerdict(p: Prepared): string | null {
  if (!GPU_CODECS.includes(p.info.codec === 'RICE_ONE' ? 'RICE_1' : p.info.codec)) return `${p.info.codec} has no GPU decoder`;
  if (p.pixels < AUTO_THRESHOLDS.compressedPixels) return `${p.pixels} pixels is below the GPU threshold (${AUTO_THRESHOLDS.compressedPixels})`;
  if (p.placements.length < AUTO_THRESHOLDS.compressedTiles) return `${p.placements.length} tiles are too few to keep a GPU busy (threshold ${AUTO_THRESHOLDS.compressedTiles})`;
  return null;
}

function describeReport(r: TileDecodeReport, codec: string): string {
  const parts: string[] = [];
  if (r.gpuTiles) parts.push(`${r.gpuTiles} tiles decoded by the ${codec} GPU kernel`);
  if (r.cpuTiles) parts.push(`${r.cpuTiles} tiles decoded on the CPU (${GPU_CODECS.includes(codec) ? 'streams the GPU inflater does not vouch for' : `no GPU kernel for ${codec}`})`);
  if (r.rawTiles) parts.push(`${r.rawTiles} uncompressed tiles`);
  return `${parts.join(', ')}; placement/scaling/dequantization on the GPU`;
}

async function gpuRead(gctx: GpuContext, ctx: HduContext, p: Prepared, opts: CompressedReadOptions): Promise<ImageData> {
  const s = p.info.scaling;
  const count = p.sec.count;
  let out: ImageArray;
  if (opts.into) {
    if (!(opts.into instanceof ARRAY_CTOR[s.dtype]) || opts.into.length < count) {
      throw new FitsError('BAD_ARGUMENT', `readImage({ into }) needs a ${s.dtype} array of at least ${count} elements.`, { hdu: ctx.index });
    }
    out = opts.into.length === count ? opts.into : (opts.into.subarray(0, count) as ImageArray);
  } else {
    out = new ARRAY_CTOR[s.dtype](allocateBuffer(count * BYTES_PER[s.dtype], opts.shared), 0, count);
  }
  const result: ImageData = { data: out, shape: p.sec.shape, dtype: s.dtype };
  if (p.placements.length === 0) return result;
  const { tiles, staging } = await stageTiles(ctx, p.info, p.placements);
  const job: GpuTileJob = { spec: p.spec, tiles, ntiles: p.placements.length, staging };
  const report = await decodeTilesGpu(gctx, job, { out });
  emitGpuEvent({ type: 'plan', operation: 'compressed-image', target: 'gpu', reason: describeReport(report, p.info.codec) });
  return result;
}

/** Read a compressed image with a GPU choice (see the module notes). */
export async function readCompressedImageGpu(ctx: HduContext, opts: GpuCompressedReadOptions = {}): Promise<ImageData> {
  const choice = opts.gpu;
  if (choice === undefined || choice === false) return readCompressedImage(ctx, opts);
  const p = prepare(ctx, opts);
  if (p.info.dims.length === 0 || p.placements.length === 0) return readCompressedImage(ctx, opts);
  const pl = await plan('compressed-image', choice, () => autoVerdict(p));
  if (pl.target === 'cpu') return readCompressedImage(ctx, opts);
  const problem = gpuTileJobProblem(pl.ctx!, { spec: p.spec, tiles: new Float64Array(0), ntiles: 0, staging: new Uint8Array(0) });
  if (problem) {
    emitGpuEvent({ type: 'plan', operation: 'compressed-image', target: 'cpu', reason: problem });
    return readCompressedImage(ctx, opts);
  }
  try {
    return await gpuRead(pl.ctx!, ctx, p, opts);
  } catch (e) {
    if (!(e instanceof FitsError) || e.code !== 'GPU') throw e;
    emitGpuEvent({ type: 'fallback', operation: 'compressed-image', reason: isGpuLost(e) ? 'device lost' : e.message });
    return readCompressedImage(ctx, { ...opts, workers: opts.workers });
  }
}

/** Decode a compressed image (or a section) into a new GPUBuffer on fitsflow's device (usage STORAGE | COPY_SRC | COPY_DST). */
export async function readCompressedImageToGpuBuffer(ctx: HduContext, opts: GpuCompressedReadOptions = {}): Promise<GpuImage> {
  const gctx = await requireGpu();
  const p = prepare(ctx, opts);
  const s = p.info.scaling;
  const byteLength = p.sec.count * BYTES_PER[s.dtype];
  const buffer = gctx.device.createBuffer({ size: Math.max(4, Math.ceil(byteLength / 4) * 4), usage: U.STORAGE | U.COPY_SRC | U.COPY_DST, label: 'fitsflow image' });
  const image: GpuImage = { buffer, device: gctx.device, shape: p.sec.shape, dtype: s.dtype, byteLength };
  try {
    if (p.placements.length === 0) return image;
    const pl = await plan('compressed-image-to-buffer', opts.gpu ?? 'auto', () => autoVerdict(p));
    const problem = gpuTileJobProblem(gctx, { spec: p.spec, tiles: new Float64Array(0), ntiles: 0, staging: new Uint8Array(0) });
    if (pl.target === 'gpu' && !problem) {
      const { tiles, staging } = await stageTiles(ctx, p.info, p.placements);
      await decodeTilesGpu(gctx, { spec: p.spec, tiles, ntiles: p.placements.length, staging }, { target: buffer });
    } else {
      const img = await readCompressedImage(ctx, { ...opts });
      const d = img.data;
      const whole = Math.floor(d.byteLength / 4) * 4;
      if (whole) gctx.device.queue.writeBuffer(buffer, 0, new Uint8Array(d.buffer, d.byteOffset, whole) as Uint8Array<ArrayBuffer>);
      if (d.byteLength > whole) {
        const t = new Uint8Array(4);
        t.set(new Uint8Array(d.buffer, d.byteOffset + whole, d.byteLength - whole));
        gctx.device.queue.writeBuffer(buffer, whole, t);
      }
    }
    return image;
  } catch (e) {
    buffer.destroy();
    throw e;
  }
}

/** The compressed-image reader fitsflow installs (hdu.ts hook): the built-in one, plus the `gpu` option. */
export const gpuAwareCompressedReader: CompressedImageReader = {
  read: (ctx, opts) => readCompressedImageGpu(ctx, opts as GpuCompressedReadOptions),
  info: compressedImageSummary,
};

