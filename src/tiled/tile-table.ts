/**
 * The compressed table of a tile-compressed image, read through the
 * binary-table reader (src/table/read-binary.ts): which columns hold the
 * tiles (COMPRESSED_DATA, GZIP_COMPRESSED_DATA, UNCOMPRESSED_DATA) and their
 * per-tile parameters (ZSCALE, ZZERO, ZBLANK), and for a range of tiles the
 * file byte ranges of their bytes — descriptors only, not the heap.
 */
import { FitsError } from '../core/errors.js';
import type { HduContext } from '../file/hdu.js';
import type { BinaryColumnSpec } from '../table/read/binary-layout.js';
import { binaryLayoutOf, readBinaryTableColumns, readVlaDescriptors } from '../table/read/read-binary.js';

/** Roles of the compressed table's columns. */
export type TileColumnRole = 'compressed' | 'gzip' | 'uncompressed' | 'zscale' | 'zzero' | 'zblank';

const ROLES: Record<string, TileColumnRole> = {
  COMPRESSED_DATA: 'compressed',
  GZIP_COMPRESSED_DATA: 'gzip',
  UNCOMPRESSED_DATA: 'uncompressed',
  ZSCALE: 'zscale',
  ZZERO: 'zzero',
  ZBLANK: 'zblank',
};

const DESCRIPTOR_ROLES: TileColumnRole[] = ['compressed', 'gzip', 'uncompressed'];
const NUMBER_ROLES: TileColumnRole[] = ['zscale', 'zzero', 'zblank'];

/** The layout of the compressed table: 0-based column index of each role present. */
export interface TileTable {
  /** Bytes per row (NAXIS1). */
  rowBytes: number;
  /** Number of rows (NAXIS2). */
  rows: number;
  columns: Partial<Record<TileColumnRole, number>>;
}

/** Find the tile columns of a compressed HDU's table and check their formats. */
export function tileTableOf(ctx: HduContext): TileTable {
  const hdu = ctx.index;
  const t = binaryLayoutOf(ctx);
  const columns: Partial<Record<TileColumnRole, number>> = {};
  for (const c of t.columns as readonly BinaryColumnSpec[]) {
    const role = ROLES[c.name.trim().toUpperCase()];
    if (!role || columns[role] !== undefined) continue;
    const wantsDescriptor = DESCRIPTOR_ROLES.includes(role);
    const ok = wantsDescriptor ? c.variable : !c.variable && c.count === 1 && 'BIJKED'.includes(c.elementCode);
    if (!ok) {
      throw new FitsError('BAD_HEADER', `Column ${c.name.trim()} has format ${c.tform.text}, which the tiled image convention does not allow.`, { hdu });
    }
    columns[role] = c.index;
  }
  if (columns.compressed === undefined && columns.gzip === undefined && columns.uncompressed === undefined) {
    throw new FitsError('BAD_HEADER', 'The compressed image table has no COMPRESSED_DATA column.', { hdu });
  }
  return { rowBytes: t.rowBytes, rows: t.nrows, columns };
}

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
