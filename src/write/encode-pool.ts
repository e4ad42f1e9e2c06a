/**
 * Worker threads for compressing image tiles (FitsWriter.addCompressedImage).
 * Runtime-neutral: the pool itself comes from a factory the runtime installs
 * (encode-pool-node.ts on Node, Bun and Deno); without one, tiles are
 * compressed on the calling thread. Either way the output is the same bytes.
 *
 * The protocol is the one of src/workers/pool-core.ts (`{ id, task }` →
 * `{ id, reply }`); the worker script (encode-worker-node.ts) answers
 * {@link TASK_ENCODE_TILES} with {@link handleEncodeRequest}.
 */
import { FitsError } from '../core/errors.js';
import type { ImageArray } from '../image/pixel-type.js';
import type { WorkerErrorData, WorkerPool, WorkerTask } from '../workers/pool.js';
import { TileEncoder, type TileBatchResult, type TileSpec } from './tile-encoder.js';

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

/** Compress a batch of tiles (on any thread). */
export function encodeBatch(task: EncodeTilesInput): TileBatchResult {
  const { spec, t0, sizes, cols, tileMax, pixels } = task;
  const count = sizes.length;
  const width = Math.max(4, Math.abs(spec.enc.bitpix) / 8);
  const enc = new TileEncoder(spec, tileMax, count, Math.max(1 << 12, (pixels.length * width) >> 2));
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

/** A worker's answer to one request: the reply message and what to transfer. */
export function handleEncodeRequest(msg: { id: number; task: WorkerTask }): { message: unknown; transfer: ArrayBuffer[] } {
  try {
    if (msg.task.type !== TASK_ENCODE_TILES) throw new Error(`unknown task type ${String(msg.task.type)}`);
    const result = encodeBatch(msg.task as unknown as EncodeTilesTask);
    return { message: { id: msg.id, reply: { ok: true, result } }, transfer: resultTransfers(result) };
  } catch (e) {
    return { message: { id: msg.id, reply: { ok: false, error: errorData(e) } }, transfer: [] };
  }
}

/** Creates the tile-compression pool (called once, on the first large compressed image). */
export type EncodePoolFactory = () => WorkerPool | null;

let factory: EncodePoolFactory | null = null;
let pool: WorkerPool | null | undefined;

let idleProbe: (() => number) | null = null;

/**
 * Install the factory of the tile-compression pool (`null`: compress on the
 * calling thread). `idle`, if given, estimates how many more threads the
 * machine can run right now (e.g. cores − load average); each image uses at
 * most that many workers, none on a busy machine, where extra threads only add
 * overhead.
 */
export function setEncodePoolFactory(f: EncodePoolFactory | null, idle?: () => number): void {
  const old = pool;
  factory = f;
  idleProbe = idle ?? null;
  pool = undefined;
  if (old) void old.close();
}

/** How many workers of the pool to use for one image now (0: none). */
export function encodeWorkersNow(p: WorkerPool): number {
  if (!idleProbe) return p.size;
  let idle = 0;
  try {
    idle = Math.floor(idleProbe());
  } catch {
    idle = 0;
  }
  return Math.max(0, Math.min(p.size, idle));
}

/** Whether a factory is installed. */
export function hasEncodePoolFactory(): boolean {
  return factory !== null;
}

/** The pool, created on first use; null when none is installed, it cannot start, or a worker has failed. */
export function encodePool(): WorkerPool | null {
  // A pool whose worker died (pool-core's `failed`) is not used again.
  if (pool && (pool as { failed?: boolean }).failed) pool = null;
  if (pool === undefined) {
    pool = null;
    if (factory) {
      try {
        pool = factory();
      } catch {
        pool = null;
      }
    }
  }
  return pool;
}

/** Close the pool (it is re-created on the next use). */
export async function closeEncodePool(): Promise<void> {
  const p = pool;
  pool = undefined;
  if (p) await p.close();
}
