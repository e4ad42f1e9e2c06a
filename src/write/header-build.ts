/**
 * Assembling a header to write: the user's cards (in their order, with their
 * comments) merged with the structural cards an HDU needs (SIMPLE/XTENSION,
 * BITPIX, NAXIS…, PCOUNT, GCOUNT, TFIELDS, TFORMn, …). Structural cards the
 * user supplied are checked against the data being written and refused with
 * FitsError('BAD_HEADER') when they disagree; missing ones are generated.
 */
import { CARD, padToBlock } from '../core/block.js';
import { FitsError } from '../core/errors.js';
import type { CardValue } from '../header/card.js';
import type { Header } from '../header/header.js';
import { END_CARD, formatCard, normalizeKeyword, type CardInput } from '../header/format.js';

/** Header cards as a user may give them. */
export type HeaderInput =
  | Header
  | readonly (CardInput | readonly [string, CardValue?, string?])[]
  | { readonly [keyword: string]: CardValue | readonly [CardValue, string] };

/** A structural card: required value and how a user's card for it is treated. */
export interface StructuralCard {
  keyword: string;
  value: CardValue;
  comment?: string;
  isReal?: boolean;
  /**
   * `match`: a user card must hold this value (else BAD_HEADER);
   * `derived`: a user card is silently given this value (sizes, checksums).
   */
  mode?: 'match' | 'derived';
}

export interface AssembleOptions {
  /** Cards that start the header in this order (SIMPLE/XTENSION, BITPIX, NAXIS, NAXISn, …). */
  mandatory: StructuralCard[];
  /** Other cards that must be present with these values; generated after the mandatory block if absent. */
  required?: StructuralCard[];
  /** Cards kept where the user put them, else added at the end of the header (CHECKSUM, DATASUM). */
  trailing?: StructuralCard[];
  /** Keywords removed from the user's cards (e.g. SIMPLE when writing an extension). */
  drop?: (keyword: string) => boolean;
  /** Add LONGSTRN when generated cards use CONTINUE (default true). */
  longstrn?: boolean;
  /** HDU index, for messages. */
  hdu?: number;
}

/** One card of an assembled header: its logical content and physical images. */
export interface AssembledCard extends CardInput {
  keyword: string;
  images: string[];
}

function bad(message: string, hdu?: number): FitsError {
  return new FitsError('BAD_HEADER', message, hdu !== undefined ? { hdu } : {});
}

function isHeader(h: unknown): h is Header {
  return typeof h === 'object' && h !== null && Array.isArray((h as Header).cards) && typeof (h as Header).get === 'function';
}

/** Turn any accepted header form into a list of card inputs (no structural processing). */
export function toCardInputs(h: HeaderInput | undefined): CardInput[] {
  if (h === undefined || h === null) return [];
  if (isHeader(h)) {
    return h.cards.map((c) => {
      if (c.invalid) throw new FitsError('BAD_HEADER', `Card ${c.index + 1} (${c.keyword}) could not be parsed, so it cannot be written again.`, { card: c.index + 1 });
      return { keyword: c.keyword, value: c.value, comment: c.comment, isReal: c.isReal, hierarch: c.hierarch, commentary: c.commentary };
    });
  }
  if (Array.isArray(h)) {
    return h.map((c: CardInput | readonly [string, CardValue?, string?]) => {
      if (Array.isArray(c)) {
        const [keyword, value, comment] = c as readonly [string, CardValue?, string?];
        return { keyword, value: value ?? null, comment: comment ?? '' };
      }
      return c as CardInput;
    });
  }
  const out: CardInput[] = [];
  for (const [keyword, v] of Object.entries(h as Record<string, CardValue | readonly [CardValue, string]>)) {
    if (Array.isArray(v)) out.push({ keyword, value: v[0] as CardValue, comment: v[1] as string });
    else out.push({ keyword, value: v as CardValue });
  }
  return out;
}

/** Upper-case keyword of a card input as it will be written (HIERARCH keywords keep their case). */
export function keyOf(c: CardInput): string {
  if (c.commentary) return (c.keyword ?? '').toUpperCase();
  try {
    return normalizeKeyword(c.keyword, c.hierarch === true).keyword;
  } catch {
    return c.keyword;
  }
}

/** Compare a user's value with a required one (numbers by value, strings without trailing spaces). */
export function sameValue(a: CardValue | undefined, b: CardValue): boolean {
  if (a === undefined) return false;
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      try {
        return BigInt(a) === BigInt(b);
      } catch {
        return Number(a) === Number(b);
      }
    }
    return a === b;
  }
  if (typeof a === 'string' && typeof b === 'string') return a.trimEnd().toUpperCase() === b.trimEnd().toUpperCase() || a.trimEnd() === b.trimEnd();
  if (a && b && typeof a === 'object' && typeof b === 'object') return a.re === b.re && a.im === b.im;
  return a === b;
}

function describe(v: CardValue | undefined): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'bigint') return v.toString();
  if (v && typeof v === 'object') return `(${v.re}, ${v.im})`;
  return String(v);
}

