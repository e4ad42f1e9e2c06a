/**
 * Table comparison, as astropy's TableDataDiff: columns matched by
 * case-insensitive name and canonical TFORM; rows compared column by column —
 * floating-point columns within rtol/atol (non-finite values all equal),
 * variable-length columns row by row with numpy.allclose (where NaN differs
 * from NaN, as in astropy), everything else exactly (strings without trailing
 * blanks, as numpy compares them).
 */
import type { Hdu } from '../file/hdu.js';
import type { Column } from '../table/column.js';
import type { Header } from '../header/header.js';
import type { ResolvedDiffOptions } from './options.js';
import { isClose, numbersDiffer, valuesDiffer } from './values.js';

/** What differs between two tables. */
export interface TableDataDiff {
  kind: 'table';
  identical: boolean;
  columnCount?: [number, number];
  /** Columns (name, TFORM) found in only one table. */
  extraColumns?: [Array<{ name: string; format: string }>, Array<{ name: string; format: string }>];
  /** Common columns whose unit, null value, scale, zero, display format or dimensions differ. */
  columnAttributes: Array<{ column: string; attribute: string; a: unknown; b: unknown }>;
  /** Row counts, when they differ (then no values are compared). */
  rows?: [number, number];
  /** Differing (column, row) pairs. */
  total: number;
  ratio: number;
  /** The first `numDiffs` differences (row 0-based, as astropy reports it). */
  values: Array<{ column: string; row: number; a: unknown; b: unknown }>;
}

const COLUMN_ATTRIBUTES: Array<[string, string]> = [
  ['TUNIT', 'units'],
  ['TNULL', 'null values'],
  ['TSCAL', 'bscales'],
  ['TZERO', 'bzeros'],
  ['TDISP', 'display formats'],
  ['TDIM', 'dimensions'],
];

/** astropy's canonical TFORM: binary `rTa` with repeat 1 left out; ASCII `Tw.d`. */
export function canonicalFormat(tform: string, ascii: boolean): string {
  const f = tform.trim().toUpperCase();
  if (ascii) return f;
  const m = /^(\d*)([A-Z])(.*)$/.exec(f);
  if (!m) return f;
  const repeat = m[1] === '' ? 1 : Number(m[1]);
  return `${repeat === 1 ? '' : repeat}${m[2]}${m[3]}`;
}

interface ColumnInfo {
  name: string;
  format: string;
  index: number;
}

function columnsOf(header: Header, ascii: boolean): ColumnInfo[] {
  const n = header.getInt('TFIELDS', 0) ?? 0;
  const out: ColumnInfo[] = [];
  for (let i = 1; i <= n; i++) {
    const name = String(header.get(`TTYPE${i}`) ?? '').trim();
    out.push({ name, format: canonicalFormat(String(header.get(`TFORM${i}`) ?? ''), ascii), index: i });
  }
  return out;
}

function attributeValue(header: Header, key: string, i: number): { value: import('../header/card.js').CardValue; isReal: boolean } {
  const c = header.card(`${key}${i}`);
  return c ? { value: typeof c.value === 'string' ? c.value.replace(/\s+$/, '') : c.value, isReal: c.isReal } : { value: null, isReal: false };
}

/** Element count of one cell. */
function cellSize(col: Column): number {
  return col.cellShape ? col.cellShape.reduce((p, n) => p * n, 1) : 1;
}

function isValid(col: Column, e: number): boolean {
  return !col.validity || ((col.validity[e >> 3]! >> (e & 7)) & 1) === 1;
}

function cell(col: Column, r: number): unknown {
  if (col.offsets) {
    const s = Number(col.offsets[r]);
    const e = Number(col.offsets[r + 1]);
    return Array.prototype.slice.call(col.data, s * (col.dtype.startsWith('complex') ? 2 : 1), e * (col.dtype.startsWith('complex') ? 2 : 1));
  }
  const k = cellSize(col) * (col.dtype.startsWith('complex') ? 2 : 1);
  const d = col.data as ArrayLike<unknown>;
  if (k === 1) return isValid(col, r) ? d[r] : null;
  return Array.prototype.slice.call(d, r * k, (r + 1) * k);
}

const FILL = 1e20;
const fixed = (v: number) => (Number.isFinite(v) ? v : FILL);

