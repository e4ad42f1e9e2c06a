/**
 * One 80-byte header card → keyword, value, comment, following the card rules
 * of the FITS standard (as DIGEST.md states them precisely).
 *
 * Parsing is pure: it never throws on odd cards. A card whose value field
 * cannot be read gets `value: null`, `invalid: true` and the whole field as its
 * comment, exactly as astropy shows an unparsable card.
 */

/** A header value: string, logical, integer (bigint past 2^53), real, complex, or undefined (null). */
export type CardValue = string | boolean | number | bigint | Complex | null;

/** A complex header value `(re, im)`. */
export interface Complex {
  re: number;
  im: number;
}

/** What one physical card is. */
export type CardKind =
  | 'value' // KEYWORD = value / comment
  | 'commentary' // COMMENT, HISTORY, blank keyword, or any card without "= " in bytes 9–10
  | 'hierarch'; // HIERARCH long keyword = value

/** A parsed physical card. */
export interface RawCard {
  /** Keyword, upper case (HIERARCH keywords keep their case). */
  keyword: string;
  kind: CardKind;
  value: CardValue;
  /** Comment text ('' when none). For commentary cards: bytes 9–80 without trailing spaces. */
  comment: string;
  /** True when the value field could not be parsed (value is then null). */
  invalid: boolean;
  /**
   * For an unparsable value card: the value CFITSIO reads from it (its first
   * token: a number, T/F, or a string whose closing quote is followed by text
   * without "/"), or undefined when CFITSIO cannot read one either.
   */
  lenient?: Exclude<CardValue, null>;
  /** Whether the value was written as a real (so 1.0 stays distinguishable from 1). */
  isReal: boolean;
  /** The 80 characters of the card (Latin-1). */
  image: string;
}

const INT_RE = /^[+-]?[0-9]+$/;
const NUM_RE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[EeDd][+-]?[0-9]+)?$/;
const PRINTABLE_RE = /^[\x20-\x7e]*$/;
const COMMENTARY = new Set(['COMMENT', 'HISTORY', '']);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

class ParseFailure extends Error {}

/** Parse a number token: integer (bigint beyond ±(2^53−1)) or real. */
export function parseNumberToken(s: string): { value: number | bigint; isReal: boolean } {
  const t = s.replace(/ /g, '');
  if (INT_RE.test(t)) {
    const n = Number(t);
    if (Number.isSafeInteger(n)) return { value: n, isReal: false };
    const b = BigInt(t);
    return { value: b <= MAX_SAFE && b >= -MAX_SAFE ? Number(b) : b, isReal: false };
  }
  if (NUM_RE.test(t)) return { value: Number(t.replace(/[Dd]/, 'E')), isReal: true };
  throw new ParseFailure(s);
}

/** Parse a quoted string starting at field[0] === "'". Returns raw text (with '' unescaped) and the rest. */
export function parseQuoted(field: string): { text: string; rest: string } {
  let out = '';
  let i = 1;
  const n = field.length;
  for (;;) {
    const j = field.indexOf("'", i);
    if (j < 0) throw new ParseFailure('unterminated string');
    out += field.slice(i, j);
    if (j + 1 < n && field[j + 1] === "'") {
      out += "'";
      i = j + 2;
      continue;
    }
    return { text: out, rest: field.slice(j + 1) };
  }
}

/** Text after a value: spaces, then optionally "/ comment". */
export function commentOf(rest: string): string {
  const r = rest.replace(/^ +/, '');
  if (r === '') return '';
  if (r[0] !== '/') throw new ParseFailure('text after the value without "/"');
  return r.slice(1).replace(/^ +| +$/g, '');
}

function rstripSpaces(s: string): string {
  let e = s.length;
  while (e > 0 && s.charCodeAt(e - 1) === 32) e--;
  return s.slice(0, e);
}

function stripSpaces(s: string): string {
  return s.replace(/^ +| +$/g, '');
}

