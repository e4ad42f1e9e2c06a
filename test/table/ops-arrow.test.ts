/** Arrow interop: toArrow / fromArrow round trips, zero-copy, Arrow-native input. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { FitsTable } from '../../src/table/ops/fits-table.js';
import { toArrow, fromArrow } from '../../src/arrow/arrow.js';
import { cellSize, type Column, type ColumnDType } from '../../src/table/column.js';
import { open } from '../helpers/fitsflow.js';
import { corpusPath } from '../helpers/corpus.js';

const bytes = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const bit = (v: Uint8Array | undefined, i: number) => (!v ? 1 : (v[i >>> 3]! >>> (i & 7)) & 1);

function elementCount(c: Column): number {
  return c.offsets ? Number(c.offsets[c.length]!) - Number(c.offsets[0]!) : c.length * cellSize(c);
}

/** Columns equal exactly (bit-for-bit values; absent validity = all valid). */
function expectSameColumn(got: Column, want: Column): void {
  const where = `column ${want.name}`;
  expect(got.name, where).toBe(want.name);
  expect(got.dtype, where).toBe(want.dtype);
  expect(got.format, where).toBe(want.format);
  expect(got.cellShape, where).toEqual(want.cellShape);
  expect(got.length, where).toBe(want.length);
  expect(got.unit, where).toBe(want.unit);
  if (want.offsets) {
    expect(got.offsets, where).toBeDefined();
    const base = Number(want.offsets[0]!);
    const gbase = Number(got.offsets![0]!);
    const go: number[] = [];
    const wo: number[] = [];
    for (let i = 0; i <= want.length; i++) {
      go.push(Number(got.offsets![i]!) - gbase);
      wo.push(Number(want.offsets[i]!) - base);
    }
    expect(go, where).toEqual(wo);
  }
  const per = want.dtype === 'complex64' || want.dtype === 'complex128' ? 2 : 1;
  const n = elementCount(want);
  const from = want.offsets ? Number(want.offsets[0]!) : 0;
  const gfrom = got.offsets ? Number(got.offsets[0]!) : 0;
  if (Array.isArray(want.data)) expect((got.data as string[]).slice(gfrom, gfrom + n), where).toEqual(want.data.slice(from, from + n));
  else {
    expect(got.data.constructor, where).toBe(want.data.constructor);
    const w = want.data.subarray(from * per, (from + n) * per);
    const g = (got.data as typeof w).subarray(gfrom * per, (gfrom + n) * per);
    // Bit-for-bit (NaN payloads, -0); compared by hand, deep equality is slow on big arrays.
    const gb = bytes(g);
    const wb = bytes(w);
    expect(gb.length, where).toBe(wb.length);
    let diff = -1;
    for (let i = 0; i < wb.length && diff < 0; i++) if (gb[i] !== wb[i]) diff = i;
    expect(diff, `${where}: first differing byte`).toBe(-1);
  }
  const gv: number[] = [];
  const wv: number[] = [];
  for (let i = 0; i < n; i++) {
    gv.push(bit(got.validity, gfrom + i));
    wv.push(bit(want.validity, from + i));
  }
  expect(gv.join(''), `${where} validity`).toBe(wv.join(''));
}

function expectSameTable(got: FitsTable, want: FitsTable): void {
  expect(got.numRows).toBe(want.numRows);
  expect(got.columnNames).toEqual(want.columnNames);
  want.columns.forEach((c, i) => expectSameColumn(got.columnAt(i), c));
}

const viaIpc = (t: arrow.Table) => arrow.tableFromIPC(arrow.tableToIPC(t));

// ---------------------------------------------------------------- random columns

