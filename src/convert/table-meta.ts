/**
 * What a FITS table carries besides its values, in a form other formats can
 * hold: per column the FITS type (TFORM, element type, cell shape), units,
 * UCDs, display formats, descriptions, TNULL and scaling; for the table its
 * EXTNAME and every other header card. Parquet, Arrow IPC and CSV outputs
 * store it as JSON under the key {@link FITS_META_KEY}; reading it back makes
 * FITS → X → FITS lossless.
 *
 * Header keywords read: TUNITn, TUCDn (IVOA UCD), TDISPn, TCOMMn (description;
 * else the comment of the TTYPEn card), TNULLn, TSCALn, TZEROn, TDIMn.
 */
import type { CardValue } from '../header/card.js';
import type { Header } from '../header/header.js';
import type { Column, ColumnDType } from '../table/column.js';
import { FitsError } from '../core/errors.js';

/** Key of the table metadata in Parquet key-value metadata and Arrow schema metadata. */
export const FITS_META_KEY = 'fits:table';

/** One column's FITS description. */
export interface ColumnMeta {
  name: string;
  /** Element type of the values (after scaling). */
  dtype: ColumnDType;
  /** TFORMn as written. */
  tform: string;
  /** Cell shape, slowest axis first ([] scalars); null for variable-length arrays. */
  shape: number[] | null;
  unit?: string;
  ucd?: string;
  /** TDISPn. */
  display?: string;
  description?: string;
  /** TNULLn (integer columns). */
  tnull?: number | bigint;
  tscal?: number;
  tzero?: number | bigint;
}

/** A table's FITS description. */
export interface TableMeta {
  extname?: string;
  columns: ColumnMeta[];
  /** Other header cards, in order. */
  cards: MetaCard[];
}

/** A header card kept in the metadata (the shape FitsWriter takes). */
export interface MetaCard {
  keyword: string;
  value: CardValue;
  comment: string;
  /** COMMENT, HISTORY and other cards without a value. */
  commentary?: boolean;
  /** A whole number written as a real (`1.0`). */
  isReal?: boolean;
  hierarch?: boolean;
}

/** Keywords a table writer produces itself (or this metadata holds per column). */
const STRUCTURAL = new Set(['SIMPLE', 'XTENSION', 'BITPIX', 'NAXIS', 'PCOUNT', 'GCOUNT', 'TFIELDS', 'THEAP', 'EXTEND', 'END', 'CHECKSUM', 'DATASUM', 'EXTNAME', 'ZIMAGE']);
const COLUMN_KEY = /^(NAXIS|TTYPE|TFORM|TUNIT|TSCAL|TZERO|TNULL|TDIM|TDISP|TUCD|TCOMM|TBCOL)\d+$/;

function text(v: CardValue | undefined): string | undefined {
  return typeof v === 'string' ? v.trimEnd() : undefined;
}

