/**
 * Reading plain pixels on several threads into one SharedArrayBuffer: each
 * thread reads chunks of the file straight into the output with its own
 * positioned reads and byte-swaps them while they are in its cache. A big
 * read into fresh memory is mostly the kernel faulting in and zeroing the
 * output's pages (Node gets no huge pages); those faults then run on every
 * core instead of one.
 *
 * Protocol (one worker task per worker per read, no message per chunk):
 * chunks are claimed from a shared counter; a chunk's state goes FREE →
 * MAIN or WORKER (whoever wins the compare-exchange) → DONE_MAIN or DONE_WORKER. Once every
 * chunk is claimed, the calling thread takes over the chunks still FREE
 * (a worker that is slow to start, or descheduled on a busy machine, never
 * holds the read back) and waits only for chunks a worker is in the middle
 * of. A worker that fails puts its chunk back to FREE, so the calling thread
 * reads it again and meets (and reports) the same error itself.
 */
import type { SharedReadHandle, SourceLoan, SyncReadInto } from '../core/byte-source.js';
import { poolIsWarm, type WorkerPool } from '../core/worker-pool.js';
import { countShared } from '../core/buffers.js';
import { CHUNK_DONE_MAIN, CHUNK_DONE_WORKER, CHUNK_FREE, CHUNK_MAIN, CHUNK_WORKER, CONTROL_NEXT, CONTROL_STOP, awaitWorkerReplies, readClaimedChunks } from '../core/claimed-chunks.js';
import { swapInPlace, flipSignInPlace } from './convert.js';

/** Task type of a parallel plain read (workers/worker-core.ts). */
export const TASK_READ_PIXELS = 'read-pixels';

/** Fields per piece in {@link SharedPixelRead.pieces}: file offset, output byte offset, byte length. */
export const PIECE_FIELDS = 3;

/** A plain read shared by threads through memory. Every array is on a SharedArrayBuffer but the handle. */
export interface SharedPixelRead {
  /** How a worker reads the file. */
  handle: SharedReadHandle;
  /** The output's bytes. */
  out: Uint8Array;
  /** Contiguous byte ranges to copy: PIECE_FIELDS numbers each. */
  pieces: Float64Array;
  /** Chunk c is pieces chunkFirst[c] .. chunkFirst[c + 1] - 1. */
  chunkFirst: Int32Array;
  /** Element width in bytes (what to byte-swap). */
  width: number;
  /** Flip the sign bit after swapping (unsigned conventions). */
  flip: boolean;
  control: Int32Array;
  states: Int32Array;
}

/** Read chunk `c` with `read` and convert it in place; returns false if the file ended early. */
export function readChunk(job: SharedPixelRead, c: number, read: SyncReadInto): boolean {
  const { pieces, chunkFirst, out, width, flip } = job;
  for (let p = chunkFirst[c]!; p < chunkFirst[c + 1]!; p++) {
    const fileOffset = pieces[p * PIECE_FIELDS]!;
    const at = pieces[p * PIECE_FIELDS + 1]!;
    const length = pieces[p * PIECE_FIELDS + 2]!;
    if (read(fileOffset, out.subarray(at, at + length)) !== length) return false;
    const byteOffset = out.byteOffset + at;
    swapInPlace(out.buffer, byteOffset, length / width, width);
    if (flip) flipSignInPlace(out.buffer, byteOffset, length / width, width);
  }
  return true;
}

/**
 * Worker side: claim and read chunks until none is left or the calling
 * thread says stop. Returns the number of chunks read.
 * @throws Error when the file ends early or a read fails (the chunk is FREE again).
 */
export function workPixelRead(job: SharedPixelRead, read: SyncReadInto): number {
  return readClaimedChunks(job.control, job.states, job.chunkFirst.length - 1, (c) => readChunk(job, c, read), 'image');
}

/**
 * Calling-thread side: claim chunks, then take over every chunk no worker has
 * started. `read` throws on a short read. Returns the chunks workers are
 * still reading (wait for them with {@link chunksDone}).
 */
