/**
 * Verify an HDU's CHECKSUM and DATASUM cards by re-reading its bytes.
 */
import { FitsError } from '../core/errors.js';
import type { HduContext } from '../hdu/context.js';
import { OnesComplementSum, addSums } from './sum32.js';

/** One checksum's outcome: it matches, it does not, or the keyword is not in the header. */
export type ChecksumStatus = 'ok' | 'bad' | 'absent';

/** What {@link Hdu.verifyChecksum} found for DATASUM (the data) and CHECKSUM (header and data). */
export interface ChecksumResult {
  /** DATASUM: ok, bad, or absent from the header. */
  datasum: ChecksumStatus;
  /** CHECKSUM: ok, bad, or absent from the header. */
  checksum: ChecksumStatus;
  /** The data sum computed from the file. */
  computedDatasum: number;
}

const CHUNK = 8 << 20;

/** Ones' complement sum of `length` bytes at `offset` (zero padding assumed past the end of the file). */
export async function sumRange(ctx: HduContext, offset: number, length: number, scratch?: Uint8Array): Promise<number> {
  const sum = new OnesComplementSum();
  const buf = scratch ?? new Uint8Array(Math.min(CHUNK, Math.max(4, length)));
  let done = 0;
  while (done < length) {
    const n = Math.min(buf.length, length - done);
    const got = await ctx.source.read(offset + done, n, buf.subarray(0, n));
    if (got.length < n) {
      if (offset + done + got.length < ctx.dataOffset + ctx.layout.dataBytes) {
        throw new FitsError('TRUNCATED', 'The file ends inside the data while computing its checksum.', { hdu: ctx.index, offset: offset + done + got.length });
      }
      buf.fill(0, got.length, n); // missing final padding counts as zeros
    }
    sum.add(buf.subarray(0, n + ((4 - (n % 4)) % 4)));
    done += n;
  }
  return sum.value;
}

export async function verifyHduChecksum(ctx: HduContext): Promise<ChecksumResult> {
  const h = ctx.header;
  const hasDatasum = h.has('DATASUM');
  const hasChecksum = h.has('CHECKSUM');
  const dataSum = await sumRange(ctx, ctx.dataOffset, ctx.layout.paddedDataBytes);
  let datasum: ChecksumStatus = 'absent';
  if (hasDatasum) {
    const v = h.get('DATASUM');
    const declared = typeof v === 'string' ? Number(v.trim()) : typeof v === 'number' ? v : NaN;
    datasum = declared === dataSum ? 'ok' : 'bad';
  }
  let checksum: ChecksumStatus = 'absent';
  if (hasChecksum) {
    const headerSum = await sumRange(ctx, ctx.headerOffset, ctx.dataOffset - ctx.headerOffset);
    const total = addSums(headerSum, dataSum);
    checksum = total === 0xffffffff || total === 0 ? 'ok' : 'bad';
  }
  return { datasum, checksum, computedDatasum: dataSum };
}
