/**
 * Random binary tables for property tests: each generated column carries what
 * the writer stores and what a reader must return (DIGEST.md §4 semantics),
 * computed here independently of the library.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { isValid, type Column } from '../../src/table/column.js';
import type { WriteColumn } from '../fixtures/tables/write-bintable.js';

export interface Expected {
  dtype: string;
  cellShape: number[] | null;
  /** Flat values: numbers, bigints or strings (VLA A: byte values). */
  data: (number | bigint | string)[];
  /** VLA: element offsets per row (n + 1). */
  offsets?: number[];
  /** Per element: true = null. */
  nulls?: boolean[];
  /** Numbers per row of a fixed column (complex: 2 per element). */
  perRow: number;
  /** Elements per row for validity (fixed columns). */
  elemsPerRow: number;
}

export interface GeneratedColumn {
  write: WriteColumn;
  expect: Expected;
}

const int16 = fc.integer({ min: -32768, max: 32767 });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const byte = fc.integer({ min: 0, max: 255 });
const f32 = fc.float();
const f64 = fc.double();
const ELEMENT: Record<string, fc.Arbitrary<number | bigint>> = { B: byte, I: int16, J: int32, K: int64, E: f32, D: f64, C: f32, M: f64 };
const DTYPE: Record<string, string> = { L: 'bool', X: 'bool', B: 'uint8', I: 'int16', J: 'int32', K: 'int64', A: 'string', E: 'float32', D: 'float64', C: 'complex64', M: 'complex128' };
const logicalByte = fc.constantFrom(0x54, 0x46, 0x00, 0x20, 0x3f);
const bit = fc.integer({ min: 0, max: 1 });
/** A string of bytes 1..255 (no NUL inside), then trimmed like the reader does. */
const text = (max: number) => fc.array(fc.integer({ min: 1, max: 255 }), { maxLength: max }).map((c) => String.fromCharCode(...c));
const trimEnd = (s: string) => s.replace(/[ \0]+$/, '');

function rows<T>(n: number, cell: fc.Arbitrary<T>): fc.Arbitrary<T[]> {
  return fc.array(cell, { minLength: n, maxLength: n });
}

function fixedNumeric(n: number): fc.Arbitrary<GeneratedColumn> {
  return fc.record({ code: fc.constantFrom('B', 'I', 'J', 'K', 'E', 'D', 'C', 'M'), r: fc.integer({ min: 0, max: 4 }), tdim: fc.boolean() }).chain(({ code, r, tdim }) => {
    const per = code === 'C' || code === 'M' ? 2 * r : r;
    return rows(n, fc.array(ELEMENT[code]!, { minLength: per, maxLength: per })).map((cells): GeneratedColumn => {
      const useTdim = tdim && r === 4;
      return {
        write: { name: 'x', tform: `${r}${code}`, cells, keywords: useTdim ? { TDIM: '(2,2)' } : {} },
        expect: {
          dtype: DTYPE[code]!,
          cellShape: r === 0 ? [0] : useTdim ? [2, 2] : r === 1 ? [] : [r],
          data: cells.flat(),
          perRow: per,
          elemsPerRow: r,
        },
      };
    });
  });
}

function unsigned(n: number): fc.Arbitrary<GeneratedColumn> {
  const kinds = {
    I: { arb: fc.integer({ min: 0, max: 65535 }), zero: '32768', off: 32768, dtype: 'uint16' },
    J: { arb: fc.integer({ min: 0, max: 2 ** 32 - 1 }), zero: '2147483648', off: 2 ** 31, dtype: 'uint32' },
    K: { arb: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), zero: '9223372036854775808', off: 2n ** 63n, dtype: 'uint64' },
  } as const;
  return fc.record({ code: fc.constantFrom('I', 'J', 'K') as fc.Arbitrary<'I' | 'J' | 'K'>, r: fc.integer({ min: 1, max: 3 }) }).chain(({ code, r }) => {
    const k = kinds[code];
    return rows(n, fc.array(k.arb as fc.Arbitrary<number | bigint>, { minLength: r, maxLength: r })).map((cells) => ({
      write: {
        name: 'u',
        tform: `${r}${code}`,
        cells: cells.map((c) => c.map((v) => (typeof v === 'bigint' ? v - (k.off as bigint) : v - (k.off as number)))),
        keywords: { TZERO: { raw: k.zero } },
      },
      expect: { dtype: k.dtype, cellShape: r === 1 ? [] : [r], data: cells.flat(), perRow: r, elemsPerRow: r },
    }));
  });
}