/** Rows of a column pair that differ, in order. */
function differingRows(ca: Column, cb: Column, nrows: number, o: ResolvedDiffOptions): number[] {
  const rows: number[] = [];
  const floating = (c: Column) => c.dtype === 'float32' || c.dtype === 'float64';
  if (ca.offsets || cb.offsets) {
    // numpy.allclose per row: NaN never equals NaN here.
    for (let r = 0; r < nrows; r++) {
      const x = cell(ca, r) as unknown[];
      const y = cell(cb, r) as unknown[];
      let same = Array.isArray(x) && Array.isArray(y) && x.length === y.length;
      for (let i = 0; same && i < x.length; i++) {
        const p = x[i];
        const q = y[i];
        if (typeof p === 'number' && typeof q === 'number') same = isClose(p, q, o.rtol, o.atol) && !Number.isNaN(p) && !Number.isNaN(q);
        else if (typeof p === 'string' && typeof q === 'string') same = p.replace(/\s+$/, '') === q.replace(/\s+$/, '');
        else same = p === q || ((typeof p === 'bigint' || typeof p === 'number') && (typeof q === 'bigint' || typeof q === 'number') && !numbersDiffer(p, q));
      }
      if (!same) rows.push(r);
    }
    return rows;
  }
  const k = cellSize(ca);
  if (cellSize(cb) !== k) return Array.from({ length: nrows }, (_, r) => r);
  const mult = ca.dtype.startsWith('complex') ? 2 : 1;
  const da = ca.data as ArrayLike<unknown>;
  const db = cb.data as ArrayLike<unknown>;
  const exactFloat = o.rtol === 0 && o.atol === 0;
  for (let r = 0; r < nrows; r++) {
    let differs = false;
    for (let j = 0; j < k && !differs; j++) {
      const e = r * k + j;
      if (ca.dtype !== 'bool' && isValid(ca, e) !== isValid(cb, e)) {
        differs = true;
        break;
      }
      for (let m = 0; m < mult && !differs; m++) {
        const x = da[e * mult + m];
        const y = db[e * mult + m];
        if (ca.dtype === 'bool' && cb.dtype === 'bool') {
          // astropy reads a logical as True only for 'T': false, null and any other byte are all False.
          differs = (isValid(ca, e) && x === 1) !== (isValid(cb, e) && y === 1);
        } else if (floating(ca) && floating(cb)) {
          const fx = fixed(x as number);
          const fy = fixed(y as number);
          differs = exactFloat ? fx !== fy : Math.abs(fx - fy) > o.atol + o.rtol * Math.abs(fy);
        } else if (typeof x === 'string' && typeof y === 'string') differs = x.replace(/\s+$/, '') !== y.replace(/\s+$/, '');
        else if ((typeof x === 'number' || typeof x === 'bigint') && (typeof y === 'number' || typeof y === 'bigint')) differs = numbersDiffer(x, y);
        else differs = x !== y;
      }
    }
    if (differs) rows.push(r);
  }
  return rows;
}

