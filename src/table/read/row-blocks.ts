/**
 * Read a range of table rows in blocks of whole rows, so that every column is
 * gathered from a block while it is still in the CPU cache, and memory stays
 * bounded whatever the table size.
 */
import { FitsError } from '../../core/errors.js';
import type { ByteSource } from '../../core/byte-source.js';
import { MemorySource } from '../../io/memory-source.js';

/** Bytes per block: big enough to amortise calls, small enough to stay in L2/L3. */
export const ROW_BLOCK_BYTES = 1 << 20;

/**
 * Receives one block: `bytes` holds `n` rows of `rowBytes` bytes, the first
 * being row `first` counted from the start of the requested range.
 */
export type RowBlockSink = (bytes: Uint8Array, view: DataView, first: number, n: number) => void;

type SyncRead = (offset: number, length: number, into?: Uint8Array) => Uint8Array;

/** The source's synchronous read, if it has one (files, memory): many small reads cost microseconds, not promise round trips. */
export function syncReader(source: ByteSource): SyncRead | undefined {
  const s = source as ByteSource & { readSync?: SyncRead };
  return typeof s.readSync === 'function' ? s.readSync.bind(s) : undefined;
}

/** Read exactly `length` bytes at `offset` (into `into` when given), or throw TRUNCATED. */
export async function readBytes(source: ByteSource, offset: number, length: number, into: Uint8Array | undefined, hdu: number): Promise<Uint8Array> {
  const sync = syncReader(source);
  const got = sync ? sync(offset, length, into) : await source.read(offset, length, into);
  if (got.length !== length) {
    throw new FitsError('TRUNCATED', `The file ends inside the table data (wanted ${length} bytes at ${offset}, got ${got.length}).`, { hdu, offset: offset + got.length });
  }
  return got;
}

/**
 * Call `sink` for consecutive blocks of rows `start .. start + count - 1` of a
 * table whose rows begin at file offset `dataOffset`.
 */
export async function forEachRowBlock(
  source: ByteSource,
  hdu: number,
  dataOffset: number,
  rowBytes: number,
  start: number,
  count: number,
  sink: RowBlockSink,
  blockBytes = ROW_BLOCK_BYTES,
): Promise<void> {
  if (count === 0 || rowBytes === 0) return;
  const rowsPerBlock = Math.max(1, Math.floor(blockBytes / rowBytes));
  const scratchBytes = Math.min(rowsPerBlock, count) * rowBytes;
  // Memory sources hand out views: no copy needed. Others read into reusable scratch.
  const zeroCopy = source instanceof MemorySource;
  const blocks = Math.ceil(count / rowsPerBlock);
  // Asynchronous sources read the next block while this one is gathered (double buffer).
  const readAhead = !syncReader(source) && blocks > 1;
  const scratch = zeroCopy ? [] : readAhead ? [new Uint8Array(scratchBytes), new Uint8Array(scratchBytes)] : [new Uint8Array(scratchBytes)];
  const readBlock = (k: number): Promise<Uint8Array> => {
    const first = k * rowsPerBlock;
    const n = Math.min(rowsPerBlock, count - first);
    const into = zeroCopy ? undefined : scratch[k % scratch.length]!.subarray(0, n * rowBytes);
    return readBytes(source, dataOffset + (start + first) * rowBytes, n * rowBytes, into, hdu);
  };
  let pending = readBlock(0);
  for (let k = 0; k < blocks; k++) {
    const bytes = await pending;
    if (k + 1 < blocks && readAhead) {
      pending = readBlock(k + 1);
      // A failed read-ahead must not become an unhandled rejection if the sink throws first.
      pending.catch(() => undefined);
    }
    const first = k * rowsPerBlock;
    sink(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), first, Math.min(rowsPerBlock, count - first));
    if (k + 1 < blocks && !readAhead) pending = readBlock(k + 1);
  }
}
