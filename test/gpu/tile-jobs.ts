/** Synthetic tile-decode jobs for the GPU codec tests, and running one on the CPU and the GPU. */
import { decodeTiles, SRC_CODEC, TILE_FIELDS, type TileJobSpec } from '../../src/tiled/tile-decode.js';
import { decodeTilesGpu, type TileDecodeReport } from '../../src/tiled/tiles-gpu.js';
import { pakoInflater } from '../../src/codecs/gzip/inflate.js';
import { allTileCodecs } from '../../src/codecs/registry-all.js';
import type { GpuContext } from '../../src/gpu/device.js';
import { ARRAY_CTOR, BYTES_PER, type ImageArray } from '../../src/image/pixel-type.js';
import { FitsError } from '../../src/core/errors.js';

/** A decode job: what tile-decode.ts and tiles-gpu.ts take. */
export interface Built {
  spec: TileJobSpec;
  tiles: Float64Array;
  staging: Uint8Array;
}

/**
 * Stage the tiles of a 2-D image of `dims` in tiles of `tile` (C order): tile
 * t's bytes from `encode(t, rows, cols)`, preceded by `gaps[t % gaps.length]`
 * bytes of 0xa5, with ZSCALE / ZZERO / ZBLANK from `zparams(t)`.
 */
export function stageTiles(
  dims: [number, number],
  tile: [number, number],
  encode: (t: number, rows: number, cols: number) => Uint8Array,
  gaps: number[],
  zparams: (t: number) => [number, number, number],
): { counts: number[]; tiles: Float64Array; staging: Uint8Array } {
  const counts = [Math.ceil(dims[0] / tile[0]), Math.ceil(dims[1] / tile[1])];
  const ntiles = counts[0]! * counts[1]!;
  const parts: Uint8Array[] = [];
  const tiles = new Float64Array(ntiles * TILE_FIELDS);
  let at = 0;
  for (let t = 0; t < ntiles; t++) {
    const rows = Math.min(tile[0], dims[0] - Math.floor(t / counts[1]!) * tile[0]);
    const cols = Math.min(tile[1], dims[1] - (t % counts[1]!) * tile[1]);
    const gap = gaps[t % gaps.length]!;
    parts.push(new Uint8Array(gap).fill(0xa5));
    at += gap;
    const bytes = encode(t, rows, cols);
    parts.push(bytes);
    const [zscale, zzero, zblank] = zparams(t);
    tiles.set([t, SRC_CODEC, at, bytes.length, zscale, zzero, zblank], t * TILE_FIELDS);
    at += bytes.length;
  }
  const staging = new Uint8Array(at);
  let o = 0;
  for (const p of parts) {
    staging.set(p, o);
    o += p.length;
  }
  return { counts, tiles, staging };
}

/** A decoded image (with the GPU's report), or the error message (`CODE: message` for FitsErrors). */
export type Outcome = { data: ImageArray; report?: TileDecodeReport } | { error: string };

/** Decode a job on the GPU and on the CPU: [gpu, cpu]. */
export async function decodeBoth(ctx: GpuContext, b: Built): Promise<[Outcome, Outcome]> {
  const s = b.spec.scaling;
  const count = b.spec.shape.reduce((x, y) => x * y, 1);
  const alloc = () => new ARRAY_CTOR[s.dtype](new ArrayBuffer(count * BYTES_PER[s.dtype]), 0, count);
  const ntiles = b.tiles.length / TILE_FIELDS;
  const failure = (e: unknown) => ({ error: e instanceof FitsError ? `${e.code}: ${e.message}` : String(e) });
  let cpu: Outcome;
  try {
    const out = alloc();
    decodeTiles(b.spec, b.tiles, 0, ntiles, b.staging, out, allTileCodecs(pakoInflater));
    cpu = { data: out };
  } catch (e) {
    cpu = failure(e);
  }
  let gpu: Outcome;
  try {
    const out = alloc();
    const report = await decodeTilesGpu(ctx, { spec: b.spec, tiles: b.tiles, ntiles, staging: b.staging, inflate: pakoInflater }, { out });
    gpu = { data: out, report };
  } catch (e) {
    gpu = failure(e);
  }
  if ('error' in gpu && !('error' in cpu)) {
    // The GPU decodes whole tiles; the CPU stops at the last pixel a section
    // needs, so it may not meet corruption in a tile's tail. Compare the GPU's
    // error with the CPU's on whole tiles.
    try {
      decodeTiles(b.spec, b.tiles, 0, ntiles, b.staging, alloc(), allTileCodecs(pakoInflater), true);
    } catch (e) {
      cpu = failure(e);
    }
  }
  return [gpu, cpu];
}