/** Parse a value field (the text after "="): value and comment, or throw ParseFailure. */
function parseValueField(field: string): { value: CardValue; comment: string; isReal: boolean } {
  const f = field.replace(/^ +/, '');
  if (f === '' || f[0] === '/') return { value: null, comment: commentOf(f), isReal: false };
  if (f[0] === "'") {
    const { text, rest } = parseQuoted(f);
    if (!PRINTABLE_RE.test(text)) throw new ParseFailure('non-printable character in string');
    return { value: rstripSpaces(text), comment: commentOf(rest), isReal: false };
  }
  if (f[0] === '(') {
    const j = f.indexOf(')');
    if (j < 0) throw new ParseFailure('bad complex');
    const parts = f.slice(1, j).split(',');
    if (parts.length !== 2) throw new ParseFailure('bad complex');
    const re = Number(parseNumberToken(stripSpaces(parts[0]!)).value);
    const im = Number(parseNumberToken(stripSpaces(parts[1]!)).value);
    return { value: { re, im }, comment: commentOf(f.slice(j + 1)), isReal: true };
  }
  const m = /^[^ /]+/.exec(f)!;
  const tok = m[0];
  const rest = f.slice(tok.length);
  if (tok === 'T' || tok === 'F') return { value: tok === 'T', comment: commentOf(rest), isReal: false };
  const num = parseNumberToken(tok);
  return { value: num.value, comment: commentOf(rest), isReal: num.isReal };
}

/** Split a card into keyword, kind and the value field text. */
export function cardParts(card: string): { keyword: string; kind: CardKind; field: string } {
  if (card.startsWith('HIERARCH ')) {
    const k = card.indexOf('=', 9);
    if (k >= 0) return { keyword: stripSpaces(card.slice(9, k)), kind: 'hierarch', field: card.slice(k + 1) };
  }
  const keyword = card.slice(0, 8).replace(/ /g, '').toUpperCase();
  if (COMMENTARY.has(keyword) || card.slice(8, 10) !== '= ') return { keyword, kind: 'commentary', field: card.slice(8) };
  return { keyword, kind: 'value', field: card.slice(10) };
}

/** Parse one 80-character card (Latin-1 decoded). Never throws. */
export function parseCard(card: string): RawCard {
  const { keyword, kind, field } = cardParts(card);
  if (kind === 'commentary') {
    return { keyword, kind, value: null, comment: rstripSpaces(field), invalid: false, isReal: false, image: card };
  }
  try {
    const { value, comment, isReal } = parseValueField(field);
    return { keyword, kind, value, comment, invalid: false, isReal, image: card };
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
    const lenient = lenientValue(field);
    return { keyword, kind, value: null, comment: stripSpaces(field), invalid: true, isReal: lenient?.isReal ?? false, image: card, lenient: lenient?.value };
  }
}

/**
 * The value CFITSIO reads from a value field astropy refuses: the token up to
 * the first space or "/" when it is a number or T/F (what follows is taken as
 * the comment), or a quoted string followed by stray text. Anything else
 * (`32768$`, an unterminated string, a bad complex) CFITSIO does not read
 * either: undefined.
 */
function lenientValue(field: string): { value: Exclude<CardValue, null>; isReal: boolean } | undefined {
  const f = field.replace(/^ +/, '');
  try {
    if (f[0] === "'") {
      const { text } = parseQuoted(f);
      return PRINTABLE_RE.test(text) ? { value: rstripSpaces(text), isReal: false } : undefined;
    }
    const tok = /^[^ /]*/.exec(f)![0];
    if (tok === 'T' || tok === 'F') return { value: tok === 'T', isReal: false };
    if (tok === '' || tok[0] === '(') return undefined;
    return parseNumberToken(tok);
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
    return undefined;
  }
}

/**
 * For a CONTINUE card: parse its string segment (bytes 9–80).
 * Returns null when the card holds no valid string.
 */
export function parseContinueSegment(card: string): { text: string; comment: string } | null {
  const f = card.slice(8).replace(/^ +/, '');
  try {
    if (!f.startsWith("'")) throw new ParseFailure('CONTINUE without string');
    const { text, rest } = parseQuoted(f);
    if (!PRINTABLE_RE.test(text)) throw new ParseFailure('non-printable');
    return { text: rstripSpaces(text), comment: commentOf(rest) };
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
    return null;
  }
}

/** Raw (unstripped) first string segment of a value card, used by the CONTINUE convention. */
export function firstStringSegment(field: string): string {
  return rstripSpaces(parseQuoted(field.replace(/^ +/, '')).text);
}

/** The END card exactly: `END` and 77 spaces. */
export const END_CARD = 'END'.padEnd(80);

/**
 * True if the 80-character card is the END card (DIGEST.md §2), as astropy
 * finds it: `END` then, after any spaces, nothing or a byte that cannot
 * continue a keyword. Anything but {@link END_CARD} is then an invalid END
 * card, which astropy reads with a warning.
 */
export function isEndCard(card: string): boolean {
  if (!card.startsWith('END')) return false;
  const rest = card.slice(3).replace(/^ +/, '');
  return rest === '' || !/^[A-Z0-9_-]/.test(rest);
}
