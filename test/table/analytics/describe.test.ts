/** describe() against pandas 1.5's Series.describe(); withColumn. */
import { describe, expect, it } from 'vitest';
import { FitsTable } from '../../../src/table/ops/fits-table.js';
import { describeTable } from '../../../src/table/ops/analytics/describe.js';
import { withColumn } from '../../../src/table/ops/analytics/with-column.js';
import { col, randomCatalog } from './catalogs.js';
import { columnForPython, columnValues, pythonTest, runPython } from './python-bridge.js';

const NUMERIC = ['V_F64', 'V_F32', 'V_I16', 'V_U8', 'K_INT', 'V_Z', 'K_FLT'];

const SCRIPT = String.raw`
res = []
for cols in data:
    df = frame(cols)
    res.append({c: out(df[c].describe()) for c in df.columns})
print(json.dumps(res))
`;

describe('describe vs pandas', () => {
  pythonTest('count, mean, std, min, quartiles, max of numeric columns', () => {
    const tables = [[2, 1], [3, 2], [4, 7], [5, 300], [6, 20000]].map(([seed, n]) => new FitsTable(randomCatalog(seed!, n!), n!).select(NUMERIC));
    const ref = runPython<Record<string, { values: unknown[] }>[]>(SCRIPT, tables.map((t) => t.columns.map(columnForPython)));
    tables.forEach((t, k) => {
      const d = describeTable(t);
      const stats = ['count', 'mean', 'std', 'min', '25%', '50%', '75%', 'max'];
      NUMERIC.forEach((name, row) => {
        const mine = stats.map((s) => {
          const c = d.columns.find((x) => x.name === s)!;
          const v = columnValues(c)[row];
          return s === 'count' ? Number(v) : v;
        });
        // numpy partitions for the quartiles: which of -0 and +0 lands in place is its sort's affair.
        const unsign = (xs: unknown[]) => xs.map((x, i) => (i >= 4 && i <= 6 && x === 0 ? 0 : x));
        expect(unsign(mine), `table ${k} column ${name}`).toEqual(unsign(ref[k]![name]!.values));
      });
    });
  }, 120_000);
});

describe('describe and withColumn', () => {
  const t = new FitsTable(
    [
      col('ID', 'int64', BigInt64Array.from([2n ** 60n + 1n, 2n, 3n])),
      col('G', 'float32', Float32Array.from([20, 21, NaN])),
      col('R', 'float64', Float64Array.from([19.5, 20, 18]), [false, true, false]),
      col('S', 'string', ['a', 'b', 'a']),
      col('OK', 'bool', Uint8Array.from([1, 0, 1])),
    ],
    3,
  );
  it('describes strings and logicals by distinct values', () => {
    const d = new FitsTable(...(Object.values(describeTable(t)) as [never, never]));
    expect(d.row(3)).toMatchObject({ column: 'S', count: 3n, unique: 3n - 1n, top: 'a', freq: 2n, mean: null });
    expect(d.row(4)).toMatchObject({ column: 'OK', top: 'True', freq: 2n });
    expect(d.row(1)).toMatchObject({ column: 'G', count: 2n, nulls: 1n, mean: 20.5, unique: null });
  });
  it('computes numbers, conditions and exact copies', () => {
    const r = new FitsTable(...(Object.values(withColumn(t, 'C', 'G - R')) as [never, never]));
    expect(r.columnNames).toEqual(['ID', 'G', 'R', 'S', 'OK', 'C']);
    expect([...r.column('C').data as Float64Array].slice(0, 1)).toEqual([0.5]);
    expect(r.cell(1, 'C')).toBeNull();
    expect(Number.isNaN(r.cell(2, 'C'))).toBe(true);
    const b = new FitsTable(...(Object.values(withColumn(t, 'BRIGHT', 'R < 19.7')) as [never, never]));
    expect([0, 1, 2].map((i) => b.cell(i, 'BRIGHT'))).toEqual([true, null, true]);
    const c = new FitsTable(...(Object.values(withColumn(t, 'ID', 'ID')) as [never, never]));
    expect(c.cell(0, 'ID')).toBe(2n ** 60n + 1n);
    expect(() => withColumn(t, 'X', 'NOPE + 1')).toThrow(/NOPE/);
  });
});
