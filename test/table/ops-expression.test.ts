/** The expression language: parsing, type checking, semantics, error messages. */
import { describe, expect, it } from 'vitest';
import { FitsTable } from '../../src/table/ops/fits-table.js';
import type { Column } from '../../src/table/column.js';
import { parseExpression } from '../../src/table/ops/expression/parser.js';
import { formatExpr } from '../../src/table/ops/expression/ast.js';
import { checkExpression, mentionedNames } from '../../src/table/ops/expression/check.js';
import type { ExpressionError } from '../../src/table/ops/expression/tokenizer.js';
import { filterRows, CHUNK } from '../../src/table/ops/expression/compile-cpu.js';
import { isFitsError } from '../../src/core/errors.js';

const rows = (t: FitsTable, e: string) => Array.from(t.filterIndices(e));

function errorOf(f: () => unknown): ExpressionError {
  try {
    f();
  } catch (e) {
    expect(isFitsError(e, 'BAD_ARGUMENT')).toBe(true);
    return e as ExpressionError;
  }
  throw new Error('expected an error');
}

describe('parser', () => {
  it('respects precedence and associativity', () => {
    expect(formatExpr(parseExpression('a + b * c - d / e % f'))).toBe('((`a` + (`b` * `c`)) - ((`d` / `e`) % `f`))');
    expect(formatExpr(parseExpression('a < 1 && b > 2 || !c'))).toBe('(((`a` < 1) && (`b` > 2)) || (not `c`))');
    expect(formatExpr(parseExpression('not a == b'))).toBe('(not (`a` == `b`))');
    expect(formatExpr(parseExpression('A AND b Or NOT c'))).toBe('((`A` && `b`) || (not `c`))');
    expect(formatExpr(parseExpression('-a * -2'))).toBe('((-`a`) * -2)');
    expect(formatExpr(parseExpression('--3'))).toBe('3');
  });

  it('reads numbers, strings and names', () => {
    const n = (s: string) => parseExpression(s);
    expect(n('1.5e3')).toMatchObject({ kind: 'number', value: 1500 });
    expect(n('.5')).toMatchObject({ kind: 'number', value: 0.5 });
    expect(n('2.')).toMatchObject({ kind: 'number', value: 2 });
    expect(n('1E-3')).toMatchObject({ kind: 'number', value: 0.001 });
    expect(n('9007199254740993')).toMatchObject({ kind: 'number', exact: 9007199254740993n });
    expect(n('-9223372036854775808')).toMatchObject({ kind: 'number', exact: -(2n ** 63n) });
    expect(n("'it''s'")).toMatchObject({ kind: 'string', value: "it's" });
    expect(n('`odd name-1`')).toMatchObject({ kind: 'column', name: 'odd name-1', quoted: true });
    expect(n('"DEC"')).toMatchObject({ kind: 'column', name: 'DEC' });
    expect(n('FLUX[2]')).toMatchObject({ kind: 'column', name: 'FLUX', index: [2] });
    expect(n('M[1, 0]')).toMatchObject({ kind: 'column', name: 'M', index: [1, 0] });
    expect(n('TRUE')).toMatchObject({ kind: 'bool', value: true });
    expect(n('SQRT(x)')).toMatchObject({ kind: 'call', name: 'sqrt' });
  });

  it('reports mistakes with their position', () => {
    const cases: [string, RegExp, number][] = [
      ['a <', /ends too early/, 3],
      ['a = 1', /compare with '=='/, 2],
      ['a & b', /'&&'/, 2],
      ['(a < 1', /expected '\)'/, 6],
      ['a < 1)', /unexpected '\)'/, 5],
      ['a b', /missing operator/, 2],
      ['1 < a < 2', /cannot be chained/, 6],
      ["'abc", /unterminated string/, 0],
      ['`abc', /unterminated quoted column/, 0],
      ['foo(1)', /unknown function 'foo'/, 0],
      ['sqrt(1, 2)', /takes 1 argument/, 0],
      ['min(1)', /at least 2/, 0],
      ['1e+', /malformed exponent/, 1],
      ['12abc', /malformed number/, 2],
      ['a[x]', /non-negative integer/, 2],
      ['', /empty/, 0],
      ['a # b', /unexpected character '#'/, 2],
      ['and', /unexpected 'and'/, 0],
    ];
    for (const [text, re, pos] of cases) {
      const e = errorOf(() => parseExpression(text));
      expect(e.message, text).toMatch(re);
      expect(e.position, text).toBe(pos);
      expect(e.message).toMatch(new RegExp(`at character ${pos + 1}:`));
      expect(e.message).toContain('^');
    }
  });

  it('mentionedNames lists the columns an expression reads', () => {
    expect(mentionedNames('A > 1 && sqrt(`b c`) < C[1] || "D" == \'x\'').sort()).toEqual(['A', 'C', 'D', 'b c']);
  });
});

