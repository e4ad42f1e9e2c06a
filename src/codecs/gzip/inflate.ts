/**
 * The synchronous inflater behind GZIP_1 / GZIP_2 tiles, with a pluggable
 * implementation.
 *
 * What writers put in a GZIP tile: CFITSIO (fpack, fitsio, astropy ≤ 5.x,
 * which bundles CFITSIO) compresses with zlib's gzip wrapper (`deflateInit2`
 * with windowBits 31) and reads with `inflateInit2(…, 15 + 16)`, which accepts
 * gzip only; astropy ≥ 6 uses Python's `gzip.compress`. Every tile in the
 * corpus starts with the gzip magic `1F 8B`. So gzip is the format; a zlib
 * stream (RFC 1950) is accepted too because it is unambiguous and free to
 * support. Raw deflate has no header to recognise and nobody writes it, so it
 * is rejected.
 *
 * The portable implementation runs on pako (pure JS, every runtime). On Node,
 * src/node/inflate.ts provides a faster one on `node:zlib`; the runtime
 * (core/runtime.ts) says which one a read uses. `DecompressionStream`
 * is not an option here: it is asynchronous only, so it cannot serve a
 * synchronous tile decode; it could only back a separate async/batch path.
 */
import { Inflate } from 'pako';
import { FitsError } from '../../core/errors.js';

import type { Inflater } from '../../core/runtime.js';

export type { Inflater };

import { detectDeflateWrapper, inflateOutputCap } from './wrapper.js';

export { detectDeflateWrapper, inflateOutputCap, type DeflateWrapper } from './wrapper.js';

/** Thrown from pako's onData to abort an oversized stream; never escapes this module. */
const OVERFLOW = new Error('inflated data larger than expected');

/**
 * The portable whole-stream inflate, on pako. It inflates into one buffer of
 * `min(expectedSize, 1032·src.length) + 1` bytes: filling that buffer proves
 * the stream is too large, and decoding stops there.
 */
function pakoWhole(src: Uint8Array, expectedSize: number): Uint8Array {
  const wrapper = detectDeflateWrapper(src);
  const cap = inflateOutputCap(src.length, expectedSize);
  const inflator = new Inflate({ windowBits: wrapper === 'gzip' ? 15 + 16 : 15, chunkSize: cap + 1 });
  let result: Uint8Array | undefined;
  let endStatus: number | undefined;
  // pako hands over a chunk when its buffer is full or the stream has ended.
  // A full buffer of cap + 1 bytes (or a second chunk) means "too much".
  inflator.onData = (chunk) => {
    if (result !== undefined || !(chunk instanceof Uint8Array) || chunk.length > cap) throw OVERFLOW;
    result = chunk;
  };
  // onEnd runs once the stream is finished (status 0) or has failed; a
  // truncated stream may end without it, depending on the pako version.
  inflator.onEnd = (status) => {
    endStatus = status;
  };
  try {
    inflator.push(src, true);
  } catch (e) {
    if (e === OVERFLOW) {
      throw new FitsError('CORRUPT_DATA', `inflated tile is larger than the expected ${expectedSize} bytes`);
    }
    throw new FitsError('CORRUPT_DATA', `cannot inflate tile: ${(e as Error).message}`, { cause: e });
  }
  if (endStatus !== 0) {
    const zmsg = (inflator as unknown as { strm?: { msg?: string } }).strm?.msg;
    // Z_BUF_ERROR (-5) at Z_FINISH: the input ran out before the end of the stream.
    const truncated = endStatus === undefined || endStatus === -5;
    const reason = zmsg || (truncated ? 'unexpected end of stream' : `zlib status ${endStatus}`);
    throw new FitsError('CORRUPT_DATA', `cannot inflate tile: ${reason}`);
  }
  return result ?? new Uint8Array(0);
}

/** Thrown from pako's onData once the prefix is complete; never escapes this module. */
const PREFIX_DONE = new Error('prefix complete');

/**
 * The first `bytes` bytes of a stream (Inflater.prefix), on pako: it inflates
 * into one buffer of `bytes` bytes and stops when that is full.
 */
function pakoPrefix(src: Uint8Array, bytes: number, expectedSize: number): Uint8Array {
  const wrapper = detectDeflateWrapper(src);
  const cap = inflateOutputCap(src.length, expectedSize);
  if (bytes > cap) return pakoWhole(src, expectedSize); // more than the stream can hold: the whole inflate says why
  if (bytes === 0) return new Uint8Array(0);
  const inflator = new Inflate({ windowBits: wrapper === 'gzip' ? 15 + 16 : 15, chunkSize: bytes });
  let result: Uint8Array | undefined;
  inflator.onData = (chunk) => {
    if (!(chunk instanceof Uint8Array)) throw new FitsError('CORRUPT_DATA', 'cannot inflate tile: unexpected output');
    result = chunk;
    // A full buffer is the prefix; a shorter chunk is the stream's end, come too early.
    if (chunk.length === bytes) throw PREFIX_DONE;
  };
  try {
    inflator.push(src, true);
  } catch (e) {
    if (e === PREFIX_DONE) return result!;
    if (e instanceof FitsError) throw e;
    throw new FitsError('CORRUPT_DATA', `cannot inflate tile: ${(e as Error).message}`, { cause: e });
  }
  const zmsg = (inflator as unknown as { strm?: { msg?: string } }).strm?.msg;
  throw new FitsError('CORRUPT_DATA', zmsg ? `cannot inflate tile: ${zmsg}` : `inflated tile has ${result?.length ?? 0} bytes, expected at least ${bytes}`);
}

/**
 * The portable inflater, on pako: {@link pakoWhole}, and a prefix inflate
 * that stops once the bytes a section needs are out.
 */
export const pakoInflater: Inflater = Object.assign(pakoWhole, { prefix: pakoPrefix });
