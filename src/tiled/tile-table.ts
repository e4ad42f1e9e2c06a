/**
 * The compressed table of a tile-compressed image: which columns hold the
 * tiles (COMPRESSED_DATA, GZIP_COMPRESSED_DATA, UNCOMPRESSED_DATA) and their
 * per-tile parameters (ZSCALE, ZZERO, ZBLANK). Reading their rows is
 * tile-rows.ts.
 */
import { FitsError } from '../core/errors.js';
import type { HduContext } from '../hdu/context.js';
import type { BinaryColumnSpec } from '../table/read/binary-layout.js';
import { binaryLayoutOf } from '../table/read/binary-layout.js';

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

/** Roles whose cells are variable-length arrays (the tiles' bytes). */
export const DESCRIPTOR_ROLES: readonly TileColumnRole[] = ['compressed', 'gzip', 'uncompressed'];
/** Roles whose cells are per-tile numbers. */
export const NUMBER_ROLES: readonly TileColumnRole[] = ['zscale', 'zzero', 'zblank'];

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
