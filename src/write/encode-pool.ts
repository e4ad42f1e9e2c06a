/**
 * Worker threads for compressing image tiles (FitsWriter.addCompressedImage).
 * Runtime-neutral: the pool is the writer's `encodePool` option (Node's
 * createFitsWriter passes node/encode-pool.ts's); without one, tiles are
 * compressed on the calling thread. Either way the output is the same bytes.
 *
 * The protocol is the one of src/workers/pool-core.ts (`{ id, task }` →
 * `{ id, reply }`); the worker script (encode-worker-node.ts) answers
 * {@link TASK_ENCODE_TILES} with {@link handleEncodeRequest}.
 */
import { FitsError } from '../core/errors.js';
import type { ImageArray } from '../image/pixel-type.js';
import type { WorkerErrorData, WorkerPool, WorkerTask } from '../core/worker-pool.js';
import { TileEncoder, type TileBatchResult, type TileSpec } from './tile-encoder.js';
import type { Deflater } from '../codecs/gzip/encode.js';

/** Task type of a batch of tiles to compress. */
export const TASK_ENCODE_TILES = 'fitsflow-encode-tiles';

/** A batch of consecutive tiles: their pixels back to back. */
export interface EncodeTilesInput {
  spec: TileSpec;
  /** Index of the first tile in the image. */
  t0: number;
  /** Pixels of each tile. */
  sizes: Int32Array;
  /** Columns (fastest axis) of each tile. */
  cols: Int32Array;
  /** Largest tile, pixels. */
  tileMax: number;
  pixels: ImageArray;
}

/** The message of a batch. */
export type EncodeTilesTask = EncodeTilesInput & { type: typeof TASK_ENCODE_TILES };

/** Compress a batch of tiles (on any thread), gzip tiles with `deflate`. */
export function encodeBatch(task: EncodeTilesInput, deflate: Deflater): TileBatchResult {
  const { spec, t0, sizes, cols, tileMax, pixels } = task;
  const count = sizes.length;
  const width = Math.max(4, Math.abs(spec.enc.bitpix) / 8);
  const enc = new TileEncoder(spec, tileMax, count, Math.max(1 << 12, (pixels.length * width) >> 2), deflate);
  let at = 0;
  for (let i = 0; i < count; i++) {
    const n = sizes[i]!;
    const c = cols[i]!;
    enc.add(t0 + i, i, pixels.subarray(at, at + n) as ImageArray, n / c, c);
    at += n;
  }
  return enc.result();
}

/** Buffers of a result to transfer (not copy) back to the caller. */
export function resultTransfers(r: TileBatchResult): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const a of [r.heap, r.ends, r.gzHeap, r.gzEnds, r.zscale, r.zzero]) if (a.buffer instanceof ArrayBuffer && a.buffer.byteLength > 0) out.add(a.buffer);
  return [...out];
}

function errorData(e: unknown): WorkerErrorData {
  if (e instanceof FitsError) return { name: e.name, message: e.message, code: e.code, hdu: e.hdu, tile: e.tile, offset: e.offset };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

/** A worker's answer to one request (gzip tiles with `deflate`): the reply message and what to transfer. */
export function handleEncodeRequest(msg: { id: number; task: WorkerTask }, deflate: Deflater): { message: unknown; transfer: ArrayBuffer[] } {
  try {
    if (msg.task.type !== TASK_ENCODE_TILES) throw new Error(`unknown task type ${String(msg.task.type)}`);
    const result = encodeBatch(msg.task as unknown as EncodeTilesTask, deflate);
    return { message: { id: msg.id, reply: { ok: true, result } }, transfer: resultTransfers(result) };
  } catch (e) {
    return { message: { id: msg.id, reply: { ok: false, error: errorData(e) } }, transfer: [] };
  }
}

/**
 * The tile-compression workers a writer may use: the pool, and how many of
 * its workers to use for one image right now (fewer, or none, on a busy
 * machine, where extra threads only add the cost of handing tiles around).
 */
export interface EncodePool {
  readonly pool: WorkerPool;
  /** How many workers the pool has started so far. */
  workersNow(): number;
}
