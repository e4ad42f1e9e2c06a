/** GZIP_1 and GZIP_2 as tile codecs (tile-codec.ts): raw bytes, or quantized int32. */
import type { TileCodecFactory } from '../tile-codec.js';
import { gzip1Decode, gzip2Decode, gzipDecodeInt32 } from './decode.js';

function gzipTileCodec(variant: 'GZIP_1' | 'GZIP_2'): TileCodecFactory {
  return (p, inflate) => {
    if (p.quantized) {
      return { kind: 'int', array: 'int32', decode: (src, out, tile) => gzipDecodeInt32(src, out as Int32Array, variant, tile, inflate) };
    }
    const width = Math.abs(p.zbitpix) / 8;
    if (variant === 'GZIP_1') return { kind: 'bytes', width, decode: (src, out, tile) => gzip1Decode(src, out, tile, inflate) };
    return { kind: 'bytes', width, decode: (src, out, tile) => gzip2Decode(src, out, width, tile, inflate) };
  };
}

export const gzip1TileCodec = gzipTileCodec('GZIP_1');
export const gzip2TileCodec = gzipTileCodec('GZIP_2');
