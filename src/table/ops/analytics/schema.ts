/**
 * Semantic column types for machine learning (the column "stypes" of
 * torch-frame, which torchfits 1.0 uses): `tableSchema(table, { header })`.
 *
 * Each column gets one of:
 * - `celestial`: a sky coordinate — UCD `pos.eq.ra`/`pos.eq.dec` (or galactic,
 *   ecliptic), else a name read as RA/Dec (RA, RAJ2000, ALPHA_J2000, DEC,
 *   DEJ2000, …; GLON/GLAT, ELON/ELAT) with an angle unit (or none);
 * - `timestamp`: UCD `time.epoch`/`time.start`/`time.end`, or a time-like name
 *   (MJD, JD, BJD, TIME, TSTART, DATE_OBS, EPOCH, …) with a time unit (or
 *   none), or a string column of ISO dates; `timeSystem` from TIMESYS. UCD
 *   `time.duration`/`time.interval` (exposure times) stays numerical;
 * - `categorical`: logicals; integer columns with few distinct values (at
 *   most `maxCategories`, default 32, and fewer than half the non-null rows)
 *   and short strings (≤ 32 characters) with few distinct values (at most
 *   `maxCategories`, some repeated); UCD `meta.code`;
 * - `numerical`: other numbers; `text`: other strings;
 * - `embedding`: fixed-size numeric arrays; `sequence_numerical`:
 *   variable-length numeric arrays; `unsupported`: complex and string arrays.
 * With the HDU header, UCDs come from TUCDn and descriptions from TCOMMn (or
 * the TTYPEn card's comment).
 */
import type { Column, ColumnDType } from '../../column.js';
import { cellSize } from '../../column.js';
import { angleUnitOf, isDecName, isRaName } from './sky.js';
import type { TableSource } from './table-source.js';

/** What a column means for analysis (numbers, categories, text, times, sky positions, embeddings, ...), as {@link FitsTable.schema} infers it. */
export type SemanticType = 'numerical' | 'categorical' | 'text' | 'timestamp' | 'celestial' | 'embedding' | 'sequence_numerical' | 'unsupported';

/** What schema() says about one column. */
export interface ColumnSemantics {
  name: string;
  semanticType: SemanticType;
  dtype: ColumnDType;
  unit?: string;
  ucd?: string;
  description?: string;
  /** Nulls plus NaN values. */
  nullCount: number;
  /** categorical: the number of distinct non-null values. */
  numCategories?: number;
  /** celestial: which coordinate. */
  coordinate?: 'ra' | 'dec' | 'lon' | 'lat';
  /** timestamp: the time scale (TIMESYS; FITS defaults to UTC). */
  timeSystem?: string;
}

/** The header cards schema() reads (a fitsflow Header fits). */
export interface SchemaHeader {
  /** A keyword's value. */
  get(keyword: string): unknown;
  /** A keyword's comment. */
  comment?(keyword: string): string | undefined;
}

/** Options of {@link FitsTable.schema}. */
export interface SchemaOptions {
  /** The table HDU's header: TUCDn, TCOMMn, TIMESYS. */
  header?: SchemaHeader;
  /** Most distinct values of a categorical column (default 32). */
  maxCategories?: number;
}

