/**
 * Header cards as stored (80-character images), for the checks that depend on
 * how a card is written rather than on its value: keyword characters, the
 * value indicator, fixed format of mandatory keywords, blank END and fill.
 */
import type { IssueList } from './issues.js';

/** One physical card. */
export interface RawCard {
  /** 1-based position in the header. */
  number: number;
  text: string;
  /** Keyword (columns 1–8, trailing blanks removed). */
  keyword: string;
  /** True when columns 9–10 hold the value indicator "= ". */
  hasValue: boolean;
}

const COMMENTARY = new Set(['COMMENT', 'HISTORY', 'HIERARCH', 'CONTINUE', '']);

/** Split a header's bytes into cards, up to and including END. */
export function rawCards(bytes: Uint8Array): { cards: RawCard[]; endIndex: number } {
  const cards: RawCard[] = [];
  for (let at = 0; at + 80 <= bytes.length; at += 80) {
    const text = String.fromCharCode(...bytes.subarray(at, at + 80));
    const keyword = text.slice(0, 8).replace(/ +$/, '');
    cards.push({ number: cards.length + 1, text, keyword, hasValue: text.slice(8, 10) === '= ' && !COMMENTARY.has(keyword) });
    if (keyword === 'END') return { cards, endIndex: cards.length - 1 };
  }
  return { cards, endIndex: -1 };
}

/** fitsverify's per-card checks: printable ASCII, keyword characters, left justification, blank END. */
export function checkCardSyntax(c: RawCard, issues: IssueList): void {
  const where = { card: c.number };
  for (let i = 0; i < 80; i++) {
    const ch = c.text.charCodeAt(i);
    if (ch < 0x20 || ch > 0x7e) {
      issues.error('NONASCII_HEADER', `Card ${c.number} holds a character (0x${ch.toString(16)}) outside printable ASCII at column ${i + 1}.`, where);
      return;
    }
  }
  const name = c.text.slice(0, 8);
  if (/^ +\S/.test(name)) issues.error('NAME_NOT_JUSTIFIED', `Card ${c.number}: keyword "${name.trim()}" is not left-justified.`, where);
  const bad = /[^A-Z0-9_-]/.exec(name.trim());
  if (bad) issues.error('ILLEGAL_NAME_CHAR', `Card ${c.number}: keyword "${name.trim()}" contains "${bad[0]}", which is not an upper-case letter, digit, "-" or "_".`, where);
  if (c.keyword === 'END' && c.text.slice(3).trim() !== '') issues.error('END_NOT_BLANK', 'The END card holds non-blank characters after END.', where);
}

/** A mandatory integer keyword must be written right-justified in columns 11–30. */
export function checkFixedInt(c: RawCard, issues: IssueList): void {
  if (!/^= +[-+]?\d+$/.test(c.text.slice(8, 30)) || !/^( *\/.*| *)$/.test(c.text.slice(30))) {
    issues.error('NOT_FIXED_FORMAT', `${c.keyword} mandatory keyword is not in integer fixed format (value right-justified in columns 11-30).`, { card: c.number });
  }
}

/** A mandatory logical keyword must hold T or F in column 30. */
export function checkFixedLogical(c: RawCard, issues: IssueList): void {
  if (!/^= {20}[TF]$/.test(c.text.slice(8, 30))) issues.error('NOT_FIXED_FORMAT', `${c.keyword} mandatory keyword is not in logical fixed format (T or F in column 30).`, { card: c.number });
}

/** A mandatory string keyword must start with its quote in column 11 and close at column 20 or later. */
export function checkFixedString(c: RawCard, issues: IssueList): void {
  if (c.text[10] !== "'") {
    issues.error('NOT_FIXED_FORMAT', `${c.keyword} mandatory string keyword does not start in column 11.`, { card: c.number });
    return;
  }
  const close = c.text.indexOf("'", 11);
  if (close < 0) issues.error('NOT_FIXED_FORMAT', `${c.keyword} mandatory string keyword misses its closing quote.`, { card: c.number });
  else if (close < 19) issues.error('NOT_FIXED_FORMAT', `${c.keyword} mandatory string keyword ends before column 20.`, { card: c.number });
}
