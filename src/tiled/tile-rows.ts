/**
 * For a range of tiles of a tile-compressed image, the file byte ranges of
 * their bytes (descriptors only, not the heap) and their ZSCALE/ZZERO/ZBLANK,
 * read through the binary-table reader (src/table/read/read-binary.ts).
 */
import { FitsError } from '../core/errors.js';
import type { HduContext } from '../hdu/context.js';
import { readBinaryTableColumns, readVlaDescriptors } from '../table/read/read-binary.js';
import { DESCRIPTOR_ROLES, NUMBER_ROLES, type TileColumnRole, type TileTable } from './tile-table.js';

/** Where the bytes of a range of tiles are, and their parameters. */
export interface TileRows {
  /** Per descriptor role present: absolute file offset and byte length of each tile's array. */
  ranges: Partial<Record<TileColumnRole, { fileOffsets: Float64Array; byteLengths: Float64Array }>>;
  /** Per number role present: the values. */
  values: Partial<Record<TileColumnRole, ArrayLike<number | bigint>>>;
}

/** The tile whose table row holds file byte `offset`, for error messages. */
function tileAt(ctx: HduContext, table: TileTable, offset: number | undefined, fallback: number): number {
  if (offset === undefined || table.rowBytes === 0) return fallback;
  const row = Math.floor((offset - ctx.dataOffset) / table.rowBytes);
  return row >= 0 && row < table.rows ? row : fallback;
}

/**
 * Read the table fields of tiles `start … start+count-1`: descriptors (checked
 * against the heap) and ZSCALE/ZZERO/ZBLANK values. Reads only those rows.
 * @throws FitsError located at the HDU and, for a bad descriptor, the tile.
 */
export async function readTileRows(ctx: HduContext, table: TileTable, start: number, count: number): Promise<TileRows> {
  const rows = { start, count };
  const out: TileRows = { ranges: {}, values: {} };
  try {
    for (const role of DESCRIPTOR_ROLES) {
      const col = table.columns[role];
      if (col === undefined) continue;
      const r = await readVlaDescriptors(ctx, col, rows);
      out.ranges[role] = { fileOffsets: r.fileOffsets, byteLengths: r.byteLengths };
    }
    const numeric = NUMBER_ROLES.filter((r) => table.columns[r] !== undefined);
    if (numeric.length) {
      const cols = await readBinaryTableColumns(ctx, numeric.map((r) => table.columns[r]!), rows);
      numeric.forEach((role, i) => {
        out.values[role] = cols[i]!.data as ArrayLike<number | bigint>;
      });
    }
  } catch (e) {
    if (e instanceof FitsError && e.tile === undefined) {
      const tile = tileAt(ctx, table, e.offset, start);
      throw new FitsError(e.code, `${e.message.replace(/ \((?:(?:HDU|card|tile|byte) [^,()]+(?:, )?)+\)$/, '')}`, { hdu: ctx.index, tile, offset: e.offset, cause: e });
    }
    throw e;
  }
  return out;
}
