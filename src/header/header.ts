/**
 * The Header model: ordered logical cards (CONTINUE groups joined), with typed
 * getters. Built from physical 80-byte cards by {@link Header.fromCards}.
 */
import { FitsError } from '../core/errors.js';
import { type CardValue, type Complex, type RawCard, parseCard, parseContinueSegment, firstStringSegment } from './card.js';

/** One logical card: a physical card, or a long string joined from CONTINUE cards. */
export interface Card {
  /** Keyword (upper case; HIERARCH keywords keep their case, without the HIERARCH prefix). */
  readonly keyword: string;
  /** Value: null for commentary cards, undefined values and unparsable cards. */
  readonly value: CardValue;
  /**
   * For an unparsable card (`invalid`): the value CFITSIO reads from it, when
   * it reads one (text after the value without "/": `BZERO = 32768 $` → 32768).
   */
  readonly lenient?: Exclude<CardValue, null>;
  /** Comment ('' when none). For commentary cards (COMMENT, HISTORY, blank), the text. */
  readonly comment: string;
  /** True for COMMENT, HISTORY, blank-keyword and other cards without a value indicator. */
  readonly commentary: boolean;
  /** True when written with HIERARCH. */
  readonly hierarch: boolean;
  /** True when the value field could not be parsed (astropy refuses the card; see `lenient`). */
  readonly invalid: boolean;
  /** True when the value was written as a real number (e.g. `1.0`), false for integers. */
  readonly isReal: boolean;
  /** 0-based index of the first physical card. */
  readonly index: number;
  /** Number of physical cards (more than 1 for CONTINUE groups). */
  readonly span: number;
}

/** A header warning: something astropy would read with a warning. */
export interface HeaderWarning {
  code: string;
  message: string;
  card?: number;
}

/** The cards of one header, in order, with keyword look-ups (`get`, `comment`, `has`, `all`) and the warnings raised while reading it. */
export class Header implements Iterable<Card> {
  /** Logical cards in file order. */
  readonly cards: readonly Card[];
  /** Number of physical cards before END. */
  readonly physicalCount: number;
  /** Warnings met while parsing. */
  readonly warnings: HeaderWarning[];
  private readonly first = new Map<string, Card>();

  constructor(cards: Card[], physicalCount: number, warnings: HeaderWarning[] = []) {
    this.cards = cards;
    this.physicalCount = physicalCount;
    this.warnings = warnings;
    for (const c of cards) if (!c.commentary && !this.first.has(c.keyword)) this.first.set(c.keyword, c);
  }

  /** Build a header from physical 80-character card strings (without END). */
  static fromCards(images: readonly string[], warnings: HeaderWarning[] = []): Header {
    const out: Card[] = [];
    const n = images.length;
    let i = 0;
    while (i < n) {
      const start = i;
      const raw: RawCard = parseCard(images[i]!);
      i++;
      const hierarch = raw.kind === 'hierarch';
      if (raw.kind === 'commentary' || raw.invalid) {
        out.push(makeCard(raw, start, 1, hierarch));
        if (raw.invalid) warnings.push(invalidCardWarning(raw, start));
        continue;
      }
      let value = raw.value;
      let comment = raw.comment;
      if (typeof value === 'string' && i < n && images[i]!.startsWith('CONTINUE')) {
        // Long-string convention: segments ending in '&' continue on CONTINUE cards.
        const field = hierarch ? raw.image.slice(raw.image.indexOf('=', 9) + 1) : raw.image.slice(10);
        let seg = firstStringSegment(field);
        const comments = comment ? [comment] : [];
        const segs: string[] = [];
        while (seg.endsWith('&') && i < n && images[i]!.startsWith('CONTINUE')) {
          segs.push(seg.slice(0, -1));
          const next = parseContinueSegment(images[i]!);
          i++;
          seg = next ? next.text : '';
          if (next && next.comment) comments.push(next.comment);
        }
        segs.push(seg);
        value = segs.join('').replace(/ +$/, '');
        comment = comments.join(' ');
      }
      out.push({ keyword: raw.keyword, value, comment, commentary: false, hierarch, invalid: false, isReal: raw.isReal, index: start, span: i - start });
    }
    return new Header(out, n, warnings);
  }

  /** Add a warning unless the same one is already there (readers may meet a value more than once). */
  warn(w: HeaderWarning): void {
    if (!this.warnings.some((o) => o.code === w.code && o.message === w.message)) this.warnings.push(w);
  }

  /** The cards in file order. */
  [Symbol.iterator](): Iterator<Card> {
    return this.cards[Symbol.iterator]();
  }

  /** True if a (non-commentary) keyword is present. */
  has(keyword: string): boolean {
    return this.first.has(keyword.toUpperCase()) || this.first.has(keyword);
  }

  /** The first card with this keyword, or undefined. */
  card(keyword: string): Card | undefined {
    return this.first.get(keyword) ?? this.first.get(keyword.toUpperCase());
  }

  /**
   * Value of the first card with this keyword (undefined if absent, null if it
   * has no value). For a card astropy cannot parse but CFITSIO reads (text
   * after the value without "/"), the value CFITSIO reads, as every reader of
   * fitsflow uses it; `warnings` says so. `card(keyword).value` stays null.
   */
  get(keyword: string): CardValue | undefined {
    const c = this.card(keyword);
    return c === undefined ? undefined : (c.value ?? c.lenient ?? null);
  }

  /** Comment of the first card with this keyword. */
  comment(keyword: string): string | undefined {
    return this.card(keyword)?.comment;
  }

