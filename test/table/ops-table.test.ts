/** FitsTable basics: columns, select, slice, take, rows, views, backends. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FitsTable } from '../../src/table/ops/fits-table.js';
import type { Column } from '../../src/table/column.js';
import type { TableBackend } from '../../src/table/ops/backend.js';
import { cpuBackend } from '../../src/table/ops/backend-cpu.js';
import { isFitsError } from '../../src/core/errors.js';

function sample(): FitsTable {
  const n = 5;
  const validity = new Uint8Array([0b11101]); // row 1 null
  const cols: Column[] = [
    { name: 'ID', dtype: 'int64', format: 'K', cellShape: [], length: n, data: new BigInt64Array([10n, 11n, 12n, 13n, 14n]) },
    { name: 'Mag', dtype: 'float32', format: 'E', cellShape: [], length: n, data: new Float32Array([3, 1, NaN, 2, 1]), validity, unit: 'mag' },
    { name: 'NAME', dtype: 'string', format: '4A', cellShape: [], length: n, data: ['a', 'b', '', 'dd', 'e'] },
    { name: 'FLAG', dtype: 'bool', format: 'L', cellShape: [], length: n, data: new Uint8Array([1, 0, 1, 0, 1]) },
    { name: 'VEC', dtype: 'int16', format: '2I', cellShape: [2], length: n, data: new Int16Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) },
    { name: 'C', dtype: 'complex64', format: 'C', cellShape: [], length: n, data: new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) },
    {
      name: 'V',
      dtype: 'float64',
      format: 'PD(3)',
      cellShape: null,
      length: n,
      data: new Float64Array([1, 2, 3, 4, 5, 6]),
      offsets: new Int32Array([0, 1, 1, 3, 6, 6]),
    },
  ];
  return new FitsTable(cols, n);
}

describe('FitsTable', () => {
  it('exposes columns and names, with a case-insensitive fallback', () => {
    const t = sample();
    expect(t.numRows).toBe(5);
    expect(t.columnNames).toEqual(['ID', 'Mag', 'NAME', 'FLAG', 'VEC', 'C', 'V']);
    expect(t.column('Mag').dtype).toBe('float32');
    expect(t.column('mag').name).toBe('Mag');
    expect(t.column('name').name).toBe('NAME');
    expect(t.hasColumn('nope')).toBe(false);
    expect(() => t.column('nope')).toThrow(/No column named 'nope'/);
    try {
      t.column('nope');
    } catch (e) {
      expect(isFitsError(e, 'NOT_FOUND')).toBe(true);
    }
  });

  it('rejects inconsistent columns', () => {
    const c: Column = { name: 'A', dtype: 'int32', format: 'J', cellShape: [], length: 3, data: new Int32Array(3) };
    expect(() => new FitsTable([c], 4)).toThrow(/has 3 rows/);
    expect(() => new FitsTable([{ ...c, length: 4 }], 4)).toThrow(/holds 3 values/);
    expect(() => new FitsTable([], -1)).toThrow(/non-negative/);
    expect(new FitsTable([], 0).numRows).toBe(0);
  });

  it('row() gives plain cells: numbers, bigints, strings, booleans, arrays, complex, null', () => {
    const t = sample();
    expect(t.row(0)).toEqual({
      ID: 10n,
      Mag: 3,
      NAME: 'a',
      FLAG: true,
      VEC: new Int16Array([1, 2]),
      C: { re: 1, im: 2 },
      V: new Float64Array([1]),
    });
    expect(t.row(1).Mag).toBeNull();
    expect(t.row(1).V).toEqual(new Float64Array([]));
    expect(t.row(-1).ID).toBe(14n);
    expect(() => t.row(5)).toThrow(/out of range/);
    expect([...t.rows()].map((r) => r.ID)).toEqual([10n, 11n, 12n, 13n, 14n]);
    expect([...t].length).toBe(5);
    expect(t.cell(3, 'name')).toBe('dd');
  });

  it('select() picks and orders columns', () => {
    const t = sample().select(['NAME', 'id']);
    expect(t.columnNames).toEqual(['NAME', 'ID']);
    expect(t.row(2)).toEqual({ NAME: '', ID: 12n });
    expect(() => sample().select(['X'])).toThrow(/No column/);
  });

  it('slice() and head() share memory and handle negative bounds', () => {
    const t = sample();
    const s = t.slice(1, 4);
    expect(s.numRows).toBe(3);
    expect(s.column('ID').data).toEqual(new BigInt64Array([11n, 12n, 13n]));
    expect((s.column('ID').data as BigInt64Array).buffer).toBe((t.column('ID').data as BigInt64Array).buffer);
    expect(s.row(0).Mag).toBeNull(); // validity shifted by a non-multiple of 8
    expect(s.row(1).Mag).toBeNaN();
    expect(s.row(2).V).toEqual(new Float64Array([4, 5, 6]));
    expect(s.column('VEC').data).toEqual(new Int16Array([3, 4, 5, 6, 7, 8]));
    expect(s.column('C').data).toEqual(new Float32Array([3, 4, 5, 6, 7, 8]));
    expect(t.slice(-2).column('NAME').data).toEqual(['dd', 'e']);
    expect(t.slice(4, 2).numRows).toBe(0);
    expect(t.head(2).numRows).toBe(2);
    expect(t.head(100).numRows).toBe(5);
    expect(t.tail(2).row(0).ID).toBe(13n);
  });

  it('take() gathers rows in order, with repeats; validates indices', () => {
    const t = sample();
    const g = t.take(new Uint32Array([4, 1, 1, 0]));
    expect(g.numRows).toBe(4);
    expect(g.column('ID').data).toEqual(new BigInt64Array([14n, 11n, 11n, 10n]));
    expect(g.column('Mag').validity![0]! & 0b1111).toBe(0b1001);
    expect(g.column('VEC').data).toEqual(new Int16Array([9, 10, 3, 4, 3, 4, 1, 2]));
    expect(g.column('C').data).toEqual(new Float32Array([9, 10, 3, 4, 3, 4, 1, 2]));
    expect(g.column('V').data).toEqual(new Float64Array([1]));
    expect(Array.from(g.column('V').offsets!)).toEqual([0, 0, 0, 0, 1]);
    expect(g.row(0).V).toEqual(new Float64Array([]));
    expect(g.row(3).V).toEqual(new Float64Array([1]));
    expect(() => t.take([5])).toThrow(/out of range/);
    expect(() => t.take([-1])).toThrow(/out of range/);
    expect(t.take([]).numRows).toBe(0);
  });

  it('views compose: filter → sort → slice → select', () => {
    const t = sample();
    const v = t.filter('FLAG').sort('ID', { descending: true }).slice(0, 2).select(['ID', 'NAME']);
    expect(v.numRows).toBe(2);
    expect(v.row(0)).toEqual({ ID: 14n, NAME: 'e' });
    expect(v.row(1)).toEqual({ ID: 12n, NAME: '' });
    expect(v.columns.map((c) => c.length)).toEqual([2, 2]);
    const m = v.materialize();
    expect(m.column('ID').data).toEqual(new BigInt64Array([14n, 12n]));
  });

  it('random chains of filter/sort/take/slice/select keep rows intact (gather and scatter paths)', () => {
    // A bigger version of the sample: every layout, with nulls.
    const n = 200;
    const base = sample();
    const idx = new Uint32Array(n).map((_, i) => (i * 7) % 5);
    const big = base.take(idx).materialize();
    const rowsOf = (t: FitsTable) => [...t.rows()];
    const all = rowsOf(big);
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom('ID > 11', 'FLAG', 'isnull(Mag) || Mag < 3', "NAME != 'a'").map((e) => ({ op: 'filter' as const, e })),
            fc.tuple(fc.constantFrom('ID', 'Mag', 'NAME', 'FLAG'), fc.boolean()).map(([k, d]) => ({ op: 'sort' as const, k, d })),
            fc.array(fc.nat(), { maxLength: 30 }).map((ix) => ({ op: 'take' as const, ix })),
            fc.tuple(fc.integer({ min: -50, max: 250 }), fc.integer({ min: -50, max: 250 })).map(([a, b]) => ({ op: 'slice' as const, a, b })),
          ),
          { maxLength: 5 },
        ),
        (ops) => {
          let t: FitsTable = big;
          let ref: number[] = all.map((_, i) => i);
          for (const o of ops) {
            if (o.op === 'filter') {
              const keep = new Set(Array.from(t.filterIndices(o.e)));
              t = t.filter(o.e);
              ref = ref.filter((_, j) => keep.has(j));
            } else if (o.op === 'sort') {
              const perm = Array.from(t.sortIndices(o.k, { descending: o.d }));
              t = t.sort(o.k, { descending: o.d });
              ref = perm.map((j) => ref[j]!);
            } else if (o.op === 'take') {
              if (ref.length === 0) continue;
              const ix = o.ix.map((x) => x % ref.length);
              t = t.take(ix);
              ref = ix.map((j) => ref[j]!);
            } else {
              t = t.slice(o.a, o.b);
              ref = ref.slice(o.a, o.b);
            }
          }
          expect(t.numRows).toBe(ref.length);
          const want = ref.map((j) => all[j]!);
          expect(rowsOf(t)).toEqual(want);
          // Materialised columns (scatter or gather) hold the same rows.
          expect(rowsOf(t.materialize())).toEqual(want);
          expect(rowsOf(t.select(['V', 'C', 'VEC', 'Mag']).materialize())).toEqual(want.map((r) => ({ V: r.V, C: r.C, VEC: r.VEC, Mag: r.Mag })));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('sort() validates its keys', () => {
    const t = sample();
    expect(() => t.sort('VEC')).toThrow(/2 values per row/);
    expect(() => t.sort('V')).toThrow(/variable-length/);
    expect(() => t.sort('C')).toThrow(/complex/);
    expect(() => t.sort([])).toThrow(/at least one key/);
    expect(() => t.sort(['ID', 'Mag'], { descending: [true] })).toThrow(/descending/);
    expect(() => t.sort('nope')).toThrow(/no such column/);
    expect(Array.from(t.sortIndices('Mag'))).toEqual([4, 3, 0, 2, 1]); // 1, 2, 3, NaN, null
    expect(Array.from(t.sortIndices('Mag', { nulls: 'first' }))).toEqual([1, 4, 3, 0, 2]);
    expect(Array.from(t.sortIndices('Mag', { descending: true }))).toEqual([0, 3, 4, 2, 1]);
    expect(Array.from(t.sortIndices(['FLAG', 'NAME'], { descending: [true, false] }))).toEqual([2, 0, 4, 1, 3]);
  });

  it('fromArrays() infers dtypes', () => {
    const t = FitsTable.fromArrays({ a: [1, 2], b: ['x', 'yy'], c: [true, false], d: [1n, 2n], e: new Uint16Array([3, 4]) });
    expect(t.columns.map((c) => [c.dtype, c.format])).toEqual([
      ['float64', 'D'],
      ['string', '2A'],
      ['bool', 'L'],
      ['int64', 'K'],
      ['uint16', 'I'],
    ]);
    expect(() => FitsTable.fromArrays({ a: [1], b: [1, 2] })).toThrow(/rows/);
  });

  it('filter() and sort() with gpu: true need the async methods; a backend can be passed', async () => {
    const t = sample();
    try {
      t.filter('ID > 11', { gpu: true });
      expect.unreachable();
    } catch (e) {
      expect(isFitsError(e, 'GPU')).toBe(true);
      expect((e as Error).message).toMatch(/filterAsync/);
    }
    expect(() => t.sort('ID', { gpu: true })).toThrow(/sortAsync/);
    // 'auto' and false run on the CPU.
    expect(t.filter('ID > 11', { gpu: 'auto' }).numRows).toBe(3);
    expect(t.filter('ID > 11', { gpu: false }).numRows).toBe(3);
    expect(() => t.filter('ID > 11', { gpu: 'yes' as never })).toThrow(/true, false or 'auto'/);
    // A backend passed in is used (here a CPU stand-in that counts calls).
    let calls = 0;
    const fake: TableBackend = {
      name: 'fake',
      filter: (tab, e) => (calls++, cpuBackend.filter(tab, e)),
      sort: (tab, k) => (calls++, cpuBackend.sort(tab, k)),
    };
    expect(t.filter('ID > 11', { backend: fake }).numRows).toBe(3);
    expect(t.sort('ID', { backend: fake }).row(0).ID).toBe(10n);
    expect(calls).toBe(2);
    // An asynchronous backend needs the async methods.
    const asyncFake: TableBackend = { ...fake, filter: async (tab, e) => cpuBackend.filter(tab, e), sort: async (tab, k) => cpuBackend.sort(tab, k) };
    expect(() => t.filter('ID > 11', { backend: asyncFake })).toThrow(/filterAsync/);
    expect((await t.filterAsync('ID > 11', { backend: asyncFake })).numRows).toBe(3);
    expect((await t.sortAsync('ID', { backend: asyncFake, descending: true })).row(0).ID).toBe(14n);
    // A small table with 'auto' never loads the GPU backend: the CPU answers.
    expect((await t.filterAsync('ID > 11')).numRows).toBe(3);
  });

  it('take() gathers on materialize and refuses rows out of range', () => {
    const t = sample();
    const g = t.take(new Uint32Array([2, 0])).materialize();
    expect(g.numRows).toBe(2);
    expect(g.column('NAME').data).toEqual(['', 'a']);
    expect(() => t.take(new Uint32Array([9]))).toThrow(/out of range/);
  });

  it('zero-row tables filter, sort and slice', () => {
    const t = sample().slice(0, 0);
    expect(t.numRows).toBe(0);
    expect(t.filter('ID > 0').numRows).toBe(0);
    expect(t.sort(['Mag', 'NAME']).numRows).toBe(0);
    expect([...t.rows()]).toEqual([]);
  });
});
