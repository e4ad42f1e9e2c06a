/**
 * The contract between the tile container (src/tiled/) and the codecs: given
 * an HDU's parameters, what a codec's decoder produces (native integers of
 * some width, or raw big-endian pixel bytes) and a function that decodes one
 * tile's bytes into a caller-provided array. Each codec's adapter to this
 * contract lives in its folder (`<codec>/tile.ts`); registry.ts loads them.
 */
import { FitsError } from '../core/errors.js';
import type { Inflater } from '../core/runtime.js';

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
  /** PLIO_1: subtracted from every decoded pixel (32768 for unsigned 16-bit data, see plio/tile.ts); 0 or absent for none. */
  plioOffset?: number;
}

/** What both kinds of decoder declare besides their output. */
export interface TileDecoderBase {
  /**
   * True when the codec can produce just a tile's leading pixels in the
   * tile's C order (Rice, PLIO, NOCOMPRESS, GZIP_1 when the runtime's inflater
   * has `prefix`; GZIP_2, which must inflate nearly the whole stream because
   * its byte planes span the tile, but un-shuffles only those pixels): a
   * section read then decodes only the leading pixels it needs
   * (src/tiled/tile-decode.ts). HCOMPRESS transforms the whole tile, leaves
   * it unset and always receives the whole tile.
   *
   * A prefix decode still fails with FitsError CORRUPT_DATA when the pixels
   * it produces need bytes the tile lacks, but it does not look at the rest of
   * the tile: corruption confined to the skipped tail goes unnoticed.
   */
  prefix?: boolean;
}

/** A decoder producing native integers (to be scaled, or dequantized). */
export interface IntTileDecoder extends TileDecoderBase {
  kind: 'int';
  array: 'uint8' | 'int16' | 'int32';
  /**
   * Decode `src` into `out`: the tile's pixel count, or (only when `prefix`
   * is true) fewer, the tile's first `out.length` pixels in C order.
   * @param extents the tile's extent per axis, C order.
   */
  decode(src: Uint8Array, out: Uint8Array | Int16Array | Int32Array, tile: number, extents: readonly number[]): void;
}

/** A decoder producing the tile's raw big-endian pixel bytes. */
export interface ByteTileDecoder extends TileDecoderBase {
  kind: 'bytes';
  /** Bytes per pixel in the output. */
  width: number;
  /**
   * Decode `src` into `out`: exactly the tile's pixels × width bytes, or
   * (only when `prefix` is true) fewer, the bytes of the tile's first
   * `out.length / width` pixels in C order.
   * @param extents the tile's extent per axis, C order (lets a prefix decode
   *   check the tile's full size); when absent, `out` is the whole tile.
   */
  decode(src: Uint8Array, out: Uint8Array, tile: number, extents?: readonly number[]): void;
}

export type TileDecoder = IntTileDecoder | ByteTileDecoder;

/** Makes a codec's decoder for an HDU's parameters (GZIP codecs inflate with `inflate`). */
export type TileCodecFactory = (p: TileCodecParams, inflate: Inflater) => TileDecoder;

/** The decoders a read (or a worker) can use. */
export interface TileCodecs {
  /** The decoder for a ZCMPTYPE and parameters; FitsError UNSUPPORTED for an algorithm it does not have. */
  decoder(zcmptype: string, p: TileCodecParams): TileDecoder;
}

/** ZCMPTYPE as the registry names it (trimmed, upper case; RICE_ONE is RICE_1). */
export function codecName(zcmptype: string): string {
  const n = zcmptype.trim().toUpperCase();
  return n === 'RICE_ONE' ? 'RICE_1' : n;
}

/** Throw UNSUPPORTED with a sentence. */
export function unsupported(message: string): never {
  throw new FitsError('UNSUPPORTED', message);
}

/** NOCOMPRESS: tiles stored as they are. */
export const nocompressTileCodec: TileCodecFactory = (p) => {
  const width = p.quantized ? 4 : Math.abs(p.zbitpix) / 8;
  return {
    kind: 'bytes',
    width,
    prefix: true,
    decode(src, out, tile, extents) {
      // The stored size is checked against the whole tile even when only a prefix is copied.
      const expected = extents === undefined ? out.length : extents.reduce((a, b) => a * b, 1) * width;
      if (src.length !== expected || out.length > expected) {
        throw new FitsError('CORRUPT_DATA', `Uncompressed tile has ${src.length} bytes, expected ${expected}.`, { tile });
      }
      out.set(src.subarray(0, out.length));
    },
  };
};

/** TileCodecs over loaded factories, GZIP ones inflating with `inflate`. */
export function tileCodecs(factories: ReadonlyMap<string, TileCodecFactory>, inflate: Inflater): TileCodecs {
  return {
    decoder(zcmptype, p) {
      const f = factories.get(codecName(zcmptype));
      if (!f) throw new FitsError('UNSUPPORTED', `Tile compression '${zcmptype}' is not supported (known: RICE_1, GZIP_1, GZIP_2, HCOMPRESS_1, PLIO_1, NOCOMPRESS).`);
      return f(p, inflate);
    },
  };
}