  /** All cards with this keyword, in order (works for COMMENT and HISTORY). */
  getAll(keyword: string): Card[] {
    const k = keyword.toUpperCase();
    return this.cards.filter((c) => c.keyword === k || c.keyword === keyword);
  }

  /** The texts of all COMMENT (or HISTORY, …) cards. */
  commentary(keyword: 'COMMENT' | 'HISTORY' | '' = 'COMMENT'): string[] {
    return this.cards.filter((c) => c.commentary && c.keyword === keyword).map((c) => c.comment);
  }

  /** A numeric value (integers beyond 2^53 are converted), or `fallback` if absent or not numeric. */
  getNumber(keyword: string): number | undefined;
  getNumber(keyword: string, fallback: number): number;
  getNumber(keyword: string, fallback?: number): number | undefined {
    const v = this.get(keyword);
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    return fallback;
  }

  /** An integer value as number (bigint values beyond 2^53 are refused), or `fallback`. */
  getInt(keyword: string): number | undefined;
  getInt(keyword: string, fallback: number): number;
  getInt(keyword: string, fallback?: number): number | undefined {
    const v = this.get(keyword);
    if (typeof v === 'number' && Number.isInteger(v)) return v;
    return fallback;
  }

  /** An integer value exactly (as bigint when beyond 2^53), or undefined. */
  getBigInt(keyword: string): bigint | undefined {
    const v = this.get(keyword);
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    return undefined;
  }

  /** A string value, or `fallback`. */
  getString(keyword: string): string | undefined;
  getString(keyword: string, fallback: string): string;
  getString(keyword: string, fallback?: string): string | undefined {
    const v = this.get(keyword);
    return typeof v === 'string' ? v : fallback;
  }

  /** A logical value, or `fallback`. */
  getBool(keyword: string): boolean | undefined;
  getBool(keyword: string, fallback: boolean): boolean;
  getBool(keyword: string, fallback?: boolean): boolean | undefined {
    const v = this.get(keyword);
    return typeof v === 'boolean' ? v : fallback;
  }

  /** A complex value, or undefined. */
  getComplex(keyword: string): Complex | undefined {
    const v = this.get(keyword);
    return v !== null && typeof v === 'object' ? v : undefined;
  }

  /**
   * A structural integer keyword, read strictly (no CFITSIO leniency: a wrong
   * size would misread the data): undefined when absent; BAD_CARD when its card
   * cannot be parsed, BAD_SIZE beyond 2^53, BAD_HEADER when not an integer.
   */
  structuralInt(keyword: string, hdu?: number): number | undefined {
    const v = this.strict(keyword, hdu, 'an integer');
    if (v === undefined) return undefined;
    const at = { hdu, card: this.card(keyword)!.index + 1 };
    if (typeof v === 'bigint') throw new FitsError('BAD_SIZE', `${keyword} = ${v} is absurdly large.`, at);
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new FitsError('BAD_HEADER', `Keyword ${keyword} must be an integer (it is ${JSON.stringify(v)}).`, at);
    return v;
  }

  /**
   * The value of a keyword the data cannot be read without (sizes, tiles,
   * heap offset), read strictly: undefined when absent; BAD_CARD when its card
   * cannot be parsed (no CFITSIO leniency: a misread size misreads the data).
   */
  strict(keyword: string, hdu?: number, what = 'a value'): CardValue | undefined {
    const c = this.card(keyword);
    if (c === undefined) return undefined;
    if (c.invalid) {
      throw new FitsError('BAD_CARD', `The ${keyword} card cannot be read ("${c.comment}"): it must hold only ${what} (and an optional "/ comment"). Fix the card; the data cannot be read without it.`, { hdu, card: c.index + 1 });
    }
    return c.value;
  }

  /** A required structural integer keyword ({@link structuralInt}); BAD_HEADER when absent. */
  requireInt(keyword: string, hdu?: number): number {
    const v = this.structuralInt(keyword, hdu);
    if (v === undefined) {
      const c = this.card(keyword);
      throw new FitsError('BAD_HEADER', c ? `Keyword ${keyword} must be an integer.` : `Mandatory keyword ${keyword} is missing.`, {
        hdu,
        card: c ? c.index + 1 : undefined,
      });
    }
    return v;
  }

  /** Plain-object view of the first value of each keyword (handy for logging). */
  toObject(): Record<string, CardValue> {
    const o: Record<string, CardValue> = {};
    for (const [k, c] of this.first) o[k] = c.value;
    return o;
  }
}

/** The warning for an unparsable card: read as CFITSIO reads it, or ignored. */
function invalidCardWarning(raw: RawCard, index: number): HeaderWarning {
  const what = `Card ${index + 1} (${raw.keyword} = ${raw.comment})`;
  const message = raw.lenient === undefined
    ? `${what} cannot be parsed; its value is ignored.`
    : `${what} has text after its value without "/": astropy refuses the card; its value is read as ${typeof raw.lenient === 'string' ? `'${raw.lenient}'` : String(raw.lenient === true ? 'T' : raw.lenient === false ? 'F' : raw.lenient)}, as CFITSIO reads it.`;
  return { code: 'INVALID_CARD', message, card: index + 1 };
}

function makeCard(raw: RawCard, index: number, span: number, hierarch: boolean): Card {
  return {
    keyword: raw.keyword,
    value: raw.value,
    ...(raw.lenient !== undefined ? { lenient: raw.lenient } : {}),
    comment: raw.comment,
    commentary: raw.kind === 'commentary',
    hierarch,
    invalid: raw.invalid,
    isReal: raw.isReal,
    index,
    span,
  };
}
