/**
 * What an ASCII-table (XTENSION = 'TABLE') header says about its columns:
 * TBCOLn, TFORMn (Aw, Iw, Fw.d, Ew.d, Dw.d), TNULLn, TSCALn/TZEROn, and the
 * element type each column reads as (DIGEST.md §4). Pure.
 */
import { FitsError } from '../../core/errors.js';
import type { Header } from '../../header/header.js';
import type { HduLayout } from '../../hdu/layout.js';
import type { ColumnDType } from '../column.js';
import { columnKeywords, type ColumnKeywords } from './column-keywords.js';

export type AsciiCode = 'A' | 'I' | 'F' | 'E' | 'D';

export interface AsciiColumnSpec {
  /** 0-based column index. */
  readonly index: number;
  readonly name: string;
  readonly keywords: ColumnKeywords;
  /** TFORMn trimmed. */
  readonly format: string;
  readonly code: AsciiCode;
  /** 0-based byte offset of the field in the row (TBCOLn − 1). */
  readonly start: number;
  /** Field width w. */
  readonly width: number;
  readonly dtype: ColumnDType;
  /** Numeric columns with TSCALn ≠ 1 or TZEROn ≠ 0 read as float64 `v * tscal + tzero`. */
  readonly scaled: boolean;
  /** TNULLn as text with surrounding spaces removed, if present. */
  readonly tnull: string | undefined;
}

export interface AsciiTableLayout {
  readonly hdu: number;
  readonly rowBytes: number;
  readonly nrows: number;
  readonly columns: readonly AsciiColumnSpec[];
}

const TFORM_RE = /^\s*([AIFED])([0-9]+)(?:\.([0-9]+))?\s*$/i;

/** A float as Python's repr() writes it: shortest round-trip digits, exponent outside 1e-4 ≤ |v| < 1e16. */
export function pythonFloatRepr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  const [mant, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  const sign = mant.startsWith('-') ? '-' : '';
  const digits = mant.replace('-', '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${int}.${frac || '0'}`;
}

/** TNULLn as Python's str() writes the header value (astropy compares fields with that text). */
function nullText(header: Header, keyword: string): string | undefined {
  const card = header.card(keyword);
  if (!card || card.commentary) return undefined;
  const v = card.value;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return card.isReal ? pythonFloatRepr(v) : String(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return undefined;
}

function integerDType(width: number): ColumnDType {
  return width <= 4 ? 'int16' : width <= 9 ? 'int32' : 'int64';
}

const cache = new WeakMap<Header, AsciiTableLayout>();

/**
 * Parse an ASCII-table header.
 * @example
 * const t = asciiTableLayout(hdu.header, hdu.layout, hdu.index);
 * t.columns.map((c) => `${c.name}: ${c.format} at byte ${c.start}`);
 */
export function asciiTableLayout(header: Header, layout: HduLayout, hdu: number): AsciiTableLayout {
  const hit = cache.get(header);
  if (hit) return hit;
  if (layout.bitpix !== 8 || layout.naxes.length !== 2) {
    throw new FitsError('BAD_HEADER', `An ASCII table needs BITPIX = 8 and NAXIS = 2 (has ${layout.bitpix} and ${layout.naxes.length}).`, { hdu });
  }
  const [rowBytes, nrows] = layout.naxes as [number, number];
  const tfields = header.structuralInt('TFIELDS', hdu) ?? 0;
  if (tfields < 0 || tfields > 999) throw new FitsError('BAD_HEADER', `TFIELDS = ${tfields} is outside 0..999.`, { hdu });
  const columns: AsciiColumnSpec[] = [];
  for (let n = 1; n <= tfields; n++) {
    const text = header.get(`TFORM${n}`);
    const m = typeof text === 'string' ? TFORM_RE.exec(text) : null;
    const card = header.card(`TFORM${n}`);
    if (!m) throw new FitsError('BAD_HEADER', `TFORM${n} = ${JSON.stringify(text ?? null)} is not an ASCII-table format (Aw, Iw, Fw.d, Ew.d, Dw.d).`, { hdu, card: card ? card.index + 1 : undefined });
    const code = m[1]!.toUpperCase() as AsciiCode;
    const width = Number(m[2]);
    const tbcol = header.get(`TBCOL${n}`);
    if (typeof tbcol !== 'number' || !Number.isInteger(tbcol) || tbcol < 1 || tbcol - 1 + width > rowBytes || width < 1) {
      const c = header.card(`TBCOL${n}`);
      throw new FitsError('BAD_HEADER', `Column ${n}: TBCOL${n} = ${String(tbcol)} with width ${width} does not fit in the ${rowBytes}-byte row.`, { hdu, card: c ? c.index + 1 : undefined });
    }
    const kw = columnKeywords(header, n);
    const scaled = code !== 'A' && (kw.tscal !== 1 || kw.tzero !== 0);
    const dtype: ColumnDType = code === 'A' ? 'string' : scaled ? 'float64' : code === 'I' ? integerDType(width) : 'float64';
    columns.push({ index: n - 1, name: kw.name, keywords: kw, format: (text as string).trim(), code, start: tbcol - 1, width, dtype, scaled, tnull: nullText(header, `TNULL${n}`) });
  }
  const result: AsciiTableLayout = { hdu, rowBytes, nrows, columns };
  cache.set(header, result);
  return result;
}
