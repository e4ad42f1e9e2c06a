/**
 * node:zlib deflaters: for GZIP_1/GZIP_2 tiles (what Node's createFitsWriter
 * passes) and for PNG streams (what `fitsflow png` passes to the encoder).
 */
import { constants, deflateSync, gzipSync } from 'node:zlib';
import type { Deflater } from '../codecs/gzip/encode.js';
import type { DeflateStrategy, ZlibDeflate } from '../render/png.js';

/** The {@link Deflater} of node:zlib (deflateSync), for GZIP tiles and the writer's `deflate` option. */
export const nodeDeflater: Deflater = (src, level) => {
  const b = gzipSync(src, { level });
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

const STRATEGY: Record<DeflateStrategy, number> = {
  default: constants.Z_DEFAULT_STRATEGY,
  filtered: constants.Z_FILTERED,
  huffman: constants.Z_HUFFMAN_ONLY,
  rle: constants.Z_RLE,
};

/**
 * A PNG's zlib stream from node:zlib (native, about twice pako's speed; see
 * bench/RESULTS-viewer.md). node:zlib has no synchronous streaming API, so the
 * filtered rows are joined first: memory is one more copy of the picture.
 */
export const nodeZlibDeflate: ZlibDeflate = (chunks, level, strategy) => {
  const parts = [...chunks];
  const joined = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const b = deflateSync(joined, { level, strategy: STRATEGY[strategy] });
  return [new Uint8Array(b.buffer, b.byteOffset, b.byteLength)];
};
