/**
 * What every inflater of GZIP tiles checks before it starts (the portable one
 * on pako, inflate.ts, and Node's on node:zlib): the stream's wrapper and how
 * large its output can be. Apart from inflate.ts so that the Node runtime does
 * not load pako.
 */
import { FitsError } from '../../core/errors.js';

/** Deflate cannot expand data by more than 1032:1 (zlib FAQ), plus slack for a tiny last block. */
const MAX_DEFLATE_RATIO = 1032;
const MAX_DEFLATE_SLACK = 1024;

/** Stream wrapper recognised from the first two bytes. */
export type DeflateWrapper = 'gzip' | 'zlib';

/**
 * Identify the wrapper of a compressed stream: gzip (magic `1F 8B`) or zlib
 * (CM = 8, CINFO ≤ 7, header check multiple of 31).
 * @throws FitsError('CORRUPT_DATA') for anything else.
 */
export function detectDeflateWrapper(src: Uint8Array): DeflateWrapper {
  if (src.length >= 2) {
    const b0 = src[0];
    const b1 = src[1];
    if (b0 === 0x1f && b1 === 0x8b) return 'gzip';
    if ((b0 & 0x0f) === 8 && b0 >> 4 <= 7 && ((b0 << 8) | b1) % 31 === 0) return 'zlib';
  }
  throw new FitsError('CORRUPT_DATA', 'compressed tile is neither a gzip nor a zlib stream');
}

/**
 * Check `expectedSize` and return how large an output buffer can usefully be:
 * no more than the stream could ever produce, so a tiny stream paired with a
 * huge declared tile size does not allocate the declared size.
 */
export function inflateOutputCap(srcLength: number, expectedSize: number): number {
  if (!Number.isSafeInteger(expectedSize) || expectedSize < 0) {
    throw new FitsError('BAD_ARGUMENT', `expected inflated size must be a non-negative integer, got ${expectedSize}`);
  }
  return Math.min(expectedSize, srcLength * MAX_DEFLATE_RATIO + MAX_DEFLATE_SLACK);
}

