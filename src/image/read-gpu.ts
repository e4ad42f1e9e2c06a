/**
 * Plain (uncompressed) images through the GPU: the raw big-endian bytes are
 * read on the CPU (that is I/O), uploaded, and converted by the kernel of
 * src/image/convert.wgsl.ts (byte swap, sign offsets, BSCALE/BZERO/BLANK for
 * every BITPIX including 64-bit ones), bit for bit as src/image/convert.ts.
 * The result is read back into a typed array ({@link readImageGpu}) or left on
 * the device as a GPUBuffer ({@link readImageToGpuBuffer}).
 *
 * Large images are converted in chunks that fit the device's binding limit.
 */
/// <reference types="@webgpu/types" preserve="true" />
import { FitsError } from '../core/errors.js';
import type { HduContext } from '../hdu/context.js';
import type { ByteSource } from '../core/byte-source.js';
import { ARRAY_CTOR, BYTES_PER, type DType, type ImageArray, type PixelScaling } from './pixel-type.js';
import { imageLocationOf, readImage, type ImageData, type ImageLocation, type ReadImageOptions } from './read-image.js';
import { resolveSection, sectionRuns, type ElementRun } from './section.js';
import { CONVERT_BINDINGS, convertInvocations, convertKernelWgsl, scalingWords } from './convert.wgsl.js';
import { allocateBuffer } from '../core/buffers.js';
import { U } from '../gpu/constants.js';
import { emitGpuEvent, requireGpu, type GpuChoice, type GpuContext } from '../gpu/device.js';
import { isGpuLost, readBack, runPasses, wordsBuffer } from '../gpu/dispatch.js';
import { plan } from '../gpu/planner.js';

/** Options of the GPU image readers. */
export interface GpuImageOptions extends ReadImageOptions {
  /** Where to convert: GPU (`true`), CPU (`false`), or the planner's choice (`'auto'`, default for these functions). */
  gpu?: GpuChoice;
}

/** An image left on the GPU. */
export interface GpuImage {
  /** The values, native little-endian layout of `dtype` (uint8/int16 packed), C order. The caller owns it (destroy() when done). */
  buffer: GPUBuffer;
  /** The device the buffer belongs to. */
  device: GPUDevice;
  shape: number[];
  dtype: DType;
  /** Bytes of values (the buffer is padded to a multiple of 4). */
  byteLength: number;
}

/** Per dispatch, at most this many bytes in and out (and never beyond the device's binding limit). */
const CHUNK_BYTES = 128 << 20;

/** The pixels' location of an HDU, or the location itself. */
function locationOf(hdu: HduContext | ImageLocation): ImageLocation {
  return 'layout' in hdu ? imageLocationOf(hdu) : hdu;
}

interface Chunk {
  /** First output element. */
  e0: number;
  /** Output elements. */
  count: number;
  /** Runs relative to e0, with their source spans. */
  runs: ElementRun[];
  rawBytes: number;
}

/**
 * Split the section's runs into chunks of `size` output elements (the last may
 * be shorter); `size` is a multiple of 4, so packed narrow outputs never share
 * a word between chunks.
 */
function chunkRuns(runs: ElementRun[], total: number, width: number, size: number): Chunk[] {
  const chunks: Chunk[] = [];
  let k = 0;
  let done = 0; // elements of runs[k] already assigned
  for (let e0 = 0; e0 < total; e0 += size) {
    const count = Math.min(size, total - e0);
    const c: Chunk = { e0, count, runs: [], rawBytes: 0 };
    let have = 0;
    while (have < count) {
      const r = runs[k]!;
      const n = Math.min(r.count - done, count - have);
      c.runs.push({ src: r.src + done * r.stride, count: n, stride: r.stride, out: have });
      c.rawBytes += ((n - 1) * r.stride + 1) * width;
      have += n;
      done += n;
      if (done === r.count) {
        k++;
        done = 0;
      }
    }
    chunks.push(c);
  }
  return chunks;
}

function readSyncOf(source: ByteSource): ((offset: number, length: number, into?: Uint8Array) => Uint8Array) | undefined {
  const s = source as ByteSource & { readSync?: (o: number, l: number, into?: Uint8Array) => Uint8Array };
  return typeof s.readSync === 'function' ? s.readSync.bind(s) : undefined;
}

