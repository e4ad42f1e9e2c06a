/** Header comparison, as astropy's HeaderDiff: keyword sets, duplicates, values and comments. */
import type { Card, Header } from '../header/header.js';
import { matchesAny, type ResolvedDiffOptions } from './options.js';
import { valuesDiffer, type TypedValue } from './values.js';

/** A difference of one occurrence of a keyword (occurrence is 1-based). */
export interface KeywordDifference {
  keyword: string;
  occurrence: number;
  a: unknown;
  b: unknown;
}

/** What differs between two headers. */
export interface HeaderDiff {
  identical: boolean;
  /** Numbers of (non-blank) cards, when they differ (counted before ignoring keywords, as astropy does). */
  cardCount?: [number, number];
  /** Keywords only in a, only in b, with their first values. */
  extraKeywords?: [Array<{ keyword: string; value: unknown }>, Array<{ keyword: string; value: unknown }>];
  /** Keywords occurring a different number of times. */
  duplicates: Array<{ keyword: string; a: number; b: number }>;
  values: KeywordDifference[];
  comments: KeywordDifference[];
}

const isBlankCard = (c: Card) => c.commentary && c.keyword === '' && c.comment.trim() === '';

function collect(header: Header, o: ResolvedDiffOptions): { count: number; values: Map<string, TypedValue[]>; comments: Map<string, string[]> } {
  const values = new Map<string, TypedValue[]>();
  const comments = new Map<string, string[]>();
  let count = 0;
  for (const c of header.cards) {
    if (o.ignoreBlankCards && isBlankCard(c)) continue;
    count++;
    const key = c.keyword.toUpperCase();
    let value: TypedValue = c.commentary ? { value: c.comment.replace(/\s+$/, ''), isReal: false } : { value: c.value, isReal: c.isReal };
    if (o.ignoreBlanks && typeof value.value === 'string') value = { value: value.value.replace(/\s+$/, ''), isReal: false };
    (values.get(key) ?? values.set(key, []).get(key)!).push(value);
    (comments.get(key) ?? comments.set(key, []).get(key)!).push(c.commentary ? '' : c.comment);
  }
  return { count, values, comments };
}

/** Compare two headers. */
export function diffHeaders(a: Header, b: Header, o: ResolvedDiffOptions): HeaderDiff {
  const A = collect(a, o);
  const B = collect(b, o);
  const out: HeaderDiff = { identical: true, duplicates: [], values: [], comments: [] };
  if (A.count !== B.count) out.cardCount = [A.count, B.count];
  const ignoreAll = o.ignoreKeywords.includes('*');
  if (!ignoreAll) {
    const ignored = (k: string) => matchesAny(k, o.ignoreKeywords);
    const onlyA = [...A.values.keys()].filter((k) => !B.values.has(k) && !ignored(k)).sort();
    const onlyB = [...B.values.keys()].filter((k) => !A.values.has(k) && !ignored(k)).sort();
    if (onlyA.length || onlyB.length) {
      out.extraKeywords = [onlyA.map((k) => ({ keyword: k, value: A.values.get(k)![0]!.value })), onlyB.map((k) => ({ keyword: k, value: B.values.get(k)![0]!.value }))];
    }
    const common = [...A.values.keys()].filter((k) => B.values.has(k)).sort();
    for (const k of common) {
      if (ignored(k)) continue;
      const va = A.values.get(k)!;
      const vb = B.values.get(k)!;
      if (va.length !== vb.length) out.duplicates.push({ keyword: k, a: va.length, b: vb.length });
      for (let i = 0; i < Math.min(va.length, vb.length); i++) {
        if (valuesDiffer(va[i]!, vb[i]!, o.rtol, o.atol)) out.values.push({ keyword: k, occurrence: i + 1, a: va[i]!.value, b: vb[i]!.value });
      }
      if (o.ignoreComments.includes('*') || matchesAny(k, o.ignoreComments)) continue;
      const ca = A.comments.get(k)!;
      const cb = B.comments.get(k)!;
      for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
        if (ca[i] !== cb[i]) out.comments.push({ keyword: k, occurrence: i + 1, a: ca[i], b: cb[i] });
      }
    }
  }
  out.identical = !out.cardCount && !out.extraKeywords && !out.duplicates.length && !out.values.length && !out.comments.length;
  return out;
}
