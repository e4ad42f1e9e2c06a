/**
 * Type checking: resolve an {@link Expr} against a table's columns, infer value
 * types, fold constants, and report mistakes as {@link ExpressionError}s naming
 * the position. The result, a {@link CheckedExpr}, is what backends compile.
 *
 * Types: `number` (every numeric column and literal; evaluated in float64, with
 * exact 64-bit integer comparisons against constants, see the CPU compiler),
 * `string` (string columns and 'literals'), `bool` (logical/bit columns,
 * comparisons, `true`/`false`, isnan()…).
 */
import type { ColumnDType } from '../../column.js';
import { FUNCTIONS, formatExpr, type ArithOp, type CompareOp, type Expr, type ValueType } from './ast.js';
import { parseExpression } from './parser.js';
import { ExpressionError } from './tokenizer.js';

/** What the checker needs to know about a column. */
export interface ColumnSchema {
  readonly name: string;
  readonly dtype: ColumnDType;
  readonly cellShape: readonly number[] | null;
}

interface Base {
  pos: number;
  end: number;
}

/** A filter expression after parsing and type checking (a tree of constants, columns, operators and calls), as {@link FitsTable.check} returns it. */
export type CheckedExpr =
  | (Base & { kind: 'const'; type: 'number'; value: number; exact?: bigint })
  | (Base & { kind: 'const'; type: 'string'; value: string })
  | (Base & { kind: 'const'; type: 'bool'; value: boolean })
  | (Base & {
      kind: 'column';
      type: ValueType;
      /** Index of the column in the table. */
      column: number;
      name: string;
      dtype: ColumnDType;
      /** Flat element index within the cell (0 for scalars). */
      element: number;
      /** Elements per cell. */
      stride: number;
    })
  | (Base & { kind: 'neg'; type: 'number'; arg: CheckedExpr })
  | (Base & { kind: 'arith'; type: 'number'; op: ArithOp; left: CheckedExpr; right: CheckedExpr })
  | (Base & { kind: 'compare'; type: 'bool'; op: CompareOp; operand: ValueType; left: CheckedExpr; right: CheckedExpr })
  | (Base & { kind: 'logic'; type: 'bool'; op: 'and' | 'or'; left: CheckedExpr; right: CheckedExpr })
  | (Base & { kind: 'not'; type: 'bool'; arg: CheckedExpr })
  | (Base & { kind: 'call'; type: ValueType; name: string; args: CheckedExpr[] });

export type CheckedConst = Extract<CheckedExpr, { kind: 'const' }>;
export type CheckedColumn = Extract<CheckedExpr, { kind: 'column' }>;

/**
 * Resolve a column name like astropy: an exact match first, then a unique
 * case-insensitive match. Returns -1 when there is none; throws a message
 * (string) when the case-insensitive match is ambiguous.
 */
export function resolveColumnName(columns: readonly { readonly name: string }[], name: string): number | string {
  for (let i = 0; i < columns.length; i++) if (columns[i]!.name === name) return i;
  const lower = name.toLowerCase();
  let found = -1;
  for (let i = 0; i < columns.length; i++) {
    if (columns[i]!.name.toLowerCase() === lower) {
      if (found >= 0 && columns[found]!.name !== columns[i]!.name) {
        return `column name '${name}' is ambiguous: it matches '${columns[found]!.name}' and '${columns[i]!.name}' when case is ignored`;
      }
      if (found < 0) found = i;
    }
  }
  return found;
}

const NUMERIC_DTYPES = new Set<ColumnDType>(['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64']);

function describeType(t: ValueType): string {
  return t === 'number' ? 'a number' : t === 'string' ? 'a string' : 'a boolean';
}

/** Apply a numeric function to constants (shared with the CPU compiler). */
export const MATH: Readonly<Record<string, (...a: number[]) => number>> = {
  abs: Math.abs,
  sqrt: Math.sqrt,
  log: Math.log,
  log10: Math.log10,
  exp: Math.exp,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  atan2: Math.atan2,
  pow: Math.pow,
  hypot: Math.hypot,
  floor: Math.floor,
  ceil: Math.ceil,
  // numpy's round: half to even.
  round: (x: number) => {
    const r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  },
  min: (...a: number[]) => Math.min(...a),
  max: (...a: number[]) => Math.max(...a),
};

/** Arithmetic on two doubles, exactly as the CPU evaluator does it. */
export function arith(op: ArithOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
  }
}

/** A comparison of two constants of one type (numbers as doubles: false with NaN, except `!=`). */
function compareOrdered<T extends number | bigint | string | boolean>(op: CompareOp, a: T, b: T): boolean {
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
  }
}

/**
 * Type-check `expr` (text or parsed) against `columns`.
 * @param want the type the whole expression must have (filters want 'bool').
 */
