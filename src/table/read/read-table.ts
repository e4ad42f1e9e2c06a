/**
 * The table-reading entry points behind `hdu.readTable()` and
 * `hdu.iterateTable()`: pick the binary or ASCII reader, wrap the columns in a
 * FitsTable, and stream a table in batches of rows with bounded memory.
 */
import { FitsError } from '../../core/errors.js';
import type { HduContext } from '../../hdu/context.js';
import type { Column } from '../column.js';
import { FitsTable } from '../ops/fits-table.js';
import { asciiLayoutOf, readAsciiTableColumns } from './read-ascii.js';
import { readBinaryTableColumns } from './read-binary.js';
import { binaryLayoutOf } from './binary-layout.js';
import type { RowRange } from './selection.js';
import type { WorkerPool } from '../../core/worker-pool.js';

/** Options of {@link Hdu.readTable}. */
export interface ReadTableOptions {
  /** Columns by name (case-insensitive if no exact match) or 0-based index; all when omitted. */
  columns?: readonly string[] | readonly number[];
  /** Rows to read: `count` rows from `start` (0-based); all when omitted. */
  rows?: RowRange;
  /**
   * Binary tables. Default (`true`): a worker thread gathers about half of
   * the row blocks of big reads (at least 8 MiB of rows, from files or memory)
   * when the runtime has workers and SharedArrayBuffer and its pool has
   * started (a process's first big read goes alone and starts it); the
   * gathered columns are then backed by SharedArrayBuffers. `true` also uses
   * a pool that is still starting; `false`: this thread only; a pool: that
   * pool (whatever the size).
   */
  workers?: boolean | WorkerPool;
  /**
   * Binary tables: gather into the arrays of an earlier read of the same table
   * (same columns by name, at least as many rows) instead of new ones — the
   * way to read batch after batch without new memory (no page faults, no
   * garbage). Those columns' values are overwritten (as seen by that table and
   * by its lazy views: filter/sort results not yet materialized); the new table's columns
   * are views of their first `count` cells. Columns without a match, validity
   * bitmaps and variable-length arrays are new. A column of another type or
   * too small is a FitsError (BAD_ARGUMENT).
   * @example
   * let t = await hdu.readTable({ rows: { start: 0, count: 100_000 } });
   * t = await hdu.readTable({ rows: { start: 100_000, count: 100_000 }, into: t });
   */
  into?: FitsTable;
}

/** Options of {@link Hdu.iterateTable}. */
export interface IterateTableOptions {
  /** Rows per batch (default: about 4 MiB of stored rows, at least 1). */
  rows?: number;
  /** Columns by name or 0-based index; all when omitted. */
  columns?: readonly string[] | readonly number[];
  /**
   * Binary tables: read each batch into the previous batch's arrays (see
   * ReadTableOptions.into), so a pass over a big table allocates one batch's
   * memory once. A batch is then valid only until the next one is read.
   */
  reuse?: boolean;
}

const BATCH_BYTES = 4 << 20;

function isAscii(ctx: HduContext): boolean {
  const kind = ctx.layout.kind;
  if (kind === 'table') return true;
  if (kind === 'bintable' || kind === 'compressed-image') return false;
  throw new FitsError('BAD_ARGUMENT', `HDU ${ctx.index} is a ${kind}, not a table.`, { hdu: ctx.index });
}

/** Number of rows and bytes per row of a table HDU. */
export function tableShape(ctx: HduContext): { rows: number; rowBytes: number } {
  const t = isAscii(ctx) ? asciiLayoutOf(ctx) : binaryLayoutOf(ctx);
  return { rows: t.nrows, rowBytes: t.rowBytes };
}

/** Read the columns of a binary or ASCII table. */
export function readTableColumns(ctx: HduContext, columns?: readonly (string | number)[], rows?: RowRange, workers?: boolean | WorkerPool, into?: readonly Column[]): Promise<Column[]> {
  return isAscii(ctx) ? readAsciiTableColumns(ctx, columns, rows) : readBinaryTableColumns(ctx, columns, rows, workers, into);
}

/**
 * Read a table (or some of its columns and rows) into a FitsTable.
 * @example
 * const t = await readTable(hdu, { columns: ['RA', 'DEC'], rows: { start: 0, count: 1000 } });
 */
export async function readTable(ctx: HduContext, opts: ReadTableOptions = {}): Promise<FitsTable> {
  const { rows } = tableShape(ctx);
  if (opts.into !== undefined && !(opts.into instanceof FitsTable)) throw new FitsError('BAD_ARGUMENT', 'readTable({ into }) takes a FitsTable from an earlier read.', { hdu: ctx.index });
  const columns = await readTableColumns(ctx, opts.columns, opts.rows, opts.workers, opts.into?.columns);
  const count = opts.rows ? (opts.rows.count ?? rows - opts.rows.start) : rows;
  return new FitsTable(columns, count);
}

/**
 * Stream a table as FitsTables of at most `opts.rows` rows each; only one
 * batch's rows (and their heap arrays) are in memory at a time.
 * @example
 * for await (const batch of iterateTable(hdu, { rows: 100_000, columns: ['TIME', 'PHA'] })) total += batch.numRows;
 */
export async function* iterateTable(ctx: HduContext, opts: IterateTableOptions = {}): AsyncGenerator<FitsTable> {
  const { rows, rowBytes } = tableShape(ctx);
  const per = opts.rows ?? Math.max(1, Math.floor(BATCH_BYTES / Math.max(1, rowBytes)));
  if (!Number.isSafeInteger(per) || per < 1) throw new FitsError('BAD_ARGUMENT', `rows per batch must be a positive integer (got ${per}).`, { hdu: ctx.index });
  await readTableColumns(ctx, opts.columns, { start: 0, count: 0 }); // unknown columns fail now, even for an empty table
  let previous: FitsTable | undefined;
  for (let start = 0; start < rows; start += per) {
    const count = Math.min(per, rows - start);
    const batch = new FitsTable(await readTableColumns(ctx, opts.columns, { start, count }, undefined, opts.reuse ? previous?.columns : undefined), count);
    if (opts.reuse && !previous) previous = batch; // the first batch is the largest: later ones fit in its arrays
    yield batch;
  }
}
