/**
 * ZCMPTYPE → tile decoder. Each entry adapts one codec of this folder to
 * what the tile container needs: given the HDU's parameters, what the decoder
 * produces (native integers of some width, or raw big-endian pixel bytes) and
 * a function that decodes one tile's bytes into a caller-provided array.
 *
 * The table is constant, so worker threads decode exactly what the calling
 * thread would. The inflater (GZIP codecs) is the runtime's, passed in.
 */
import { FitsError } from '../core/errors.js';
import { gzip1Decode, gzip2Decode, gzipDecodeInt32 } from './gzip/decode.js';
import type { Inflater } from '../core/runtime.js';
import { hcompressDecode } from './hcompress/decode.js';
import { plioDecode } from './plio/decode.js';
import { riceDecode } from './rice/decode.js';

/** Per-HDU codec parameters (from ZBITPIX, ZNAMEn/ZVALn and the quantization columns). */
export interface TileCodecParams {
  zbitpix: number;
  /** Rice BYTEPIX (default 4). */
  bytepix: number;
  /** Rice BLOCKSIZE (default 32). */
  blocksize: number;
  /** HCOMPRESS SMOOTH. */
  smooth: boolean;
  /** True when tiles hold quantized integers (ZSCALE column or keyword). */
  quantized: boolean;
}

/** A decoder producing native integers (to be scaled, or dequantized). */
export interface IntTileDecoder {
  kind: 'int';
  array: 'uint8' | 'int16' | 'int32';
  /**
   * Decode `src` into `out` (exactly the tile's pixel count).
   * @param extents the tile's extent per axis, C order.
   */
  decode(src: Uint8Array, out: Uint8Array | Int16Array | Int32Array, tile: number, extents: readonly number[]): void;
}

/** A decoder producing the tile's raw big-endian pixel bytes. */
export interface ByteTileDecoder {
  kind: 'bytes';
  /** Bytes per pixel in the output. */
  width: number;
  /** Decode `src` into `out` (exactly pixels × width bytes). */
  decode(src: Uint8Array, out: Uint8Array, tile: number): void;
}

export type TileDecoder = IntTileDecoder | ByteTileDecoder;
type TileCodecFactory = (p: TileCodecParams, inflate: Inflater) => TileDecoder;

function unsupported(message: string): never {
  throw new FitsError('UNSUPPORTED', message);
}

const rice: TileCodecFactory = (p) => {
  if (p.zbitpix === 64 || (p.zbitpix < 0 && !p.quantized)) unsupported(`RICE_1 cannot hold ${p.zbitpix < 0 ? 'unquantized floating-point' : '64-bit'} pixels.`);
  const array = p.bytepix === 1 ? 'uint8' : p.bytepix === 2 ? 'int16' : p.bytepix === 4 ? 'int32' : unsupported(`RICE_1 with BYTEPIX = ${p.bytepix} is not supported (1, 2 or 4).`);
  if (!Number.isInteger(p.blocksize) || p.blocksize < 1) throw new FitsError('BAD_HEADER', `RICE_1 BLOCKSIZE = ${p.blocksize} is not a positive integer.`);
  const blocksize = p.blocksize;
  return { kind: 'int', array, decode: (src, out, tile) => riceDecode(src, out, blocksize, tile) };
};

const gzip = (variant: 'GZIP_1' | 'GZIP_2'): TileCodecFactory => (p, inflate) => {
  if (p.quantized) {
    return { kind: 'int', array: 'int32', decode: (src, out, tile) => gzipDecodeInt32(src, out as Int32Array, variant, tile, inflate) };
  }
  const width = Math.abs(p.zbitpix) / 8;
  if (variant === 'GZIP_1') return { kind: 'bytes', width, decode: (src, out, tile) => gzip1Decode(src, out, tile, inflate) };
  return { kind: 'bytes', width, decode: (src, out, tile) => gzip2Decode(src, out, width, tile, inflate) };
};

const hcompress: TileCodecFactory = (p) => {
  if (p.zbitpix === 64 || (p.zbitpix < 0 && !p.quantized)) unsupported(`HCOMPRESS_1 cannot hold ${p.zbitpix < 0 ? 'unquantized floating-point' : '64-bit'} pixels.`);
  const smooth = p.smooth;
  return {
    kind: 'int',
    array: 'int32',
    decode(src, out, tile, extents) {
      const info = hcompressDecode(src, out as Int32Array, smooth, tile);
      const nx = extents[extents.length - 1]!;
      if (info.nx !== nx) {
        throw new FitsError('CORRUPT_DATA', `HCOMPRESS stream declares rows of ${info.nx} pixels but the tile's rows have ${nx}.`, { tile });
      }
    },
  };
};

const plio: TileCodecFactory = (p) => {
  if (p.zbitpix === 64 || (p.zbitpix < 0 && !p.quantized)) unsupported(`PLIO_1 cannot hold ${p.zbitpix < 0 ? 'unquantized floating-point' : '64-bit'} pixels.`);
  return { kind: 'int', array: 'int32', decode: (src, out, tile) => plioDecode(src, out as Int32Array, tile) };
};

const nocompress: TileCodecFactory = (p) => {
  const width = p.quantized ? 4 : Math.abs(p.zbitpix) / 8;
  return {
    kind: 'bytes',
    width,
    decode(src, out, tile) {
      if (src.length !== out.length) {
        throw new FitsError('CORRUPT_DATA', `Uncompressed tile has ${src.length} bytes, expected ${out.length}.`, { tile });
      }
      out.set(src);
    },
  };
};

const registry: ReadonlyMap<string, TileCodecFactory> = new Map<string, TileCodecFactory>([
  ['RICE_1', rice],
  ['RICE_ONE', rice],
  ['GZIP_1', gzip('GZIP_1')],
  ['GZIP_2', gzip('GZIP_2')],
  ['HCOMPRESS_1', hcompress],
  ['PLIO_1', plio],
  ['NOCOMPRESS', nocompress],
]);

/** The ZCMPTYPE values with a decoder. */
export function tileCodecNames(): string[] {
  return [...registry.keys()];
}

/** The decoder for a ZCMPTYPE and parameters; throws UNSUPPORTED for unknown algorithms. */
export function tileDecoder(zcmptype: string, p: TileCodecParams, inflate: Inflater): TileDecoder {
  const f = registry.get(zcmptype.trim().toUpperCase());
  if (!f) throw new FitsError('UNSUPPORTED', `Tile compression '${zcmptype}' is not supported (known: ${tileCodecNames().join(', ')}).`);
  return f(p, inflate);
}
