/**
 * Property tests: random tables of every column type (with NaN, ±0, ±Inf,
 * ties, empty strings, nulls, 0 and 1 rows), random filter expressions and
 * sort keys; FitsTable must give exactly the rows, in exactly the order, of a
 * plain reference implementation written here.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FitsTable } from '../../src/table/ops/fits-table.js';
import { packedStringColumn, type Column, type ColumnDType } from '../../src/table/column.js';
import { isFitsError } from '../../src/core/errors.js';

// ---------------------------------------------------------------- random tables

type Val = number | bigint | string | boolean;
interface RefColumn {
  name: string;
  dtype: ColumnDType;
  /** Cell values; null = null. */
  values: (Val | null)[];
  /** Strings: store as packed fixed-width bytes (as a file read does) when the values allow it. */
  packed?: boolean;
}

const INT_RANGE: Record<string, [number, number]> = {
  uint8: [0, 255],
  int8: [-128, 127],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

const FLOAT_SPECIALS = [NaN, 0, -0, Infinity, -Infinity, 1, -1, 0.5, 1e-310, -2.5, 3, 1e30];

function valueArb(dtype: ColumnDType): fc.Arbitrary<Val> {
  switch (dtype) {
    case 'bool':
      return fc.boolean();
    case 'int64':
      return fc.oneof(
        fc.constantFrom(0n, 1n, -1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 5n, 7n),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.bigInt({ min: -10n, max: 10n }),
      );
    case 'uint64':
      return fc.oneof(
        fc.constantFrom(0n, 1n, 2n ** 53n + 1n, 2n ** 64n - 1n, 2n ** 63n, 5n),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.bigInt({ min: 0n, max: 10n }),
      );
    case 'float32':
      return fc.oneof(fc.constantFrom(...FLOAT_SPECIALS.map(Math.fround)), fc.float({ noDefaultInfinity: false }).map(Math.fround), fc.integer({ min: -5, max: 5 }));
    case 'float64':
      return fc.oneof(fc.constantFrom(...FLOAT_SPECIALS), fc.double(), fc.integer({ min: -5, max: 5 }));
    case 'string':
      return fc.oneof(
        fc.constantFrom('', 'a', 'ab', 'abc', 'b', 'B', 'abcdefghijklmnopqrstu', 'abcdefghijklmnopqrstv', 'abcdefghijklmnopqrst', 'é', 'ĀĀ', 'a\0', 'a\0b', 'zz', ' x'),
        fc.string({ maxLength: 6 }),
        fc.string({ unit: 'binary', maxLength: 20 }),
      );
    default: {
      const [lo, hi] = INT_RANGE[dtype]!;
      return fc.oneof(fc.constantFrom(lo, hi, 0, 1, 2), fc.integer({ min: lo, max: hi }), fc.integer({ min: Math.max(lo, -3), max: Math.min(hi, 3) }));
    }
  }
}

const ALL_DTYPES: ColumnDType[] = ['bool', 'uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'string'];

function columnArb(dtype: ColumnDType, name: string, n: number): fc.Arbitrary<RefColumn> {
  const v = valueArb(dtype);
  return fc.record({
    values: fc.array(v, { minLength: n, maxLength: n }),
    nulls: fc.oneof(fc.constant(null), fc.array(fc.boolean(), { minLength: n, maxLength: n })),
    // Few distinct values: many ties.
    pool: fc.boolean(),
    packed: fc.boolean(),
  }).map(({ values, nulls, pool, packed }) => {
    if (pool && values.length > 3) values = values.map((_, i) => values[i % 3]!);
    // Packed strings hold Latin-1 without trailing padding: make the values so.
    if (packed && dtype === 'string') values = values.map((x) => String.fromCharCode(...[...(x as string)].map((ch) => ch.charCodeAt(0) & 0xff)).replace(/[ \0]+$/, ''));
    return { name, dtype, packed, values: values.map((x, i) => (nulls && nulls[i] ? null : x)) };
  });
}

const tableArb: fc.Arbitrary<RefColumn[]> = fc
  .tuple(fc.oneof(fc.constantFrom(0, 1, 2), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 60, max: 300 })), fc.subarray(ALL_DTYPES, { minLength: 1 }))
  .chain(([n, dtypes]) => fc.tuple(...dtypes.map((d) => columnArb(d, `c_${d}`, n))));

