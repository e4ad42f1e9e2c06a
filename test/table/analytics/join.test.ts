/** Joins against pandas 1.5's merge (Debian's python3-pandas) on random catalogs. */
import { describe, expect, it } from 'vitest';
import { FitsTable } from '../../../src/table/ops/fits-table.js';
import { joinTables, type JoinHow } from '../../../src/table/ops/analytics/join.js';
import { FitsError } from '../../../src/core/errors.js';
import { col, randomCatalog } from './catalogs.js';
import { columnForPython, columnValues, pythonTest, runPython } from './python-bridge.js';

const PAYLOAD = ['V_F64', 'V_F32', 'V_I64', 'V_STR', 'V_BOOL'];
const KEY_SETS = [['K_INT'], ['K_BIG'], ['K_STR'], ['K_PSTR'], ['K_FLT'], ['K_INT', 'K_STR'], ['K_BOOL', 'K_BIG']];
const HOWS: JoinHow[] = ['inner', 'left', 'right', 'outer'];

const SCRIPT = String.raw`
frames = [frame(t, nullable=True) for t in data['tables']]
res = []
for case in data['cases']:
    r = pd.merge(frames[case['left']], frames[case['right']], on=case['on'], how=case['how'], sort=case['sort'], suffixes=('', '_2'))
    res.append({'names': list(r.columns), 'cols': [out(r[c]) for c in r.columns]})
print(json.dumps(res))
`;

/** NaN and null are both "missing" in a merge result (pandas turns one into the other by column type). */
const missing = (vs: unknown[]) => vs.map((v) => (v === null || v === 'NaN' ? 'NA' : v));

function sideTable(seed: number, n: number, keys: string[]): FitsTable {
  const t = new FitsTable(randomCatalog(seed, n), n);
  const others = ['K_INT', 'K_STR'].filter((k) => !keys.includes(k)); // non-key columns that clash
  return t.select([...keys, ...others, ...PAYLOAD]);
}

describe('join vs pandas merge', () => {
  pythonTest('random catalogs: inner/left/right/outer, sorted and not, NaN/null keys, int64 > 2^53, empty sides', () => {
    const tables: unknown[] = [];
    const cases: { left: number; right: number; on: string[]; how: JoinHow; sort: boolean; nL: number }[] = [];
    const ours: ReturnType<typeof joinTables>[] = [];
    const sizes: [number, number][] = [[0, 5], [6, 0], [0, 0], [7, 9], [60, 80], [300, 200]];
    sizes.forEach(([nL, nR], s) => {
      for (const keys of KEY_SETS) {
        const L = sideTable(10 + s, nL, keys);
        const R = sideTable(50 + s, nR, keys);
        tables.push(L.columns.map(columnForPython), R.columns.map(columnForPython));
        for (const how of HOWS) {
          for (const sort of [false, true]) {
            cases.push({ left: tables.length - 2, right: tables.length - 1, on: keys, how, sort, nL });
            ours.push(joinTables(L, R, { on: keys, how, sort }));
          }
        }
      }
    });
    const ref = runPython<{ names: string[]; cols: { dtype: string; values: unknown[] }[] }[]>(SCRIPT, { tables, cases });
    ref.forEach((r, c) => {
      const got = ours[c]!;
      const info = cases[c]!;
      const what = `case ${c} (on ${info.on.join(',')}, ${info.how}, sort ${info.sort})`;
      const names = got.columns.map((x) => x.name);
      // pandas 1.5 moves the key columns after the left ones when the left table is empty; same columns here, in place.
      if (info.nL > 0) expect(names, what).toEqual(r.names);
      else expect([...names].sort(), what).toEqual([...r.names].sort());
      got.columns.forEach((mine) => {
        expect(missing(columnValues(mine)), `${what} column ${mine.name}`).toEqual(missing(r.cols[r.names.indexOf(mine.name)]!.values));
      });
    });
  }, 180_000);
});

describe('join semantics', () => {
  const L = new FitsTable([col('ID', 'int64', BigInt64Array.from([2n ** 60n + 1n, 5n, 2n ** 60n + 1n])), col('A', 'float64', Float64Array.from([1, 2, 3]))], 3);
  const R = new FitsTable([col('ID', 'int32', Int32Array.from([5, 7])), col('A', 'float32', Float32Array.from([0.5, 0.25]))], 2);
  it('matches int64 keys exactly, across integer types, suffixing clashing names', () => {
    const r = joinTables(L, R, { on: 'ID', how: 'outer' });
    const t = new FitsTable(r.columns, r.numRows);
    expect(t.columnNames).toEqual(['ID', 'A', 'A_2']);
    expect([...t.rows()]).toEqual([
      { ID: 2n ** 60n + 1n, A: 1, A_2: null },
      { ID: 2n ** 60n + 1n, A: 3, A_2: null },
      { ID: 5n, A: 2, A_2: 0.5 },
      { ID: 7n, A: null, A_2: 0.25 },
    ]);
  });
  it('nullsEqual: false never matches NA keys', () => {
    const a = new FitsTable([col('K', 'float64', Float64Array.from([NaN, 1]))], 2);
    const b = new FitsTable([col('K', 'float64', Float64Array.from([NaN, 1])), col('B', 'int16', Int16Array.from([3, 4]))], 2);
    expect(joinTables(a, b, { on: 'K' }).numRows).toBe(2);
    expect(joinTables(a, b, { on: 'K', nullsEqual: false }).numRows).toBe(1);
    expect(joinTables(a, b, { on: 'K', how: 'outer', nullsEqual: false }).numRows).toBe(3);
  });
  it('refuses mismatched key types and unknown options', () => {
    const s = new FitsTable([col('ID', 'string', ['5', '7'])], 2);
    expect(() => joinTables(L, s, { on: 'ID' })).toThrow(/strings on one side/);
    expect(() => joinTables(L, R, { on: 'ID', how: 'cross' as JoinHow })).toThrow(FitsError);
    expect(() => joinTables(L, R, { on: 'NOPE' })).toThrow(/no column named 'NOPE'/);
  });
});
