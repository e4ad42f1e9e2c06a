/** Shared checks of the convert tests: table equality and DuckDB queries. */
import { expect } from 'vitest';
import type { FitsTable } from '../../src/table/ops/fits-table.js';

/** Same columns (names, types, TFORMs, shapes, units) and the same cells, row by row. */
export function expectSameTable(got: FitsTable, want: FitsTable, ctx: string, opts: { formats?: boolean; floatNullsAsNaN?: boolean } = {}): void {
  expect(got.numRows, `${ctx}: rows`).toBe(want.numRows);
  expect(got.columnNames, `${ctx}: columns`).toEqual(want.columnNames);
  want.columns.forEach((w, i) => {
    const g = got.columns[i]!;
    const c = `${ctx}: column ${w.name}`;
    expect(g.dtype, c).toBe(w.dtype);
    expect(g.cellShape, c).toEqual(w.cellShape);
    if (opts.formats !== false) expect(g.format.replace(/\(\d*\)$/, ''), c).toBe(w.format.replace(/\(\d*\)$/, ''));
    expect(g.unit ?? '', c).toBe(w.unit ?? '');
  });
  // Binary FITS tables have no null floats or strings: NaN and ''.
  const floats = new Set(want.columns.filter((c) => c.dtype === 'float32' || c.dtype === 'float64').map((c) => c.name));
  const strings = new Set(want.columns.filter((c) => c.dtype === 'string').map((c) => c.name));
  const norm = (row: Record<string, unknown>) => {
    if (opts.floatNullsAsNaN) for (const k of floats) if (row[k] === null) row[k] = NaN;
    if (opts.floatNullsAsNaN) for (const k of strings) if (row[k] === null) row[k] = '';
    return row;
  };
  for (let r = 0; r < want.numRows; r++) expect(norm(got.row(r)), `${ctx}: row ${r}`).toEqual(norm(want.row(r)));
}

let db: Promise<{ all(sql: string): Promise<Record<string, unknown>[]> }> | undefined;

/** DuckDB (@duckdb/node-api): rows of a query as JSON-like objects (bigints as strings). */
export function duckdb(): Promise<{ all(sql: string): Promise<Record<string, unknown>[]> }> {
  db ??= (async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const conn = await (await DuckDBInstance.create()).connect();
    return {
      async all(sql: string) {
        const r = await conn.runAndReadAll(sql);
        return r.getRowObjectsJson() as Record<string, unknown>[];
      },
    };
  })();
  return db;
}

/** A SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