/** Compare two tables (binary or ASCII). */
export async function diffTables(ha: Hdu, hb: Hdu, o: ResolvedDiffOptions): Promise<TableDataDiff> {
  const out: TableDataDiff = { kind: 'table', identical: true, columnAttributes: [], total: 0, ratio: 0, values: [] };
  // Compressed tables compare as the tables they hold.
  const headerA = ha.tableHeader;
  const headerB = hb.tableHeader;
  const colsA = columnsOf(headerA, ha.kind === 'table');
  const colsB = columnsOf(headerB, hb.kind === 'table');
  const finish = () => {
    out.identical = !out.columnCount && !out.extraColumns && !out.columnAttributes.length && !out.rows && out.total === 0;
    return out;
  };
  if (colsA.length !== colsB.length) out.columnCount = [colsA.length, colsB.length];
  if (o.ignoreFields.includes('*')) return finish();
  const ignored = new Set(o.ignoreFields.map((f) => f.toLowerCase()));
  const byName = (cols: ColumnInfo[]) => {
    const m = new Map<string, ColumnInfo>();
    for (const c of cols) if (!ignored.has(c.name.toLowerCase())) m.set(c.name.toLowerCase(), c);
    return m;
  };
  const mapA = byName(colsA);
  const mapB = byName(colsB);
  const same = (x: ColumnInfo, y: ColumnInfo | undefined) => y !== undefined && y.format === x.format;
  const common = [...mapA.values()].filter((c) => same(c, mapB.get(c.name.toLowerCase()))).sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  const onlyA = colsA.filter((c) => mapA.get(c.name.toLowerCase()) === c && !same(c, mapB.get(c.name.toLowerCase())));
  const onlyB = colsB.filter((c) => mapB.get(c.name.toLowerCase()) === c && !same(c, mapA.get(c.name.toLowerCase())));
  if (onlyA.length || onlyB.length) out.extraColumns = [onlyA.map(({ name, format }) => ({ name, format })), onlyB.map(({ name, format }) => ({ name, format }))];
  const nrowsA = headerA.getInt('NAXIS2', 0);
  const nrowsB = headerB.getInt('NAXIS2', 0);
  for (const c of common) {
    const d = mapB.get(c.name.toLowerCase())!;
    for (const [key, label] of COLUMN_ATTRIBUTES) {
      const va = attributeValue(headerA, key, c.index);
      const vb = attributeValue(headerB, key, d.index);
      if (valuesDiffer(va, vb)) out.columnAttributes.push({ column: c.name.toUpperCase(), attribute: label, a: va.value, b: vb.value });
    }
  }
  if (nrowsA !== nrowsB) {
    out.rows = [nrowsA, nrowsB];
    return finish();
  }
  if (nrowsA === 0 || common.length === 0) return finish();
  const ta = await ha.readTable({ columns: common.map((c) => c.index - 1), workers: false });
  const tb = await hb.readTable({ columns: common.map((c) => mapB.get(c.name.toLowerCase())!.index - 1), workers: false });
  const limit = o.numDiffs < 0 ? Infinity : o.numDiffs;
  common.forEach((c, i) => {
    const ca = ta.columnAt(i);
    const cb = tb.columnAt(i);
    const rows = differingRows(ca, cb, nrowsA, o);
    out.total += rows.length;
    for (const r of rows) {
      if (out.values.length >= limit) break;
      out.values.push({ column: c.name, row: r, a: cell(ca, r), b: cell(cb, r) });
    }
  });
  out.ratio = out.total / (nrowsA * colsA.length);
  return finish();
}

/** Random groups, compared as astropy does (as a table: one row per group, a column per parameter and DATA). */
export async function diffGroups(ha: Hdu, hb: Hdu, o: ResolvedDiffOptions): Promise<TableDataDiff> {
  const out: TableDataDiff = { kind: 'table', identical: true, columnAttributes: [], total: 0, ratio: 0, values: [] };
  const a = await ha.readGroups();
  const b = await hb.readGroups();
  type Pseudo = { name: string; dtype: string; data: ArrayLike<number | bigint>; size: number };
  const cols = (g: typeof a, gcount: number): Pseudo[] => [
    ...g.params.map((p, i) => ({ name: p.name ?? `PAR${i + 1}`, dtype: p.dtype, data: p.data as ArrayLike<number | bigint>, size: 1 })),
    ...(g.data ? [{ name: 'DATA', dtype: g.data.dtype, data: g.data.data as ArrayLike<number | bigint>, size: gcount ? g.data.data.length / gcount : 0 }] : []),
  ];
  const ga = ha.layout.gcount;
  const gb = hb.layout.gcount;
  const ca = cols(a, ga);
  const cb = cols(b, gb);
  if (ca.length !== cb.length) out.columnCount = [ca.length, cb.length];
  if (ga !== gb) out.rows = [ga, gb];
  else {
    const limit = o.numDiffs < 0 ? Infinity : o.numDiffs;
    for (let c = 0; c < Math.min(ca.length, cb.length); c++) {
      const x = ca[c]!;
      const y = cb[c]!;
      const floating = /^float/.test(x.dtype) && /^float/.test(y.dtype);
      for (let r = 0; r < ga; r++) {
        let differs = x.size !== y.size;
        for (let j = 0; j < x.size && !differs; j++) {
          const p = x.data[r * x.size + j]!;
          const q = y.data[r * y.size + j]!;
          if (floating) {
            const fp = fixed(p as number);
            const fq = fixed(q as number);
            differs = o.rtol === 0 && o.atol === 0 ? fp !== fq : Math.abs(fp - fq) > o.atol + o.rtol * Math.abs(fq);
          } else differs = numbersDiffer(p, q);
        }
        if (differs) {
          out.total++;
          if (out.values.length < limit) out.values.push({ column: x.name, row: r, a: x.data[r * x.size], b: y.data[r * y.size] });
        }
      }
    }
    out.ratio = ga && ca.length ? out.total / (ga * ca.length) : 0;
  }
  out.identical = !out.columnCount && !out.rows && out.total === 0;
  return out;
}
