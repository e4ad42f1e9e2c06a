/**
 * Read image pixels (whole, a section, or in chunks) from a ByteSource into
 * native typed arrays. Plans byte ranges first, then reads, then converts.
 */
import { FitsError } from '../core/errors.js';
import type { ByteSource, SourceLoan } from '../core/byte-source.js';
import { allocateBuffer, countShared, sharedMemoryAvailable } from '../core/buffers.js';
import { poolIsWarm, type WorkerPool } from '../core/worker-pool.js';
import { readPixelsParallel } from './parallel-read.js';
import { convertPixels, flipSignInPlace, swapInPlace } from './convert.js';
import { ARRAY_CTOR, BYTES_PER, intoArray, pixelScaling, type DType, type ImageArray, type PixelScaling } from './pixel-type.js';
import type { HduContext } from '../hdu/context.js';
import { resolveSection, sectionRuns, type SectionRequest } from './section.js';

/** Options of {@link Hdu.readImage}. */
export interface ReadImageOptions extends SectionRequest {
  /** Put the result in a SharedArrayBuffer (when the runtime has one), for workers and zero-copy GPU upload. */
  shared?: boolean;
  /**
   * Threads. `undefined` (default): reads of at least 8 MiB (plain images) or
   * `PARALLEL_MIN_PIXELS` (tile-compressed) are shared with the runtime's
   * worker pool when it has one and SharedArrayBuffer; `false` or `0`: this
   * thread only; a number: up to that many workers of the runtime's pool
   * (whatever the size); a {@link WorkerPool}: that pool. By default a plain
   * read does not wait for workers that are still starting (a process's first
   * big read goes alone and starts them for the next ones). Results are
   * identical bit for bit; when workers help, the result's buffer is a
   * SharedArrayBuffer.
   *
   * Plain images: each thread reads its share of the file straight into the
   * result and byte-swaps it, so the page faults of touching new memory (most
   * of a big first read's time in Node) run on every core. Shared results are
   * returned to the system as promptly as ordinary ones (see
   * `allocateShared` in src/core/buffers.ts: V8 does not count shared memory
   * toward its collections by itself).
   */
  workers?: number | false | WorkerPool;
  /**
   * Write into this array instead of allocating one (it must have the image's
   * dtype and at least as many elements). Reusing a buffer avoids the page-fault
   * cost of touching fresh memory, which for large images exceeds the read itself.
   */
  into?: ImageArray;
  /**
   * Where to decode/convert: the CPU (`false`, the default for plain images), the GPU
   * (`true`: fails with FitsError 'GPU' when no adapter exists), or `'auto'` (the GPU
   * only where measured thresholds say it wins). Results are bit-identical either way.
   */
  gpu?: boolean | 'auto';
}

/**
 * An image, or a section of one: values in C order. An HDU without data
 * (NAXIS = 0, where astropy's `data` is None) reads as no pixels: an empty
 * `data` with `shape` [] (and the dtype BITPIX and the scaling keywords name).
 */
export interface ImageData<T extends ImageArray = ImageArray> {
  /** The values, row-major (C order), native byte order; empty when the HDU has no data (NAXIS = 0). */
  data: T;
  /** Axis lengths, slowest first (C order, as numpy/astropy); [] when the HDU has no data (NAXIS = 0). */
  shape: number[];
  /** Element type name. */
  dtype: DType;
}

/** Where an image's pixels live. */
export interface ImageLocation {
  source: ByteSource;
  dataOffset: number;
  /** Dimensions in C order. */
  dims: number[];
  scaling: PixelScaling;
  hdu: number;
  /** The runtime's worker pool, for big reads (see ReadImageOptions.workers). */
  workerPool?: () => WorkerPool | null;
}

/**
 * Plain reads of at least this many bytes are shared with the worker pool by
 * default: below it, handing chunks to a worker
 * costs about what it saves.
 */
export const PARALLEL_READ_MIN_BYTES = 8 << 20;

