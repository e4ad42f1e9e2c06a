/**
 * GZIP_1 / GZIP_2 tile encoders: gzip of the tile's big-endian pixel bytes,
 * GZIP_2 after CFITSIO's byte shuffle (all most significant bytes first).
 * The deflater is a parameter: pako everywhere, node:zlib on Node (faster;
 * src/node/deflate.ts), passed by the writer's creator.
 */
import pako from 'pako';

/** Compress bytes to a gzip stream. */
export type Deflater = (src: Uint8Array, level: number) => Uint8Array;

export const pakoDeflater: Deflater = (src, level) => pako.gzip(src, { level: level as pako.DeflateOptions['level'] });

/** GZIP_1: gzip of the raw big-endian bytes. */
export function gzip1Encode(bytes: Uint8Array, level = 6, deflate: Deflater = pakoDeflater): Uint8Array {
  return deflate(bytes, level);
}

/** CFITSIO's shuffle: byte k of every pixel, for k = 0 (most significant) … bytepix−1. */
export function shuffleBytes(src: Uint8Array, bytepix: number): Uint8Array {
  if (bytepix === 1) return src;
  const n = src.length / bytepix;
  const out = new Uint8Array(src.length);
  for (let k = 0; k < bytepix; k++) {
    const base = k * n;
    for (let i = 0, j = k; i < n; i++, j += bytepix) out[base + i] = src[j]!;
  }
  return out;
}

/** GZIP_2: shuffle then gzip. */
export function gzip2Encode(bytes: Uint8Array, bytepix: number, level = 6, deflate: Deflater = pakoDeflater): Uint8Array {
  return deflate(shuffleBytes(bytes, bytepix), level);
}
