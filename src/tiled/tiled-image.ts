/**
 * Tile-compressed images (FITS 4.0 §10, the tiled image convention): a
 * BINTABLE with ZIMAGE = T read as the image it holds.
 *
 * The container logic lives here once for every codec: the Z keywords, the
 * tile grid, which tiles (and which bytes of the file) a section needs, the
 * per-tile quantization parameters, and whether to decode on this thread or
 * in the worker pool. Decoding and placing pixels is in tile-decode.ts (it
 * also runs in workers); the codecs are in codec-registry.ts.
 */
import { FitsError } from '../core/errors.js';
import type { HduContext } from '../hdu/context.js';
import type { ByteSource } from '../core/byte-source.js';
import { ARRAY_CTOR, BYTES_PER, intoArray, type ImageArray, } from '../image/pixel-type.js';
import type { ImageChunk, ImageData, IterateImageOptions, ReadImageOptions } from '../image/read-image.js';
import { resolveSection, } from '../image/section.js';
import { allocateBuffer, allocateShared, sharedMemoryAvailable } from '../core/buffers.js';
import { poolIsWarm, type WorkerPool } from '../core/worker-pool.js';
import { awaitWorkerReplies } from '../core/claimed-chunks.js';
import type { Inflater, Runtime } from '../core/runtime.js';
import { loadTileCodecs } from '../codecs/registry.js';
import { codecName, type TileCodecs } from '../codecs/tile-codec.js';
import {
  CONTROL_SLOTS,
  decodeTiles,
  leadTileJob,
  TILE_COMMIT,
  TILE_DONE_WORKER,
  F_INDEX, F_LENGTH, F_OFFSET, F_SOURCE, F_ZBLANK, F_ZSCALE, F_ZZERO,
  SRC_CODEC, SRC_GZIP, SRC_RAW, TILE_FIELDS,
  type SharedTileJob, 
} from './tile-decode.js';
import { checkTilePixels, tilesForSection, type TilePlacement } from './grid.js';
import { compressedImageInfo, tileJobSpec, type CompressedImageInfo } from './zimage.js';
import { readTileRows } from './tile-rows.js';

/** Options of `hdu.readImage()` for compressed images. */
export interface CompressedReadOptions extends ReadImageOptions {
  /**
   * Parallel decoding. `undefined` (default): the default worker pool for
   * images of at least `PARALLEL_MIN_PIXELS` (1 048 576) pixels to decode, when the
   * runtime has workers and SharedArrayBuffer; `false` or `0`: decode on this
   * thread; a number: use up to that many workers (whatever the image size);
   * a {@link WorkerPool}: use that pool. Results are identical bit for bit.
   * When workers decode, the result's buffer is a SharedArrayBuffer.
   */
  workers?: number | false | WorkerPool;
}

/**
 * Below this many pixels to decode, the default is to decode inline: handing
 * the work to workers costs more than it saves (measured by
 * `node bench/compressed-read.mjs --threshold`; see bench/compressed-read.md).
 */
export const PARALLEL_MIN_PIXELS = 1 << 20;

// ---------------------------------------------------------------------------
// Reading.

function readSyncOf(source: ByteSource): ((offset: number, length: number, into?: Uint8Array) => Uint8Array) | undefined {
  const s = source as ByteSource & { readSync?: (o: number, l: number, into?: Uint8Array) => Uint8Array };
  return typeof s.readSync === 'function' ? s.readSync.bind(s) : undefined;
}

interface ReadJob {
  offset: number;
  into: Uint8Array;
}

