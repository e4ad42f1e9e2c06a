/**
 * What a BINTABLE header says about its rows: each column's byte offset in the
 * row, element type after scaling (DIGEST.md §4), cell shape, nulls, and where
 * the heap is. Pure: no I/O; every size is checked before anything trusts it.
 */
import { FitsError } from '../../core/errors.js';
import type { Header } from '../../header/header.js';
import type { HduLayout } from '../../hdu/layout.js';
import type { HduContext } from '../../hdu/context.js';
import type { ColumnDType } from '../column.js';
import { columnKeywords, integerNull, type ColumnKeywords } from './column-keywords.js';
import { parseBinaryTform, type BinaryTform, type TformCode } from './tform.js';

/** Element codes of fixed-width fields (and of variable-length arrays). */
export type ElementCode = Exclude<TformCode, 'P' | 'Q'>;

/**
 * How stored values become column values:
 * - `raw`: as stored (byte-swapped);
 * - `unsigned`: the sign bit flipped (TZERO = 2^15, 2^31, 2^63 with TSCAL 1) — exact;
 * - `scale`: `f64(raw) * tscal + tzero` in double precision (each step skipped when trivial).
 */
export interface ColumnScaling {
  mode: 'raw' | 'unsigned' | 'scale';
  tscal: number;
  tzero: number;
}

export interface BinaryColumnSpec {
  /** 0-based column index. */
  readonly index: number;
  readonly name: string;
  readonly keywords: ColumnKeywords;
  readonly tform: BinaryTform;
  /** The element type letter: TFORM's code, or for P/Q the array's element type. */
  readonly elementCode: ElementCode;
  /** True for P/Q descriptors. */
  readonly variable: boolean;
  /** Byte offset of the field within the row. */
  readonly offset: number;
  /** Bytes the field takes in each row. */
  readonly width: number;
  readonly dtype: ColumnDType;
  /** Slowest first; [] scalar; null for variable-length columns. */
  readonly cellShape: number[] | null;
  /**
   * Elements per row of a fixed column: numbers (complex: complex numbers),
   * bits for X, strings for A. 1 for descriptors.
   */
  readonly count: number;
  /** A columns: bytes of one string element. */
  readonly stringWidth: number;
  readonly scaling: ColumnScaling;
  /** Integer TNULLn of a B, I, J or K column (compared with stored values). */
  readonly tnull: number | bigint | undefined;
}

export interface BinaryTableLayout {
  readonly hdu: number;
  /** NAXIS1: bytes per row. */
  readonly rowBytes: number;
  /** NAXIS2. */
  readonly nrows: number;
  readonly columns: readonly BinaryColumnSpec[];
  /** Byte offset of the heap from the start of the data (THEAP). */
  readonly heapOffset: number;
  /** Bytes from the heap start to the end of the declared data. */
  readonly heapSize: number;
}

const BASE_DTYPE: Record<ElementCode, ColumnDType> = {
  L: 'bool', X: 'bool', B: 'uint8', I: 'int16', J: 'int32', K: 'int64', A: 'string', E: 'float32', D: 'float64', C: 'complex64', M: 'complex128',
};

/** The dtype of an element code before scaling. */
export function baseDType(code: ElementCode): ColumnDType {
  return BASE_DTYPE[code];
}

const UNSIGNED: Partial<Record<ElementCode, { zero: number; big: bigint; dtype: ColumnDType }>> = {
  I: { zero: 2 ** 15, big: 2n ** 15n, dtype: 'uint16' },
  J: { zero: 2 ** 31, big: 2n ** 31n, dtype: 'uint32' },
  K: { zero: 2 ** 63, big: 2n ** 63n, dtype: 'uint64' },
};

/** Element type and scaling of a fixed numeric column (DIGEST.md §4 table). */
export function columnScaling(code: ElementCode, kw: Pick<ColumnKeywords, 'tscal' | 'tzero' | 'tzeroValue'>): { dtype: ColumnDType; scaling: ColumnScaling } {
  const base = BASE_DTYPE[code];
  const raw = { dtype: base, scaling: { mode: 'raw' as const, tscal: 1, tzero: 0 } };
  if (!'BIJKED'.includes(code)) return raw;
  const u = UNSIGNED[code];
  if (u && kw.tscal === 1 && (kw.tzeroValue === u.zero || kw.tzeroValue === u.big)) {
    return { dtype: u.dtype, scaling: { mode: 'unsigned', tscal: 1, tzero: u.zero } };
  }
  if (kw.tscal !== 1 || kw.tzero !== 0) return { dtype: 'float64', scaling: { mode: 'scale', tscal: kw.tscal, tzero: kw.tzero } };
  return raw;
}

/** TDIMn axes (FITS order) if the value is a well-formed `(a,b,...)`, else null. */
export function parseTdim(v: unknown): number[] | null {
  if (typeof v !== 'string') return null;
  const m = /^\s*\(\s*([0-9]+(?:\s*,\s*[0-9]+)*)\s*\)\s*$/.exec(v);
  if (!m) return null;
  const dims = m[1]!.split(',').map((s) => Number(s.trim()));
  return dims.every((d) => Number.isSafeInteger(d) && d > 0) ? dims : null;
}