/** Read the raw bytes of a chunk's runs, packed, and the runs table for the kernel. */
async function readChunk(loc: ImageLocation, c: Chunk, width: number): Promise<{ bytes: Uint8Array; table: Uint32Array }> {
  const bytes = new Uint8Array(c.rawBytes + 8);
  const table = new Uint32Array(c.runs.length * 3);
  const sync = readSyncOf(loc.source);
  let at = 0;
  const pending: Promise<void>[] = [];
  c.runs.forEach((r, k) => {
    const n = ((r.count - 1) * r.stride + 1) * width;
    const off = loc.dataOffset + r.src * width;
    const into = bytes.subarray(at, at + n);
    table[3 * k] = r.out;
    table[3 * k + 1] = at;
    table[3 * k + 2] = r.stride * width;
    at += n;
    const check = (got: Uint8Array) => {
      if (got.length !== n) throw new FitsError('TRUNCATED', `The file ends inside the image data (wanted ${n} bytes at ${off}, got ${got.length}).`, { hdu: loc.hdu, offset: off });
      if (got !== into && got.buffer !== into.buffer) into.set(got);
    };
    if (sync) check(sync(off, n, into));
    else pending.push(loc.source.read(off, n, into).then(check));
  });
  await Promise.all(pending);
  return { bytes, table };
}

/**
 * Convert a section on the GPU, writing either into `out` (read back) or into
 * `target` (a GPU buffer of at least count × width bytes).
 */
async function convertOnGpu(ctx: GpuContext, loc: ImageLocation, opts: ReadImageOptions, sink: { out?: ImageArray; target?: GPUBuffer }): Promise<void> {
  const s = loc.scaling;
  const sec = resolveSection(loc.dims, opts, loc.hdu);
  const width = BYTES_PER[s.raw];
  const outWidth = BYTES_PER[s.dtype];
  const runs = sectionRuns(loc.dims, sec);
  const limit = Math.min(CHUNK_BYTES, ctx.maxBinding - 256);
  const maxStride = runs.reduce((m, r) => Math.max(m, r.stride), 1);
  // Each output element spans at most maxStride raw elements of input.
  const size = Math.max(4, Math.floor(limit / Math.max(outWidth, width * maxStride) / 4) * 4);
  if (sink.target && sec.count * outWidth > ctx.maxBinding) {
    throw new FitsError('GPU', `The image needs ${sec.count * outWidth} bytes, more than the device can bind at once (${ctx.maxBinding}); read a section.`, { hdu: loc.hdu });
  }
  const chunks = chunkRuns(runs, sec.count, width, size);
  const pipeline = await ctx.pipelines.get(convertKernelWgsl({ raw: s.raw, out: s.dtype, mode: s.mode }), 'main', {}, CONVERT_BINDINGS);
  const { pool } = ctx;
  const scal = wordsBuffer(ctx, scalingWords(s, s.raw));
  try {
    for (const c of chunks) {
      const { bytes, table } = await readChunk(loc, c, width);
      const outBytes = c.count * outWidth;
      const src = pool.upload(bytes);
      const runs = pool.upload(table);
      // Output element e of the chunk goes to element outBase + e of dst.
      const outBase = sink.target ? c.e0 : 0;
      const params = wordsBuffer(ctx, [c.count, c.runs.length, outBase]);
      const dst = sink.target ?? pool.acquire(outBytes, U.STORAGE | U.COPY_SRC);
      try {
        await runPasses(ctx, [{ pipeline, buffers: [src, dst, runs, params, scal], invocations: convertInvocations(c.count, outWidth) }]);
        if (sink.out) {
          const out = sink.out;
          await readBack(ctx, dst, outBytes, 0, new Uint8Array(out.buffer, out.byteOffset + c.e0 * outWidth, outBytes));
        }
      } finally {
        pool.release(src);
        pool.release(runs);
        pool.release(params);
        if (!sink.target) pool.release(dst);
      }
    }
  } finally {
    pool.release(scal);
  }
}

