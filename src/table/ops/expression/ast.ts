/**
 * The syntax tree of table expressions (`MAG_G < 20 && isfinite(PARALLAX)`).
 *
 * One AST for every backend: the parser produces it from text, the type checker
 * resolves it against a table ({@link CheckedExpr}), and a backend (CPU closures
 * today, WGSL later) compiles the checked tree. No backend ever evaluates user text.
 *
 * Positions are 0-based character offsets into the expression text.
 */

/** Arithmetic operators. `%` is the remainder with the sign of the dividend (C/JS fmod, not Python's). */
export type ArithOp = '+' | '-' | '*' | '/' | '%';
/** Comparison operators. */
export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';
/** Logical operators (`&&`/`and`, `||`/`or`). */
export type LogicOp = 'and' | 'or';

interface NodeBase {
  /** Offset of the node's first character. */
  pos: number;
  /** Offset just past the node's last character. */
  end: number;
}

export interface NumberLiteral extends NodeBase {
  kind: 'number';
  /** The value as a double. */
  value: number;
  /** The exact value when the literal is an integer (no `.` and no exponent), for exact 64-bit comparisons. */
  exact?: bigint;
}

export interface StringLiteral extends NodeBase {
  kind: 'string';
  value: string;
}

export interface BoolLiteral extends NodeBase {
  kind: 'bool';
  value: boolean;
}

export interface ColumnRef extends NodeBase {
  kind: 'column';
  /** The name as written (without quotes). */
  name: string;
  /** True when written in backticks or double quotes (no case-insensitive fallback then). */
  quoted: boolean;
  /** Element index into an array cell (`FLUX[2]`, `M[1, 0]`), 0-based, slowest axis first. */
  index?: number[];
}

export interface UnaryExpr extends NodeBase {
  kind: 'unary';
  op: '-' | 'not';
  arg: Expr;
}

export interface BinaryExpr extends NodeBase {
  kind: 'binary';
  op: ArithOp | CompareOp | LogicOp;
  left: Expr;
  right: Expr;
}

export interface CallExpr extends NodeBase {
  kind: 'call';
  /** Function name, lower case. */
  name: string;
  args: Expr[];
}

export type Expr = NumberLiteral | StringLiteral | BoolLiteral | ColumnRef | UnaryExpr | BinaryExpr | CallExpr;

/** Value types of the expression language. */
export type ValueType = 'number' | 'bool' | 'string';

/**
 * Functions of the expression language: name → [argument count (min, max), result].
 * All take numbers, except `isnull`, which takes any value.
 */
export const FUNCTIONS: Readonly<Record<string, { min: number; max: number; result: ValueType }>> = {
  abs: { min: 1, max: 1, result: 'number' },
  sqrt: { min: 1, max: 1, result: 'number' },
  log: { min: 1, max: 1, result: 'number' },
  log10: { min: 1, max: 1, result: 'number' },
  exp: { min: 1, max: 1, result: 'number' },
  sin: { min: 1, max: 1, result: 'number' },
  cos: { min: 1, max: 1, result: 'number' },
  tan: { min: 1, max: 1, result: 'number' },
  asin: { min: 1, max: 1, result: 'number' },
  acos: { min: 1, max: 1, result: 'number' },
  atan: { min: 1, max: 1, result: 'number' },
  atan2: { min: 2, max: 2, result: 'number' },
  pow: { min: 2, max: 2, result: 'number' },
  hypot: { min: 2, max: 2, result: 'number' },
  floor: { min: 1, max: 1, result: 'number' },
  ceil: { min: 1, max: 1, result: 'number' },
  round: { min: 1, max: 1, result: 'number' },
  min: { min: 2, max: 16, result: 'number' },
  max: { min: 2, max: 16, result: 'number' },
  isnan: { min: 1, max: 1, result: 'bool' },
  isfinite: { min: 1, max: 1, result: 'bool' },
  isinf: { min: 1, max: 1, result: 'bool' },
  isnull: { min: 1, max: 1, result: 'bool' },
};

/** Print an expression back as text (canonical form: fully parenthesised binaries). */
export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case 'number':
      return e.exact !== undefined ? e.exact.toString() : String(e.value);
    case 'string':
      return `'${e.value.replace(/'/g, "''")}'`;
    case 'bool':
      return e.value ? 'true' : 'false';
    case 'column':
      return `\`${e.name.replace(/`/g, '``')}\`${e.index ? `[${e.index.join(', ')}]` : ''}`;
    case 'unary':
      return e.op === '-' ? `(-${formatExpr(e.arg)})` : `(not ${formatExpr(e.arg)})`;
    case 'binary':
      return `(${formatExpr(e.left)} ${e.op === 'and' ? '&&' : e.op === 'or' ? '||' : e.op} ${formatExpr(e.right)})`;
    case 'call':
      return `${e.name}(${e.args.map(formatExpr).join(', ')})`;
  }
}