function scaled(n: number): fc.Arbitrary<GeneratedColumn> {
  return fc
    .record({
      code: fc.constantFrom('B', 'I', 'J', 'K', 'E', 'D'),
      tscal: fc.constantFrom(1, 0.5, 2.5, 1e-3, -3),
      tzero: fc.constantFrom(0, 10.25, -1e5, -128),
    })
    .filter(({ tscal, tzero }) => tscal !== 1 || tzero !== 0)
    .chain(({ code, tscal, tzero }) =>
      rows(n, ELEMENT[code]!).map((raw) => ({
        write: { name: 's', tform: code, cells: raw.map((v) => [v]), keywords: { TSCAL: tscal, TZERO: tzero } },
        expect: {
          dtype: 'float64',
          cellShape: [],
          data: raw.map((v) => {
            let x = Number(code === 'E' ? Math.fround(Number(v)) : v);
            if (tscal !== 1) x *= tscal;
            if (tzero !== 0) x += tzero;
            return x;
          }),
          perRow: 1,
          elemsPerRow: 1,
        },
      })),
    );
}

function withNull(n: number): fc.Arbitrary<GeneratedColumn> {
  return fc.record({ code: fc.constantFrom('B', 'I', 'J', 'K'), pick: fc.nat() }).chain(({ code, pick }) =>
    rows(n, fc.array(ELEMENT[code]!, { minLength: 2, maxLength: 2 })).map((cells) => {
      const flat = cells.flat();
      const tnull = flat.length ? flat[pick % flat.length]! : 7;
      return {
        write: { name: 'n', tform: `2${code}`, cells, keywords: { TNULL: typeof tnull === 'bigint' ? { raw: tnull.toString() } : tnull } as WriteColumn['keywords'] },
        expect: { dtype: DTYPE[code]!, cellShape: [2], data: flat, nulls: flat.map((v) => v === tnull), perRow: 2, elemsPerRow: 2 },
      };
    }),
  );
}

function logical(n: number): fc.Arbitrary<GeneratedColumn> {
  return fc.integer({ min: 1, max: 3 }).chain((r) =>
    rows(n, fc.array(logicalByte, { minLength: r, maxLength: r })).map((cells) => ({
      write: { name: 'l', tform: `${r}L`, cells },
      expect: {
        dtype: 'bool',
        cellShape: r === 1 ? [] : [r],
        data: cells.flat().map((b) => (b === 0x54 ? 1 : 0)),
        nulls: cells.flat().map((b) => b !== 0x54 && b !== 0x46),
        perRow: r,
        elemsPerRow: r,
      },
    })),
  );
}

function bits(n: number): fc.Arbitrary<GeneratedColumn> {
  return fc.integer({ min: 1, max: 20 }).chain((r) =>
    rows(n, fc.array(bit, { minLength: r, maxLength: r })).map((cells) => ({
      write: { name: 'b', tform: `${r}X`, cells },
      expect: { dtype: 'bool', cellShape: [r], data: cells.flat(), perRow: r, elemsPerRow: r },
    })),
  );
}

function strings(n: number): fc.Arbitrary<GeneratedColumn> {
  return fc.record({ w: fc.integer({ min: 1, max: 10 }), dims: fc.boolean(), pad: fc.constantFrom(0x20, 0x00) }).chain(({ w, dims, pad }): fc.Arbitrary<GeneratedColumn> => {
    if (dims) {
      // TDIM = (3,2): two strings of 3 bytes per row
      return rows(n, fc.tuple(text(3), text(3))).map((cells) => ({
        write: { name: 'sd', tform: '6A', cells: cells.map(([a, b]) => [a.padEnd(3, String.fromCharCode(pad)) + b]), keywords: { TDIM: '(3,2)' }, pad },
        expect: { dtype: 'string', cellShape: [2], data: cells.flatMap(([a, b]) => [trimEnd(a), trimEnd(b)]), perRow: 2, elemsPerRow: 2 },
      }));
    }
    return rows(n, text(w)).map((cells) => ({
      write: { name: 'str', tform: `${w}A`, cells: cells.map((s) => [s]), pad },
      expect: { dtype: 'string', cellShape: [], data: cells.map(trimEnd), perRow: 1, elemsPerRow: 1 },
    }));
  });
}

