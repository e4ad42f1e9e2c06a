/**
 * What a worker thread does with a message: the task handlers and the reply
 * format, shared by the Node and Web worker scripts.
 */
import { FitsError } from '../core/errors.js';
import { bareMessage, workTileJob, type SharedTileJob } from '../tiled/tile-decode.js';
import { TASK_GATHER_LENT, TASK_GATHER_ROWS, type GatherRowsJob, type LentGatherJob } from '../table/read/gather-parallel.js';
import { workGatherLent, workGatherRows } from '../table/read/gather-worker.js';
import type { PoolRequest, PoolResponse } from './pool-core.js';
import type { WorkerErrorData } from '../core/worker-pool.js';
import type { TileCodecs } from '../codecs/tile-codec.js';
import type { SharedReadHandle, SyncReadInto } from '../core/byte-source.js';
import { TASK_READ_PIXELS, workPixelRead, type SharedPixelRead } from '../image/parallel-read.js';
import { reportSharedMemory } from '../core/buffers.js';

/**
 * How this worker reads a lent source (ByteSource.lend): the runtime's
 * readers (Node: 'node-fd'), else undefined. 'memory' handles are read here.
 */
export type HandleReader = (handle: SharedReadHandle) => SyncReadInto | undefined;

/** The reader of a 'memory' handle: bytes on a SharedArrayBuffer. */
function memoryReader(handle: SharedReadHandle): SyncReadInto | undefined {
  const bytes = handle.bytes;
  if (handle.kind !== 'memory' || !(bytes instanceof Uint8Array)) return undefined;
  return (offset, into) => {
    const view = bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + into.length, bytes.length));
    into.set(view);
    return view.length;
  };
}

/** Task types a worker understands. */
export const TASK_DECODE_TILES = 'decode-tiles';
export const TASK_PING = 'ping';

function errorData(e: unknown): WorkerErrorData {
  if (e instanceof FitsError) {
    return { name: e.name, message: bareMessage(e), code: e.code, hdu: e.hdu, tile: e.tile, offset: e.offset };
  }
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

/** Bytes of the big shared arrays a task's job holds (what this worker's views keep alive until it collects). */
function sharedBytesOf(type: unknown, job: unknown): number {
  if (job === null || typeof job !== 'object') return 0;
  const sum = (arrays: readonly (ArrayBufferView | undefined)[]) => arrays.reduce((n, a) => n + (a?.byteLength ?? 0), 0);
  switch (type) {
    case TASK_DECODE_TILES: {
      const j = job as SharedTileJob;
      return sum([j.out, j.staging]);
    }
    case TASK_GATHER_ROWS:
    case TASK_GATHER_LENT:
      return sum((job as GatherRowsJob | LentGatherJob).outputs ?? []);
    case TASK_READ_PIXELS:
      return sum([(job as SharedPixelRead).out]);
    default:
      return 0;
  }
}

/** Handle one request with this worker's tile decoders and source readers; never throws. */
export function handleRequest(msg: PoolRequest, codecs: TileCodecs, readers?: HandleReader): PoolResponse {
  // Tell the pool this worker runs (it reads the flag without waiting for a reply: WorkerPool.warm).
  if (msg?.started instanceof Int32Array) Atomics.store(msg.started, 0, 1);
  try {
    return handleTask(msg, codecs, readers);
  } finally {
    // This worker allocates little, so without this it would rarely collect and would hold every output it was sent.
    reportSharedMemory(sharedBytesOf(msg.task?.type, msg.task?.job));
  }
}

function handleTask(msg: PoolRequest, codecs: TileCodecs, readers?: HandleReader): PoolResponse {
  try {
    const task = msg.task;
    switch (task.type) {
      case TASK_PING:
        return { id: msg.id, reply: { ok: true, result: 'pong' } };
      case TASK_DECODE_TILES:
        return { id: msg.id, reply: { ok: true, result: workTileJob(task.job as SharedTileJob, codecs) } };
      case TASK_GATHER_ROWS:
        return { id: msg.id, reply: { ok: true, result: workGatherRows(task.job as GatherRowsJob) } };
      case TASK_GATHER_LENT: {
        const job = task.job as LentGatherJob;
        const read = memoryReader(job.handle) ?? readers?.(job.handle);
        return { id: msg.id, reply: { ok: true, result: read ? workGatherLent(job, read) : 0 } };
      }
      case TASK_READ_PIXELS: {
        const job = task.job as SharedPixelRead;
        const read = memoryReader(job.handle) ?? readers?.(job.handle);
        // A worker that cannot read this kind of source reads nothing: the calling thread does it all.
        return { id: msg.id, reply: { ok: true, result: read ? workPixelRead(job, read) : 0 } };
      }
      default:
        throw new Error(`unknown task type ${String(task.type)}`);
    }
  } catch (e) {
    return { id: msg.id, reply: { ok: false, error: errorData(e) } };
  }
}
