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
import type { ByteSource } from '../../core/byte-source.js';
import type { WorkerPool } from '../../core/worker-pool.js';
import type { BinaryColumnSpec } from './binary-layout.js';
import type { ColumnArray } from '../column.js';
import { readBytes } from './row-blocks.js';

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
  const slots = [new SharedArrayBuffer(blockBytes), new SharedArrayBuffer(blockBytes)];
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
  // Let the worker's reply arrive (bounded), so the pool sees it idle for the next read.
  await Promise.race([run, sleep(100)]);
  Object.assign(lastGatherStats, { blocks, workerBlocks, fallback });
}