/** The column number of a table keyword like TFORM12 (0 if none). */
function columnNumber(key: string): number {
  const m = /^T[A-Z]+?(\d+)$/.exec(key);
  return m ? Number(m[1]) : 0;
}

/**
 * Merge structural and user cards into the final card list.
 * @throws FitsError('BAD_HEADER') when a user card contradicts the data, or is invalid.
 */
export function assembleHeader(userInput: HeaderInput | CardInput[] | undefined, opts: AssembleOptions): AssembledCard[] {
  const user = toCardInputs(userInput as HeaderInput);
  const hdu = opts.hdu;
  const structural = new Map<string, StructuralCard>();
  for (const s of [...opts.mandatory, ...(opts.required ?? []), ...(opts.trailing ?? [])]) structural.set(s.keyword, s);
  const mandatoryKeys = new Set(opts.mandatory.map((s) => s.keyword));
  const found = new Map<string, CardInput>();
  const rest: CardInput[] = [];
  for (const c of user) {
    const key = keyOf(c);
    if (!c.commentary && opts.drop?.(key)) continue;
    const s = c.commentary ? undefined : structural.get(key);
    if (!s) {
      if (!c.commentary && (key === 'END')) throw bad('END cannot appear as a header card.', hdu);
      rest.push(c);
      continue;
    }
    if (found.has(key)) throw bad(`Keyword ${key} appears twice.`, hdu);
    let card = c;
    if (!sameValue(c.value, s.value)) {
      if (s.mode === 'derived') card = { keyword: s.keyword, value: s.value, comment: c.comment ?? s.comment ?? '', isReal: s.isReal };
      else throw bad(`${key} = ${describe(c.value)} in the header does not match the data (${describe(s.value)}).`, hdu);
    }
    found.set(key, card);
    if (!mandatoryKeys.has(key)) rest.push(card);
  }
  const out: CardInput[] = [];
  for (const s of opts.mandatory) out.push(found.get(s.keyword) ?? { keyword: s.keyword, value: s.value, comment: s.comment ?? '', isReal: s.isReal });
  // Required cards the user did not give: after the last card of the same table column, else after the mandatory block.
  const missing = (opts.required ?? []).filter((s) => !found.has(s.keyword));
  const body = [...rest];
  let insertAt = 0;
  for (const s of missing) {
    const card: CardInput = { keyword: s.keyword, value: s.value, comment: s.comment ?? '', isReal: s.isReal };
    const col = columnNumber(s.keyword);
    let pos = -1;
    if (col > 0) {
      for (let i = body.length - 1; i >= 0; i--) {
        const k = body[i]!.commentary ? '' : keyOf(body[i]!);
        if (k.startsWith('T') && columnNumber(k) === col) {
          pos = i + 1;
          break;
        }
      }
    }
    if (pos < 0) pos = insertAt;
    body.splice(pos, 0, card);
    if (pos <= insertAt) insertAt++;
  }
  out.push(...body);
  for (const s of opts.trailing ?? []) {
    if (!found.has(s.keyword)) out.push({ keyword: s.keyword, value: s.value, comment: s.comment ?? '', isReal: s.isReal });
  }
  const assembled: AssembledCard[] = out.map((c) => ({ ...c, keyword: keyOf(c), images: formatCard(c) }));
  if (opts.longstrn !== false) {
    const generatedContinue = assembled.some((c, i) => c.images.length > 1 && !out[i]!.images && !out[i]!.commentary);
    if (generatedContinue && !assembled.some((c) => c.keyword === 'LONGSTRN' && !c.commentary)) {
      const at = opts.mandatory.length;
      const ls: CardInput = { keyword: 'LONGSTRN', value: 'OGIP 1.0', comment: 'The HEASARC Long String Convention may be used.' };
      assembled.splice(at, 0, { ...ls, keyword: 'LONGSTRN', images: formatCard(ls) });
    }
  }
  return assembled;
}

/** Physical card images of an assembled header. */
export function cardImages(cards: readonly AssembledCard[]): string[] {
  const out: string[] = [];
  for (const c of cards) out.push(...c.images);
  return out;
}

/** Header bytes: the card images, END, space padding to a whole 2880-byte block. */
export function encodeHeader(images: readonly string[]): Uint8Array {
  const n = images.length + 1;
  const size = padToBlock(n * CARD);
  const out = new Uint8Array(size).fill(0x20);
  let at = 0;
  for (const im of [...images, END_CARD]) {
    for (let i = 0; i < 80; i++) out[at + i] = im.charCodeAt(i);
    at += 80;
  }
  return out;
}

/** Index of the first physical card of keyword `key` among the images of `cards` (-1 if absent). */
export function physicalIndex(cards: readonly AssembledCard[], key: string): number {
  let i = 0;
  for (const c of cards) {
    if (!c.commentary && c.keyword === key) return i;
    i += c.images.length;
  }
  return -1;
}