const NUMERIC: ColumnDType[] = ['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'complex64', 'complex128'];
const CTOR: Record<string, new (n: number) => Column['data']> = {
  bool: Uint8Array, uint8: Uint8Array, int8: Int8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, float32: Float32Array, float64: Float64Array, complex64: Float32Array, complex128: Float64Array,
};

const columnArb = (n: number, k: number): fc.Arbitrary<Column> =>
  fc
    .record({
      dtype: fc.constantFrom<ColumnDType>('bool', 'string', ...NUMERIC),
      shape: fc.oneof(fc.constant([] as number[]), fc.constant(null), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 })),
      nulls: fc.boolean(),
      unit: fc.option(fc.constantFrom('mag', 'deg', 'erg/s/cm**2', ''), { nil: undefined }),
      seed: fc.integer(),
      lens: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
      strings: fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.constantFrom('', 'é', '日本', 'a b')), { minLength: 64, maxLength: 64 }),
    })
    .map(({ dtype, shape, nulls, unit, seed, lens, strings }) => {
      let s = seed >>> 0 || 7;
      const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s);
      const vla = shape === null && dtype !== 'string';
      const cs = shape ? shape.reduce((a, b) => a * b, 1) : 1;
      let offsets: Int32Array | undefined;
      let count = n * cs;
      if (vla) {
        offsets = new Int32Array(n + 1);
        for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + lens[i]!;
        count = offsets[n]!;
      }
      const per = dtype === 'complex64' || dtype === 'complex128' ? 2 : 1;
      let data: Column['data'];
      if (dtype === 'string') data = Array.from({ length: count }, () => strings[rnd() % strings.length]!);
      else {
        const a = new (CTOR[dtype]!)(count * per);
        const b = bytes(a as ArrayBufferView);
        for (let i = 0; i < b.length; i++) b[i] = rnd() >>> 24;
        if (dtype === 'bool') for (let i = 0; i < a.length; i++) (a as Uint8Array)[i] = (a as Uint8Array)[i]! & 1;
        data = a;
      }
      let validity: Uint8Array | undefined;
      if (nulls && dtype !== 'complex64' && dtype !== 'complex128') {
        validity = new Uint8Array((count + 7) >>> 3);
        for (let i = 0; i < count; i++) if (rnd() % 3) validity[i >>> 3]! |= 1 << (i & 7);
        // The column contract: a null logical holds 0.
        if (dtype === 'bool') for (let i = 0; i < count; i++) if (!bit(validity, i)) (data as Uint8Array)[i] = 0;
      }
      const code = { bool: 'L', string: 'A', uint8: 'B', int8: 'B', int16: 'I', uint16: 'I', int32: 'J', uint32: 'J', int64: 'K', uint64: 'K', float32: 'E', float64: 'D', complex64: 'C', complex128: 'M' }[dtype];
      const col: Column = {
        name: `c${k}`,
        dtype,
        format: vla ? `P${code}(4)` : `${cs}${code}`,
        cellShape: vla ? null : (shape ?? []),
        length: n,
        data,
        ...(offsets ? { offsets } : {}),
        ...(validity ? { validity } : {}),
        ...(unit !== undefined ? { unit } : {}),
      };
      return col;
    });

const tableArb = fc.integer({ min: 0, max: 40 }).chain((n) => fc.integer({ min: 1, max: 6 }).chain((m) => fc.tuple(...Array.from({ length: m }, (_, k) => columnArb(n, k))).map((cols) => new FitsTable(cols, n))));

