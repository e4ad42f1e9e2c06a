/**
 * PLIO_1 as a tile codec (tile-codec.ts): int32 line lists.
 *
 * PLIO holds only values 0 … 2^24 − 1, so CFITSIO (imcompress.c) stores an
 * image with BZERO = 32768 (unsigned 16-bit) as its stored values + 32768,
 * i.e. the unsigned values themselves, and subtracts 32768 again on reading
 * whenever the HDU's BZERO is 32768, whatever ZBITPIX says. funpack restores
 * such files that way, and so do this decoder (TileCodecParams.plioOffset,
 * from offset.ts) and fitsflow's writer.
 */
import { unsupported, type TileCodecFactory } from '../tile-codec.js';
import { plioDecode } from './decode.js';

export const plioTileCodec: TileCodecFactory = (p) => {
  if (p.zbitpix === 64 || (p.zbitpix < 0 && !p.quantized)) unsupported(`PLIO_1 cannot hold ${p.zbitpix < 0 ? 'unquantized floating-point' : '64-bit'} pixels.`);
  const offset = p.plioOffset ?? 0;
  return {
    kind: 'int',
    array: 'int32',
    // The line list is walked in pixel order and stops once out.length pixels are written.
    prefix: true,
    decode: (src, out, tile) => {
      const px = out as Int32Array;
      plioDecode(src, px, tile);
      if (offset !== 0) for (let i = 0; i < px.length; i++) px[i] = px[i]! - offset;
    },
  };
};
