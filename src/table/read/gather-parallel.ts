/**
 * Gathering table columns on two threads: this thread reads the row blocks
 * (it owns the ByteSource) and hands some of them to one worker through two
 * shared block slots; each side gathers whole blocks into shared column
 * outputs. Reading a big table is mostly gathering — page faults on the new
 * column arrays and strided loads — and both halve with a second core.
 *
 * Protocol (one worker task per read, no message per block):
 *  - `control[s]` is slot s's state: FREE (this thread may fill it), FILLED
 *    (bytes and `meta[2s] = first row, meta[2s+1] = rows` are ready), WORKING
 *    (the worker gathers it), CLAIMED (this thread took it back at the end);
 *    `control[DONE]` = 1 once no more blocks will come;
 *  - this thread fills slots in turn (0, 1, 0, …) and the worker takes them in
 *    the same order, so no block is skipped. When the next slot is still busy,
 *    this thread gathers the block itself instead of waiting;
 *  - at the end this thread claims the slots the worker has not started, waits
 *    for the one it is gathering, and — if the worker dies — gathers that block
 *    again from the slot, whose bytes are still there. The result never
 *    depends on the worker finishing.
 *
 * The worker side is {@link workGatherRows} in gather-worker.ts.
 */
import { allocateShared } from '../../core/buffers.js';
import type { ByteSource, SharedReadHandle, SourceLoan, SyncReadInto } from '../../core/byte-source.js';
import { poolIsWarm, type WorkerPool } from '../../core/worker-pool.js';
import type { BinaryColumnSpec } from './binary-layout.js';
import type { ColumnArray } from '../column.js';
import { readBytes } from './row-blocks.js';
import { FitsError } from '../../core/errors.js';
import { CHUNK_DONE_MAIN, CHUNK_DONE_WORKER, CHUNK_FREE, CHUNK_MAIN, CHUNK_WORKER, CONTROL_NEXT, CONTROL_STOP, awaitWorkerReplies } from '../../core/claimed-chunks.js';

/** Slot states (control[0], control[1]). */
export const SLOT_FREE = 0;
export const SLOT_FILLED = 1;
export const SLOT_WORKING = 2;
export const SLOT_CLAIMED = 3;
/** control[DONE] = 1: no more blocks. */
export const CONTROL_DONE = 2;

/** Task type of a parallel gather (worker-core.ts). */
export const TASK_GATHER_ROWS = 'gather-rows';

/** Bytes per block handed to the worker (as the single-threaded reader's blocks: they stay in cache). */
export const PARALLEL_BLOCK_BYTES = 1 << 20;
/** Smallest read (stored row bytes) worth a second thread: below it, starting the worker costs more than it saves. */
export const PARALLEL_MIN_BYTES = 8 << 20;

/** What the worker gets (all shared memory but the specs). */
export interface GatherRowsJob {
  specs: BinaryColumnSpec[];
  /** Output of each spec: the whole column (packed bytes for strings). */
  outputs: ColumnArray[];
  rowBytes: number;
  slots: SharedArrayBuffer[];
  control: Int32Array;
  meta: Float64Array;
}

/** Gathers rows `first .. first + n - 1` of one column out of a block. */
export type BlockGather = (src: Uint8Array, dv: DataView, first: number, n: number) => void;

/** One parallel read: how each side gathers. */
export interface ParallelGatherPlan {
  /** Gathers of the worker's columns, also run here on blocks this thread keeps. */
  shared: BlockGather[];
  /** Gathers only this thread runs (validity bitmaps, descriptors), on every block. */
  local: BlockGather[];
  /** The worker's columns and their shared outputs. */
  specs: BinaryColumnSpec[];
  outputs: ColumnArray[];
}

/** What ran where in the last parallel gather (for tests and benchmarks). */
export const lastGatherStats = { blocks: 0, workerBlocks: 0, fallback: false };

const sleep = (ms: number) => new Promise<void>((res) => setTimeout(res, ms));

/**
 * Gather rows `start .. start + count - 1` of a table at `dataOffset` with
 * one worker of `pool` helping. Resolves once every output holds every row.
 */