function table(): FitsTable {
  const n = 6;
  const cols: Column[] = [
    { name: 'F', dtype: 'float32', format: 'E', cellShape: [], length: n, data: new Float32Array([1, NaN, -0, 0.1, Infinity, -2]) },
    { name: 'D', dtype: 'float64', format: 'D', cellShape: [], length: n, data: new Float64Array([0.1, 2, 3, NaN, -1, 5]), validity: new Uint8Array([0b111011]) },
    { name: 'K', dtype: 'int64', format: 'K', cellShape: [], length: n, data: new BigInt64Array([9007199254740993n, 9007199254740992n, -(2n ** 63n), 2n ** 63n - 1n, 0n, -1n]) },
    { name: 'U', dtype: 'uint64', format: 'K', cellShape: [], length: n, data: new BigUint64Array([2n ** 64n - 1n, 0n, 1n, 2n ** 63n, 5n, 9007199254740993n]) },
    { name: 'J', dtype: 'int32', format: 'J', cellShape: [], length: n, data: new Int32Array([1, 2, 3, 4, 5, 6]) },
    { name: 'S', dtype: 'string', format: '4A', cellShape: [], length: n, data: ['M31', 'm31', '', 'M31', 'NGC', 'M3'], validity: new Uint8Array([0b110111]) },
    { name: 'L', dtype: 'bool', format: 'L', cellShape: [], length: n, data: new Uint8Array([1, 0, 1, 0, 0, 1]), validity: new Uint8Array([0b111101]) },
    { name: 'V', dtype: 'int16', format: '3I', cellShape: [3], length: n, data: new Int16Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]) },
    { name: 'M', dtype: 'float64', format: '6D', cellShape: [2, 3], length: n, data: Float64Array.from({ length: 36 }, (_, i) => i) },
    { name: 'odd-name', dtype: 'int16', format: 'I', cellShape: [], length: n, data: new Int16Array([5, 4, 3, 2, 1, 0]) },
    { name: 'C', dtype: 'complex64', format: 'C', cellShape: [], length: n, data: new Float32Array(12) },
    { name: 'P', dtype: 'int32', format: 'PJ', cellShape: null, length: n, data: new Int32Array(0), offsets: new Int32Array(7) },
  ];
  return new FitsTable(cols, n);
}

