/** node:zlib deflater for GZIP_1/GZIP_2 tiles (Node, Bun, Deno). */
import { gzipSync } from 'node:zlib';
import { setDeflater, type Deflater } from '../codecs/gzip/encode.js';

export const nodeDeflater: Deflater = (src, level) => {
  const b = gzipSync(src, { level });
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
};

/** Use node:zlib for tile compression. */
export function installNodeDeflater(): void {
  setDeflater(nodeDeflater);
}
