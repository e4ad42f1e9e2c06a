/**
 * Computed columns: `withColumn(table, 'COLOR', 'MAG_G - MAG_R')`, in the
 * table expression language (see FitsTable's filter documentation), evaluated
 * by the CPU expression compiler in chunks.
 *
 * Result types: numeric expressions give float64 (nulls where an input is
 * null, NaN where IEEE says so); conditions give a logical column (null where
 * the condition is null, three-valued like filters); a bare column reference
 * (`withColumn(t, 'ID2', 'ID')`) copies the column exactly with its type
 * (int64 stays int64); a string constant gives a string column.
 */
import { FitsError } from '../../../core/errors.js';
import { cellSize, columnFields, packedStringColumn, type Column } from '../../column.js';
import { checkExpression, referencedColumns, type CheckedExpr } from '../expression/check.js';
import { CHUNK, compileNumber, compilePredicate } from '../expression/compile-cpu.js';
import { bitmapFromFlags, scalarColumn } from './result-columns.js';
import type { ColumnList, TableSource } from './table-source.js';

/** The column `expression` computes over `table`, named `name`. */
export function evaluateColumn(table: TableSource, name: string, expression: string): Column {
  if (typeof name !== 'string' || name.length === 0) throw new FitsError('BAD_ARGUMENT', 'withColumn() needs a column name.');
  const schema = table.columnNames.map((_, i) => table.columnSource(i).column);
  const expr: CheckedExpr = checkExpression(expression, schema);
  const n = table.numRows;
  const cols: Column[] = new Array(schema.length);
  for (const i of referencedColumns(expr)) cols[i] = table.columnAt(i);
  if (expr.kind === 'column' && cellSize(cols[expr.column]!) === 1 && !cols[expr.column]!.offsets && expr.element === 0) {
    return copyColumn(cols[expr.column]!, name);
  }
  if (expr.kind === 'const') {
    if (expr.type === 'string') return scalarColumn(name, 'string', new Array<string>(n).fill(expr.value));
    if (expr.type === 'bool') return scalarColumn(name, 'bool', new Uint8Array(n).fill(expr.value ? 1 : 0));
    return scalarColumn(name, 'float64', new Float64Array(n).fill(expr.value));
  }
  if (expr.type === 'number') {
    const ev = compileNumber(expr, cols);
    const out = new Float64Array(n);
    const valid = new Uint8Array(n).fill(1);
    let anyNull = false;
    for (let start = 0; start < n; start += CHUNK) {
      const m = Math.min(CHUNK, n - start);
      ev.run(start, null, m);
      out.set(ev.v.subarray(0, m), start);
      if (ev.hasNull) {
        valid.set(ev.valid.subarray(0, m), start);
        anyNull = true;
      }
    }
    return scalarColumn(name, 'float64', out, anyNull ? bitmapFromFlags(valid) : null);
  }
  if (expr.type === 'bool') {
    const pred = compilePredicate(expr, cols);
    const out = new Uint8Array(n);
    const known = new Uint8Array(n);
    const rows = new Uint32Array(CHUNK);
    for (let start = 0; start < n; start += CHUNK) {
      const m = Math.min(CHUNK, n - start);
      for (const want of [true, false]) {
        const k = pred.select(want, start, null, m, rows);
        for (let j = 0; j < k; j++) {
          out[rows[j]!] = want ? 1 : 0;
          known[rows[j]!] = 1;
        }
      }
    }
    return scalarColumn(name, 'bool', out, bitmapFromFlags(known));
  }
  throw new FitsError('BAD_ARGUMENT', `withColumn(): a string expression must be a column or a constant ('${expression}').`);
}

function copyColumn(col: Column, name: string): Column {
  if (col.strings) return packedStringColumn({ ...columnFields(col), name }, col.length, { bytes: col.strings.bytes.slice(), width: col.strings.width }, col.validity?.slice());
  const data = Array.isArray(col.data) ? col.data.slice() : col.data.slice();
  const out: { -readonly [K in keyof Column]?: Column[K] } = { ...columnFields(col), name, length: col.length, data };
  if (col.validity) out.validity = col.validity.slice();
  return out as Column;
}

/**
 * The table's columns with `name` computed from `expression`: replacing the
 * column of that exact name in place, else appended.
 */
export function withColumn(table: TableSource, name: string, expression: string): ColumnList {
  const col = evaluateColumn(table, name, expression);
  const columns = table.columnNames.map((_, i) => table.columnAt(i));
  const at = table.columnNames.indexOf(name);
  if (at >= 0) columns[at] = col;
  else columns.push(col);
  return { columns, numRows: table.numRows };
}
