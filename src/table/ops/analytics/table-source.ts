/**
 * What the analytics functions need from a table, and what they return.
 *
 * They take a FitsTable (only its public reading API, so this module never
 * imports the class: FitsTable's thin `groupBy`/`join`/… methods wrap these
 * functions without an import cycle) and return plain column lists, which the
 * caller turns into a table.
 */
import { FitsError } from '../../../core/errors.js';
import { cellSize, type Column } from '../../column.js';
import type { FitsTable } from '../fits-table.js';

/** The part of FitsTable's API the analytics read. */
export type TableSource = Pick<FitsTable, 'numRows' | 'columnNames' | 'columnAt' | 'columnIndex' | 'columnSource' | 'take'>;

/** A result: columns of `numRows` rows each (build a table with `new FitsTable(columns, numRows)`). */
export interface ColumnList {
  columns: Column[];
  numRows: number;
}

/** Position of a named column, or FitsError NOT_FOUND naming the columns there are. */
export function requireColumn(table: Pick<TableSource, 'columnIndex' | 'columnNames'>, name: string, what: string): number {
  const i = table.columnIndex(name);
  if (i < 0) throw new FitsError('NOT_FOUND', `${what}: no column named '${name}'; columns: ${table.columnNames.join(', ') || '(none)'}.`);
  return i;
}

/** FitsError unless the column holds one scalar per row that can be compared (a key). */
export function requireScalarKey(col: Column, what: string): void {
  if (col.offsets || col.cellShape === null) throw new FitsError('BAD_ARGUMENT', `${what}: column '${col.name}' holds variable-length arrays; keys must be scalar columns.`);
  if (cellSize(col) !== 1) throw new FitsError('BAD_ARGUMENT', `${what}: column '${col.name}' holds ${cellSize(col)} values per row; keys must be scalar columns.`);
  if (col.dtype === 'complex64' || col.dtype === 'complex128') throw new FitsError('BAD_ARGUMENT', `${what}: column '${col.name}' is complex; complex numbers cannot be keys.`);
}

/** A list of names from `'A'`, `['A', 'B']` (no duplicates, at least one). */
export function nameList(names: string | readonly string[], what: string): string[] {
  const list = typeof names === 'string' ? [names] : [...names];
  if (list.length === 0) throw new FitsError('BAD_ARGUMENT', `${what} needs at least one key column.`);
  if (new Set(list).size !== list.length) throw new FitsError('BAD_ARGUMENT', `${what}: a key column is named twice (${list.join(', ')}).`);
  return list;
}
