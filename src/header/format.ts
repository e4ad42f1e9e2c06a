/**
 * Header cards → 80-character card images, the writing side of
 * src/header/card.ts. Every value form of the FITS standard:
 *
 * - strings in quotes with `''` escapes, padded to 8 characters (fixed format);
 *   longer than one card → the CONTINUE long-string convention;
 * - logical `T`/`F`, integers (bigint too) and reals right-justified in
 *   columns 11–30; reals in the shortest form that reads back to the same
 *   double, always with a decimal point (`1.0`, `1.0E+21`, `-0.0`);
 * - complex `(re, im)`; undefined values (null) as an empty value field;
 * - HIERARCH keywords (longer than 8 characters or with other characters);
 * - COMMENT / HISTORY / blank-keyword cards, long texts split over cards.
 *
 * Anything that cannot be written faithfully (NaN, non-ASCII text, a keyword
 * that is not valid) is refused with FitsError('BAD_HEADER'); nothing is
 * silently changed except a comment too long for its card, which is cut.
 * Pure functions, no I/O.
 */
import { FitsError } from '../core/errors.js';
import type { CardValue } from './card.js';

/** One logical card to write. */
export interface CardInput {
  /** Keyword. Up to 8 of A–Z 0–9 _ - (lower case is raised); anything else is written with HIERARCH. */
  keyword: string;
  /** Value (null: undefined value). Ignored for commentary cards. */
  value?: CardValue;
  /** Comment, or the text of a COMMENT/HISTORY/blank card. */
  comment?: string;
  /** Write a whole-number `value` as a real (`1.0`) rather than an integer. */
  isReal?: boolean;
  /** Force the HIERARCH convention. */
  hierarch?: boolean;
  /** A card without value indicator (COMMENT, HISTORY, blank keyword, or any other keyword). */
  commentary?: boolean;
  /**
   * The card's physical 80-character images as read from a file. When given,
   * they are written unchanged (so a copied header keeps its exact layout).
   */
  images?: readonly string[];
}

const CARD = 80;
const STD_KEY_RE = /^[A-Z0-9_-]{1,8}$/;
const LOOSE_STD_KEY_RE = /^[A-Za-z0-9_-]{1,8}$/;
const PRINTABLE_RE = /^[\x20-\x7e]*$/;
const COMMENTARY_KEYS = new Set(['COMMENT', 'HISTORY', '']);

function bad(message: string, card?: number): FitsError {
  return new FitsError('BAD_HEADER', message, card !== undefined ? { card } : {});
}

/** Keyword as written, and whether it needs HIERARCH. */
export function normalizeKeyword(keyword: string, hierarch = false): { keyword: string; hierarch: boolean } {
  if (typeof keyword !== 'string') throw bad(`A keyword must be a string, got ${typeof keyword}.`);
  if (!hierarch && (keyword === '' || LOOSE_STD_KEY_RE.test(keyword))) return { keyword: keyword.toUpperCase(), hierarch: false };
  let k = keyword;
  if (/^HIERARCH /i.test(k)) k = k.slice(9);
  k = k.trim();
  if (k === '') throw bad('A HIERARCH keyword cannot be empty.');
  if (!PRINTABLE_RE.test(k)) throw bad(`Keyword ${JSON.stringify(keyword)} holds characters outside printable ASCII.`);
  if (k.includes('=')) throw bad(`Keyword ${JSON.stringify(keyword)} contains "=".`);
  return { keyword: k, hierarch: true };
}

/** A real number in the shortest form that reads back exactly, always with a decimal point. */
export function formatReal(x: number): string {
  if (!Number.isFinite(x)) throw bad(`${x} cannot be written in a FITS header (no NaN or infinity).`);
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  let s = String(x).toUpperCase(); // shortest round-trip digits (ECMAScript Number::toString)
  let mant = s;
  let exp = '';
  const e = s.indexOf('E');
  if (e >= 0) {
    mant = s.slice(0, e);
    exp = s.slice(e);
  }
  if (!mant.includes('.')) mant += '.0';
  s = mant + exp;
  return s;
}

/** An integer value (number or bigint). */
function formatInteger(v: number | bigint): string {
  return typeof v === 'bigint' ? v.toString() : String(v);
}

