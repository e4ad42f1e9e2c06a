/**
 * The claim protocol of reads shared between the calling thread and pool
 * workers (image/parallel-read.ts, table/read/gather-parallel.ts): the work
 * is cut into chunks; `control[CONTROL_NEXT]` hands out the next chunk index
 * to whoever asks, one `states` entry per chunk says who holds it, and
 * `control[CONTROL_STOP] = 1` tells workers to claim no more. A worker whose
 * read fails puts its chunk back to FREE, so the calling thread reads it again
 * and meets (and reports) the same error itself. Both arrays are Int32Arrays
 * on SharedArrayBuffers.
 */
import { FitsError } from './errors.js';

/** Chunk states: not claimed; being read by the calling thread; by a worker; read by the calling thread; by a worker. */
export const CHUNK_FREE = 0;
export const CHUNK_MAIN = 1;
export const CHUNK_WORKER = 2;
export const CHUNK_DONE_MAIN = 3;
export const CHUNK_DONE_WORKER = 4;

/** control[CONTROL_NEXT]: the next chunk to claim; control[CONTROL_STOP] = 1: claim no more. */
export const CONTROL_NEXT = 0;
export const CONTROL_STOP = 1;

/**
 * Worker side: claim chunks and run `readChunk` on each until none is left or
 * the calling thread says stop. `readChunk` returns false when the file ends
 * early. Returns the number of chunks read.
 * @param what - what is read, for the messages ("image", "table").
 * @throws FitsError when a read fails or the file ends early (the chunk is FREE again).
 */
export function readClaimedChunks(control: Int32Array, states: Int32Array, count: number, readChunk: (chunk: number) => boolean, what: string): number {
  let done = 0;
  for (;;) {
    if (Atomics.load(control, CONTROL_STOP) !== 0) return done;
    const c = Atomics.add(control, CONTROL_NEXT, 1);
    if (c >= count) return done;
    if (Atomics.compareExchange(states, c, CHUNK_FREE, CHUNK_WORKER) !== CHUNK_FREE) continue;
    let ok = false;
    try {
      ok = readChunk(c);
    } catch (e) {
      // Reported as the worker's own error (the pool is fine): the calling thread reads the chunk again.
      throw e instanceof FitsError ? e : new FitsError('IO', `A worker could not read the ${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      Atomics.store(states, c, ok ? CHUNK_DONE_WORKER : CHUNK_FREE);
      Atomics.notify(states, c);
    }
    if (!ok) throw new FitsError('TRUNCATED', `The file ends inside the ${what} data.`);
    done++;
  }
}

/** How long a read waits at most for the replies of the workers that took part. */
export const WORKER_REPLY_WAIT_MS = 100;

/**
 * After a parallel read: let the workers' replies arrive (they stop within one
 * chunk once every chunk is claimed; bounded by {@link WORKER_REPLY_WAIT_MS}).
 * Otherwise, when the caller reads again without yielding to the event loop
 * (sync file reads), the pool still counts them busy and queues the next job
 * behind them, so this thread does it all alone — and the queue grows. Pass
 * `wait` false when the workers have not started yet (see WorkerPool.warm):
 * waiting would then cost their whole start-up (~100 ms for a new process's
 * first read).
 */
export async function awaitWorkerReplies(runs: readonly Promise<unknown>[], wait: boolean): Promise<void> {
  if (!wait || runs.length === 0) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([Promise.allSettled(runs), new Promise<void>((res) => (timer = setTimeout(res, WORKER_REPLY_WAIT_MS)))]);
  clearTimeout(timer);
}
