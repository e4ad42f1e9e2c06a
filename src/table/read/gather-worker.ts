/**
 * The worker side of a parallel table gather (see gather-parallel.ts for the
 * protocol): take filled block slots in turn, gather the job's columns out of
 * each into the shared outputs, free the slot, until the reader says it is done.
 */
import { readClaimedChunks } from '../../core/claimed-chunks.js';
import type { SyncReadInto } from '../../core/byte-source.js';
import {
  CONTROL_DONE, gatherLentBlock, SLOT_FILLED, SLOT_FREE, SLOT_WORKING,
  type GatherRowsJob, type LentGatherJob,
} from './gather-parallel.js';
import { parallelRowGather } from './read-binary.js';

/** How long one wait for the next block lasts before the worker looks at the done flag again (ms). */
const WAIT_MS = 50;

/** Gather blocks until the reader is done; returns the number of blocks gathered. */
export function workGatherRows(job: GatherRowsJob): number {
  const { control, meta, rowBytes } = job;
  const gathers = job.specs.map((spec, i) => parallelRowGather(spec, rowBytes, job.outputs[i]!));
  let s = 0;
  let done = 0;
  for (;;) {
    if (Atomics.compareExchange(control, s, SLOT_FILLED, SLOT_WORKING) === SLOT_FILLED) {
      const first = meta[2 * s]!;
      const n = meta[2 * s + 1]!;
      const bytes = new Uint8Array(job.slots[s]!, 0, n * rowBytes);
      const dv = new DataView(bytes.buffer, 0, bytes.byteLength);
      for (const g of gathers) g(bytes, dv, first, n);
      Atomics.store(control, s, SLOT_FREE);
      s ^= 1;
      done++;
      continue;
    }
    if (Atomics.load(control, CONTROL_DONE) === 1) return done;
    Atomics.wait(control, s, SLOT_FREE, WAIT_MS);
  }
}

/**
 * Worker side of a lent gather: claim blocks, read and gather each, until
 * none is left or the calling thread says stop. Returns the blocks gathered.
 * @throws FitsError on a short or failed read (the block is FREE again, for the calling thread).
 */
export function workGatherLent(job: LentGatherJob, read: SyncReadInto): number {
  const gathers = job.specs.map((spec, i) => parallelRowGather(spec, job.rowBytes, job.outputs[i]!));
  const blocks = Math.ceil(job.count / job.rowsPerBlock);
  const scratch = new Uint8Array(Math.min(job.rowsPerBlock, job.count) * job.rowBytes);
  return readClaimedChunks(job.control, job.states, blocks, (k) => gatherLentBlock(job, k, read, scratch, gathers), 'table');
}