/** Read byte ranges into their destinations (synchronously when the source can). */
async function readAll(source: ByteSource, jobs: ReadJob[], hdu: number): Promise<void> {
  const sync = readSyncOf(source);
  const check = (got: Uint8Array, j: ReadJob) => {
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

/** Is `a`'s buffer a SharedArrayBuffer? */
function isShared(a: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer === 'function' && a.buffer instanceof SharedArrayBuffer;
}

/**
 * Read a compressed image, or a section of it. Only the tiles the section
 * intersects are read (their table rows and heap bytes) and decoded.
 */
export async function readCompressedImage(ctx: HduContext, opts: CompressedReadOptions = {}): Promise<ImageData> {
  const info = compressedImageInfo(ctx);
  const hdu = ctx.index;
  const sec = resolveSection(info.dims, opts, hdu);
  const s = info.scaling;
  if (info.dims.length === 0) {
    return { data: new ARRAY_CTOR[s.dtype](new ArrayBuffer(0), 0, 0), shape: [], dtype: s.dtype };
  }
  const placements = sec.count === 0 ? [] : tilesForSection(info.grid, sec);
  let totalPixels = 0;
  for (const p of placements) {
    checkTilePixels(p.pixels, hdu, p.index);
    totalPixels += p.pixels;
  }

  // Fail early, before any I/O, on what cannot be decoded at all.
  const spec = tileJobSpec(info, sec, hdu);
  const codecs = await codecsFor(info, ctx.runtime);
  if (placements.length) {
    try {
      codecs.decoder(spec.codec, spec);
    } catch (e) {
      if (e instanceof FitsError) throw new FitsError(e.code, e.message, { hdu, cause: e });
      throw e;
    }
  }

  // Parallel or inline?
  const w = opts.workers;
  let pool: WorkerPool | null = null;
  let nWorkers = 0;
  const parallelPossible =
    w !== false && w !== 0 && sharedMemoryAvailable && placements.length >= 2 && (!opts.into || isShared(opts.into));
  if (parallelPossible) {
    if (typeof w === 'object' && w !== null) pool = w;
    else if (typeof w === 'number' || totalPixels >= PARALLEL_MIN_PIXELS) pool = ctx.runtime.workerPool?.() ?? null;
    if (pool) nWorkers = Math.min(pool.size, typeof w === 'number' ? w : pool.size, placements.length - 1);
    if (nWorkers < 1) pool = null;
  } else if (!sharedMemoryAvailable && w !== false && w !== 0 && typeof w !== 'object' && placements.length >= 2 && (typeof w === 'number' || totalPixels >= PARALLEL_MIN_PIXELS)) {
    // Workers would decode this read but there is no SharedArrayBuffer: asking the runtime for its
    // pool lets it say, once, why not (the web runtime: the page is not cross-origin isolated).
    ctx.runtime.workerPool?.();
  }
  const shared = pool !== null;

  // Output.
  let out: ImageArray;
  if (opts.into) out = intoArray(opts.into, s.dtype, sec.count, hdu);
  else {
    let buffer: ArrayBuffer | SharedArrayBuffer;
    try {
      buffer = allocateBuffer(sec.count * BYTES_PER[s.dtype], opts.shared || shared);
    } catch (e) {
      throw e instanceof FitsError ? new FitsError(e.code, e.message, { hdu, cause: e }) : e;
    }
    out = new ARRAY_CTOR[s.dtype](buffer, 0, sec.count);
  }
  const result: ImageData = { data: out, shape: sec.shape, dtype: s.dtype };
  if (placements.length === 0) return result;

  const { tiles, staging, ntiles } = await loadTiles(ctx, info, placements, shared);

  if (!pool) {
    decodeTiles(spec, tiles, 0, ntiles, staging, out, codecs);
    Object.assign(lastDecodeStats, { workers: 0, workerTiles: 0, inlineTiles: ntiles, fallback: false });
    return result;
  }
  await decodeParallel(pool, nWorkers, codecs, {
    spec, tiles, ntiles, staging, out,
    control: new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS)),
    states: new Int32Array(new SharedArrayBuffer(4 * ntiles)),
    chunk: chunkSize(ntiles, totalPixels, nWorkers),
  });
  return result;
}