function variable(n: number): fc.Arbitrary<GeneratedColumn> {
  return fc.record({ q: fc.boolean(), code: fc.constantFrom('L', 'X', 'B', 'I', 'J', 'K', 'E', 'D', 'C', 'M', 'A') }).chain(({ q, code }) => {
    const element: fc.Arbitrary<number | bigint | string> = code === 'L' ? logicalByte : code === 'X' ? bit : code === 'A' ? byte : ELEMENT[code]!;
    const len = fc.integer({ min: 0, max: 5 });
    return rows(n, len.chain((k) => fc.array(element, { minLength: code === 'C' || code === 'M' ? 2 * k : k, maxLength: code === 'C' || code === 'M' ? 2 * k : k }))).map((cells) => {
      const complex = code === 'C' || code === 'M';
      const offsets = [0];
      for (const c of cells) offsets.push(offsets[offsets.length - 1]! + (complex ? c.length / 2 : c.length));
      const flat = cells.flat();
      return {
        write: {
          name: 'v',
          tform: `1${q ? 'Q' : 'P'}${code}(5)`,
          cells: code === 'A' ? cells.map((c) => [String.fromCharCode(...(c as number[]))]) : cells,
        },
        expect: {
          dtype: DTYPE[code]!,
          cellShape: null,
          data: code === 'L' ? flat.map((b) => (b === 0x54 ? 1 : 0)) : flat,
          offsets,
          nulls: code === 'L' ? flat.map((b) => b !== 0x54 && b !== 0x46) : undefined,
          perRow: 0,
          elemsPerRow: 0,
        },
      };
    });
  });
}

/** A random table: 0–25 rows, 1–6 columns of any kind. */
export const tableArb = fc.integer({ min: 0, max: 25 }).chain((n) =>
  fc
    .array(fc.oneof(fixedNumeric(n), unsigned(n), scaled(n), withNull(n), logical(n), bits(n), strings(n), variable(n)), { minLength: 1, maxLength: 6 })
    .map((columns) => ({ n, columns: columns.map((c, i) => ({ ...c, write: { ...c.write, name: `${c.write.name}${i}` } })) })),
);

export const writeOptionsArb = fc.record({
  heapGap: fc.constantFrom(0, 0, 13),
  reverseHeap: fc.boolean(),
  rowPadding: fc.constantFrom(0, 0, 3),
});

function same(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

/** Compare rows `start .. start + count - 1` of the expectation with a column read. */
export function expectColumn(got: Column, exp: Expected, start: number, count: number, label: string): void {
  expect(got.dtype, label).toBe(exp.dtype);
  expect(got.cellShape, label).toEqual(exp.cellShape);
  expect(got.length, label).toBe(count);
  let values: (number | bigint | string)[];
  let nulls: boolean[] | undefined;
  if (exp.offsets) {
    const per = exp.dtype.startsWith('complex') ? 2 : 1;
    const base = exp.offsets[start]!;
    const rel = exp.offsets.slice(start, start + count + 1).map((o) => o - base);
    expect(Array.from(got.offsets ?? [], Number), label).toEqual(rel);
    values = exp.data.slice(base * per, exp.offsets[start + count]! * per);
    nulls = exp.nulls?.slice(base, exp.offsets[start + count]!);
  } else {
    values = exp.data.slice(start * exp.perRow, (start + count) * exp.perRow);
    nulls = exp.nulls?.slice(start * exp.elemsPerRow, (start + count) * exp.elemsPerRow);
  }
  const data = Array.from(got.data as ArrayLike<number | bigint | string>);
  expect(data.length, label).toBe(values.length);
  for (let i = 0; i < values.length; i++) {
    if (!same(data[i], values[i])) expect(`${label}[${i}] = ${String(data[i])}`).toBe(`${label}[${i}] = ${String(values[i])}`);
  }
  if (nulls) {
    for (let i = 0; i < nulls.length; i++) expect(!isValid(got, i), `${label} null ${i}`).toBe(nulls[i]);
  } else {
    expect(got.validity, label).toBeUndefined();
  }
}