describe('toArrow / fromArrow', () => {
  it('round-trips random tables losslessly (directly and through Arrow IPC)', () => {
    fc.assert(
      fc.property(tableArb, (t) => {
        const a = toArrow(t, arrow);
        expect(a.numRows).toBe(t.numRows);
        expectSameTable(fromArrow(a), t);
        expectSameTable(fromArrow(viaIpc(a)), t);
        // Slices of the Arrow table come back as the same rows.
        if (t.numRows > 3) expectSameTable(fromArrow(a.slice(1, 3)), t.slice(1, 3).materialize());
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 200) },
    );
  });

  it('shares memory for numeric columns and maps types as documented', () => {
    const f = new Float32Array([1.5, NaN, -0]);
    const k = new BigInt64Array([1n, -(2n ** 63n), 3n]);
    const v = new Int16Array([1, 2, 3, 4, 5, 6]);
    const validity = new Uint8Array([0b101]);
    const t = new FitsTable(
      [
        { name: 'F', dtype: 'float32', format: 'E', cellShape: [], length: 3, data: f, validity, unit: 'mag' },
        { name: 'K', dtype: 'int64', format: 'K', cellShape: [], length: 3, data: k },
        { name: 'V', dtype: 'int16', format: '2I', cellShape: [2], length: 3, data: v },
        { name: 'S', dtype: 'string', format: '3A', cellShape: [], length: 3, data: ['a', '', 'héé'] },
        { name: 'L', dtype: 'bool', format: 'L', cellShape: [], length: 3, data: new Uint8Array([1, 0, 1]) },
        { name: 'C', dtype: 'complex128', format: 'M', cellShape: [], length: 3, data: new Float64Array([1, 2, 3, 4, 5, 6]) },
        { name: 'P', dtype: 'float64', format: 'PD(2)', cellShape: null, length: 3, data: new Float64Array([7, 8, 9]), offsets: new Int32Array([0, 2, 2, 3]) },
      ],
      3,
    );
    const a = toArrow(t, arrow);
    const F = a.getChild('F')!;
    expect(F.type).toBeInstanceOf(arrow.Float32);
    expect(F.data[0]!.values.buffer).toBe(f.buffer);
    expect(F.get(1)).toBeNull();
    expect(F.nullCount).toBe(1);
    expect(a.schema.fields[0]!.metadata.get('fits:unit')).toBe('mag');
    expect(a.schema.fields[0]!.metadata.get('fits:tform')).toBe('E');
    expect(a.getChild('K')!.data[0]!.values.buffer).toBe(k.buffer);
    expect(a.getChild('K')!.get(1)).toBe(-(2n ** 63n));
    const V = a.getChild('V')!;
    expect(V.type).toBeInstanceOf(arrow.FixedSizeList);
    expect(Array.from(V.get(2)!.toArray() as Int16Array)).toEqual([5, 6]);
    expect(V.data[0]!.children[0]!.values.buffer).toBe(v.buffer);
    expect(a.getChild('S')!.toArray()).toEqual(['a', '', 'héé']);
    expect(a.getChild('L')!.toArray()).toEqual([true, false, true]);
    expect(Array.from(a.getChild('C')!.get(2)!.toArray() as Float64Array)).toEqual([5, 6]);
    const P = a.getChild('P')!;
    expect(P.type).toBeInstanceOf(arrow.List);
    expect(Array.from(P.get(0)!.toArray() as Float64Array)).toEqual([7, 8]);
    expect(P.get(1)!.length).toBe(0);
    expectSameTable(fromArrow(a), t);
  });

  it('toArrow() without the module imports apache-arrow itself', async () => {
    const t = FitsTable.fromArrays({ x: [1, 2, 3] });
    const a = await toArrow(t);
    expect(a.getChild('x')!.toArray()).toEqual(new Float64Array([1, 2, 3]));
  });

  it('reads Arrow-native tables: dictionaries, chunks, slices, nulls, float16, lists', () => {
    const t1 = arrow.tableFromArrays({
      s: ['a', 'b', 'a', 'c'],
      f: new Float32Array([1, 2, 3, 4]),
      i: new Int32Array([5, 6, 7, 8]),
    });
    const n = arrow.vectorFromArray([1, null, 3, null], new arrow.Float64());
    const l = arrow.vectorFromArray([[1, 2], [], null, [3]], new arrow.List(new arrow.Field('item', new arrow.Int32(), true)));
    const h = arrow.vectorFromArray([0.5, -2, Infinity, 65504], new arrow.Float16());
    const b = arrow.vectorFromArray([true, null, false, true], new arrow.Bool());
    const t = new arrow.Table({ s: t1.getChild('s')!, f: t1.getChild('f')!, i: t1.getChild('i')!, n, l, h, b });
    const f = fromArrow(t);
    expect(f.numRows).toBe(4);
    expect(f.column('s').dtype).toBe('string');
    expect(f.column('s').data).toEqual(['a', 'b', 'a', 'c']);
    expect(f.column('s').format).toBe('1A');
    expect(f.column('f').format).toBe('E');
    expect(f.row(1)).toMatchObject({ s: 'b', f: 2, i: 6, n: null, h: -2, b: null });
    expect(f.column('l').cellShape).toBeNull();
    expect(f.row(0).l).toEqual(new Int32Array([1, 2]));
    expect(f.row(3).l).toEqual(new Int32Array([3]));
    expect(f.column('h').dtype).toBe('float32');
    expect(Array.from(f.column('h').data as Float32Array)).toEqual([0.5, -2, Infinity, 65504]);
    // Chunked: two record batches.
    const two = new arrow.Table([...t.batches, ...t.slice(1, 3).batches]);
    const g = fromArrow(two);
    expect(g.numRows).toBe(6);
    expect(g.column('i').data).toEqual(new Int32Array([5, 6, 7, 8, 6, 7]));
    expect([...g.rows()].map((r) => r.n)).toEqual([1, null, 3, null, null, 3]);
    expect([...g.rows()].map((r) => r.b)).toEqual([true, null, false, true, null, false]);
    expect(g.row(4).l).toEqual(new Int32Array([]));
    expect(g.row(5).l).toEqual(new Int32Array([]));
    expect(g.row(5).s).toBe('a');
    // Filtering and sorting work on Arrow-born tables.
    expect(Array.from(g.filterIndices("s == 'a' && i > 5"))).toEqual([2, 5]);
    expect(Array.from(g.sortIndices('n', { nulls: 'first' }))).toEqual([1, 3, 4, 0, 2, 5]);
  });

  it('round-trips every table of the corpus as the reader returns it', async () => {
    for (const path of ['tables/bintable_all_tforms.fits', 'tables/bintable_vla.fits', 'tables/bintable_fitsio.fits', 'tables/bintable_zero_rows.fits', 'ascii/ascii_table.fits']) {
      const file = await open(corpusPath(path));
      try {
        for (const hdu of await file.hdus()) {
          if (hdu.kind !== 'bintable' && hdu.kind !== 'table') continue;
          const t = await hdu.readTable();
          const a = toArrow(t, arrow);
          expectSameTable(fromArrow(a), t);
          expectSameTable(fromArrow(viaIpc(a)), t);
        }
      } finally {
        await file.close();
      }
    }
  });
});
