/**
 * Packed fixed-width string columns (column.ts `strings`): every fast path
 * that reads the bytes without decoding (equality filters, sort keys, gather,
 * scatter, slice, cells, Arrow, the digest) must give what the decoded strings
 * give. The reference here is a string[] column of the same values, built
 * independently of the library's decoder.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as arrow from 'apache-arrow';
import { FitsTable } from '../../src/table/ops/fits-table.js';
import { packedStringColumn, type Column } from '../../src/table/column.js';
import { toArrow } from '../../src/arrow/arrow.js';

const PAD = [0x20, 0x00];

/** A packed cell set and the values it stands for. */
interface Packed {
  width: number;
  values: string[];
  bytes: Uint8Array;
  nulls: boolean[] | null;
}

const valueArb = fc.oneof(
  fc.constantFrom('', 'a', 'ab', 'abc', 'abcd', 'abcde', 'b', 'B', 'a\0b', '\xff', '\xe9t\xe9', ' x', 'zzzzzzzzzzzzzzzzzzzzz', 'zzzzzzzzzzzzzzzzzzzzy'),
  fc.string({ maxLength: 8 }),
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 24 }).map((a) => String.fromCharCode(...a)),
).map((s) => s.replace(/[ \0]+$/, '')); // stored padding is never part of a value

const packedArb: fc.Arbitrary<Packed> = fc
  .tuple(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 6 }), fc.boolean(), fc.boolean())
  .chain(([n, extra, withNulls, pool]) =>
    fc.tuple(fc.array(valueArb, { minLength: n, maxLength: n }), fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }), fc.array(fc.boolean(), { minLength: n, maxLength: n })).map(([vals, pads, nullFlags]) => {
      if (pool && vals.length > 3) vals = vals.map((_, i) => vals[i % 3]!);
      const width = Math.max(1, ...vals.map((v) => v.length)) + extra;
      const bytes = new Uint8Array(n * width);
      vals.forEach((v, i) => {
        bytes.fill(PAD[pads[i]!]!, i * width, (i + 1) * width);
        for (let k = 0; k < v.length; k++) bytes[i * width + k] = v.charCodeAt(k);
      });
      // Unaligned storage too: the bytes start at an odd offset of a bigger buffer.
      const shifted = new Uint8Array(bytes.length + 3).subarray(pads[0] ? 3 : 0, (pads[0] ? 3 : 0) + bytes.length);
      shifted.set(bytes);
      return { width, values: vals, bytes: shifted, nulls: withNulls ? nullFlags : null };
    }),
  );

function validityOf(nulls: boolean[] | null): Uint8Array | undefined {
  if (!nulls || !nulls.some(Boolean)) return undefined;
  const v = new Uint8Array((nulls.length + 7) >>> 3);
  nulls.forEach((isNull, i) => {
    if (!isNull) v[i >>> 3]! |= 1 << (i & 7);
  });
  return v;
}

function tables(p: Packed): { packed: FitsTable; plain: FitsTable } {
  const n = p.values.length;
  const validity = validityOf(p.nulls);
  const fields = { name: 'S', dtype: 'string' as const, format: `${p.width}A`, cellShape: [] };
  const packed = packedStringColumn(fields, n, { bytes: p.bytes, width: p.width }, validity);
  const plain: Column = { ...fields, length: n, data: p.values.slice(), ...(validity ? { validity } : {}) };
  const idx: Column = { name: 'I', dtype: 'int32', format: 'J', cellShape: [], length: n, data: Int32Array.from({ length: n }, (_, i) => i) };
  return { packed: new FitsTable([packed, idx], n), plain: new FitsTable([plain, idx], n) };
}

const cells = (t: FitsTable) => [...t.rows()].map((r) => [r.S, r.I]);

describe('packed string columns', () => {
  it('decode to the stored values (padding removed)', () => {
    fc.assert(
      fc.property(packedArb, (p) => {
        const { packed } = tables(p);
        expect(packed.column('S').data).toEqual(p.values);
      }),
      { numRuns: 150 },
    );
  });

  it('filter, sort, take, slice like a string[] column of the same values', () => {
    const literal = fc.oneof(valueArb, fc.constantFrom('ab ', 'a\0', '\u0100', 'abcdefghijklmnopqrstuvwxyz0123456789'));
    fc.assert(
      fc.property(packedArb, literal, fc.constantFrom('==', '!=', '<', '<=', '>', '>='), fc.boolean(), fc.boolean(), (p, lit, op, desc, useValue) => {
        const { packed, plain } = tables(p);
        const value = useValue && p.values.length ? p.values[lit.length % p.values.length]! : lit;
        const expr = `S ${op} '${value.replace(/'/g, "''")}'`;
        expect(Array.from(packed.filterIndices(expr))).toEqual(Array.from(plain.filterIndices(expr)));
        expect(Array.from(packed.sortIndices('S', { descending: desc }))).toEqual(Array.from(plain.sortIndices('S', { descending: desc })));
        // Gather (filter), scatter (sort), both, slices of views, materialised columns.
        const chains = (t: FitsTable) => [t.filter(`S != '${value.replace(/'/g, "''")}'`), t.sort(['S', 'I'], { descending: [desc, false] }), t.filter('I % 3 != 1').sort('S'), t.sort('S').slice(1, -1), t.take([...Array(t.numRows).keys()].reverse().filter((i) => i % 2 === 0))];
        const a = chains(packed);
        const b = chains(plain);
        for (let k = 0; k < a.length; k++) {
          expect(cells(a[k]!)).toEqual(cells(b[k]!));
          expect(a[k]!.column('S').data).toEqual(b[k]!.column('S').data);
          expect(a[k]!.column('S').validity).toEqual(b[k]!.column('S').validity);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('convert to Arrow like a string[] column', () => {
    fc.assert(
      fc.property(packedArb, (p) => {
        const { packed, plain } = tables(p);
        const x = toArrow(packed, arrow).getChild('S')!.toArray();
        const y = toArrow(plain, arrow).getChild('S')!.toArray();
        expect(x).toEqual(y);
      }),
      { numRuns: 100 },
    );
  });

  it('variable-length string cells (PA) read as their strings, padding removed', () => {
    const text = ['ab  ', '', 'x\0 y\0\0', '\xe9t\xe9 '];
    const offsets = new Int32Array(text.length + 1);
    text.forEach((t, i) => (offsets[i + 1] = offsets[i]! + t.length));
    const data = Uint8Array.from(text.join(''), (c) => c.charCodeAt(0));
    const t = new FitsTable([{ name: 'S', dtype: 'string', format: '1PA(8)', cellShape: null, length: text.length, data, offsets }], text.length);
    expect([...t.rows()].map((r) => r.S)).toEqual(['ab', '', 'x\0 y', '\xe9t\xe9']);
  });
});
