/** node:zlib deflater for GZIP_1/GZIP_2 tiles (Node, Bun, Deno): what Node's createFitsWriter passes. */
import { gzipSync } from 'node:zlib';
import type { Deflater } from '../codecs/gzip/encode.js';

/** The {@link Deflater} of node:zlib (deflateSync), for GZIP tiles and the writer's `deflate` option. */
export const nodeDeflater: Deflater = (src, level) => {
  const b = gzipSync(src, { level });
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};
