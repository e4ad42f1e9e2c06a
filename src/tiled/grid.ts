/**
 * The tile grid of a tile-compressed image, and which tiles a section needs.
 * Pure: no I/O.
 *
 * Axes are in C order here (slowest first), like every array fitsflow returns;
 * the FITS keywords (ZNAXISn, ZTILEn) are in FITS order (axis 1 fastest) and
 * are reversed on the way in. Tiles are numbered as the rows of the compressed
 * table: FITS axis 1 fastest, i.e. C-order linear index over the tile counts.
 */
import { FitsError } from '../core/errors.js';
import type { ResolvedSection } from '../image/section.js';

export interface TileGrid {
  /** Image dimensions, C order. */
  readonly dims: readonly number[];
  /** Nominal tile size per axis, C order (clipped to the axis length). */
  readonly tile: readonly number[];
  /** Number of tiles along each axis, C order. */
  readonly counts: readonly number[];
  /** Total number of tiles. */
  readonly ntiles: number;
  /** Pixels in a full (not edge-clipped) tile. */
  readonly maxTilePixels: number;
}

/** Build the grid from C-order dims and C-order nominal tile sizes (each ≥ 1). */
export function makeTileGrid(dims: readonly number[], tile: readonly number[]): TileGrid {
  const n = dims.length;
  const t = tile.map((v, i) => Math.max(1, Math.min(v, dims[i]!)));
  const counts = dims.map((d, i) => (d === 0 ? 0 : Math.ceil(d / t[i]!)));
  let ntiles = n === 0 ? 0 : 1;
  let maxTilePixels = 1;
  for (let i = 0; i < n; i++) {
    ntiles *= counts[i]!;
    maxTilePixels *= t[i]!;
  }
  return { dims: [...dims], tile: t, counts, ntiles, maxTilePixels };
}

/** One axis of the intersection of a tile with a section. */
export interface AxisSpan {
  /** Tile number along the axis. */
  tile: number;
  /** Tile extent along the axis (edge tiles are shorter). */
  extent: number;
  /** First selected coordinate, relative to the tile start. */
  local: number;
  /** First output index along the axis. */
  out: number;
  /** Number of selected coordinates in the tile. */
  count: number;
}

/** Per axis, the tiles that hold selected coordinates, with where those go. */
export function axisSpans(grid: TileGrid, sec: ResolvedSection): AxisSpan[][] {
  const spans: AxisSpan[][] = [];
  for (let i = 0; i < grid.dims.length; i++) {
    const d = grid.dims[i]!;
    const T = grid.tile[i]!;
    const s = sec.start[i]!;
    const c = sec.shape[i]!;
    const st = sec.step[i]!;
    const list: AxisSpan[] = [];
    if (c > 0) {
      const last = s + (c - 1) * st;
      for (let t = Math.floor(s / T); t * T <= last; t++) {
        const lo = t * T;
        const hi = Math.min(lo + T, d) - 1;
        const jFirst = Math.max(0, Math.ceil((lo - s) / st));
        const jLast = Math.min(c - 1, Math.floor((hi - s) / st));
        if (jFirst > jLast) continue;
        list.push({ tile: t, extent: hi - lo + 1, local: s + jFirst * st - lo, out: jFirst, count: jLast - jFirst + 1 });
      }
    }
    spans.push(list);
  }
  return spans;
}

/** A tile a section needs. */
export interface TilePlacement {
  /** Tile number (0-based table row). */
  index: number;
  /** Pixels in the tile (all decoded, even if only some are selected). */
  pixels: number;
}

/** The tiles a section needs, in table-row order. */
export function tilesForSection(grid: TileGrid, sec: ResolvedSection): TilePlacement[] {
  const n = grid.dims.length;
  if (n === 0 || sec.count === 0) return [];
  const spans = axisSpans(grid, sec);
  const out: TilePlacement[] = [];
  const idx = new Array<number>(n).fill(0);
  for (;;) {
    let index = 0;
    let pixels = 1;
    for (let i = 0; i < n; i++) {
      const sp = spans[i]![idx[i]!]!;
      index = index * grid.counts[i]! + sp.tile;
      pixels *= sp.extent;
    }
    out.push({ index, pixels });
    let k = n - 1;
    while (k >= 0) {
      if (++idx[k]! < spans[k]!.length) break;
      idx[k] = 0;
      k--;
    }
    if (k < 0) break;
  }
  return out;
}

/** Most pixels one tile may have (its scratch buffers are up to 8 bytes per pixel). */
export const MAX_TILE_PIXELS = 2 ** 30;

/** Check a tile's pixel count is sane before allocating scratch for it. */
export function checkTilePixels(pixels: number, hdu: number | undefined, tile: number): void {
  if (!Number.isSafeInteger(pixels) || pixels > MAX_TILE_PIXELS) {
    throw new FitsError('BAD_SIZE', `A tile of ${pixels} pixels is larger than the ${MAX_TILE_PIXELS} this reader decodes.`, { hdu, tile });
  }
}