function setBit(v: Uint8Array, i: number): void {
  v[i >>> 3]! |= 1 << (i & 7);
}

/** Build the FITS Column of a reference column (null cells hold a junk value). */
function toColumn(rc: RefColumn): Column {
  const n = rc.values.length;
  const hasNull = rc.values.some((x) => x === null);
  const validity = hasNull ? new Uint8Array((n + 7) >>> 3) : undefined;
  rc.values.forEach((x, i) => x !== null && validity && setBit(validity, i));
  const junk = <T>(x: Val | null, j: T) => (x === null ? j : (x as unknown as T));
  let data: Column['data'];
  switch (rc.dtype) {
    case 'bool':
      data = Uint8Array.from(rc.values, (x) => (x === true ? 1 : 0));
      break;
    case 'string': {
      const strs = rc.values.map((x) => junk(x, 'null!'));
      if (rc.packed && strs.every((x) => /^[\0-\xff]*$/.test(x) && !/[ \0]$/.test(x))) {
        // The layout a file read gives: fixed-width bytes, padded with spaces or NULs.
        const width = Math.max(1, ...strs.map((x) => x.length));
        const bytes = new Uint8Array(n * width);
        strs.forEach((x, i) => {
          bytes.fill(i % 2 ? 0 : 0x20, i * width, (i + 1) * width);
          for (let k = 0; k < x.length; k++) bytes[i * width + k] = x.charCodeAt(k);
        });
        return packedStringColumn({ name: rc.name, dtype: 'string', format: `${width}A`, cellShape: [] }, n, { bytes, width }, validity);
      }
      data = strs;
      break;
    }
    case 'int64':
      data = BigInt64Array.from(rc.values, (x) => junk(x, 3n));
      break;
    case 'uint64':
      data = BigUint64Array.from(rc.values, (x) => junk(x, 3n));
      break;
    default: {
      const Ctor = { uint8: Uint8Array, int8: Int8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, float32: Float32Array, float64: Float64Array }[rc.dtype as 'uint8']!;
      data = Ctor.from(rc.values, (x) => junk(x, 1));
    }
  }
  const col: Column = { name: rc.name, dtype: rc.dtype, format: 'X', cellShape: [], length: n, data, ...(validity ? { validity } : {}) };
  return col;
}

const build = (cols: RefColumn[]) => new FitsTable(cols.map(toColumn), cols[0]?.values.length ?? 0);

// ---------------------------------------------------------------- reference expression evaluator

type RExpr =
  | { k: 'num'; v: number | bigint; text: string }
  | { k: 'str'; v: string }
  | { k: 'bool'; v: boolean }
  | { k: 'col'; c: RefColumn }
  | { k: 'neg'; a: RExpr }
  | { k: 'arith'; op: '+' | '-' | '*' | '/' | '%'; a: RExpr; b: RExpr }
  | { k: 'cmp'; op: '<' | '<=' | '>' | '>=' | '==' | '!='; a: RExpr; b: RExpr }
  | { k: 'logic'; op: 'and' | 'or'; a: RExpr; b: RExpr }
  | { k: 'not'; a: RExpr }
  | { k: 'call'; f: string; args: RExpr[] };

const NUMERIC = (d: ColumnDType) => d !== 'bool' && d !== 'string';