export function checkExpression(expr: string | Expr, columns: readonly ColumnSchema[], want?: ValueType): CheckedExpr {
  const text = typeof expr === 'string' ? expr : formatExpr(expr);
  const ast = typeof expr === 'string' ? parseExpression(expr) : expr;
  const fail = (msg: string, pos: number): never => {
    throw new ExpressionError(msg, text, pos);
  };
  // Positions in a formatted AST do not match the canonical text; keep them only for text input.
  const at = (e: { pos: number }) => (typeof expr === 'string' ? e.pos : 0);

  const need = (e: CheckedExpr, t: ValueType, what: string): void => {
    if (e.type !== t) fail(`${what} needs ${describeType(t)}, but this is ${describeType(e.type)}`, at(e));
  };

  function check(e: Expr): CheckedExpr {
    const pos = e.pos;
    const end = e.end;
    switch (e.kind) {
      case 'number':
        return e.exact !== undefined
          ? { kind: 'const', type: 'number', value: e.value, exact: e.exact, pos, end }
          : { kind: 'const', type: 'number', value: e.value, pos, end };
      case 'string':
        return { kind: 'const', type: 'string', value: e.value, pos, end };
      case 'bool':
        return { kind: 'const', type: 'bool', value: e.value, pos, end };
      case 'column':
        return checkColumn(e);
      case 'unary': {
        const arg = check(e.arg);
        if (e.op === '-') {
          need(arg, 'number', "unary '-'");
          if (arg.kind === 'const' && arg.type === 'number') {
            return arg.exact !== undefined
              ? { kind: 'const', type: 'number', value: -arg.value, exact: -arg.exact, pos, end }
              : { kind: 'const', type: 'number', value: -arg.value, pos, end };
          }
          return { kind: 'neg', type: 'number', arg, pos, end };
        }
        need(arg, 'bool', "'not'");
        if (arg.kind === 'const' && arg.type === 'bool') return { kind: 'const', type: 'bool', value: !arg.value, pos, end };
        if (arg.kind === 'not') return arg.arg;
        return { kind: 'not', type: 'bool', arg, pos, end };
      }
      case 'binary': {
        const left = check(e.left);
        const right = check(e.right);
        const op = e.op;
        if (op === 'and' || op === 'or') {
          need(left, 'bool', `'${op}'`);
          need(right, 'bool', `'${op}'`);
          // Kleene logic: false && x = false, true || x = true, true && x = x, false || x = x.
          for (const [a, b] of [
            [left, right],
            [right, left],
          ] as const) {
            if (a.kind === 'const' && a.type === 'bool') {
              if (a.value === (op === 'or')) return { kind: 'const', type: 'bool', value: a.value, pos, end };
              return b;
            }
          }
          return { kind: 'logic', type: 'bool', op, left, right, pos, end };
        }
        if (op === '+' || op === '-' || op === '*' || op === '/' || op === '%') {
          if (left.type !== 'number' || right.type !== 'number') {
            const bad = left.type !== 'number' ? left : right;
            fail(`'${op}' needs numbers, but this is ${describeType(bad.type)}`, at(bad));
          }
          if (left.kind === 'const' && right.kind === 'const' && left.type === 'number' && right.type === 'number') {
            const value = arith(op, left.value, right.value);
            if (left.exact !== undefined && right.exact !== undefined && op !== '/' && !(op === '%' && right.exact === 0n)) {
              const x = op === '+' ? left.exact + right.exact : op === '-' ? left.exact - right.exact : op === '*' ? left.exact * right.exact : left.exact % right.exact;
              // The correctly rounded double of the exact result (IEEE's signed zero when it is 0).
              return { kind: 'const', type: 'number', value: x === 0n ? value : Number(x), exact: x, pos, end };
            }
            return { kind: 'const', type: 'number', value, pos, end };
          }
          return { kind: 'arith', type: 'number', op, left, right, pos, end };
        }
        // Comparisons.
        if (left.type !== right.type) {
          fail(`cannot compare ${describeType(left.type)} with ${describeType(right.type)}`, at(e.right));
        }
        if (left.type === 'bool' && op !== '==' && op !== '!=') fail(`booleans can only be compared with '==' or '!=', not '${op}'`, at(e.right));
        if (left.kind === 'const' && right.kind === 'const') {
          let value: boolean;
          if (left.type === 'number' && right.type === 'number') {
            value =
              left.exact !== undefined && right.exact !== undefined
                ? compareOrdered(op, left.exact, right.exact)
                : compareOrdered(op, left.value, right.value);
          } else if (left.type === 'string' && right.type === 'string') {
            value = compareOrdered(op, left.value.replace(/ +$/, ''), right.value.replace(/ +$/, ''));
          } else value = compareOrdered(op, left.value as boolean, right.value as boolean);
          return { kind: 'const', type: 'bool', value, pos, end };
        }
        if (left.type === 'bool') {
          // x == true → x, x != true → !x (and the mirror cases).
          for (const [a, b] of [
            [left, right],
            [right, left],
          ] as const) {
            if (a.kind === 'const' && a.type === 'bool') {
              const keep = a.value === (op === '==');
              return keep ? b : b.kind === 'not' ? b.arg : { kind: 'not', type: 'bool', arg: b, pos, end };
            }
          }
        }
        return { kind: 'compare', type: 'bool', op, operand: left.type, left, right, pos, end };
      }
      case 'call': {
        const fn = FUNCTIONS[e.name]!;
        const args = e.args.map(check);
        if (e.name === 'isnull') {
          const a = args[0]!;
          if (a.kind === 'const') return { kind: 'const', type: 'bool', value: false, pos, end };
          return { kind: 'call', type: 'bool', name: 'isnull', args, pos, end };
        }
        for (const a of args) need(a, 'number', `${e.name}()`);
        if (args.every((a) => a.kind === 'const')) {
          const vals = args.map((a) => (a as CheckedConst).value as number);
          if (e.name === 'isnan') return { kind: 'const', type: 'bool', value: Number.isNaN(vals[0]), pos, end };
          if (e.name === 'isfinite') return { kind: 'const', type: 'bool', value: Number.isFinite(vals[0]), pos, end };
          if (e.name === 'isinf') return { kind: 'const', type: 'bool', value: vals[0] === Infinity || vals[0] === -Infinity, pos, end };
          return { kind: 'const', type: 'number', value: MATH[e.name]!(...vals), pos, end };
        }
        return { kind: 'call', type: fn.result, name: e.name, args, pos, end };
      }
    }
  }

  function checkColumn(e: Expr & { kind: 'column' }): CheckedExpr {
    const found = resolveColumnName(columns, e.name);
    if (typeof found === 'string') return fail(found, at(e));
    if (found < 0) {
      const names = columns.map((c) => c.name);
      const list = names.length > 20 ? `${names.slice(0, 20).join(', ')}, …` : names.join(', ');
      const hint = e.quoted && text[e.pos] === '"' ? ` (string literals take single quotes: '${e.name}')` : '';
      return fail(`no column named '${e.name}'${hint}; columns: ${list || '(none)'}`, at(e));
    }
    const col = columns[found]!;
    if (col.cellShape === null) fail(`column '${col.name}' holds variable-length arrays, which expressions cannot use`, at(e));
    if (col.dtype === 'complex64' || col.dtype === 'complex128') fail(`column '${col.name}' is complex, which expressions cannot use`, at(e));
    const shape = col.cellShape!;
    const size = shape.reduce((a, b) => a * b, 1);
    let element = 0;
    if (e.index) {
      if (e.index.length === 1) {
        element = e.index[0]!;
        if (element >= size) fail(`index ${element} is out of range: column '${col.name}' has ${size} element${size === 1 ? '' : 's'} per row`, at(e));
      } else if (e.index.length === shape.length) {
        for (let k = 0; k < shape.length; k++) {
          if (e.index[k]! >= shape[k]!) fail(`index ${e.index[k]} is out of range for axis ${k} of column '${col.name}' (shape [${shape.join(', ')}])`, at(e));
          element = element * shape[k]! + e.index[k]!;
        }
      } else {
        fail(`column '${col.name}' has shape [${shape.join(', ')}]: give ${shape.length} indices or one flat index`, at(e));
      }
    } else if (size !== 1) {
      fail(`column '${col.name}' holds ${size} values per row (shape [${shape.join(', ')}]): pick one, as in ${col.name}[0]`, at(e));
    }
    const type: ValueType = col.dtype === 'bool' ? 'bool' : col.dtype === 'string' ? 'string' : NUMERIC_DTYPES.has(col.dtype) ? 'number' : fail(`column '${col.name}' has an unsupported type`, at(e));
    return { kind: 'column', type, column: found, name: col.name, dtype: col.dtype, element, stride: size, pos: e.pos, end: e.end };
  }

  const out = check(ast);
  if (want && out.type !== want) {
    if (want === 'bool') fail(`a filter needs a condition (such as X > 0), but this expression is ${describeType(out.type)}`, 0);
    fail(`the expression must be ${describeType(want)}, but it is ${describeType(out.type)}`, 0);
  }
  return out;
}

/** The columns (indices) an expression reads. */
export function referencedColumns(e: CheckedExpr, into = new Set<number>()): Set<number> {
  switch (e.kind) {
    case 'column':
      into.add(e.column);
      break;
    case 'neg':
    case 'not':
      referencedColumns(e.arg, into);
      break;
    case 'arith':
    case 'compare':
    case 'logic':
      referencedColumns(e.left, into);
      referencedColumns(e.right, into);
      break;
    case 'call':
      for (const a of e.args) referencedColumns(a, into);
      break;
    case 'const':
      break;
  }
  return into;
}

/** The column names an expression text mentions (without a table; for projection push-down). */
export function mentionedNames(expr: string): string[] {
  const names = new Set<string>();
  const walk = (e: Expr): void => {
    if (e.kind === 'column') names.add(e.name);
    else if (e.kind === 'unary') walk(e.arg);
    else if (e.kind === 'binary') {
      walk(e.left);
      walk(e.right);
    } else if (e.kind === 'call') e.args.forEach(walk);
  };
  walk(parseExpression(expr));
  return [...names];
}
