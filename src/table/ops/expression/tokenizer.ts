/**
 * Tokenizer for table expressions. Pure, linear time, never throws anything but
 * {@link ExpressionError}.
 */
import { FitsError } from '../../../core/errors.js';

/** A FitsError('BAD_ARGUMENT') about an expression, with the 0-based character position. */
export class ExpressionError extends FitsError {
  /** 0-based offset of the offending character in the expression text. */
  readonly position: number;
  /** The expression text. */
  readonly expression: string;

  constructor(message: string, expression: string, position: number) {
    const p = Math.max(0, Math.min(position, expression.length));
    // Show the neighbourhood of the error with a caret under it.
    const from = Math.max(0, p - 40);
    const to = Math.min(expression.length, p + 40);
    const excerpt = expression.slice(from, to).replace(/[\r\n\t]/g, ' ');
    const caret = ' '.repeat(p - from + (from > 0 ? 1 : 0)) + '^';
    super('BAD_ARGUMENT', `Bad expression at character ${p + 1}: ${message}\n  ${from > 0 ? '…' : ''}${excerpt}${to < expression.length ? '…' : ''}\n  ${caret}`);
    this.name = 'FitsError';
    this.position = p;
    this.expression = expression;
  }
}

export type TokenKind =
  | 'number'
  | 'string' // 'single quoted'
  | 'ident' // bare name, keyword or function
  | 'qident' // "double quoted" or `backticked` column name
  | 'op' // operators and punctuation
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Operator text, identifier, or the string/quoted-name contents (unescaped). */
  text: string;
  pos: number;
  end: number;
  /** Numbers: the value. */
  value?: number;
  /** Integer literals: the exact value. */
  exact?: bigint;
}

/** Longest expression accepted (characters). */
export const MAX_EXPRESSION_LENGTH = 100_000;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isIdentStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);

const TWO_CHAR_OPS = new Set(['<=', '>=', '==', '!=', '&&', '||']);
const ONE_CHAR_OPS = new Set(['+', '-', '*', '/', '%', '<', '>', '!', '(', ')', ',', '[', ']']);

export function tokenize(text: string): Token[] {
  if (typeof text !== 'string') throw new FitsError('BAD_ARGUMENT', 'An expression must be a string.');
  if (text.length > MAX_EXPRESSION_LENGTH) throw new ExpressionError(`the expression is longer than ${MAX_EXPRESSION_LENGTH} characters`, text.slice(0, 80), 80);
  const tokens: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    // Whitespace.
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      i++;
      continue;
    }
    const start = i;
    // Numbers: 12, 1.5, .5, 1e-3, 2.E5
    if (isDigit(c) || (c === 46 && i + 1 < n && isDigit(text.charCodeAt(i + 1)))) {
      let isInt = true;
      while (i < n && isDigit(text.charCodeAt(i))) i++;
      if (i < n && text.charCodeAt(i) === 46) {
        isInt = false;
        i++;
        while (i < n && isDigit(text.charCodeAt(i))) i++;
      }
      const e = text.charCodeAt(i);
      if (i < n && (e === 101 || e === 69)) {
        let j = i + 1;
        const s = text.charCodeAt(j);
        if (s === 43 || s === 45) j++;
        if (j < n && isDigit(text.charCodeAt(j))) {
          isInt = false;
          i = j;
          while (i < n && isDigit(text.charCodeAt(i))) i++;
        } else throw new ExpressionError('malformed exponent in a number', text, i);
      }
      if (i < n && (isIdentStart(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) {
        throw new ExpressionError(`malformed number '${text.slice(start, i + 1)}'`, text, i);
      }
      const lit = text.slice(start, i);
      const tok: Token = { kind: 'number', text: lit, pos: start, end: i, value: Number(lit) };
      if (isInt) tok.exact = BigInt(lit);
      tokens.push(tok);
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      tokens.push({ kind: 'ident', text: text.slice(start, i), pos: start, end: i });
      continue;
    }
    // Quoted: 'string', "name", `name`; the quote character doubled inside stands for itself.
    if (c === 39 || c === 34 || c === 96) {
      const q = text[i]!;
      let out = '';
      i++;
      for (;;) {
        const k = text.indexOf(q, i);
        if (k < 0) {
          throw new ExpressionError(
            c === 39 ? 'unterminated string (strings are in single quotes)' : `unterminated quoted column name (missing closing ${q})`,
            text,
            start,
          );
        }
        out += text.slice(i, k);
        if (text[k + 1] === q) {
          out += q;
          i = k + 2;
        } else {
          i = k + 1;
          break;
        }
      }
      if (c !== 39 && out.length === 0) throw new ExpressionError('empty quoted column name', text, start);
      tokens.push({ kind: c === 39 ? 'string' : 'qident', text: out, pos: start, end: i });
      continue;
    }
    const two = text.slice(i, i + 2);
    if (TWO_CHAR_OPS.has(two)) {
      tokens.push({ kind: 'op', text: two, pos: start, end: i + 2 });
      i += 2;
      continue;
    }
    const one = text[i]!;
    if (ONE_CHAR_OPS.has(one)) {
      tokens.push({ kind: 'op', text: one, pos: start, end: i + 1 });
      i++;
      continue;
    }
    if (one === '=') throw new ExpressionError("'=' is not an operator: compare with '=='", text, i);
    if (one === '&') throw new ExpressionError("'&' is not an operator: use '&&' or 'and'", text, i);
    if (one === '|') throw new ExpressionError("'|' is not an operator: use '||' or 'or'", text, i);
    const cp = text.codePointAt(i)!;
    throw new ExpressionError(
      `unexpected character '${String.fromCodePoint(cp)}'${cp > 127 ? ' (quote unusual column names in backticks)' : ''}`,
      text,
      i,
    );
  }
  tokens.push({ kind: 'eof', text: '', pos: n, end: n });
  return tokens;
}