function numArb(cols: RefColumn[], depth: number): fc.Arbitrary<RExpr> {
  const numCols = cols.filter((c) => NUMERIC(c.dtype));
  const leaves: fc.Arbitrary<RExpr>[] = [
    fc.oneof(
      fc.constantFrom('0', '1', '2', '3', '-1', '0.5', '-2.5', '1e30', '1e999', '-1e999', '9007199254740993', '9223372036854775807', '-9223372036854775808', '18446744073709551615', '2.5e0', '.5', '1e-310', '255', '-128', '65535').map((t) => lit(t)),
      fc.integer({ min: -5, max: 5 }).map((i) => lit(String(i))),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => lit(x.toExponential())),
    ),
  ];
  if (numCols.length) leaves.push(fc.constantFrom(...numCols).map((c): RExpr => ({ k: 'col', c })));
  const leaf = fc.oneof(...leaves);
  if (depth <= 0) return leaf;
  const sub = numArb(cols, depth - 1);
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: sub.map((a): RExpr => ({ k: 'neg', a })) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('+', '-', '*', '/', '%' as const), sub, sub).map(([op, a, b]): RExpr => ({ k: 'arith', op, a, b })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('abs', 'sqrt', 'floor', 'ceil', 'round', 'log10', 'exp', 'min', 'max', 'atan2', 'pow'), sub, sub, sub)
        .map(([f, a, b, c]): RExpr => ({ k: 'call', f, args: f === 'min' || f === 'max' ? [a, b, c] : f === 'atan2' || f === 'pow' ? [a, b] : [a] })),
    },
  );
}

function lit(text: string): RExpr {
  const isInt = /^-?\d+$/.test(text);
  return { k: 'num', v: isInt ? BigInt(text) : Number(text), text };
}

function boolArb(cols: RefColumn[], depth: number): fc.Arbitrary<RExpr> {
  const strCols = cols.filter((c) => c.dtype === 'string');
  const boolCols = cols.filter((c) => c.dtype === 'bool');
  const cmpOp = fc.constantFrom('<', '<=', '>', '>=', '==', '!=' as const);
  const leaves: fc.Arbitrary<RExpr>[] = [
    fc.tuple(cmpOp, numArb(cols, Math.min(depth, 2)), numArb(cols, Math.min(depth, 2))).map(([op, a, b]): RExpr => ({ k: 'cmp', op, a, b })),
    fc.tuple(fc.constantFrom('isnan', 'isfinite', 'isinf', 'isnull'), numArb(cols, 1)).map(([f, a]): RExpr => ({ k: 'call', f, args: [a] })),
    fc.boolean().map((v): RExpr => ({ k: 'bool', v })),
  ];
  if (strCols.length) {
    const strLeaf = fc.oneof(
      fc.constantFrom(...strCols).map((c): RExpr => ({ k: 'col', c })),
      fc.constantFrom('', 'a', 'ab', 'abc ', "it's", 'abcdefghijklmnopqrstu', 'é', 'zz').map((v): RExpr => ({ k: 'str', v })),
    );
    leaves.push(fc.tuple(cmpOp, strLeaf, strLeaf).map(([op, a, b]): RExpr => ({ k: 'cmp', op, a, b })));
    leaves.push(fc.constantFrom(...strCols).map((c): RExpr => ({ k: 'call', f: 'isnull', args: [{ k: 'col', c }] })));
  }
  if (boolCols.length) leaves.push(fc.constantFrom(...boolCols).map((c): RExpr => ({ k: 'col', c })));
  const leaf = fc.oneof(...leaves);
  if (depth <= 0) return leaf;
  const sub = boolArb(cols, depth - 1);
  return fc.oneof(
    { weight: 3, arbitrary: leaf },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom('and', 'or' as const), sub, sub).map(([op, a, b]): RExpr => ({ k: 'logic', op, a, b })) },
    { weight: 1, arbitrary: sub.map((a): RExpr => ({ k: 'not', a })) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('==', '!=' as const), sub, sub).map(([op, a, b]): RExpr => ({ k: 'cmp', op, a, b })) },
    { weight: 1, arbitrary: sub.map((a): RExpr => ({ k: 'call', f: 'isnull', args: [a] })) },
  );
}

