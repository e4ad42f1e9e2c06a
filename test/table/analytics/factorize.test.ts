/** Key coding: direct, hashed and sorted codes agree on every column type (fast-check). */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { columnCodes, factorizeKeys } from '../../../src/table/ops/analytics/factorize.js';
import { packedStringColumn, type Column, type ColumnDType } from '../../../src/table/column.js';

const ARRAYS: Partial<Record<ColumnDType, new (n: number) => ArrayLike<number | bigint> & { [i: number]: number | bigint }>> = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, float32: Float32Array, float64: Float64Array,
};

/** Values with many repeats, extremes, NaN, -0 (as the dtype allows). */
function valueArb(dtype: ColumnDType): fc.Arbitrary<number | bigint | string> {
  switch (dtype) {
    case 'int64': return fc.oneof(fc.constantFrom(0n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, 2n ** 53n), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -5n, max: 5n }));
    case 'uint64': return fc.oneof(fc.constantFrom(0n, 2n ** 64n - 1n, 2n ** 63n), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 9n }));
    case 'float64': return fc.oneof(fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e300, -1e-300), fc.double(), fc.integer({ min: -3, max: 3 }));
    case 'float32': return fc.oneof(fc.constantFrom(0, -0, NaN, Infinity, -1.5), fc.float(), fc.integer({ min: -3, max: 3 }));
    case 'string': return fc.oneof(fc.constantFrom('', 'a', 'a b', 'ab', 'abcdefghijklmnopqrstu', 'abcdefghijklmnopqrstv', 'Z'), fc.string({ maxLength: 20 }));
    default: {
      const wide = { int8: 7, uint8: 8, int16: 15, uint16: 16, int32: 31, uint32: 32 }[dtype as 'int8']!;
      const signed = dtype.startsWith('int');
      const min = signed ? -(2 ** wide) : 0;
      const max = signed ? 2 ** wide - 1 : 2 ** wide - 1;
      return fc.oneof(fc.integer({ min, max }), fc.integer({ min: Math.max(min, -3), max: 3 }));
    }
  }
}

function makeColumn(dtype: ColumnDType, values: (number | bigint | string)[], nulls: boolean[], packed: boolean): Column {
  const n = values.length;
  let validity: Uint8Array | undefined;
  if (nulls.some((x) => x)) {
    validity = new Uint8Array((n + 7) >>> 3);
    nulls.forEach((isNull, i) => { if (!isNull) validity![i >>> 3]! |= 1 << (i & 7); });
  }
  if (dtype === 'string') {
    const strs = values as string[];
    if (packed) {
      const width = 24;
      const bytes = new Uint8Array(n * width).fill(0x20);
      strs.forEach((s, i) => { for (let k = 0; k < Math.min(width, s.length); k++) bytes[i * width + k] = s.charCodeAt(k) & 0x7f; });
      return packedStringColumn({ name: 'K', dtype, format: `${width}A`, cellShape: [] }, n, { bytes, width }, validity);
    }
    return { name: 'K', dtype, format: '24A', cellShape: [], length: n, data: strs, ...(validity ? { validity } : {}) };
  }
  const data = new ARRAYS[dtype]!(n);
  values.forEach((v, i) => (data[i] = v as never));
  return { name: 'K', dtype, format: 'X', cellShape: [], length: n, data: data as unknown as Column['data'], ...(validity ? { validity } : {}) };
}

describe('key coding', () => {
  for (const dtype of [...Object.keys(ARRAYS), 'string'] as ColumnDType[]) {
    it(`${dtype}: direct, hashed and sorted codes are the same, ascending, NA last`, () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(valueArb(dtype), fc.boolean(), fc.boolean()), { maxLength: 300 }), fc.boolean(), (rows, packed) => {
          const col = makeColumn(dtype, rows.map((r) => r[0]), rows.map((r) => r[1] && r[2]), packed);
          const sorted = columnCodes(col, col.length, 'sort');
          for (const method of ['direct', 'hash', 'auto'] as const) {
            const other = columnCodes(col, col.length, method);
            expect(other.count).toBe(sorted.count);
            expect(Array.from(other.codes)).toEqual(Array.from(sorted.codes));
          }
        }),
        { numRuns: 60 },
      );
    });
  }
  it('packed strings of up to 8 bytes code like the strings themselves', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.stringMatching(/^[ -~]{0,8}$/), fc.boolean()), { maxLength: 200 }), fc.integer({ min: 1, max: 8 }), (rows, width) => {
        const values = rows.map(([s]) => s.slice(0, width).replace(/ +$/, ''));
        const nulls = rows.map(([, x]) => x);
        const bytes = new Uint8Array(values.length * width).fill(0x20);
        values.forEach((v, i) => { for (let k = 0; k < v.length; k++) bytes[i * width + k] = v.charCodeAt(k); });
        const packed = packedStringColumn({ name: 'K', dtype: 'string', format: `${width}A`, cellShape: [] }, values.length, { bytes, width }, makeColumn('string', values, nulls, false).validity);
        const plain = makeColumn('string', values, nulls, false);
        expect(Array.from(columnCodes(packed).codes)).toEqual(Array.from(columnCodes(plain, plain.length, 'sort').codes));
      }),
      { numRuns: 100 },
    );
  });
  it('combines wide keys through both sorted paths like a comparison sort of the tuples', () => {
    for (const [n, distinct] of [[2000, 400], [100000, 1000000]] as const) {
      let seed = n;
      const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
      const x = Array.from({ length: n }, () => Math.floor(rnd() * distinct) - 7);
      const y = Array.from({ length: n }, () => Math.floor(rnd() * distinct) * 3);
      const z = Array.from({ length: n }, () => Math.floor(rnd() * 3));
      const cols = [makeColumn('int32', x, [], false), makeColumn('float64', y, [], false), makeColumn('int16', z, [], false)];
      const { codes, count } = factorizeKeys(cols, n, 'group');
      const keyOf = (i: number) => [x[i]!, y[i]!, z[i]!];
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => {
        const p = keyOf(a);
        const q = keyOf(b);
        for (let k = 0; k < 3; k++) if (p[k] !== q[k]) return p[k]! - q[k]!;
        return 0;
      });
      const want = new Int32Array(n);
      let c = -1;
      order.forEach((i, k) => {
        if (k === 0 || keyOf(order[k - 1]!).some((v, j) => v !== keyOf(i)[j])) c++;
        want[i] = c;
      });
      expect(count).toBe(c + 1);
      expect(Array.from(codes)).toEqual(Array.from(want));
    }
  });
  it('combines keys lexicographically and drops or keeps NA rows', () => {
    const a = makeColumn('int32', [1, 1, 2, 2, 1], [false, false, false, false, true], false);
    const b = makeColumn('string', ['y', 'x', 'x', 'x', 'y'], [false, false, false, false, false], false);
    expect(Array.from(factorizeKeys([a, b], 5, 'group').codes)).toEqual([1, 0, 2, 2, 3]);
    expect(Array.from(factorizeKeys([a, b], 5, 'drop').codes)).toEqual([1, 0, 2, 2, -1]);
    expect(Array.from(factorizeKeys([a, b], 5, 'unique').codes)).toEqual([1, 0, 2, 2, 3]);
  });
});