/** Where the pixels of an uncompressed image HDU are. */
export function imageLocationOf(ctx: HduContext): ImageLocation {
  if (ctx.layout.kind !== 'image') throw new FitsError('BAD_ARGUMENT', `HDU ${ctx.index} is a ${ctx.layout.kind}, not an (uncompressed) image.`, { hdu: ctx.index });
  return {
    source: ctx.source,
    dataOffset: ctx.dataOffset,
    dims: [...ctx.layout.naxes].reverse(),
    scaling: pixelScaling(ctx.header, ctx.layout.bitpix),
    hdu: ctx.index,
    workerPool: ctx.runtime.workerPool?.bind(ctx.runtime),
  };
}

const CHUNK_ELEMENTS = 1 << 18; // scratch size for converting reads (256 Ki elements)

function readSyncOf(source: ByteSource): ((offset: number, length: number, into?: Uint8Array) => Uint8Array) | undefined {
  const s = source as ByteSource & { readSync?: (o: number, l: number, into?: Uint8Array) => Uint8Array };
  return typeof s.readSync === 'function' ? s.readSync.bind(s) : undefined;
}

function truncated(offset: number, length: number, hdu: number): FitsError {
  return new FitsError('TRUNCATED', `The file ends inside the image data (wanted ${length} bytes at ${offset}).`, { hdu, offset });
}

async function readExact(source: ByteSource, offset: number, length: number, into: Uint8Array | undefined, hdu: number): Promise<Uint8Array> {
  const sync = readSyncOf(source);
  const got = sync ? sync(offset, length, into) : await source.read(offset, length, into);
  if (got.length !== length) {
    throw new FitsError('TRUNCATED', `The file ends inside the image data (wanted ${length} bytes at ${offset}, got ${got.length}).`, { hdu, offset });
  }
  return got;
}

/** Is `a`'s buffer a SharedArrayBuffer? */
function isShared(a: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer === 'function' && a.buffer instanceof SharedArrayBuffer;
}

/** The pool and worker count a plain read of `bytes` bytes gets, or null to read on this thread. */
function parallelPlan(loc: ImageLocation, opts: ReadImageOptions, bytes: number): { pool: WorkerPool; workers: number } | null {
  const w = opts.workers;
  if (w === false || w === 0 || !sharedMemoryAvailable) return null;
  if (opts.into && !isShared(opts.into)) return null;
  if (typeof loc.source.lend !== 'function') return null;
  if (w === undefined && bytes < PARALLEL_READ_MIN_BYTES) return null;
  const pool = typeof w === 'object' ? w : (loc.workerPool?.() ?? null);
  if (!pool || pool.size < 1) return null;
  if (w === undefined && !poolIsWarm(pool)) return null; // a new process's first big read: workers still starting
  const workers = Math.min(pool.size, typeof w === 'number' ? Math.max(0, Math.floor(w)) : pool.size);
  return workers >= 1 ? { pool, workers } : null;
}