const TIME_UNITS = new Set(['d', 'day', 'days', 's', 'sec', 'second', 'seconds', 'h', 'hr', 'hour', 'min', 'yr', 'a', 'year', 'jd', 'mjd', 'ms', 'us']);
const TIME_NAMES = /^(mjd|jd|bjd|hjd|bmjd|hmjd|tjd|btjd|time|t|tstart|tstop|tmid|date|date[_-]?obs|date[_-]?end|obs[_-]?date|epoch|obstime|obs[_-]?time|timestamp|mjd[_-]?obs|mjd[_-]?start|mjd[_-]?end|.*[_-](mjd|jd|bjd|time|epoch)|(mjd|jd|bjd)[_-].*)$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d*)?)?)?Z?$/;
const GAL = /^(glon|glat|elon|elat|gal_?l|gal_?b|ecl_?lon|ecl_?lat)$/i;
const NUMERIC = new Set(['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64']);
const INTEGER = new Set(['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);

function headerString(h: SchemaHeader | undefined, key: string): string | undefined {
  const v = h?.get(key);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** TTYPEn index of each column name, from the header. */
function headerIndex(h: SchemaHeader | undefined): Map<string, number> {
  const m = new Map<string, number>();
  if (!h) return m;
  const n = Number(h.get('TFIELDS') ?? 0);
  for (let i = 1; i <= Math.min(n, 999); i++) {
    const t = headerString(h, `TTYPE${i}`);
    if (t !== undefined && !m.has(t)) m.set(t, i);
  }
  return m;
}

/** Nulls and NaN of a column (all elements of array columns). */
function countNulls(col: Column): number {
  let k = 0;
  const v = col.validity;
  const n = col.offsets ? col.data.length : col.length * cellSize(col);
  if (v) for (let i = 0; i < n; i++) k += ((v[i >>> 3]! >>> (i & 7)) & 1) ^ 1;
  const d = col.data;
  if (d instanceof Float32Array || d instanceof Float64Array) {
    const per = col.dtype === 'complex64' || col.dtype === 'complex128' ? 2 : 1;
    for (let i = 0; i < n; i++) {
      const x = d[i * per]!;
      if (x !== x && !(v && ((v[i >>> 3]! >>> (i & 7)) & 1) === 0)) k++;
    }
  }
  return k;
}

/** Distinct non-null values, counting at most `limit + 1`. */
function distinctUpTo(col: Column, limit: number): number {
  const seen = new Set<unknown>();
  const d = col.data as ArrayLike<unknown>;
  const v = col.validity;
  for (let i = 0; i < col.length; i++) {
    if (v && ((v[i >>> 3]! >>> (i & 7)) & 1) === 0) continue;
    seen.add(d[i]);
    if (seen.size > limit) break;
  }
  return seen.size;
}

/** The semantic type and metadata of each column (see the module doc). */
export function tableSchema(table: TableSource, opts: SchemaOptions = {}): ColumnSemantics[] {
  const h = opts.header;
  const index = headerIndex(h);
  const timesys = headerString(h, 'TIMESYS');
  const maxCat = opts.maxCategories ?? 32;
  return table.columnNames.map((name, c) => {
    const col = table.columnAt(c);
    const n = index.get(name);
    const ucd = n !== undefined ? headerString(h, `TUCD${n}`) : undefined;
    const description = n !== undefined ? (headerString(h, `TCOMM${n}`) ?? h?.comment?.(`TTYPE${n}`)?.trim() ?? undefined) : undefined;
    const out: ColumnSemantics = { name, semanticType: 'numerical', dtype: col.dtype, nullCount: countNulls(col) };
    if (col.unit) out.unit = col.unit;
    if (ucd) out.ucd = ucd;
    if (description) out.description = description;
    out.semanticType = classify(col, name, ucd, maxCat, out);
    if (out.semanticType === 'timestamp') out.timeSystem = timesys ?? 'UTC';
    return out;
  });
}

function classify(col: Column, name: string, ucd: string | undefined, maxCat: number, out: ColumnSemantics): SemanticType {
  const u = (ucd ?? '').toLowerCase();
  const numeric = NUMERIC.has(col.dtype);
  if (col.offsets || col.cellShape === null) return numeric ? 'sequence_numerical' : 'unsupported';
  if (col.dtype === 'complex64' || col.dtype === 'complex128') return 'unsupported';
  if (cellSize(col) !== 1) return numeric ? 'embedding' : 'unsupported';
  if (numeric) {
    const coord = u.startsWith('pos.eq.ra') ? 'ra' : u.startsWith('pos.eq.dec') ? 'dec' : /^pos\.(galactic|ecliptic)\.lon/.test(u) ? 'lon' : /^pos\.(galactic|ecliptic)\.lat/.test(u) ? 'lat' : null;
    const angle = angleUnitOf(col.unit) !== null;
    const byName = isRaName(name) ? 'ra' : isDecName(name) ? 'dec' : GAL.test(name) ? (/lat|_?b$/i.test(name) ? 'lat' : 'lon') : null;
    if (coord || (byName && angle)) {
      out.coordinate = (coord ?? byName)!;
      return 'celestial';
    }
    if (/^time\.(duration|interval)/.test(u)) return 'numerical';
    const timeUnit = !col.unit || TIME_UNITS.has(col.unit.trim().toLowerCase());
    if (/^time\.(epoch|start|end)/.test(u) || (TIME_NAMES.test(name.trim()) && timeUnit)) return 'timestamp';
    if (u.startsWith('meta.code') || (INTEGER.has(col.dtype) && isFewDistinct(col, maxCat, out, 0.5))) return 'categorical';
    return 'numerical';
  }
  if (col.dtype === 'bool') {
    out.numCategories = distinctUpTo(col, 2);
    return 'categorical';
  }
  // Strings.
  const d = col.data as string[];
  const first = firstValid(col);
  if (first !== undefined && ISO_DATE.test(d[first]!)) return 'timestamp';
  let maxLen = 0;
  for (let i = 0; i < col.length && maxLen <= 32; i++) maxLen = Math.max(maxLen, d[i]!.length);
  if (maxLen <= 32 && isFewDistinct(col, maxCat, out, 1)) return 'categorical';
  return 'text';
}

function firstValid(col: Column): number | undefined {
  const v = col.validity;
  for (let i = 0; i < col.length; i++) if (!v || ((v[i >>> 3]! >>> (i & 7)) & 1) === 1) return i;
  return undefined;
}

/** At most maxCat distinct values, and values repeat: distinct < ratio × non-null rows (at least 2 allowed). */
function isFewDistinct(col: Column, maxCat: number, out: ColumnSemantics, ratio: number): boolean {
  const k = distinctUpTo(col, maxCat);
  const nonNull = col.length - out.nullCount;
  if (k > maxCat || nonNull === 0 || (k > 2 && k >= ratio * nonNull)) return false;
  out.numCategories = k;
  return true;
}