/** Print with random surface syntax (keyword or symbol operators, quoting styles). */
function print(e: RExpr, r: () => number): string {
  const p = (x: RExpr) => `(${print(x, r)})`;
  switch (e.k) {
    case 'num':
      return e.text.startsWith('-') ? `(${e.text})` : e.text;
    case 'str':
      return `'${e.v.replace(/'/g, "''")}'`;
    case 'bool':
      return r() < 0.5 ? String(e.v) : String(e.v).toUpperCase();
    case 'col': {
      const x = r();
      return x < 0.4 ? e.c.name : x < 0.6 ? e.c.name.toUpperCase() : x < 0.8 ? `\`${e.c.name}\`` : `"${e.c.name}"`;
    }
    case 'neg':
      return `-${p(e.a)}`;
    case 'not':
      return r() < 0.5 ? `!${p(e.a)}` : `not ${p(e.a)}`;
    case 'arith':
    case 'cmp':
      return `${p(e.a)} ${e.op} ${p(e.b)}`;
    case 'logic':
      return `${p(e.a)} ${e.op === 'and' ? (r() < 0.5 ? '&&' : 'AND') : r() < 0.5 ? '||' : 'or'} ${p(e.b)}`;
    case 'call':
      return `${e.f}(${e.args.map((a) => print(a, r)).join(', ')})`;
  }
}

/**
 * Reference value. `v`: the value (int64/uint64 cells as bigint, other numbers as
 * doubles); `big`: for constants that are exact integers (integer literals and
 * + - * % of them), the exact value, `v` then being its double.
 */
type RV = { v: number | bigint | string | boolean | null; big?: bigint };

