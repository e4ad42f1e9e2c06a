/**
 * Recursive-descent parser: expression text → {@link Expr}. Pure; linear time;
 * nesting is limited so no input can overflow the stack; throws only
 * {@link ExpressionError} (a FitsError with code BAD_ARGUMENT).
 *
 * Grammar, loosest binding first:
 * ```
 * expr       := or
 * or         := and (('||' | 'or') and)*
 * and        := not (('&&' | 'and') not)*
 * not        := ('!' | 'not') not | comparison
 * comparison := additive (('<' | '<=' | '>' | '>=' | '==' | '!=') additive)?    (no chaining)
 * additive   := term (('+' | '-') term)*
 * term       := unary (('*' | '/' | '%') unary)*
 * unary      := '-' unary | '+' unary | primary
 * primary    := NUMBER | 'STRING' | true | false | FUNC '(' expr (',' expr)* ')'
 *             | NAME ('[' INT (',' INT)* ']')? | '(' expr ')'
 * NAME       := identifier | "double quoted" | `backticked`
 * ```
 * Keywords (`and or not true false`) and function names are case-insensitive.
 */
import { FUNCTIONS, type CompareOp, type Expr } from './ast.js';
import { ExpressionError, tokenize, type Token } from './tokenizer.js';

/** Deepest nesting accepted (parentheses, unary operators, function calls). */
export const MAX_EXPRESSION_DEPTH = 200;

/** Deepest syntax tree accepted (operators nested in operators). */
export const MAX_TREE_DEPTH = 1000;

const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false']);
const COMPARE = new Set(['<', '<=', '>', '>=', '==', '!=']);