function chunkSize(ntiles: number, totalPixels: number, nWorkers: number): number {
  const perTile = totalPixels / ntiles;
  const minTiles = Math.ceil((1 << 15) / perTile); // at least ~32 Ki pixels per claim
  const balance = Math.ceil(ntiles / ((nWorkers + 1) * 16)); // ~16 claims per thread
  return Math.max(1, Math.min(minTiles, Math.ceil(ntiles / (nWorkers + 1))), balance);
}

/** The tile records and compressed bytes of a read (see {@link loadTiles}). */
export interface LoadedTiles {
  /** TILE_FIELDS numbers per tile, in table-row order (tile-decode.ts F_*). */
  tiles: Float64Array;
  /** The tiles' bytes, packed; records point into it. */
  staging: Uint8Array;
  ntiles: number;
}

/**
 * Read what decoding `placements` needs: their table rows (descriptors,
 * ZSCALE/ZZERO/ZBLANK) and their heap bytes, merged where they touch, into
 * one staging buffer; and build the tile records (source column, offset and
 * length in staging, quantization parameters). `shared` puts both in
 * SharedArrayBuffers. Used by the CPU path here and by other decoders (GPU).
 */
export async function loadTiles(ctx: HduContext, info: CompressedImageInfo, placements: readonly TilePlacement[], shared: boolean): Promise<LoadedTiles> {
  const hdu = ctx.index;
  // The table rows of the needed tiles (runs of consecutive rows).
  const { table } = info;
  const rowRuns: { first: number; count: number }[] = [];
  for (const p of placements) {
    const last = rowRuns[rowRuns.length - 1];
    if (last && last.first + last.count === p.index) last.count++;
    else rowRuns.push({ first: p.index, count: 1 });
  }

  // Each tile's bytes: COMPRESSED_DATA, else GZIP_COMPRESSED_DATA, else UNCOMPRESSED_DATA.
  const ntiles = placements.length;
  const tiles = new Float64Array(shared ? new SharedArrayBuffer(ntiles * TILE_FIELDS * 8) : new ArrayBuffer(ntiles * TILE_FIELDS * 8));
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

  // Heap ranges, merged where they touch, packed into one staging buffer.
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
  const staging = new Uint8Array(shared ? allocateShared(staged) : new ArrayBuffer(staged));
  await readAll(
    ctx.source,
    merged.map((m) => ({ offset: m.start, into: staging.subarray(m.at, m.at + (m.end - m.start)) })),
    hdu,
  );

  return { tiles, staging, ntiles };
}

/** Reads of codecs that never inflate get this: it is never called. */
const NO_INFLATER: Inflater = () => {
  throw new Error('internal: no inflater was loaded for this read');
};

/**
 * The decoders a read needs: its codec, and GZIP_1 for tiles stored as
 * GZIP_COMPRESSED_DATA. GZIP tiles inflate with the runtime's inflater
 * (node:zlib on Node), else pako, which is loaded only then.
 */
export async function codecsFor(info: CompressedImageInfo, runtime: Runtime): Promise<TileCodecs> {
  const names = info.table.columns.gzip !== undefined ? [info.codec, 'GZIP_1'] : [info.codec];
  const inflates = names.some((n) => codecName(n).startsWith('GZIP_'));
  const inflate = runtime.inflate ?? (inflates ? (await import('../codecs/gzip/inflate.js')).pakoInflater : NO_INFLATER);
  return loadTileCodecs(names, inflate);
}

/** How the last read of this thread was decoded (for tests and benchmarks). */
export interface DecodeStats {
  /** Workers asked to help (0: decoded inline). */
  workers: number;
  /** Tiles decoded by workers. */
  workerTiles: number;
  /** Tiles decoded on the calling thread. */
  inlineTiles: number;
  /** True when the pool failed and everything was decoded again inline. */
  fallback: boolean;
}
export const lastDecodeStats: DecodeStats = { workers: 0, workerTiles: 0, inlineTiles: 0, fallback: false };