const MATHS: Record<string, (...a: number[]) => number> = {
  abs: Math.abs, sqrt: Math.sqrt, floor: Math.floor, ceil: Math.ceil, log10: Math.log10, exp: Math.exp,
  min: Math.min, max: Math.max, atan2: Math.atan2, pow: Math.pow,
  round: (x) => {
    const r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
};

function evalRef(e: RExpr, row: number): RV {
  switch (e.k) {
    case 'num':
      return typeof e.v === 'bigint' ? { v: Number(e.v), big: e.v } : { v: e.v };
    case 'str':
    case 'bool':
      return { v: e.v };
    case 'col':
      return { v: e.c.values[row]! };
    case 'neg': {
      const a = evalRef(e.a, row);
      if (a.v === null) return a;
      const v = -Number(a.v);
      return a.big !== undefined ? { v, big: -a.big } : { v };
    }
    case 'arith': {
      const a = evalRef(e.a, row);
      const b = evalRef(e.b, row);
      if (a.v === null || b.v === null) return { v: null };
      const x = Number(a.v);
      const y = Number(b.v);
      const r = e.op === '+' ? x + y : e.op === '-' ? x - y : e.op === '*' ? x * y : e.op === '/' ? x / y : x % y;
      if (a.big !== undefined && b.big !== undefined && e.op !== '/' && !(e.op === '%' && b.big === 0n)) {
        const p = a.big;
        const q = b.big;
        const big = e.op === '+' ? p + q : e.op === '-' ? p - q : e.op === '*' ? p * q : p % q;
        return { v: big === 0n ? r : Number(big), big };
      }
      return { v: r };
    }
    case 'call': {
      if (e.f === 'isnull') return { v: evalRef(e.args[0]!, row).v === null };
      const args = e.args.map((a) => evalRef(a, row));
      if (args.some((a) => a.v === null)) return { v: null };
      const xs = args.map((a) => Number(a.v));
      if (e.f === 'isnan') return { v: Number.isNaN(xs[0]) };
      if (e.f === 'isfinite') return { v: Number.isFinite(xs[0]) };
      if (e.f === 'isinf') return { v: xs[0] === Infinity || xs[0] === -Infinity };
      return { v: MATHS[e.f]!(...xs) };
    }
    case 'not': {
      const a = evalRef(e.a, row);
      return { v: a.v === null ? null : !a.v };
    }
    case 'logic': {
      const a = evalRef(e.a, row).v as boolean | null;
      const b = evalRef(e.b, row).v as boolean | null;
      if (e.op === 'and') return { v: a === false || b === false ? false : a === null || b === null ? null : true };
      return { v: a === true || b === true ? true : a === null || b === null ? null : false };
    }
    case 'cmp': {
      const a = evalRef(e.a, row);
      const b = evalRef(e.b, row);
      if (a.v === null || b.v === null) return { v: null };
      let x: unknown = a.v;
      let y: unknown = b.v;
      if (typeof x === 'string') {
        // Trailing spaces of constants are ignored.
        if (e.a.k === 'str') x = (x as string).replace(/ +$/, '');
        if (e.b.k === 'str') y = (y as string).replace(/ +$/, '');
      } else if (typeof x !== 'boolean') {
        // Exact (JS compares bigint with number exactly): two exact-integer
        // constants; a 64-bit column against a constant; a 64-bit column against
        // another integer column. Everything else: as doubles.
        const is64 = (q: RExpr) => q.k === 'col' && (q.c.dtype === 'int64' || q.c.dtype === 'uint64');
        const isIntCol = (q: RExpr) => q.k === 'col' && q.c.dtype !== 'float32' && q.c.dtype !== 'float64';
        const ca = isConst(e.a);
        const cb = isConst(e.b);
        if ((ca && cb && a.big !== undefined && b.big !== undefined) || (is64(e.a) && cb) || (is64(e.b) && ca) || (is64(e.a) && isIntCol(e.b)) || (is64(e.b) && isIntCol(e.a))) {
          x = a.big ?? a.v;
          y = b.big ?? b.v;
        } else {
          x = Number(a.v);
          y = Number(b.v);
        }
      }
      const op = e.op;
      const X = x as number;
      const Y = y as number;
      // Loose equality on purpose: X and Y may be a bigint and a number (1n == 1), as the expression language compares them.
      // biome-ignore lint/suspicious/noDoubleEquals: see above
      const r = op === '<' ? X < Y : op === '<=' ? X <= Y : op === '>' ? X > Y : op === '>=' ? X >= Y : op === '==' ? X == Y : X != Y;
      return { v: r };
    }
  }
}

function isConst(e: RExpr): boolean {
  switch (e.k) {
    case 'num':
    case 'str':
    case 'bool':
      return true;
    case 'col':
      return false;
    case 'neg':
    case 'not':
      return isConst(e.a);
    case 'arith':
    case 'cmp':
    case 'logic':
      return isConst(e.a) && isConst(e.b);
    case 'call':
      return e.args.every(isConst);
  }
}

// ---------------------------------------------------------------- reference sort

interface RefKey {
  c: RefColumn;
  desc: boolean;
}

function refCompare(x: Val | null, y: Val | null, desc: boolean, nullsFirst: boolean): number {
  if (x === null || y === null) {
    if (x === null && y === null) return 0;
    return (x === null ? -1 : 1) * (nullsFirst ? 1 : -1);
  }
  if (typeof x === 'number' && typeof y === 'number') {
    const nx = Number.isNaN(x);
    const ny = Number.isNaN(y);
    if (nx || ny) return nx && ny ? 0 : nx ? 1 : -1; // NaN last in both directions
  }
  const c = x < y ? -1 : x > y ? 1 : 0; // -0 == 0
  return desc ? -c : c;
}

function refSort(n: number, keys: RefKey[], nullsFirst: boolean): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => {
    for (const k of keys) {
      const c = refCompare(k.c.values[a]!, k.c.values[b]!, k.desc, nullsFirst);
      if (c) return c;
    }
    return 0;
  });
  return idx;
}

// ---------------------------------------------------------------- the properties

const RUNS = Number(process.env.FC_RUNS ?? 300);
/** FC_NO_SHRINK=1: report the first failure as is (shrinking big tables is slow). */
const SHRINK = { endOnFailure: !!process.env.FC_NO_SHRINK };