/** Parse an expression. */
export function parseExpression(text: string): Expr {
  const tokens = tokenize(text);
  let k = 0;
  let depth = 0;

  const peek = (): Token => tokens[k]!;
  const next = (): Token => tokens[k++]!;
  const isOp = (t: Token, op: string) => t.kind === 'op' && t.text === op;
  const isKw = (t: Token, kw: string) => t.kind === 'ident' && t.text.toLowerCase() === kw;
  const fail = (msg: string, pos: number): never => {
    throw new ExpressionError(msg, text, pos);
  };
  const describe = (t: Token): string => {
    switch (t.kind) {
      case 'eof':
        return 'the end of the expression';
      case 'string':
        return `the string '${t.text}'`;
      case 'qident':
        return `the column name ${text.slice(t.pos, t.end)}`;
      default:
        return `'${t.text}'`;
    }
  };
  const enter = (pos: number) => {
    if (++depth > MAX_EXPRESSION_DEPTH) fail(`the expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`, pos);
  };

  function parseOr(): Expr {
    let left = parseAnd();
    for (;;) {
      const t = peek();
      if (!(isOp(t, '||') || isKw(t, 'or'))) return left;
      next();
      const right = parseAnd();
      left = { kind: 'binary', op: 'or', left, right, pos: left.pos, end: right.end };
    }
  }

  function parseAnd(): Expr {
    let left = parseNot();
    for (;;) {
      const t = peek();
      if (!(isOp(t, '&&') || isKw(t, 'and'))) return left;
      next();
      const right = parseNot();
      left = { kind: 'binary', op: 'and', left, right, pos: left.pos, end: right.end };
    }
  }

  function parseNot(): Expr {
    const t = peek();
    if (isOp(t, '!') || isKw(t, 'not')) {
      next();
      enter(t.pos);
      const arg = parseNot();
      depth--;
      return { kind: 'unary', op: 'not', arg, pos: t.pos, end: arg.end };
    }
    return parseComparison();
  }

  function parseComparison(): Expr {
    const left = parseAdditive();
    const t = peek();
    if (t.kind !== 'op' || !COMPARE.has(t.text)) return left;
    next();
    const right = parseAdditive();
    const after = peek();
    if (after.kind === 'op' && COMPARE.has(after.text)) {
      fail(`comparisons cannot be chained: write 'a ${t.text} b && b ${after.text} c'`, after.pos);
    }
    return { kind: 'binary', op: t.text as CompareOp, left, right, pos: left.pos, end: right.end };
  }

  function parseAdditive(): Expr {
    let left = parseTerm();
    for (;;) {
      const t = peek();
      if (!(isOp(t, '+') || isOp(t, '-'))) return left;
      next();
      const right = parseTerm();
      left = { kind: 'binary', op: t.text as '+' | '-', left, right, pos: left.pos, end: right.end };
    }
  }

  function parseTerm(): Expr {
    let left = parseUnary();
    for (;;) {
      const t = peek();
      if (!(isOp(t, '*') || isOp(t, '/') || isOp(t, '%'))) return left;
      next();
      const right = parseUnary();
      left = { kind: 'binary', op: t.text as '*' | '/' | '%', left, right, pos: left.pos, end: right.end };
    }
  }

  function parseUnary(): Expr {
    const t = peek();
    if (isOp(t, '-') || isOp(t, '+')) {
      next();
      enter(t.pos);
      const arg = parseUnary();
      depth--;
      if (t.text === '+') return { ...arg, pos: t.pos };
      // Fold the sign into number literals so `-9223372036854775808` stays exact.
      if (arg.kind === 'number') {
        const lit: Expr = { kind: 'number', value: -arg.value, pos: t.pos, end: arg.end };
        if (arg.exact !== undefined) lit.exact = -arg.exact;
        return lit;
      }
      return { kind: 'unary', op: '-', arg, pos: t.pos, end: arg.end };
    }
    if (isOp(t, '!') || isKw(t, 'not')) {
      // `-!x` or `a * not b`: allowed syntactically, the type checker reports it.
      return parseNot();
    }
    return parsePrimary();
  }

  function parsePrimary(): Expr {
    const t = next();
    switch (t.kind) {
      case 'number': {
        const lit: Expr = { kind: 'number', value: t.value!, pos: t.pos, end: t.end };
        if (t.exact !== undefined) lit.exact = t.exact;
        return lit;
      }
      case 'string':
        return { kind: 'string', value: t.text, pos: t.pos, end: t.end };
      case 'qident':
        return parseIndex({ kind: 'column', name: t.text, quoted: true, pos: t.pos, end: t.end });
      case 'ident': {
        const lower = t.text.toLowerCase();
        if (lower === 'true' || lower === 'false') return { kind: 'bool', value: lower === 'true', pos: t.pos, end: t.end };
        if (KEYWORDS.has(lower)) fail(`unexpected '${t.text}'`, t.pos);
        if (isOp(peek(), '(')) {
          const fn = FUNCTIONS[lower];
          if (!fn || !Object.hasOwn(FUNCTIONS, lower)) {
            fail(`unknown function '${t.text}' (functions: ${Object.keys(FUNCTIONS).join(', ')})`, t.pos);
          }
          next();
          enter(t.pos);
          const args: Expr[] = [];
          if (!isOp(peek(), ')')) {
            for (;;) {
              args.push(parseOr());
              const s = peek();
              if (isOp(s, ',')) {
                next();
                continue;
              }
              if (isOp(s, ')')) break;
              fail(`expected ',' or ')' in the arguments of ${lower}(), found ${describe(s)}`, s.pos);
            }
          }
          const close = next();
          depth--;
          if (args.length < fn!.min || args.length > fn!.max) {
            const want = fn!.min === fn!.max ? `${fn!.min}` : fn!.max > 8 ? `at least ${fn!.min}` : `${fn!.min} to ${fn!.max}`;
            fail(`${lower}() takes ${want} argument${want === '1' ? '' : 's'}, not ${args.length}`, t.pos);
          }
          return { kind: 'call', name: lower, args, pos: t.pos, end: close.end };
        }
        return parseIndex({ kind: 'column', name: t.text, quoted: false, pos: t.pos, end: t.end });
      }
      case 'op':
        if (t.text === '(') {
          enter(t.pos);
          const inner = parseOr();
          const close = next();
          if (!isOp(close, ')')) fail(`expected ')' to close the '(' at character ${t.pos + 1}, found ${describe(close)}`, close.pos);
          depth--;
          return { ...inner, pos: t.pos, end: close.end };
        }
        return fail(`unexpected ${describe(t)}${t.text === ')' ? ' (unbalanced parentheses?)' : ''}`, t.pos);
      case 'eof':
        return fail('the expression ends too early', t.pos);
    }
  }

  function parseIndex(ref: Expr & { kind: 'column' }): Expr {
    if (!isOp(peek(), '[')) return ref;
    next();
    const index: number[] = [];
    for (;;) {
      const t = next();
      if (t.kind !== 'number' || t.exact === undefined) fail(`an array index must be a non-negative integer, found ${describe(t)}`, t.pos);
      if (t.exact! > BigInt(2 ** 31)) fail('array index too large', t.pos);
      index.push(Number(t.exact));
      const s = next();
      if (isOp(s, ']')) {
        ref.index = index;
        ref.end = s.end;
        return ref;
      }
      if (!isOp(s, ',')) fail(`expected ',' or ']' in an array index, found ${describe(s)}`, s.pos);
    }
  }

  if (peek().kind === 'eof') fail('the expression is empty', 0);
  const expr = parseOr();
  const rest = peek();
  if (rest.kind !== 'eof') {
    fail(
      `unexpected ${describe(rest)} after a complete expression${rest.kind === 'ident' || rest.kind === 'qident' ? ' (missing operator?)' : ''}`,
      rest.pos,
    );
  }
  // Long operator chains (`a+a+a+…`) parse iteratively but make deep trees: bound the
  // tree depth so that every recursive walk over the tree (checker, compilers) is safe.
  const stack: [Expr, number][] = [[expr, 1]];
  while (stack.length) {
    const [e, d] = stack.pop()!;
    if (d > MAX_TREE_DEPTH) fail(`the expression is too deeply nested (more than ${MAX_TREE_DEPTH} levels of operators)`, e.pos);
    if (e.kind === 'binary') stack.push([e.left, d + 1], [e.right, d + 1]);
    else if (e.kind === 'unary') stack.push([e.arg, d + 1]);
    else if (e.kind === 'call') for (const a of e.args) stack.push([a, d + 1]);
  }
  return expr;
}
