/**
 * The CPU table backend: filters (compiled expressions) and sorts (radix
 * sorts over order-preserving keys). Always available; the GPU backend
 * (backend-gpu.ts) returns exactly what it returns.
 */
import type { Column } from '../column.js';
import { filterRows } from './expression/compile-cpu.js';
import { referencedColumns, type CheckedExpr } from './expression/check.js';
import { sortPermutation } from './sort/radix.js';
import type { SortKeySpec, TableBackend, TableView } from './backend.js';

export const cpuBackend: TableBackend = {
  name: 'cpu',
  filter(table: TableView, expr: CheckedExpr): Uint32Array {
    const cols: Column[] = new Array(table.columnNames.length);
    for (const i of referencedColumns(expr)) cols[i] = table.columnAt(i);
    return filterRows(expr, cols, table.numRows);
  },
  sort(table: TableView, keys: readonly SortKeySpec[]): Uint32Array {
    // Keys are read through a view's row index: the key column is never gathered.
    return sortPermutation(
      keys.map((k) => {
        const { column, rows } = table.columnSource(k.column);
        return { column, rows, descending: k.descending, nulls: k.nulls };
      }),
      table.numRows,
    );
  },
};