describe('filter matches the reference evaluator', () => {
  it('random expressions over random tables', () => {
    fc.assert(
      fc.property(
        tableArb.chain((cols) => fc.tuple(fc.constant(cols), boolArb(cols, 3), fc.integer())),
        ([cols, expr, seed]) => {
          let s = seed >>> 0 || 1;
          const r = () => ((s = (s * 1103515245 + 12345) >>> 0), s / 4294967296);
          const text = print(expr, r);
          const table = build(cols);
          const got = Array.from(table.filterIndices(text));
          const want: number[] = [];
          for (let i = 0; i < table.numRows; i++) if (evalRef(expr, i).v === true) want.push(i);
          expect(got, text).toEqual(want);
          // filter() gives the same rows as a table.
          const f = table.filter(text);
          expect(f.numRows).toBe(want.length);
        },
      ),
      { numRuns: RUNS, ...SHRINK },
    );
  });

  it('simple column-vs-constant comparisons (the fast kernels) on larger tables', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40000 }).chain((n) =>
          fc.tuple(
            fc.constantFrom<ColumnDType>('float32', 'float64', 'int16', 'int64', 'uint64', 'uint8', 'int32', 'uint32'),
            fc.constant(n),
            fc.constantFrom('<', '<=', '>', '>=', '==', '!=' as const),
            fc.constantFrom('0', '1', '-1', '0.5', '2', '-0.0', '1e999', '-1e999', '9007199254740993'),
            fc.boolean(),
            fc.boolean(),
          ),
        ),
        ([dtype, n, op, c, nulls, flip]) => {
          // Deterministic values with ties, NaN and nulls.
          const base = [0, 1, -1, 2, 0.5, NaN, -0, Infinity, -Infinity, 3, 9007199254740992, 9007199254740994];
          const values: (Val | null)[] = [];
          for (let i = 0; i < n; i++) {
            let v: Val = base[(i * 7 + (i >> 3)) % base.length]!;
            if (dtype === 'int64' || dtype === 'uint64') v = Number.isFinite(v) && Number.isInteger(v) && (dtype === 'int64' || v >= 0) ? BigInt(v) + BigInt(i % 3) : BigInt(i % 5);
            else if (dtype !== 'float32' && dtype !== 'float64') {
              const [lo, hi] = INT_RANGE[dtype]!;
              v = Number.isFinite(v) && Number.isInteger(v) ? Math.min(hi, Math.max(lo, v as number)) : (i % 4) + (lo < 0 ? -2 : 0);
            } else if (dtype === 'float32') v = Math.fround(v as number);
            values.push(nulls && i % 11 === 3 ? null : v);
          }
          const col: RefColumn = { name: 'x', dtype, values };
          const e: RExpr = flip ? { k: 'cmp', op, a: lit(c), b: { k: 'col', c: col } } : { k: 'cmp', op, a: { k: 'col', c: col }, b: lit(c) };
          const text = print(e, () => 0.1);
          const got = Array.from(build([col]).filterIndices(text));
          const want: number[] = [];
          for (let i = 0; i < n; i++) if (evalRef(e, i).v === true) want.push(i);
          expect(got, text).toEqual(want);
        },
      ),
      { numRuns: Math.ceil(Math.max(50, RUNS / 3)), ...SHRINK },
    );
  });
});

