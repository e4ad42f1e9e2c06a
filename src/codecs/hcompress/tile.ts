/** HCOMPRESS_1 as a tile codec (tile-codec.ts): int32, rows checked against the tile. */
import { FitsError } from '../../core/errors.js';
import { unsupported, type TileCodecFactory } from '../tile-codec.js';
import { hcompressDecode } from './decode.js';

export const hcompressTileCodec: TileCodecFactory = (p) => {
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