function escapeString(s: string): string {
  return s.replace(/'/g, "''");
}

function checkText(s: string, what: string): void {
  if (!PRINTABLE_RE.test(s)) throw bad(`${what} holds characters outside printable ASCII (0x20–0x7E): ${JSON.stringify(s.slice(0, 40))}.`);
}

/** The value field of a non-string value (unpadded). */
export function formatScalar(value: Exclude<CardValue, string>, isReal = false): string {
  if (value === null) return '';
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  if (typeof value === 'bigint') return formatInteger(value);
  if (typeof value === 'number') {
    if (!isReal && Number.isSafeInteger(value) && !Object.is(value, -0)) return formatInteger(value);
    return formatReal(value);
  }
  if (typeof value === 'object' && value !== null && typeof value.re === 'number' && typeof value.im === 'number') {
    return `(${formatReal(value.re)}, ${formatReal(value.im)})`;
  }
  throw bad(`Unsupported header value ${String(value)}.`);
}

function pad80(s: string): string {
  return s.length >= CARD ? s : s + ' '.repeat(CARD - s.length);
}

/** The prefix of a value card: `KEYWORD = ` or `HIERARCH KEY = `. */
function prefixOf(keyword: string, hierarch: boolean): string {
  return hierarch ? `HIERARCH ${keyword} = ` : `${keyword.padEnd(8)}= `;
}

/** Append ` / comment` if it fits (cutting the comment to the card's end). */
function withComment(body: string, comment: string): string {
  if (!comment) return body;
  const room = CARD - body.length - 3;
  if (room <= 0) return body;
  return `${body} / ${comment.slice(0, room)}`;
}

/** Split a comment into pieces of at most `size` characters, preferring single spaces as split points. */
function splitComment(comment: string, size: number): string[] {
  const out: string[] = [];
  let rest = comment;
  while (rest.length > size) {
    let cut = -1;
    for (let i = size; i > 0; i--) {
      if (rest[i] === ' ' && rest[i - 1] !== ' ' && rest[i + 1] !== ' ' && i + 1 < rest.length) {
        cut = i;
        break;
      }
    }
    if (cut <= 0) {
      out.push(rest.slice(0, size));
      rest = rest.slice(size);
    } else {
      out.push(rest.slice(0, cut));
      rest = rest.slice(cut + 1);
    }
  }
  out.push(rest);
  return out;
}

/**
 * Format one logical card into its physical card images (one, or several for
 * long strings and long commentary texts).
 * @throws FitsError('BAD_HEADER') for a card that cannot be written faithfully.
 */
export function formatCard(input: CardInput): string[] {
  if (input.images && input.images.length) {
    for (const im of input.images) {
      if (im.length !== CARD) throw bad(`A card image must have 80 characters, got ${im.length}.`);
      for (let i = 0; i < CARD; i++) {
        if (im.charCodeAt(i) > 0xff) throw bad('A card image holds a character beyond Latin-1.');
      }
    }
    return [...input.images];
  }
  const rawKey = input.keyword ?? '';
  const isCommentary = input.commentary === true || (COMMENTARY_KEYS.has(rawKey.toUpperCase()) && !input.hierarch);
  if (isCommentary) return formatCommentary(rawKey, input.comment ?? '');
  const { keyword, hierarch } = normalizeKeyword(rawKey, input.hierarch === true);
  if (!hierarch && !STD_KEY_RE.test(keyword)) throw bad(`Keyword ${JSON.stringify(rawKey)} is not valid.`);
  if (keyword === 'END') throw bad('END cannot be written as a keyword.');
  if (keyword === 'CONTINUE' && !hierarch) throw bad('CONTINUE is reserved for long strings; it cannot hold a value.');
  const comment = input.comment ?? '';
  checkText(comment, `The comment of ${keyword}`);
  const value = input.value === undefined ? null : input.value;
  const prefix = prefixOf(keyword, hierarch);
  if (typeof value === 'string') return formatStringCard(prefix, keyword, hierarch, value, comment);
  const field = formatScalar(value, input.isReal === true);
  // Fixed format: right-justified in columns 11–30 (HIERARCH: free format, as astropy).
  const body = hierarch ? prefix + field : prefix + field.padStart(20);
  if (body.length > CARD) throw bad(`The value of ${keyword} does not fit on one card.`);
  if (value === null) {
    // An undefined value: keep the comment separated by " / ".
    return [pad80(withComment(hierarch ? prefix.trimEnd() : prefix + ' '.repeat(20), comment))];
  }
  return [pad80(withComment(body, comment))];
}

/** COMMENT / HISTORY / blank / other keyword without value indicator. */
function formatCommentary(rawKey: string, text: string): string[] {
  const key = rawKey.toUpperCase();
  if (!LOOSE_STD_KEY_RE.test(key) && key !== '') throw bad(`Commentary keyword ${JSON.stringify(rawKey)} is not valid.`);
  if (key === 'END') throw bad('END cannot be written as a keyword.');
  if (key === 'CONTINUE') throw bad('CONTINUE is reserved for long strings.');
  checkText(text, `The ${key || 'blank'} card text`);
  const head = key.padEnd(8);
  const size = CARD - 8;
  if (text.length <= size) {
    // bytes 9–10 must not read as "= " (it would become a value card), except for COMMENT/HISTORY/blank.
    if (!COMMENTARY_KEYS.has(key) && text.startsWith('= ')) throw bad(`The text of ${key} would read as a value.`);
    return [pad80(head + text)];
  }
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(pad80(head + text.slice(i, i + size)));
  return out;
}

/** A string value: one card if it fits, else CONTINUE cards. */
function formatStringCard(prefix: string, keyword: string, hierarch: boolean, value: string, comment: string): string[] {
  checkText(value, `The value of ${keyword}`);
  const esc = escapeString(value);
  // astropy's layout: at least 8 characters inside the quotes, field of 20.
  const quoted = value === '' ? "''" : `'${esc.padEnd(8)}'`;
  const one = prefix + (hierarch ? quoted : quoted.padEnd(20));
  if (one.length <= CARD) {
    if (!comment) return [pad80(one)];
    if (one.length + 3 + comment.length <= CARD) return [pad80(`${one} / ${comment}`)];
    const tight = prefix + quoted;
    if (tight.length + 3 + comment.length <= CARD) return [pad80(`${tight} / ${comment}`)];
  }
  return formatLongString(prefix, value, comment);
}

/**
 * The CONTINUE convention: the value in segments each ending in '&' (never
 * splitting a quote pair), the comment on the last card(s).
 */
function formatLongString(prefix: string, value: string, comment: string): string[] {
  const heads: string[] = [];
  const chunks: string[] = [];
  let rest = value;
  while (rest.length > 0) {
    const head = heads.length === 0 ? prefix : 'CONTINUE  ';
    // Room for the escaped text: 80 − head − 2 quotes − '&'.
    const room = CARD - head.length - 3;
    if (room < 1) throw bad('A HIERARCH keyword is too long to hold a long string.');
    let n = 0;
    let used = 0;
    while (n < rest.length) {
      const w = rest[n] === "'" ? 2 : 1;
      if (used + w > room) break;
      used += w;
      n++;
    }
    heads.push(head);
    chunks.push(rest.slice(0, n));
    rest = rest.slice(n);
  }
  if (chunks.length === 0) {
    heads.push(prefix);
    chunks.push('');
  }
  const cards = chunks.map((c, i) => pad80(`${heads[i]}'${escapeString(c)}&'`));
  const size = CARD - 'CONTINUE  '.length - "''".length - 3;
  const pieces = comment ? splitComment(comment, size) : [''];
  if (pieces.length === 1) {
    // Try to end the value on its last segment, with the comment there.
    const k = cards.length - 1;
    const base = `${heads[k]}'${escapeString(chunks[k]!)}'`;
    const merged = pieces[0] ? `${base} / ${pieces[0]}` : base;
    if (merged.length <= CARD) {
      cards[k] = pad80(merged);
      return cards;
    }
  }
  for (let i = 0; i < pieces.length; i++) {
    const text = i === pieces.length - 1 ? "''" : "'&'";
    cards.push(pad80(pieces[i] ? `CONTINUE  ${text} / ${pieces[i]}` : `CONTINUE  ${text}`));
  }
  return cards;
}

/** The END card. */
export const END_CARD = pad80('END');
