/**
 * The GPU backend of tile-compressed image reads: `hdu.readImage({ gpu })`
 * with `gpu: true` or `'auto'` (tiled/read.ts loads this module only then).
 *
 * The planner decides; a GPU read plans the tiles and stages their bytes like
 * tiled-image.ts (same table rows, same heap ranges), then decodes with
 * {@link decodeTilesGpu}. Any GPU failure (device lost, out of memory, a
 * kernel error) falls back to the CPU reader with a `fallback` event.
 */
/// <reference types="@webgpu/types" preserve="true" />
import { FitsError } from '../core/errors.js';
import type { HduContext } from '../hdu/context.js';
import { ARRAY_CTOR, BYTES_PER, type ImageArray } from '../image/pixel-type.js';
import type { ImageData } from '../image/read-image.js';
import { resolveSection, type ResolvedSection } from '../image/section.js';
import { allocateBuffer } from '../core/buffers.js';
import { allTileCodecs } from '../codecs/registry-all.js';
import { pakoInflater } from '../codecs/gzip/inflate.js';
import type { Inflater, Runtime } from '../core/runtime.js';
import { loadTiles, readCompressedImage, type CompressedReadOptions } from './tiled-image.js';
import { compressedImageInfo, tileJobSpec, type CompressedImageInfo } from './zimage.js';
import type { TileJobSpec } from './tile-decode.js';
import { checkTilePixels, tilesForSection, type TilePlacement } from './grid.js';
import { U } from '../gpu/constants.js';
import { emitGpuEvent, requireGpu, type GpuChoice, type GpuContext } from '../gpu/device.js';
import { isGpuLost } from '../gpu/dispatch.js';
import type { GpuImage } from '../image/read-gpu.js';
import { AUTO_THRESHOLDS, GPU_CODECS, plan } from '../gpu/planner.js';
import { decodeTilesGpu, gpuTileJobProblem, type GpuTileJob, type TileDecodeReport } from './tiles-gpu.js';

/** `readImage` options with the GPU choice. */
export interface GpuCompressedReadOptions extends CompressedReadOptions {
  /** Decode on the GPU (`true`), the CPU (`false`, default), or where the planner expects the GPU to win (`'auto'`). */
  gpu?: GpuChoice;
}

/** The inflater of tiles the CPU decodes for the GPU path: the runtime's, else pako. */
function inflaterOf(runtime: Runtime): Inflater {
  return runtime.inflate ?? pakoInflater;
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
  const spec = tileJobSpec(info, sec, ctx.index);
  if (placements.length) {
    try {
      allTileCodecs(inflaterOf(ctx.runtime)).decoder(spec.codec, spec);
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
  if (p.spec.plioOffset) return 'PLIO_1 tiles of unsigned 16-bit data are decoded on the CPU';
  if (p.pixels < AUTO_THRESHOLDS.compressedPixels) return `${p.pixels} pixels is below the GPU threshold (${AUTO_THRESHOLDS.compressedPixels})`;
  if (p.placements.length < AUTO_THRESHOLDS.compressedTiles) return `${p.placements.length} tiles are too few to keep a GPU busy (threshold ${AUTO_THRESHOLDS.compressedTiles})`;
  return null;
}

/** Why tiles of a codec with a GPU kernel may still be decoded on the CPU (tiles-gpu.ts). */
const CPU_FALLBACK_REASON: Record<string, string> = {
  GZIP_1: 'streams the GPU inflater does not vouch for',
  GZIP_2: 'streams the GPU inflater does not vouch for',
  HCOMPRESS_1: 'tiles too large for GPU scratch memory, or beyond the range the kernel proves exact',
  PLIO_1: 'unsigned 16-bit data: the offset CFITSIO applies is undone on the CPU',
};

function describeReport(r: TileDecodeReport, codec: string): string {
  const parts: string[] = [];
  if (r.gpuTiles) parts.push(`${r.gpuTiles} tiles decoded by the ${codec} GPU kernel`);
  if (r.cpuTiles) parts.push(`${r.cpuTiles} tiles decoded on the CPU (${GPU_CODECS.includes(codec) ? CPU_FALLBACK_REASON[codec] ?? 'the GPU kernel handed them back' : `no GPU kernel for ${codec}`})`);
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
  const { tiles, staging } = await loadTiles(ctx, p.info, p.placements, false);
  const job: GpuTileJob = { spec: p.spec, tiles, ntiles: p.placements.length, staging, inflate: inflaterOf(ctx.runtime) };
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
  const problem = gpuTileJobProblem(pl.ctx!, { spec: p.spec, tiles: new Float64Array(0), ntiles: 0, staging: new Uint8Array(0), inflate: inflaterOf(ctx.runtime) });
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
    const problem = gpuTileJobProblem(gctx, { spec: p.spec, tiles: new Float64Array(0), ntiles: 0, staging: new Uint8Array(0), inflate: inflaterOf(ctx.runtime) });
    if (pl.target === 'gpu' && !problem) {
      const { tiles, staging } = await loadTiles(ctx, p.info, p.placements, false);
      await decodeTilesGpu(gctx, { spec: p.spec, tiles, ntiles: p.placements.length, staging, inflate: inflaterOf(ctx.runtime) }, { target: buffer });
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