/** Resolve when none of the tile records `rs` is still being written by a worker. */
async function tilesCommitted(states: Int32Array, rs: number[]): Promise<void> {
  const waitAsync = (Atomics as { waitAsync?: (a: Int32Array, i: number, v: number, t?: number) => { async: boolean; value: Promise<string> | string } }).waitAsync;
  for (const r of rs) {
    while (Atomics.load(states, r) === TILE_COMMIT) {
      if (waitAsync) {
        const w = waitAsync(states, r, TILE_COMMIT, 50);
        if (w.async) await w.value;
      } else {
        await new Promise((res) => setTimeout(res, 0));
      }
    }
  }
}

/**
 * Decode a job with `nWorkers` workers plus this thread (see SharedTileJob):
 * this thread never waits for a worker's tiles except the few being copied
 * into the output at that moment. If the pool fails while one is, that tile
 * is decoded again here (same values).
 */
async function decodeParallel(pool: WorkerPool, nWorkers: number, codecs: TileCodecs, job: SharedTileJob): Promise<void> {
  let poolFailed: () => void = () => undefined;
  const failed = new Promise<void>((res) => (poolFailed = res));
  let broken = false;
  const runs: Promise<unknown>[] = [];
  for (let i = 0; i < nWorkers; i++) {
    runs.push(pool.run({ type: 'decode-tiles', job }).catch((e) => {
      // A FitsError means a corrupt tile: this thread meets it too and reports it.
      if (!(e instanceof FitsError)) {
        broken = true;
        poolFailed();
      }
    }));
  }
  const pending = leadTileJob(job, codecs);
  if (pending.length) await Promise.race([tilesCommitted(job.states, pending), failed]);
  let fallback = false;
  if (broken) {
    // (a failed BasicWorkerPool has closed itself; the runtime starts a new one on its next parallel read)
    // A dead worker may have left tiles half written: write them again here.
    for (const r of pending) {
      if (Atomics.load(job.states, r) !== TILE_DONE_WORKER) {
        decodeTiles(job.spec, job.tiles, r, r + 1, job.staging, job.out, codecs);
        fallback = true;
      }
    }
  }
  let workerTiles = 0;
  for (let r = 0; r < job.ntiles; r++) if (job.states[r] === TILE_DONE_WORKER) workerTiles++;
  await awaitWorkerReplies(runs, workerTiles > 0 || poolIsWarm(pool));
  Object.assign(lastDecodeStats, { workers: nWorkers, workerTiles, inlineTiles: job.ntiles - workerTiles, fallback });
}

/**
 * Stream a compressed image in chunks of whole slices along the slowest axis
 * (bounded memory). Chunks are whole tiles along that axis (default ~4 MiB of
 * output), so no tile is decoded twice.
 */
export async function* iterateCompressedImage(
  ctx: HduContext,
  opts: IterateImageOptions & Pick<CompressedReadOptions, 'workers'> = {},
): AsyncGenerator<ImageChunk> {
  const info = compressedImageInfo(ctx);
  const { dims } = info;
  if (dims.length === 0 || dims[0] === 0) return;
  const sliceElems = dims.slice(1).reduce((a, b) => a * b, 1);
  const sliceBytes = Math.max(1, sliceElems * BYTES_PER[info.dtype]);
  const t0 = info.grid.tile[0]!;
  let per = opts.slices;
  if (per === undefined) per = Math.max(1, Math.floor((4 << 20) / sliceBytes / t0)) * t0;
  if (!Number.isInteger(per) || per < 1) throw new FitsError('BAD_ARGUMENT', 'slices must be a positive integer.', { hdu: ctx.index });
  for (let i = 0; i < dims[0]!; i += per) {
    const n = Math.min(per, dims[0]! - i);
    const chunk = await readCompressedImage(ctx, {
      start: dims.map((_, k) => (k === 0 ? i : 0)),
      shape: dims.map((d, k) => (k === 0 ? n : d)),
      workers: opts.workers,
    });
    yield { ...chunk, start: i };
  }
}

