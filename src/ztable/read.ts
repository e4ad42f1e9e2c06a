/**
 * `hdu.readTable()` and `hdu.iterateTable()` of compressed tables: the table
 * readers over a view that decodes only the tiles of the rows and the columns
 * asked for (view.ts).
 */
import type { HduContext } from '../hdu/context.js';
import type { FitsTable } from '../table/ops/fits-table.js';
import { iterateTable, readTable, type IterateTableOptions, type ReadTableOptions } from '../table/read/read-table.js';
import { compressedTableView } from './view.js';

/**
 * Read a compressed table, or some of its columns and rows, as the table it holds.
 * @example
 * const t = await readCompressedTable(hdu, { columns: ['FLUX'], rows: { start: 1000, count: 10 } });
 */
export async function readCompressedTable(ctx: HduContext, opts: ReadTableOptions = {}): Promise<FitsTable> {
  return readTable(await compressedTableView(ctx, opts.columns), opts);
}

/**
 * Stream a compressed table in batches of rows; each tile is decoded once.
 * @example
 * for await (const batch of iterateCompressedTable(hdu, { rows: 10_000 })) n += batch.numRows;
 */
export async function* iterateCompressedTable(ctx: HduContext, opts: IterateTableOptions = {}): AsyncGenerator<FitsTable> {
  yield* iterateTable(await compressedTableView(ctx, opts.columns), opts);
}
