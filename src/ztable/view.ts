/**
 * A compressed-table HDU seen as the BINTABLE it holds: an HduContext whose
 * header is the uncompressed table's, whose layout is a plain 'bintable' and
 * whose bytes are decoded on demand (table-source.ts). Every table reader
 * (readTable, iterateTable, the digest) reads it as it reads any table.
 */
import type { Inflater } from '../core/runtime.js';
import type { HduContext } from '../hdu/context.js';
import { selectColumns } from '../table/read/selection.js';
import { compressedTableInfo, type CompressedColumn, type CompressedTableInfo } from './info.js';
import { DecompressedTableSource } from './table-source.js';

async function inflaterOf(ctx: HduContext): Promise<Inflater> {
  return ctx.runtime.inflate ?? (await import('../codecs/gzip/inflate.js')).pakoInflater;
}

/** The columns a read decodes: those asked for (all when undefined) that hold bytes. */
export function decodedColumns(info: CompressedTableInfo, columns?: readonly (string | number)[]): CompressedColumn[] {
  const picked = new Set(selectColumns(info.table.columns, columns, info.hdu).map((s) => s.index));
  return info.columns.filter((c) => picked.has(c.spec.index) && c.spec.width > 0);
}

/**
 * The uncompressed table of a compressed-table HDU, decoding only `columns`
 * (names or 0-based indices; all when undefined) — reads of other columns
 * see zeros.
 * @example
 * const view = await compressedTableView(hdu, ['RA', 'DEC']);
 * const t = await readTable(view, { columns: ['RA', 'DEC'], rows: { start: 0, count: 100 } });
 */
export async function compressedTableView(ctx: HduContext, columns?: readonly (string | number)[]): Promise<HduContext> {
  const info = compressedTableInfo(ctx);
  const source = new DecompressedTableSource(ctx, info, decodedColumns(info, columns), await inflaterOf(ctx));
  return {
    source,
    index: ctx.index,
    header: info.header,
    layout: info.layout,
    headerOffset: ctx.headerOffset,
    dataOffset: 0,
    runtime: ctx.runtime,
  };
}