function integer(v: CardValue | undefined): number | bigint | undefined {
  if (typeof v === 'bigint') return v;
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/**
 * The FITS description of a table read from a header. `columns` are the
 * table's columns (names, types and shapes come from them; TTYPE order is
 * theirs when all columns were read).
 */
export function tableMetaFromHeader(header: Header | undefined, columns: readonly Column[]): TableMeta {
  const byName = new Map<string, number>();
  if (header) {
    const n = header.getInt('TFIELDS', 0);
    for (let i = 1; i <= n; i++) {
      const t = text(header.get(`TTYPE${i}`));
      const name = t !== undefined ? t.trim() : `col${i}`;
      if (!byName.has(name)) byName.set(name, i);
    }
  }
  const ttypeComment = new Map<number, string>();
  const cards: MetaCard[] = [];
  if (header) {
    for (const c of header) {
      const m = /^TTYPE(\d+)$/.exec(c.keyword);
      if (m && c.comment) ttypeComment.set(Number(m[1]), c.comment);
      if (STRUCTURAL.has(c.keyword) || COLUMN_KEY.test(c.keyword)) continue;
      if (c.invalid) continue; // an unreadable card cannot be written again
      const card: MetaCard = { keyword: c.keyword, value: c.commentary ? null : c.value, comment: c.comment };
      if (c.commentary) card.commentary = true;
      if (c.isReal) card.isReal = true;
      if (c.hierarch) card.hierarch = true;
      cards.push(card);
    }
  }
  const meta: TableMeta = { columns: [], cards };
  const extname = header ? text(header.get('EXTNAME')) : undefined;
  if (extname !== undefined) meta.extname = extname.trim();
  const ascii = header ? text(header.get('XTENSION'))?.trim() === 'TABLE' : false;
  for (const col of columns) {
    const m: ColumnMeta = { name: col.name, dtype: col.dtype, tform: binaryTform(col, ascii), shape: col.cellShape ? [...col.cellShape] : null };
    if (col.unit !== undefined && col.unit !== '') m.unit = col.unit;
    const i = byName.get(col.name);
    if (header && i !== undefined) {
      const ucd = text(header.get(`TUCD${i}`));
      const disp = text(header.get(`TDISP${i}`));
      const desc = text(header.get(`TCOMM${i}`)) ?? ttypeComment.get(i);
      // ASCII tables' TNULL is a string matched against the text: not a binary TNULL.
      const tnull = ascii ? undefined : integer(header.get(`TNULL${i}`));
      const tscal = header.get(`TSCAL${i}`);
      const tzero = header.get(`TZERO${i}`);
      if (m.unit === undefined && text(header.get(`TUNIT${i}`))) m.unit = text(header.get(`TUNIT${i}`))!.trim();
      if (ucd) m.ucd = ucd.trim();
      if (disp) m.display = disp.trim();
      if (desc) m.description = desc;
      if (tnull !== undefined) m.tnull = tnull;
      if (typeof tscal === 'number' && tscal !== 1) m.tscal = tscal;
      if ((typeof tzero === 'number' || typeof tzero === 'bigint') && Number(tzero) !== 0) m.tzero = tzero;
    }
    meta.columns.push(m);
  }
  return meta;
}

const BINARY_CODE: Record<ColumnDType, string> = {
  bool: 'L', uint8: 'B', int8: 'B', int16: 'I', uint16: 'I', int32: 'J', uint32: 'J', int64: 'K', uint64: 'K', float32: 'E', float64: 'D', complex64: 'C', complex128: 'M', string: 'A',
};

/**
 * The binary-table TFORM of a column: its own, or for ASCII-table columns
 * (I8, F12.4, A10 …) the binary code of its values' type.
 */
export function binaryTform(col: Pick<Column, 'dtype' | 'format' | 'cellShape'>, ascii = /^\s*[IFEDA]\d/i.test(col.format) && !/^\s*\d*[LXBIJKAEDCMPQ]\s*(\(|$)/i.test(col.format)): string {
  if (!ascii) return col.format;
  if (col.dtype === 'string') {
    const w = /^\s*A(\d+)/i.exec(col.format);
    return `${w ? w[1] : 1}A`;
  }
  return BINARY_CODE[col.dtype];
}

/** A description of columns with no FITS header behind them (from their types alone). */
export function tableMetaFromColumns(columns: readonly Column[]): TableMeta {
  return tableMetaFromHeader(undefined, columns);
}

// JSON cannot hold bigints or complex card values: tag them.
function replacer(_k: string, v: unknown): unknown {
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
  return v;
}

function reviver(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.$bigint === 'string' && Object.keys(o).length === 1) return BigInt(o.$bigint);
    if (typeof o.$number === 'string' && Object.keys(o).length === 1) return Number(o.$number);
  }
  return v;
}

/** The metadata as the JSON text stored in files. */
export function encodeTableMeta(meta: TableMeta): string {
  return JSON.stringify(meta, replacer);
}

const DTYPES = new Set<string>(['bool', 'uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64', 'complex64', 'complex128', 'string']);

/**
 * Parse stored metadata; a malformed text is a FitsError (CORRUPT_DATA) saying
 * so, so that a damaged file is not silently read with wrong types.
 */
export function decodeTableMeta(textValue: string): TableMeta {
  let v: unknown;
  try {
    v = JSON.parse(textValue, reviver);
  } catch (e) {
    throw new FitsError('CORRUPT_DATA', `The file's ${FITS_META_KEY} metadata is not valid JSON; remove it to read the file with types from its schema.`, { cause: e });
  }
  const o = v as TableMeta;
  const ok = o && typeof o === 'object' && Array.isArray(o.columns) && Array.isArray(o.cards ?? []) && (o.cards ?? []).every((c) => c && typeof c.keyword === 'string') &&
    o.columns.every((c) => c && typeof c.name === 'string' && DTYPES.has(c.dtype) && typeof c.tform === 'string' && (c.shape === null || (Array.isArray(c.shape) && c.shape.every((d) => Number.isSafeInteger(d) && d >= 0))));
  if (!ok) throw new FitsError('CORRUPT_DATA', `The file's ${FITS_META_KEY} metadata does not describe FITS columns; remove it to read the file with types from its schema.`);
  return { ...o, cards: o.cards ?? [] };
}

/** Header cards for a FITS writer: the stored cards plus TDISP/TUCD/TCOMM per column. */
export function headerCardsOf(meta: TableMeta, columnIndex: (name: string) => number): MetaCard[] {
  const out: MetaCard[] = meta.cards.map((c) => ({ ...c }));
  for (const m of meta.columns) {
    const n = columnIndex(m.name) + 1;
    if (n <= 0) continue;
    if (m.display) out.push({ keyword: `TDISP${n}`, value: m.display, comment: '' });
    if (m.ucd) out.push({ keyword: `TUCD${n}`, value: m.ucd, comment: '' });
    if (m.description) out.push({ keyword: `TCOMM${n}`, value: m.description, comment: '' });
  }
  return out;
}