describe('semantics', () => {
  const t = table();

  it('compares floats in float64, exactly, with IEEE NaN', () => {
    expect(rows(t, 'F < 1')).toEqual([2, 3, 5]);
    expect(rows(t, 'F <= 1')).toEqual([0, 2, 3, 5]);
    expect(rows(t, 'F == 0')).toEqual([2]); // -0 == 0
    expect(rows(t, 'F != 1')).toEqual([1, 2, 3, 4, 5]); // NaN != 1 is true
    expect(rows(t, '!(F == 1)')).toEqual([1, 2, 3, 4, 5]);
    expect(rows(t, 'F == 0.1')).toEqual([]); // float32(0.1) is not the double 0.1
    expect(rows(t, 'F > 0.1')).toEqual([0, 3, 4]);
    expect(rows(t, 'F >= 1e999')).toEqual([4]);
    expect(rows(t, 'F > 1e999')).toEqual([]);
    expect(rows(t, 'F < -1e999')).toEqual([]);
    expect(rows(t, 'isnan(F)')).toEqual([1]);
    expect(rows(t, 'isfinite(F)')).toEqual([0, 2, 3, 5]);
    expect(rows(t, 'isinf(F)')).toEqual([4]);
    expect(rows(t, '1 < F')).toEqual([4]);
    expect(rows(t, 'F + 0 < 1')).toEqual([2, 3, 5]);
  });

  it('compares 64-bit integers exactly against constants and each other', () => {
    expect(rows(t, 'K == 9007199254740993')).toEqual([0]);
    expect(rows(t, 'K == 9007199254740992')).toEqual([1]);
    expect(rows(t, 'K > 9007199254740992')).toEqual([0, 3]);
    expect(rows(t, 'K <= -9223372036854775808')).toEqual([2]);
    expect(rows(t, 'K < -9223372036854775808')).toEqual([]);
    expect(rows(t, 'K >= 9223372036854775807')).toEqual([3]);
    expect(rows(t, 'K > 9223372036854775807')).toEqual([]);
    expect(rows(t, 'K != 0')).toEqual([0, 1, 2, 3, 5]);
    expect(rows(t, 'K < 0.5')).toEqual([2, 4, 5]);
    expect(rows(t, 'K == -0.5')).toEqual([]);
    expect(rows(t, 'K > -1.5')).toEqual([0, 1, 3, 4, 5]);
    expect(rows(t, 'K < 1e999')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rows(t, 'U == 18446744073709551615')).toEqual([0]);
    expect(rows(t, 'U > 9223372036854775807')).toEqual([0, 3]);
    expect(rows(t, 'U < 0')).toEqual([]);
    expect(rows(t, 'U >= -5')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rows(t, 'U == 9007199254740993')).toEqual([5]);
    expect(rows(t, 'K == U')).toEqual([]);
    expect(rows(t, 'K < U')).toEqual([0, 2, 3, 4, 5]);
    expect(rows(t, 'K > J')).toEqual([0, 1, 3]);
    expect(rows(t, 'K == 4503599627370496 * 2 + 1')).toEqual([0]); // exact constant folding
    // Arithmetic converts to the nearest double.
    expect(rows(t, 'K + 0 == 9007199254740992')).toEqual([0, 1]);
  });

  it('propagates nulls with three-valued logic', () => {
    // D is null at row 2; S at row 3; L at row 1.
    expect(rows(t, 'D > 0')).toEqual([0, 1, 5]);
    expect(rows(t, '!(D > 0)')).toEqual([3, 4]);
    expect(rows(t, 'isnull(D)')).toEqual([2]);
    expect(rows(t, 'isnull(D * 2)')).toEqual([2]);
    expect(rows(t, 'isnull(D > 0)')).toEqual([2]);
    expect(rows(t, 'D > 0 || J == 3')).toEqual([0, 1, 2, 5]); // null || true
    expect(rows(t, '!(D > 0 && J == 4)')).toEqual([0, 1, 2, 3, 4, 5]); // null && false → false
    expect(rows(t, 'D > 0 && J == 3')).toEqual([]); // null && true
    expect(rows(t, '!(D > 0 && J != 3)')).toEqual([2, 3, 4]); // null && false → false
    expect(rows(t, 'L')).toEqual([0, 2, 5]);
    expect(rows(t, '!L')).toEqual([3, 4]);
    expect(rows(t, 'L == true')).toEqual([0, 2, 5]);
    expect(rows(t, 'L != false')).toEqual([0, 2, 5]);
    expect(rows(t, 'L == (J > 2)')).toEqual([2, 5]);
    expect(rows(t, 'isnull(L)')).toEqual([1]);
    expect(rows(t, 'isnull(S)')).toEqual([3]);
    expect(rows(t, 'isnull(J)')).toEqual([]);
  });

  it('compares strings with trailing spaces ignored', () => {
    expect(rows(t, "S == 'M31'")).toEqual([0]); // row 3 is null
    expect(rows(t, "S == 'M31   '")).toEqual([0]);
    expect(rows(t, "S != 'M31'")).toEqual([1, 2, 4, 5]);
    expect(rows(t, "S == ''")).toEqual([2]);
    expect(rows(t, "S < 'M4'")).toEqual([0, 2, 5]);
    expect(rows(t, "'NGC' == S")).toEqual([4]);
    expect(rows(t, 'S == S')).toEqual([0, 1, 2, 4, 5]);
  });

  it('indexes array cells and quoted names', () => {
    expect(rows(t, 'V[1] > 7')).toEqual([3, 4, 5]); // V[1] = 1, 4, 7, 10, 13, 16
    expect(rows(t, 'V[2] == 8')).toEqual([2]);
    expect(rows(t, 'M[1, 2] == 11')).toEqual([1]); // element 5 of row r = 6r + 5
    expect(rows(t, 'M[5] == 11')).toEqual([1]);
    expect(rows(t, '`odd-name` < 2')).toEqual([4, 5]);
    expect(rows(t, '"odd-name" < 2')).toEqual([4, 5]);
    expect(rows(t, 'j > 5')).toEqual([5]); // case-insensitive fallback
  });

  it('evaluates arithmetic and functions', () => {
    expect(rows(t, 'J % 2 == 1')).toEqual([0, 2, 4]);
    expect(rows(t, '-J < -4')).toEqual([4, 5]);
    expect(rows(t, 'sqrt(J * J) == J')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rows(t, 'min(J, 3, 4) == 3')).toEqual([2, 3, 4, 5]);
    expect(rows(t, 'max(J, 4) == 4')).toEqual([0, 1, 2, 3]);
    expect(rows(t, 'abs(F) == 2')).toEqual([5]);
    expect(rows(t, 'floor(J / 2) == 1')).toEqual([1, 2]);
    expect(rows(t, 'ceil(J / 2) == 1')).toEqual([0, 1]);
    expect(rows(t, 'round(J / 2) == 2')).toEqual([2, 3, 4]); // 1.5 → 2, 2 → 2, 2.5 → 2 (half to even)
    expect(rows(t, 'log10(J * 10) == 1')).toEqual([0]);
    expect(rows(t, 'exp(0) == J')).toEqual([0]);
    expect(rows(t, 'pow(J, 2) == 16')).toEqual([3]);
    expect(rows(t, 'hypot(3, J) == 5')).toEqual([3]);
    expect(rows(t, 'atan2(J, J) > 0.78 && sin(0) == 0 && cos(0) == 1 && tan(0) == 0 && log(1) == 0')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rows(t, 'asin(1) > 1.57 && acos(1) == 0 && atan(0) == 0 && J == 1')).toEqual([0]);
    expect(rows(t, 'true')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(rows(t, 'false || 1 > 2')).toEqual([]);
  });

  it('type-checks with clear messages', () => {
    const cases: [string, RegExp][] = [
      ['J + S', /'\+' needs numbers, but this is a string/],
      ['S > 1', /cannot compare a string with a number/],
      ['L < true', /booleans can only be compared with '==' or '!='/],
      ['J', /a filter needs a condition/],
      ['J && L', /'and' needs a boolean/],
      ['!J', /'not' needs a boolean/],
      ['sqrt(S) > 1', /sqrt\(\) needs a number/],
      ['X > 1', /no column named 'X'; columns: F, D, K/],
      ['"M31" == S', /string literals take single quotes/],
      ['V > 1', /holds 3 values per row.*V\[0\]/],
      ['V[3] > 1', /index 3 is out of range/],
      ['M[2, 0] > 1', /out of range for axis 0/],
      ['M[1, 0, 0] > 1', /give 2 indices or one flat index/],
      ['C > 1', /complex/],
      ['P > 1', /variable-length/],
    ];
    for (const [text, re] of cases) {
      const e = errorOf(() => t.filter(text));
      expect(e.message, text).toMatch(re);
    }
    expect(errorOf(() => t.filter('J + S > 1')).position).toBe(4);
  });

  it('runs across chunk boundaries and with selection vectors', () => {
    const n = CHUNK * 2 + 17;
    const x = new Float64Array(n).map((_, i) => i % 7);
    const y = new Int32Array(n).map((_, i) => i % 5);
    const validity = new Uint8Array(Math.ceil(n / 8)).fill(0xff);
    validity[CHUNK >> 3] = 0xfe; // row CHUNK is null in y
    const big = new FitsTable(
      [
        { name: 'x', dtype: 'float64', format: 'D', cellShape: [], length: n, data: x },
        { name: 'y', dtype: 'int32', format: 'J', cellShape: [], length: n, data: y, validity },
      ],
      n,
    );
    const want: number[] = [];
    for (let i = 0; i < n; i++) if ((x[i]! < 3 && y[i]! > 1 && i !== CHUNK) || x[i] === 6) want.push(i);
    expect(rows(big, '(x < 3 && y > 1) || x == 6')).toEqual(want);
    const want2: number[] = [];
    for (let i = 0; i < n; i++) if (i !== CHUNK && !(x[i]! < 3 || y[i]! > 1)) want2.push(i);
    expect(rows(big, 'not (x < 3 or y > 1)')).toEqual(want2);
  });

  it('filterRows works on a checked expression directly (the backend entry point)', () => {
    const checked = checkExpression('J > 4', t.columns, 'bool');
    expect(Array.from(filterRows(checked, t.columns, t.numRows))).toEqual([4, 5]);
    expect(Array.from(filterRows(checkExpression('1 < 2', t.columns), t.columns, 3))).toEqual([0, 1, 2]);
  });
});