describe('sort matches a stable comparator sort', () => {
  it('random keys, directions and null placement', () => {
    fc.assert(
      fc.property(
        tableArb.chain((cols) =>
          fc.tuple(
            fc.constant(cols),
            fc.array(fc.tuple(fc.integer({ min: 0, max: cols.length - 1 }), fc.boolean()), { minLength: 1, maxLength: 3 }),
            fc.boolean(),
          ),
        ),
        ([cols, keySpec, nullsFirst]) => {
          const table = build(cols);
          const keys = keySpec.map(([i, desc]) => ({ c: cols[i]!, desc }));
          const got = Array.from(table.sortIndices(keys.map((k) => k.c.name), { descending: keys.map((k) => k.desc), nulls: nullsFirst ? 'first' : 'last' }));
          expect(got).toEqual(refSort(table.numRows, keys, nullsFirst));
        },
      ),
      { numRuns: RUNS, ...SHRINK },
    );
  });

  it('larger tables of one key type (the radix passes)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_DTYPES).chain((d) => fc.tuple(fc.constant(d), fc.integer({ min: 65, max: 3000 }), fc.boolean(), fc.boolean(), fc.integer())),
        ([dtype, n, desc, nullsFirst, seed]) => {
          const values = fc.sample(valueArb(dtype), { numRuns: n, seed });
          const col: RefColumn = { name: 'k', dtype, values: values.map((v, i) => (i % 17 === 5 ? null : v)) };
          const got = Array.from(build([col]).sortIndices('k', { descending: desc, nulls: nullsFirst ? 'first' : 'last' }));
          expect(got).toEqual(refSort(n, [{ c: col, desc }], nullsFirst));
        },
      ),
      { numRuns: Math.ceil(Math.max(40, RUNS / 5)), ...SHRINK },
    );
  });

  it('filter then sort then gather keeps row contents', () => {
    fc.assert(
      fc.property(tableArb, (cols) => {
        const table = build(cols);
        const key = cols[0]!;
        const sorted = table.sort(key.name);
        const order = refSort(table.numRows, [{ c: key, desc: false }], false);
        expect(sorted.numRows).toBe(table.numRows);
        for (let j = 0; j < sorted.numRows; j++) {
          const row = sorted.row(j);
          for (const c of cols) {
            const want = c.values[order[j]!]!;
            const got = row[c.name];
            if (want === null) expect(got).toBeNull();
            else if (typeof want === 'number') expect(Object.is(got, want) || (Number.isNaN(want) && Number.isNaN(got as number))).toBe(true);
            else expect(got).toEqual(want);
          }
        }
        // Materialised columns agree with row().
        const m = sorted.materialize();
        for (let j = 0; j < m.numRows; j++) expect(m.row(j)).toEqual(sorted.row(j));
      }),
      { numRuns: Math.ceil(Math.max(50, RUNS / 3)), ...SHRINK },
    );
  });
});

describe('expression parser fuzz', () => {
  const table = FitsTable.fromArrays({
    A: new Float32Array([1, NaN, 3]),
    B: new BigInt64Array([1n, 2n, 3n]),
    S: ['x', 'y', ''],
    F: [true, false, true],
  });
  const pieces = ['A', 'B', 'S', 'F', 'a', '`A`', '"B"', "'x'", "'", '"', '`', '(', ')', '[', ']', ',', '0', '1.5', '1e', '1e5', '.', '-', '+', '*', '/', '%', '<', '<=', '>', '>=', '==', '!=', '=', '!', '&&', '||', '&', '|', 'and', 'or', 'not', 'true', 'false', 'sqrt', 'min', 'isnull', 'foo', ' ', '\t', 'é', '\u0000', '9223372036854775808', '[0]', '$'];

  it('random token soup never crashes with anything but FitsError', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 30 }), (parts) => {
        const text = parts.join(parts.length % 2 ? ' ' : '');
        try {
          table.filterIndices(text);
        } catch (e) {
          if (!isFitsError(e, 'BAD_ARGUMENT')) throw e;
        }
      }),
      { numRuns: RUNS * 5, ...SHRINK },
    );
  });

  it('random strings never crash with anything but FitsError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        try {
          table.filterIndices(text);
        } catch (e) {
          if (!isFitsError(e, 'BAD_ARGUMENT')) throw e;
        }
      }),
      { numRuns: RUNS * 5, ...SHRINK },
    );
  });

  it('huge and deeply nested inputs fail fast with FitsError', () => {
    const cases = ['('.repeat(100000) + 'A' + ')'.repeat(100000), '-'.repeat(5000) + 'A', 'A' + '+A'.repeat(20000) + ' > 0', '!'.repeat(5000) + 'F', 'x'.repeat(200000)];
    for (const text of cases) {
      const t0 = performance.now();
      try {
        table.filterIndices(text);
      } catch (e) {
        expect(isFitsError(e, 'BAD_ARGUMENT')).toBe(true);
      }
      expect(performance.now() - t0).toBeLessThan(2000);
    }
  });
});