export function leadPixelRead(job: SharedPixelRead, read: SyncReadInto, shortRead: (chunk: number) => Error): number[] {
  const { control, states } = job;
  const nchunks = job.chunkFirst.length - 1;
  const mine = (c: number): boolean => {
    if (Atomics.compareExchange(states, c, CHUNK_FREE, CHUNK_MAIN) !== CHUNK_FREE) return false;
    try {
      if (!readChunk(job, c, read)) throw shortRead(c);
    } catch (e) {
      Atomics.store(control, CONTROL_STOP, 1);
      throw e;
    }
    Atomics.store(states, c, CHUNK_DONE_MAIN);
    return true;
  };
  for (;;) {
    const c = Atomics.add(control, CONTROL_NEXT, 1);
    if (c >= nchunks) break;
    mine(c);
  }
  Atomics.store(control, CONTROL_STOP, 1);
  const pending: number[] = [];
  for (let c = nchunks - 1; c >= 0; c--) {
    if (mine(c)) continue;
    if (Atomics.load(states, c) === CHUNK_WORKER) pending.push(c);
  }
  return pending;
}

type WaitAsync = (a: Int32Array, i: number, v: number, t?: number) => { async: boolean; value: Promise<string> | string };

/**
 * Resolve once none of the chunks `cs` is being read by a worker any more
 * (each is then done, or FREE again after a worker's error).
 */
export async function chunksSettled(states: Int32Array, cs: readonly number[]): Promise<void> {
  const waitAsync = (Atomics as { waitAsync?: WaitAsync }).waitAsync;
  for (const c of cs) {
    while (Atomics.load(states, c) === CHUNK_WORKER) {
      if (waitAsync) {
        const w = waitAsync(states, c, CHUNK_WORKER, 50);
        if (w.async) await w.value;
      } else {
        await new Promise((res) => setTimeout(res, 0));
      }
    }
  }
}

/** Largest piece read and swapped at once, so it is swapped while still in this core's cache (2 MiB pieces measured 10–25 % slower on the 4096² read). */
const PIECE_MAX_BYTES = 256 << 10;

/**
 * Split contiguous byte ranges (file offset, output offset, length) into
 * pieces of at most `chunkBytes` (multiples of `width`) and group them into
 * chunks of about `chunkBytes`.
 */
export function planPixelChunks(ranges: readonly { fileOffset: number; outOffset: number; length: number }[], chunkBytes: number, width: number): { pieces: Float64Array; chunkFirst: Int32Array } {
  const pieceBytes = Math.min(chunkBytes, PIECE_MAX_BYTES);
  const step = Math.max(width, pieceBytes - (pieceBytes % width));
  let npieces = 0;
  for (const r of ranges) npieces += Math.ceil(r.length / step);
  const pieces = new Float64Array(new SharedArrayBuffer(Math.max(1, npieces) * PIECE_FIELDS * 8));
  const firsts: number[] = [0];
  let p = 0;
  let inChunk = 0;
  for (const r of ranges) {
    for (let done = 0; done < r.length; done += step) {
      const length = Math.min(step, r.length - done);
      pieces[p * PIECE_FIELDS] = r.fileOffset + done;
      pieces[p * PIECE_FIELDS + 1] = r.outOffset + done;
      pieces[p * PIECE_FIELDS + 2] = length;
      p++;
      inChunk += length;
      if (inChunk >= chunkBytes) {
        firsts.push(p);
        inChunk = 0;
      }
    }
  }
  if (firsts[firsts.length - 1] !== p) firsts.push(p);
  const chunkFirst = new Int32Array(new SharedArrayBuffer(firsts.length * 4));
  chunkFirst.set(firsts);
  return { pieces, chunkFirst };
}

/** Bytes per chunk: about 8 claims per thread, 256 KiB – 2 MiB (a chunk is read and swapped while in cache). */
export function pixelChunkBytes(totalBytes: number, threads: number): number {
  const per = Math.ceil(totalBytes / (threads * 8));
  return Math.min(2 << 20, Math.max(256 << 10, Math.ceil(per / 4096) * 4096));
}

