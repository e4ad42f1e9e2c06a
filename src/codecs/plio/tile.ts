/** PLIO_1 as a tile codec (tile-codec.ts): int32 line lists. */
import { unsupported, type TileCodecFactory } from '../tile-codec.js';
import { plioDecode } from './decode.js';

export const plioTileCodec: TileCodecFactory = (p) => {
  if (p.zbitpix === 64 || (p.zbitpix < 0 && !p.quantized)) unsupported(`PLIO_1 cannot hold ${p.zbitpix < 0 ? 'unquantized floating-point' : '64-bit'} pixels.`);
  return { kind: 'int', array: 'int32', decode: (src, out, tile) => plioDecode(src, out as Int32Array, tile) };
};
