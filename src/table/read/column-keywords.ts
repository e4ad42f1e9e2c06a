/**
 * The per-column keywords shared by binary and ASCII tables (TTYPEn, TUNITn,
 * TSCALn, TZEROn, TNULLn), read once into plain values. Pure.
 */
import type { CardValue } from '../../header/card.js';
import type { Header } from '../../header/header.js';
import { scalingNumber } from '../../image/pixel-type.js';

/** What the header says about column n (1-based) besides its format. */
export interface ColumnKeywords {
  /** TTYPEn as written (any card value), undefined when absent. */
  ttype: CardValue | undefined;
  /** The name a reader shows: TTYPEn trimmed, or `col{n}` when absent or not a string. */
  name: string;
  unit: string | undefined;
  /** TSCALn (1 when absent or not numeric). */
  tscal: number;
  /** TZEROn as a number (0 when absent or not numeric). */
  tzero: number;
  /** TZEROn exactly as written (bigint for 2^63), for the unsigned conventions. */
  tzeroValue: CardValue | undefined;
  /** TNULLn as written, undefined when absent. */
  tnull: CardValue | undefined;
  /** True when TNULLn is written as an integer (not `-999.0`): only then does it mark integer nulls. */
  tnullIsInteger: boolean;
}


/** Read the keywords of column `n` (1-based). */
export function columnKeywords(header: Header, n: number): ColumnKeywords {
  const ttype = header.get(`TTYPE${n}`);
  const unit = header.get(`TUNIT${n}`);
  const tzeroValue = header.get(`TZERO${n}`);
  const tnullCard = header.card(`TNULL${n}`);
  // As every value: the one CFITSIO reads from a card astropy cannot parse (Header.get).
  const tnull = header.get(`TNULL${n}`) ?? undefined;
  return {
    ttype,
    name: typeof ttype === 'string' && ttype.trim() !== '' ? ttype.trim() : `col${n}`,
    unit: typeof unit === 'string' && unit.trim() !== '' ? unit.trim() : undefined,
    tscal: scalingNumber(header, `TSCAL${n}`, 1),
    tzero: scalingNumber(header, `TZERO${n}`, 0),
    tzeroValue,
    tnull,
    tnullIsInteger: tnullCard !== undefined && !tnullCard.isReal && integerNull(tnull) !== undefined,
  };
}

/** TNULLn as an integer (number or bigint) if it is one, else undefined. */
export function integerNull(v: CardValue | undefined): number | bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return undefined;
}