export async function gatherRowsParallel(
  source: ByteSource,
  hdu: number,
  dataOffset: number,
  rowBytes: number,
  start: number,
  count: number,
  plan: ParallelGatherPlan,
  pool: WorkerPool,
): Promise<void> {
  const rowsPerBlock = Math.max(1, Math.floor(PARALLEL_BLOCK_BYTES / rowBytes));
  const blockBytes = Math.min(rowsPerBlock, count) * rowBytes;
  const slots = [allocateShared(blockBytes), allocateShared(blockBytes)];
  const control = new Int32Array(new SharedArrayBuffer(4 * 3));
  const meta = new Float64Array(new SharedArrayBuffer(8 * 4));
  const job: GatherRowsJob = { specs: plan.specs, outputs: plan.outputs, rowBytes, slots, control, meta };
  let failed = false;
  const run = pool.run({ type: TASK_GATHER_ROWS, job }).then(
    () => undefined,
    () => {
      failed = true;
    },
  );
  const scratch = new Uint8Array(blockBytes);
  const blocks = Math.ceil(count / rowsPerBlock);
  let next = 0; // the slot the worker takes next
  let workerBlocks = 0;
  const gatherAll = (gathers: BlockGather[], bytes: Uint8Array, first: number, n: number) => {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const g of gathers) g(bytes, dv, first, n);
  };
  const slotBytes = (s: number) => new Uint8Array(slots[s]!, 0, meta[2 * s + 1]! * rowBytes);
  try {
    for (let k = 0; k < blocks; k++) {
      const first = k * rowsPerBlock;
      const n = Math.min(rowsPerBlock, count - first);
      const offset = dataOffset + (start + first) * rowBytes;
      if (!failed && Atomics.load(control, next) === SLOT_FREE) {
        const bytes = await readBytes(source, offset, n * rowBytes, new Uint8Array(slots[next]!, 0, n * rowBytes), hdu);
        gatherAll(plan.local, bytes, first, n);
        meta[2 * next] = first;
        meta[2 * next + 1] = n;
        Atomics.store(control, next, SLOT_FILLED);
        Atomics.notify(control, next);
        next ^= 1;
        workerBlocks++;
      } else {
        const bytes = await readBytes(source, offset, n * rowBytes, scratch.subarray(0, n * rowBytes), hdu);
        gatherAll(plan.shared, bytes, first, n);
        gatherAll(plan.local, bytes, first, n);
      }
    }
  } finally {
    Atomics.store(control, CONTROL_DONE, 1);
    for (let s = 0; s < 2; s++) Atomics.notify(control, s);
  }
  // Blocks the worker has not started: gather them here.
  let fallback = false;
  for (let s = 0; s < 2; s++) {
    if (Atomics.compareExchange(control, s, SLOT_FILLED, SLOT_CLAIMED) === SLOT_FILLED) {
      gatherAll(plan.shared, slotBytes(s), meta[2 * s]!, meta[2 * s + 1]!);
      Atomics.store(control, s, SLOT_FREE);
      workerBlocks--;
    }
  }
  // A block the worker is gathering: wait for it; if the worker dies, gather it again here.
  while (Atomics.load(control, 0) === SLOT_WORKING || Atomics.load(control, 1) === SLOT_WORKING) {
    if (failed) {
      for (let s = 0; s < 2; s++) {
        if (Atomics.load(control, s) === SLOT_WORKING) {
          gatherAll(plan.shared, slotBytes(s), meta[2 * s]!, meta[2 * s + 1]!);
          Atomics.store(control, s, SLOT_FREE);
          fallback = true;
        }
      }
      break;
    }
    await Promise.race([run, sleep(1)]);
  }
  await awaitWorkerReplies([run], workerBlocks > 0 || poolIsWarm(pool));
  Object.assign(lastGatherStats, { blocks, workerBlocks, fallback });
}

// ---------------------------------------------------------------------------
// Lent sources: every thread reads its own blocks.

/** Task type of a gather where workers read the rows themselves (worker-core.ts). */
export const TASK_GATHER_LENT = 'gather-lent';


/**
 * A gather where each thread reads whole row blocks from a lent source into
 * its own scratch and gathers every column of the job out of them (only when
 * every column is parallel-gatherable). Blocks are claimed from a shared
 * counter; once all are claimed this thread takes over the blocks no worker
 * has started and waits only for blocks being gathered.
 */
export interface LentGatherJob {
  handle: SharedReadHandle;
  specs: BinaryColumnSpec[];
  outputs: ColumnArray[];
  rowBytes: number;
  /** File offset of the read's first row. */
  fileOffset: number;
  rowsPerBlock: number;
  /** Rows of the read. */
  count: number;
  /** [next block to claim, stop]. */
  control: Int32Array;
  states: Int32Array;
}

/** Read block `k` of a lent gather with `read` into `scratch` and run `gathers`; false when the file ended early. */
export function gatherLentBlock(job: LentGatherJob, k: number, read: SyncReadInto, scratch: Uint8Array, gathers: readonly BlockGather[]): boolean {
  const first = k * job.rowsPerBlock;
  const n = Math.min(job.rowsPerBlock, job.count - first);
  const bytes = scratch.subarray(0, n * job.rowBytes);
  if (read(job.fileOffset + first * job.rowBytes, bytes) !== bytes.length) return false;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const g of gathers) g(bytes, dv, first, n);
  return true;
}

