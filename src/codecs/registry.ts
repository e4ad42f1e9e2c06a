/**
 * ZCMPTYPE → tile codec, loaded on demand: a read imports only the codecs its
 * HDU uses (a page reading Rice tiles never loads HCOMPRESS or pako). The
 * table is constant, so workers (registry-all.ts) decode exactly as the
 * calling thread does.
 */
import type { Inflater } from '../core/runtime.js';
import { codecName, nocompressTileCodec, tileCodecs, type TileCodecFactory, type TileCodecs } from './tile-codec.js';

const LOADERS: Readonly<Record<string, () => Promise<TileCodecFactory>>> = {
  RICE_1: async () => (await import('./rice/tile.js')).riceTileCodec,
  GZIP_1: async () => (await import('./gzip/tile.js')).gzip1TileCodec,
  GZIP_2: async () => (await import('./gzip/tile.js')).gzip2TileCodec,
  HCOMPRESS_1: async () => (await import('./hcompress/tile.js')).hcompressTileCodec,
  PLIO_1: async () => (await import('./plio/tile.js')).plioTileCodec,
  NOCOMPRESS: async () => nocompressTileCodec,
};

/** Whether `zcmptype` has a decoder. */
export function hasTileCodec(zcmptype: string): boolean {
  return codecName(zcmptype) in LOADERS;
}

/**
 * The decoders of `zcmptypes` (unknown names are left out: asking for one
 * then throws UNSUPPORTED), GZIP ones inflating with `inflate`.
 */
export async function loadTileCodecs(zcmptypes: readonly string[], inflate: Inflater): Promise<TileCodecs> {
  const factories = new Map<string, TileCodecFactory>();
  for (const z of zcmptypes) {
    const name = codecName(z);
    const load = LOADERS[name];
    if (load && !factories.has(name)) factories.set(name, await load());
  }
  return tileCodecs(factories, inflate);
}
