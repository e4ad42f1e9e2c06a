/** RICE_1 as a tile codec (tile-codec.ts): BYTEPIX 1, 2 or 4 integers. */
import { FitsError } from '../../core/errors.js';
import { unsupported, type TileCodecFactory } from '../tile-codec.js';
import { riceDecode } from './decode.js';

export const riceTileCodec: TileCodecFactory = (p) => {
  if (p.zbitpix === 64 || (p.zbitpix < 0 && !p.quantized)) unsupported(`RICE_1 cannot hold ${p.zbitpix < 0 ? 'unquantized floating-point' : '64-bit'} pixels.`);
  const array = p.bytepix === 1 ? 'uint8' : p.bytepix === 2 ? 'int16' : p.bytepix === 4 ? 'int32' : unsupported(`RICE_1 with BYTEPIX = ${p.bytepix} is not supported (1, 2 or 4).`);
  if (!Number.isInteger(p.blocksize) || p.blocksize < 1) throw new FitsError('BAD_HEADER', `RICE_1 BLOCKSIZE = ${p.blocksize} is not a positive integer.`);
  const blocksize = p.blocksize;
  // Rice decodes pixel after pixel, so a shorter `out` is a prefix decode:
  // riceDecode stops after out.length pixels, reading only the bits they use.
  return { kind: 'int', array, prefix: true, decode: (src, out, tile) => riceDecode(src, out, blocksize, tile) };
};