/** Read an image or a section of it. */
export async function readImage(loc: ImageLocation, opts: ReadImageOptions = {}): Promise<ImageData> {
  const { dims, scaling: s, hdu } = loc;
  const sec = resolveSection(dims, opts, hdu);
  const width = BYTES_PER[s.raw];
  const outWidth = BYTES_PER[s.dtype];
  const runs = sec.count === 0 ? [] : sectionRuns(dims, sec);
  // Same width in and out and contiguous runs: read straight into the output (on several threads when big).
  const direct = s.mode !== 'scale' && runs.every((r) => r.stride === 1);
  const parallel = direct && sec.count > 0 ? parallelPlan(loc, opts, sec.count * width) : null;
  let out: ImageArray;
  if (opts.into) out = intoArray(opts.into, s.dtype, sec.count, hdu);
  else {
    // A parallel read counts its output for the GC once the workers have their job (countShared).
    out = new ARRAY_CTOR[s.dtype](allocateBuffer(sec.count * outWidth, opts.shared || parallel !== null, parallel === null), 0, sec.count);
  }
  const buffer = out.buffer;
  const base = out.byteOffset;
  const result: ImageData = { data: out, shape: sec.shape, dtype: s.dtype };
  if (sec.count === 0) return result;
  if (direct) {
    const sync = readSyncOf(loc.source);
    const bytes = new Uint8Array(buffer, base, sec.count * width);
    const loan: SourceLoan | undefined = parallel && sync && isShared(bytes) ? loc.source.lend?.() : undefined;
    if (parallel && sync && loan) {
      const ranges = runs.map((r) => ({ fileOffset: loc.dataOffset + r.src * width, outOffset: r.out * width, length: r.count * width }));
      const read = (offset: number, into: Uint8Array) => sync(offset, into.length, into).length;
      const short = (offset: number) => new FitsError('TRUNCATED', 'The file ends inside the image data.', { hdu, offset });
      await readPixelsParallel(loan, read, parallel.pool, parallel.workers, ranges, bytes, width, s.mode === 'offset', short);
      return result;
    }
    countShared(buffer);
    const pending: Promise<unknown>[] = [];
    for (const r of runs) {
      const into = bytes.subarray(r.out * width, (r.out + r.count) * width);
      const off = loc.dataOffset + r.src * width;
      if (sync) {
        // Local files: many small blocking preads beat as many promise round trips.
        if (sync(off, into.length, into).length !== into.length) throw truncated(off, into.length, hdu);
      } else {
        pending.push(readExact(loc.source, off, into.length, into, hdu));
        if (pending.length >= 64) await Promise.all(pending.splice(0));
      }
    }
    await Promise.all(pending);
    swapInPlace(buffer, base, sec.count, width);
    if (s.mode === 'offset') flipSignInPlace(buffer, base, sec.count, width);
    return result;
  }
  // General path: read each run (in chunks) into scratch, then convert.
  const maxRunBytes = Math.min(CHUNK_ELEMENTS * width * Math.max(1, runs[0]!.stride), 64 << 20);
  const scratch = new Uint8Array(Math.max(width, maxRunBytes));
  for (const r of runs) {
    let done = 0;
    while (done < r.count) {
      const n = Math.max(1, Math.min(r.count - done, Math.floor(scratch.length / (width * r.stride))));
      const spanBytes = ((n - 1) * r.stride + 1) * width;
      const off = loc.dataOffset + (r.src + done * r.stride) * width;
      const got = await readExact(loc.source, off, spanBytes, scratch.subarray(0, spanBytes), hdu);
      convertPixels(got, n, out, r.out + done, s, r.stride);
      done += n;
    }
  }
  return result;
}

/** Options of {@link Hdu.iterateImage}. */
export interface IterateImageOptions {
  /** Number of slices along the slowest axis per chunk (default: ~4 MiB worth). */
  slices?: number;
}

/** One chunk of an image streamed along its slowest axis. */
export interface ImageChunk extends ImageData {
  /** Index of the chunk's first slice along the slowest axis. */
  start: number;
}

/** Stream an image in chunks of whole slices along the slowest axis, with bounded memory. */
export async function* iterateImage(loc: ImageLocation, opts: IterateImageOptions = {}): AsyncGenerator<ImageChunk> {
  const { dims } = loc;
  if (dims.length === 0) return;
  const sliceElems = dims.slice(1).reduce((a, b) => a * b, 1);
  const sliceBytes = Math.max(1, sliceElems * BYTES_PER[loc.scaling.dtype]);
  const per = opts.slices ?? Math.max(1, Math.floor((4 << 20) / sliceBytes));
  if (!Number.isInteger(per) || per < 1) throw new FitsError('BAD_ARGUMENT', 'slices must be a positive integer.', { hdu: loc.hdu });
  for (let i = 0; i < dims[0]!; i += per) {
    const n = Math.min(per, dims[0]! - i);
    const start = dims.map((_, k) => (k === 0 ? i : 0));
    const shape = dims.map((d, k) => (k === 0 ? n : d));
    const chunk = await readImage(loc, { start, shape });
    yield { ...chunk, start: i };
  }
}