function allocateOut(s: PixelScaling, count: number, opts: ReadImageOptions, hdu: number): ImageArray {
  if (opts.into) {
    if (!(opts.into instanceof ARRAY_CTOR[s.dtype]) || opts.into.length < count) {
      throw new FitsError('BAD_ARGUMENT', `readImage({ into }) needs a ${s.dtype} array of at least ${count} elements.`, { hdu });
    }
    return opts.into.length === count ? opts.into : (opts.into.subarray(0, count) as ImageArray);
  }
  return new ARRAY_CTOR[s.dtype](allocateBuffer(count * BYTES_PER[s.dtype], opts.shared), 0, count);
}

/**
 * Read an uncompressed image (or a section) converting on the GPU, into a typed
 * array: the same values, bit for bit, as `hdu.readImage()`. Falls back to the
 * CPU (with a `fallback` event) if the device fails or is lost.
 */
export async function readImageGpu(hdu: HduContext | ImageLocation, opts: GpuImageOptions = {}): Promise<ImageData> {
  const loc = locationOf(hdu);
  const choice = opts.gpu ?? 'auto';
  const p = await plan('image', choice, () => 'plain images read back to the CPU convert faster on the CPU');
  if (p.target === 'cpu') return readImage(loc, opts);
  const s = loc.scaling;
  const sec = resolveSection(loc.dims, opts, loc.hdu);
  const out = allocateOut(s, sec.count, opts, loc.hdu);
  const result: ImageData = { data: out, shape: sec.shape, dtype: s.dtype };
  if (sec.count === 0) return result;
  try {
    await convertOnGpu(p.ctx!, loc, opts, { out });
    return result;
  } catch (e) {
    if (!(e instanceof FitsError) || e.code !== 'GPU') throw e;
    emitGpuEvent({ type: 'fallback', operation: 'image', reason: isGpuLost(e) ? 'device lost' : e.message });
    return readImage(loc, { ...opts, into: out });
  }
}

/**
 * Read an uncompressed image (or a section) into a new GPUBuffer (usage
 * STORAGE | COPY_SRC | COPY_DST) on fitsflow's device. With `gpu: false`, or
 * 'auto' on a software adapter, the conversion runs on the CPU and the result
 * is uploaded. Needs a device: FitsError('GPU') without one.
 */
export async function readImageToGpuBuffer(hdu: HduContext | ImageLocation, opts: GpuImageOptions = {}): Promise<GpuImage> {
  const loc = locationOf(hdu);
  const ctx = await requireGpu();
  const choice = opts.gpu ?? 'auto';
  const p = await plan('image-to-buffer', choice, () => null);
  const s = loc.scaling;
  const sec = resolveSection(loc.dims, opts, loc.hdu);
  const byteLength = sec.count * BYTES_PER[s.dtype];
  if (byteLength > ctx.info.maxBufferSize) {
    throw new FitsError('GPU', `The image needs ${byteLength} bytes, more than the device's largest buffer (${ctx.info.maxBufferSize}); read a section.`, { hdu: loc.hdu });
  }
  const buffer = ctx.device.createBuffer({ size: Math.max(4, Math.ceil(byteLength / 4) * 4), usage: U.STORAGE | U.COPY_SRC | U.COPY_DST, label: 'fitsflow image' });
  const image: GpuImage = { buffer, device: ctx.device, shape: sec.shape, dtype: s.dtype, byteLength };
  if (sec.count === 0) return image;
  const viaCpu = async () => {
    const img = await readImage(loc, opts);
    const d = img.data;
    ctx.device.queue.writeBuffer(buffer, 0, new Uint8Array(d.buffer, d.byteOffset, Math.floor(d.byteLength / 4) * 4) as Uint8Array<ArrayBuffer>);
    const tail = d.byteLength % 4;
    if (tail) {
      const t = new Uint8Array(4);
      t.set(new Uint8Array(d.buffer, d.byteOffset + d.byteLength - tail, tail));
      ctx.device.queue.writeBuffer(buffer, d.byteLength - tail, t);
    }
  };
  try {
    if (p.target === 'gpu') await convertOnGpu(ctx, loc, opts, { target: buffer });
    else await viaCpu();
    return image;
  } catch (e) {
    buffer.destroy();
    throw e;
  }
}
