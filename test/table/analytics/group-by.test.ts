/** Group-by against pandas 1.5 (Debian's python3-pandas) on random catalogs. */
import { describe, expect, it } from 'vitest';
import { FitsTable } from '../../../src/table/ops/fits-table.js';
import { groupRows, parseAgg, parseAggList } from '../../../src/table/ops/analytics/group-by.js';
import { FitsError } from '../../../src/core/errors.js';
import { col, randomCatalog } from './catalogs.js';
import { columnForPython, columnValues, pythonTest, runPython } from './python-bridge.js';

const VALUE_AGGS: Record<string, string[]> = {
  V_F64: ['count', 'sum', 'mean', 'min', 'max', 'std', 'var', 'median', 'first', 'last', 'nunique'],
  V_F32: ['count', 'sum', 'mean', 'min', 'max', 'std', 'var', 'median', 'first', 'last', 'nunique'],
  V_I32: ['count', 'sum', 'mean', 'min', 'max', 'std', 'var', 'median', 'first', 'last', 'nunique'],
  V_I64: ['count', 'sum', 'mean', 'min', 'max', 'std', 'var', 'median', 'first', 'last', 'nunique'],
  V_I16: ['sum', 'mean', 'min', 'max', 'std', 'var', 'median', 'first', 'last', 'nunique'],
  V_U8: ['sum', 'mean', 'min', 'max', 'median'],
  V_STR: ['count', 'first', 'last', 'nunique'],
  V_STR2: ['min', 'max', 'nunique'],
  V_Z: ['sum', 'mean', 'min', 'max', 'median', 'first', 'last', 'nunique'],
  V_BOOL: ['sum', 'mean', 'min', 'max', 'first'],
};
const AGGS = ['count()', ...Object.entries(VALUE_AGGS).flatMap(([c, fns]) => fns.map((f) => `${f}(${c})`))];

const KEY_SETS = [['K_INT'], ['K_BIG'], ['K_STR'], ['K_PSTR'], ['K_FLT'], ['K_BOOL'], ['K_INT', 'K_STR'], ['K_BOOL', 'K_BIG', 'K_FLT'], ['K_STR', 'K_PSTR', 'K_INT']];

const SCRIPT = String.raw`
res = []
for case in data:
    df = frame(case['cols'])
    keys = case['keys']
    named = {}
    for i, spec in enumerate(case['aggs']):
        fn, c = spec.rstrip(')').split('(')
        named['a%d' % i] = ('V_F64', 'size') if fn == 'count' and c == '' else (c, fn)
    r = df.groupby(keys, sort=True, dropna=case['dropna']).agg(**named).reset_index()
    res.append({c: out(r[c]) for c in r.columns})
print(json.dumps(res))
`;

/** Our dtype for a pandas result dtype. */
function pandasDtype(d: string): string {
  const m: Record<string, string> = { Float64: 'float64', Int64: 'int64', UInt64: 'uint64', Int32: 'int32', Int16: 'int16', UInt8: 'uint8', object: 'string', boolean: 'bool' };
  return m[d] ?? d;
}

describe('groupBy vs pandas', () => {
  pythonTest('random catalogs: every aggregation, several key sets, dropna true and false', () => {
    const cases: { cols: unknown[]; keys: string[]; aggs: string[]; dropna: boolean }[] = [];
    const ours: ReturnType<ReturnType<typeof groupRows>['agg']>[] = [];
    for (const [seed, n] of [[1, 0], [2, 1], [3, 9], [4, 300], [5, 4000]] as const) {
      const cols = randomCatalog(seed, n);
      const table = new FitsTable(cols, n);
      for (const keys of KEY_SETS) {
        for (const dropna of [true, false]) {
          if (!dropna && n > 300) continue;
          cases.push({ cols: cols.map(columnForPython), keys, aggs: AGGS, dropna });
          ours.push(groupRows(table, keys, { dropna }).agg(AGGS));
        }
      }
    }
    const ref = runPython<Record<string, { dtype: string; values: unknown[] }>[]>(SCRIPT, cases);
    expect(ref.length).toBe(cases.length);
    ref.forEach((r, c) => {
      const got = ours[c]!;
      const names = Object.keys(r);
      expect(got.columns.length, `case ${c}`).toBe(names.length);
      names.forEach((name, j) => {
        const mine = got.columns[j]!;
        const what = `case ${c} (keys ${cases[c]!.keys.join(',')}, dropna ${cases[c]!.dropna}) column ${mine.name}`;
        // pandas shows a missing string key as NaN; a null here.
        const want = mine.dtype === 'string' ? r[name]!.values.map((v) => (v === 'NaN' ? null : v)) : r[name]!.values;
        expect(columnValues(mine), what).toEqual(want);
        // pandas 1.5 keeps integer keys in an int64 index; the keys keep their own type here.
        // pandas sums integers in int64 but casts the result back to the column's type when every sum fits
        // (data-dependent): always int64 (uint64) here.
        const isIntSum = /^sum\(/.test(mine.name) && /^u?int/i.test(r[name]!.dtype);
        const wantType = isIntSum ? (/^u/i.test(r[name]!.dtype) ? 'uint64' : 'int64') : pandasDtype(r[name]!.dtype);
        if (r[name]!.values.length > 0 && j >= cases[c]!.keys.length) expect(mine.dtype, what).toBe(wantType);
      });
    });
  }, 120_000);
});

describe('groupBy semantics', () => {
  const t = new FitsTable(
    [
      col('K', 'int32', Int32Array.from([2, 1, 2, 1, 3])),
      col('V', 'float64', Float64Array.from([1, NaN, 3, 4, NaN])),
      col('S', 'string', ['b', 'a', 'c', 'a', 'z'], [false, false, false, false, true]),
    ],
    5,
  );
  it('groups ascend; count() counts rows, count(C) values; std of one value is NaN', () => {
    const r = new FitsTable(...(Object.values(groupRows(t, 'K').agg('count(),count(V),mean(V),std(V),max(S),first(S)')) as [never, never]));
    expect([...r.rows()]).toEqual([
      { K: 1, 'count()': 2n, 'count(V)': 1n, 'mean(V)': 4, 'std(V)': NaN, 'max(S)': 'a', 'first(S)': 'a' },
      { K: 2, 'count()': 2n, 'count(V)': 2n, 'mean(V)': 2, 'std(V)': Math.SQRT2, 'max(S)': 'c', 'first(S)': 'b' },
      { K: 3, 'count()': 1n, 'count(V)': 0n, 'mean(V)': NaN, 'std(V)': NaN, 'max(S)': null, 'first(S)': null },
    ]);
  });
  it('parses aggregation lists, quoted names and renames', () => {
    expect(parseAggList('count(), mean(`A,B`) as m, max("x y")')).toEqual([{ fn: 'count' }, { fn: 'mean', column: 'A,B', name: 'm' }, { fn: 'max', column: 'x y' }]);
    expect(parseAgg('COUNT(*)')).toEqual({ fn: 'count' });
    expect(() => parseAgg('avg(X)')).toThrow(FitsError);
    expect(() => parseAgg('mean()')).toThrow(/needs a column/);
    expect(() => groupRows(t, 'K').agg('mean(S)')).toThrow(/holds strings/);
    expect(() => groupRows(t, 'NOPE')).toThrow(/no column named 'NOPE'/);
    expect(() => groupRows(t, 'K').agg('mean(V),mean(V)')).toThrow(/two output columns/);
  });
});
