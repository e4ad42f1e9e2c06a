/**
 * Every tile codec, loaded: for worker scripts and the GPU backend's CPU
 * fallback, which load everything anyway (registry.ts loads codecs one by one).
 */
import type { Inflater } from '../core/runtime.js';
import { gzip1TileCodec, gzip2TileCodec } from './gzip/tile.js';
import { hcompressTileCodec } from './hcompress/tile.js';
import { plioTileCodec } from './plio/tile.js';
import { riceTileCodec } from './rice/tile.js';
import { nocompressTileCodec, tileCodecs, type TileCodecFactory, type TileCodecs } from './tile-codec.js';

const ALL: ReadonlyMap<string, TileCodecFactory> = new Map([
  ['RICE_1', riceTileCodec],
  ['GZIP_1', gzip1TileCodec],
  ['GZIP_2', gzip2TileCodec],
  ['HCOMPRESS_1', hcompressTileCodec],
  ['PLIO_1', plioTileCodec],
  ['NOCOMPRESS', nocompressTileCodec],
]);

/** Every decoder, GZIP ones inflating with `inflate`. */
export function allTileCodecs(inflate: Inflater): TileCodecs {
  return tileCodecs(ALL, inflate);
}
