/**
 * GZIP_1 and GZIP_2 as tile codecs (tile-codec.ts): raw bytes, or quantized
 * int32, both decoding prefixes of tiles (a section's first pixels): GZIP_1
 * when the runtime's inflater can stop early (Inflater.prefix); GZIP_2 always
 * (its byte planes each span the whole tile, so it inflates nearly all of it,
 * but un-shuffles only the wanted pixels).
 */
import type { TileCodecFactory } from '../tile-codec.js';
import { gzip1Decode, gzip2Decode, gzipDecodeInt32 } from './decode.js';

const product = (extents: readonly number[]) => extents.reduce((a, b) => a * b, 1);

function gzipTileCodec(variant: 'GZIP_1' | 'GZIP_2'): TileCodecFactory {
  return (p, inflate) => {
    // GZIP_2 always decodes prefixes: even when the whole stream must be inflated, only the wanted pixels are
    // un-shuffled (and dequantized / converted by the caller).
    const prefix = variant === 'GZIP_2' || inflate.prefix !== undefined;
    if (p.quantized) {
      return { kind: 'int', array: 'int32', prefix, decode: (src, out, tile, extents) => gzipDecodeInt32(src, out as Int32Array, variant, tile, inflate, product(extents)) };
    }
    const width = Math.abs(p.zbitpix) / 8;
    if (variant === 'GZIP_1') {
      return { kind: 'bytes', width, prefix, decode: (src, out, tile, extents) => gzip1Decode(src, out, tile, inflate, extents ? product(extents) * width : out.length) };
    }
    return { kind: 'bytes', width, prefix, decode: (src, out, tile, extents) => gzip2Decode(src, out, width, tile, inflate, extents ? product(extents) * width : out.length) };
  };
}

export const gzip1TileCodec = gzipTileCodec('GZIP_1');
export const gzip2TileCodec = gzipTileCodec('GZIP_2');