function product(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Cell shape, string width and per-row element count of a fixed column. */
function cellGeometry(tform: BinaryTform, tdim: number[] | null): { cellShape: number[]; count: number; stringWidth: number } {
  const r = tform.repeat;
  if (r === 0) return { cellShape: [0], count: 0, stringWidth: 0 };
  if (tform.code === 'X') return { cellShape: [r], count: r, stringWidth: 0 };
  if (tform.code === 'A') {
    // The first TDIM axis is the length of each string.
    if (tdim && product(tdim) === r) return { cellShape: tdim.slice(1).reverse(), count: r / tdim[0]!, stringWidth: tdim[0]! };
    return { cellShape: [], count: 1, stringWidth: r };
  }
  if (tdim && product(tdim) === r) return { cellShape: [...tdim].reverse(), count: r, stringWidth: 0 };
  return { cellShape: r === 1 ? [] : [r], count: r, stringWidth: 0 };
}

const cache = new WeakMap<Header, BinaryTableLayout>();

/**
 * Parse a binary-table header (also the table of a tile-compressed image).
 * @example
 * const t = binaryTableLayout(hdu.header, hdu.layout, hdu.index);
 * t.columns.map((c) => `${c.name}: ${c.dtype}`);
 */
export function binaryTableLayout(header: Header, layout: HduLayout, hdu: number): BinaryTableLayout {
  const hit = cache.get(header);
  if (hit) return hit;
  if (layout.bitpix !== 8 || layout.naxes.length !== 2) {
    throw new FitsError('BAD_HEADER', `A binary table needs BITPIX = 8 and NAXIS = 2 (has ${layout.bitpix} and ${layout.naxes.length}).`, { hdu });
  }
  if (layout.gcount !== 1) throw new FitsError('BAD_HEADER', `A binary table needs GCOUNT = 1 (has ${layout.gcount}).`, { hdu });
  const [rowBytes, nrows] = layout.naxes as [number, number];
  const tfields = header.structuralInt('TFIELDS', hdu) ?? 0;
  if (tfields < 0 || tfields > 999) {
    throw new FitsError('BAD_HEADER', `TFIELDS = ${tfields} is outside 0..999.`, { hdu, card: cardNo(header, 'TFIELDS') });
  }
  const columns: BinaryColumnSpec[] = [];
  let offset = 0;
  for (let n = 1; n <= tfields; n++) {
    const text = header.get(`TFORM${n}`);
    if (typeof text !== 'string') throw new FitsError('BAD_HEADER', `TFORM${n} is missing or not a string.`, { hdu, card: cardNo(header, `TFORM${n}`) });
    const tform = parseBinaryTform(text, hdu, cardNo(header, `TFORM${n}`));
    if (!Number.isSafeInteger(offset + tform.width) || offset + tform.width > rowBytes) {
      throw new FitsError('BAD_HEADER', `Column ${n} (TFORM${n} = '${tform.text}') ends after byte ${rowBytes} of the row (NAXIS1).`, { hdu, card: cardNo(header, `TFORM${n}`) });
    }
    const kw = columnKeywords(header, n);
    const variable = tform.code === 'P' || tform.code === 'Q';
    const elementCode = (variable ? tform.elementCode! : tform.code) as ElementCode;
    let spec: BinaryColumnSpec;
    if (variable) {
      spec = {
        index: n - 1, name: kw.name, keywords: kw, tform, elementCode, variable, offset, width: tform.width,
        dtype: BASE_DTYPE[elementCode], cellShape: tform.repeat === 0 ? [0] : null, count: tform.repeat,
        stringWidth: 0, scaling: { mode: 'raw', tscal: 1, tzero: 0 }, tnull: undefined,
      };
    } else {
      const geo = cellGeometry(tform, parseTdim(header.get(`TDIM${n}`)));
      const { dtype, scaling } = columnScaling(elementCode, kw);
      spec = {
        index: n - 1, name: kw.name, keywords: kw, tform, elementCode, variable, offset, width: tform.width,
        dtype, ...geo, scaling,
        tnull: 'BIJK'.includes(elementCode) && kw.tnullIsInteger ? integerNull(kw.tnull) : undefined,
      };
    }
    columns.push(spec);
    offset += tform.width;
  }
  const tableBytes = rowBytes * nrows;
  const theap = header.strict('THEAP', hdu, 'an integer');
  let heapOffset = tableBytes;
  if (theap !== undefined) {
    if (typeof theap !== 'number' || !Number.isSafeInteger(theap) || theap < tableBytes || theap > tableBytes + layout.pcount) {
      throw new FitsError('BAD_HEADER', `THEAP = ${String(theap)} is not between NAXIS1 × NAXIS2 = ${tableBytes} and that plus PCOUNT = ${layout.pcount}.`, {
        hdu,
        card: cardNo(header, 'THEAP'),
      });
    }
    heapOffset = theap;
  }
  const result: BinaryTableLayout = { hdu, rowBytes, nrows, columns, heapOffset, heapSize: tableBytes + layout.pcount - heapOffset };
  cache.set(header, result);
  return result;
}

function cardNo(header: Header, keyword: string): number | undefined {
  const c = header.card(keyword);
  return c ? c.index + 1 : undefined;
}

/** The table layout of an HDU, with its declared data checked against the file size. */
export function binaryLayoutOf(ctx: HduContext): BinaryTableLayout {
  const t = binaryTableLayout(ctx.header, ctx.layout, ctx.index);
  if (ctx.dataOffset + ctx.layout.dataBytes > ctx.source.size) {
    throw new FitsError('TRUNCATED', `The table data needs ${ctx.layout.dataBytes} bytes but the file ends first.`, { hdu: ctx.index, offset: ctx.source.size });
  }
  return t;
}