type WaitAsync = (a: Int32Array, i: number, v: number, t?: number) => { async: boolean; value: Promise<string> | string };

/**
 * Gather rows `start .. start + count - 1` with this thread and up to
 * `nWorkers` workers of `pool`, each reading its blocks from the lent source
 * (`read` is this thread's read of it). Every column of `plan` must be in
 * `plan.shared` (no local gathers). The loan is released once no worker reads.
 */
export async function gatherRowsLent(
  loan: SourceLoan,
  read: SyncReadInto,
  hdu: number,
  dataOffset: number,
  rowBytes: number,
  start: number,
  count: number,
  plan: ParallelGatherPlan,
  pool: WorkerPool,
  nWorkers: number,
): Promise<void> {
  const rowsPerBlock = Math.max(1, Math.floor(PARALLEL_BLOCK_BYTES / rowBytes));
  const blocks = Math.ceil(count / rowsPerBlock);
  const job: LentGatherJob = {
    handle: loan.handle, specs: plan.specs, outputs: plan.outputs, rowBytes,
    fileOffset: dataOffset + start * rowBytes, rowsPerBlock, count,
    control: new Int32Array(new SharedArrayBuffer(8)),
    states: new Int32Array(new SharedArrayBuffer(4 * blocks)),
  };
  const { control, states } = job;
  let poolFailed = false;
  let onFailure: () => void = () => undefined;
  const failure = new Promise<void>((res) => (onFailure = res));
  const runs: Promise<unknown>[] = [];
  for (let i = 0; i < Math.min(nWorkers, blocks - 1); i++) {
    runs.push(pool.run({ type: TASK_GATHER_LENT, job }).catch((e: unknown) => {
      if ((e as { name?: string } | null)?.name !== 'FitsError') {
        poolFailed = true;
        onFailure();
      }
    }));
  }
  void Promise.allSettled(runs).then(() => loan.release());
  const scratch = new Uint8Array(Math.min(rowsPerBlock, count) * rowBytes);
  const short = (k: number) => {
    const offset = job.fileOffset + k * rowsPerBlock * rowBytes;
    return new FitsError('TRUNCATED', 'The file ends inside the table data.', { hdu, offset });
  };
  const mine = (k: number): boolean => {
    if (Atomics.compareExchange(states, k, CHUNK_FREE, CHUNK_MAIN) !== CHUNK_FREE) return false;
    if (!gatherLentBlock(job, k, read, scratch, plan.shared)) throw short(k);
    Atomics.store(states, k, CHUNK_DONE_MAIN);
    return true;
  };
  let fallback = false;
  try {
    for (;;) {
      const k = Atomics.add(control, CONTROL_NEXT, 1);
      if (k >= blocks) break;
      mine(k);
    }
    Atomics.store(control, CONTROL_STOP, 1);
    let pending: number[] = [];
    for (let k = blocks - 1; k >= 0; k--) if (!mine(k) && Atomics.load(states, k) === CHUNK_WORKER) pending.push(k);
    const waitAsync = (Atomics as { waitAsync?: WaitAsync }).waitAsync;
    while (pending.length) {
      const settled = (async () => {
        for (const k of pending) {
          while (Atomics.load(states, k) === CHUNK_WORKER) {
            const w = waitAsync?.(states, k, CHUNK_WORKER, 50);
            if (w?.async) await w.value;
            else if (!w) await sleep(0);
          }
        }
      })();
      await Promise.race([settled, failure]);
      if (poolFailed) await Promise.race([settled, sleep(100)]);
      const left: number[] = [];
      for (const k of pending) {
        const st = Atomics.load(states, k);
        if (st === CHUNK_DONE_WORKER) continue;
        if (st === CHUNK_WORKER && !poolFailed) left.push(k);
        else {
          // A worker met an error here (the block is FREE again: meet it here too), or died.
          fallback = true;
          Atomics.store(states, k, CHUNK_MAIN);
          if (!gatherLentBlock(job, k, read, scratch, plan.shared)) throw short(k);
          Atomics.store(states, k, CHUNK_DONE_MAIN);
        }
      }
      pending = left;
    }
  } finally {
    Atomics.store(control, CONTROL_STOP, 1);
  }
  let workerBlocks = 0;
  for (let k = 0; k < blocks; k++) if (states[k] === CHUNK_DONE_WORKER) workerBlocks++;
  await awaitWorkerReplies(runs, workerBlocks > 0 || poolIsWarm(pool));
  Object.assign(lastGatherStats, { blocks, workerBlocks, fallback });
}