/** How the last parallel plain read of this thread went (tests, benchmarks). */
export const lastPixelReadStats = { workers: 0, chunks: 0, workerChunks: 0, fallback: false };

/** After the pool fails, how long a chunk a worker was reading gets to settle before this thread reads it again. */
const DEAD_WORKER_GRACE_MS = 100;

const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

/**
 * Read `ranges` of a lent source into `out` (a view of a SharedArrayBuffer)
 * with this thread and up to `nWorkers` workers of `pool`, swapping
 * `width`-byte elements (and flipping sign bits when `flip`). `read` is this
 * thread's positioned read of the same source. The loan is released once no
 * worker reads any more. Resolves when every byte is in place; rejects with
 * what `shortRead` makes if the file ends early (whichever thread met it).
 */
export async function readPixelsParallel(
  loan: SourceLoan,
  read: SyncReadInto,
  pool: WorkerPool,
  nWorkers: number,
  ranges: readonly { fileOffset: number; outOffset: number; length: number }[],
  out: Uint8Array,
  width: number,
  flip: boolean,
  shortRead: (fileOffset: number) => Error,
): Promise<void> {
  let total = 0;
  for (const r of ranges) total += r.length;
  const { pieces, chunkFirst } = planPixelChunks(ranges, pixelChunkBytes(total, nWorkers + 1), width);
  const nchunks = chunkFirst.length - 1;
  const job: SharedPixelRead = {
    handle: loan.handle, out, pieces, chunkFirst, width, flip,
    control: new Int32Array(new SharedArrayBuffer(8)),
    states: new Int32Array(new SharedArrayBuffer(4 * nchunks)),
  };
  const fileOffsetOf = (c: number) => pieces[chunkFirst[c]! * PIECE_FIELDS]!;
  // A rejected task whose error is not the worker's own report means the pool failed.
  let poolFailed = false;
  let onFailure: () => void = () => undefined;
  const failure = new Promise<void>((res) => (onFailure = res));
  const runs: Promise<unknown>[] = [];
  for (let i = 0; i < Math.min(nWorkers, nchunks - 1); i++) {
    runs.push(
      pool.run({ type: TASK_READ_PIXELS, job }).catch((e: unknown) => {
        if ((e as { name?: string } | null)?.name !== 'FitsError') {
          poolFailed = true;
          onFailure();
        }
      }),
    );
  }
  // The source stays lent until every worker has replied (a late one may still be reading).
  void Promise.allSettled(runs).then(() => loan.release());
  // Now that the workers have their job: the collection this may start overlaps their reading.
  countShared(out.buffer);
  let fallback = false;
  try {
    let pending = leadPixelRead(job, read, (c) => shortRead(fileOffsetOf(c)));
    while (pending.length) {
      await Promise.race([chunksSettled(job.states, pending), failure]);
      if (poolFailed) await Promise.race([chunksSettled(job.states, pending), sleep(DEAD_WORKER_GRACE_MS)]);
      const left: number[] = [];
      for (const c of pending) {
        const st = Atomics.load(job.states, c);
        if (st === CHUNK_DONE_WORKER) continue;
        if (st === CHUNK_WORKER && !poolFailed) {
          left.push(c);
          continue;
        }
        // FREE again (the worker met an error: meet it here too) or left by a dead worker.
        fallback = true;
        Atomics.store(job.states, c, CHUNK_MAIN);
        if (!readChunk(job, c, read)) throw shortRead(fileOffsetOf(c));
        Atomics.store(job.states, c, CHUNK_DONE_MAIN);
      }
      pending = left;
    }
  } finally {
    Atomics.store(job.control, CONTROL_STOP, 1);
  }
  let workerChunks = 0;
  for (let c = 0; c < nchunks; c++) if (job.states[c] === CHUNK_DONE_WORKER) workerChunks++;
  await awaitWorkerReplies(runs, workerChunks > 0 || poolIsWarm(pool));
  Object.assign(lastPixelReadStats, { workers: runs.length, chunks: nchunks, workerChunks, fallback });
}
