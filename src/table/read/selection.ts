/**
 * Which rows and which columns a read asks for: validated against the table,
 * as plain numbers. Pure.
 */
import { FitsError } from '../../core/errors.js';

/** A range of rows: `count` rows from row `start` (0-based). Without `count`, to the end. */
export interface RowRange {
  start: number;
  count?: number;
}

/** Resolve a row range against a table of `nrows` rows (default: all rows). */
export function resolveRows(rows: RowRange | undefined, nrows: number, hdu: number): { start: number; count: number } {
  if (!rows) return { start: 0, count: nrows };
  const { start } = rows;
  if (!Number.isSafeInteger(start) || start < 0 || start > nrows) {
    throw new FitsError('BAD_ARGUMENT', `Row start ${start} is not an integer in 0..${nrows}.`, { hdu });
  }
  const count = rows.count ?? nrows - start;
  if (!Number.isSafeInteger(count) || count < 0 || start + count > nrows) {
    throw new FitsError('BAD_ARGUMENT', `Rows ${start}..${start + count - 1} are not all within the table's ${nrows} rows.`, { hdu });
  }
  return { start, count };
}

/**
 * Pick columns by name (exact match first, then case-insensitive, as astropy)
 * or by 0-based index; all columns when `which` is undefined. Keeps the
 * requested order.
 */
export function selectColumns<T extends { index: number; name: string }>(all: readonly T[], which: readonly (string | number)[] | undefined, hdu: number): T[] {
  if (which === undefined) return [...all];
  if (!Array.isArray(which)) throw new FitsError('BAD_ARGUMENT', 'columns must be an array of names or 0-based indices.', { hdu });
  return which.map((w) => {
    if (typeof w === 'number') {
      if (!Number.isInteger(w) || w < 0 || w >= all.length) {
        throw new FitsError('NOT_FOUND', `There is no column ${w}: the table has ${all.length} columns (indices are 0-based).`, { hdu });
      }
      return all[w]!;
    }
    if (typeof w !== 'string') throw new FitsError('BAD_ARGUMENT', 'columns must be an array of names or 0-based indices.', { hdu });
    const exact = all.find((c) => c.name === w);
    if (exact) return exact;
    const lower = w.trim().toLowerCase();
    const loose = all.find((c) => c.name.toLowerCase() === lower);
    if (!loose) throw new FitsError('NOT_FOUND', `No column named '${w}'.`, { hdu });
    return loose;
  });
}
