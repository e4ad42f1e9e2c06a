/**
 * What a worker thread does with a message: the task handlers and the reply
 * format, shared by the Node and Web worker scripts.
 */
import { FitsError } from '../core/errors.js';
import { bareMessage, workTileJob, type SharedTileJob } from '../tiled/tile-decode.js';
import { TASK_GATHER_ROWS, type GatherRowsJob } from '../table/read/gather-parallel.js';
import { workGatherRows } from '../table/read/gather-worker.js';
import type { PoolRequest, PoolResponse } from './pool-core.js';
import type { WorkerErrorData } from '../core/worker-pool.js';
import type { TileCodecs } from '../codecs/tile-codec.js';

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

/** Handle one request with this worker's tile decoders; never throws. */
export function handleRequest(msg: PoolRequest, codecs: TileCodecs): PoolResponse {
  try {
    const task = msg.task;
    switch (task.type) {
      case TASK_PING:
        return { id: msg.id, reply: { ok: true, result: 'pong' } };
      case TASK_DECODE_TILES:
        return { id: msg.id, reply: { ok: true, result: workTileJob(task.job as SharedTileJob, codecs) } };
      case TASK_GATHER_ROWS:
        return { id: msg.id, reply: { ok: true, result: workGatherRows(task.job as GatherRowsJob) } };
      default:
        throw new Error(`unknown task type ${String(task.type)}`);
    }
  } catch (e) {
    return { id: msg.id, reply: { ok: false, error: errorData(e) } };
  }
}
