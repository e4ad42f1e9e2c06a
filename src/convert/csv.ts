/**
 * FITS tables ⇄ CSV (RFC 4180), as pandas.read_csv and DuckDB's read_csv
 * read it back.
 *
 * Writing: a header line of column names; numbers in their shortest exact
 * form (int64/uint64 exact), NaN and ±infinity as `nan`, `inf`, `-inf`;
 * logicals `true`/`false`; nulls as empty fields (an empty string is `""`);
 * complex numbers as Python literals (`1.5-2j`); array cells as `[a, b, …]`
 * in one quoted field. CSV has no place for units or FITS types: they are lost
 * (use Parquet or Arrow to keep them).
 *
 * Reading: each column's type is inferred from all its values: integers
 * (int64), else numbers (float64, accepting nan/inf spellings), else
 * true/false, else strings; `[…]` cells of numbers become arrays (fixed when
 * every row has the same length, else variable-length). Empty unquoted fields
 * are nulls.
 */
import { FitsError } from '../core/errors.js';
import { cellSize, type Column, type ColumnDType } from '../table/column.js';
import { FitsTable } from '../table/ops/fits-table.js';
import type { ByteOutput } from './parquet.js';

function quote(s: string): string {
  return /[",\r\n]/.test(s) || s === '' || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

function num(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return Object.is(v, -0) ? '-0.0' : String(v);
}

function complexText(re: number, im: number): string {
  const imText = num(im);
  return `${num(re)}${imText.startsWith('-') ? '' : '+'}${imText}j`;
}

function validAt(v: Uint8Array | undefined, i: number): boolean {
  return !v || ((v[i >>> 3]! >>> (i & 7)) & 1) === 1;
}

/** One element as CSV text (unquoted). */
function elementText(col: Column, e: number): string {
  if (!validAt(col.validity, e)) return '';
  const d = col.data;
  switch (col.dtype) {
    case 'bool':
      return (d as Uint8Array)[e] ? 'true' : 'false';
    case 'string':
      return (d as string[])[e] ?? '';
    case 'complex64':
    case 'complex128':
      return complexText((d as Float64Array)[2 * e]!, (d as Float64Array)[2 * e + 1]!);
    default:
      return num((d as ArrayLike<number | bigint>)[e]!);
  }
}

/** A cell of row r as one CSV field. */
function fieldText(col: Column, r: number): string {
  if (col.offsets) {
    const a = col.offsets[r]!;
    const b = col.offsets[r + 1]!;
    if (col.dtype === 'string' && !Array.isArray(col.data)) {
      const bytes = col.data as unknown as Uint8Array;
      let end = b;
      while (end > a && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0)) end--;
      return quote(String.fromCharCode(...bytes.subarray(a, end)));
    }
    const parts: string[] = [];
    for (let e = a; e < b; e++) parts.push(cellElement(col, e));
    return quote(`[${parts.join(', ')}]`);
  }
  const per = cellSize(col);
  if (col.cellShape && col.cellShape.length > 0) {
    const parts: string[] = [];
    for (let e = r * per; e < (r + 1) * per; e++) parts.push(cellElement(col, e));
    return quote(`[${parts.join(', ')}]`);
  }
  if (!validAt(col.validity, r)) return '';
  const t = elementText(col, r);
  return col.dtype === 'string' ? quote(t) : t;
}

/** An element inside an array cell (strings quoted JSON-style, nulls `null`). */
function cellElement(col: Column, e: number): string {
  if (!validAt(col.validity, e)) return 'null';
  const t = elementText(col, e);
  return col.dtype === 'string' ? JSON.stringify(t) : t;
}

const encoder = new TextEncoder();

/** Write tables (batches of one table) as CSV to an output. */
export async function writeCsv(output: ByteOutput, batches: AsyncIterable<FitsTable> | Iterable<FitsTable>): Promise<number> {
  let header = false;
  let rows = 0;
  try {
    for await (const t of batches) {
      const cols = t.columns;
      const lines: string[] = [];
      if (!header) {
        lines.push(cols.map((c) => quote(c.name)).join(','));
        header = true;
      }
      for (let r = 0; r < t.numRows; r++) {
        lines.push(cols.map((c) => fieldText(c, r)).join(','));
        if (lines.length >= 8192) {
          await output.write(encoder.encode(`${lines.join('\n')}\n`));
          lines.length = 0;
        }
      }
      if (lines.length) await output.write(encoder.encode(`${lines.join('\n')}\n`));
      rows += t.numRows;
    }
    await output.close();
  } catch (e) {
    await output.abort(e);
    throw e;
  }
  return rows;
}

// ---------------------------------------------------------------- reading

/** A parsed field: its text and whether it was quoted. */
interface Field {
  text: string;
  quoted: boolean;
}

/** RFC 4180 records of a text (quotes, doubled quotes, CR LF / LF line ends). */
export function parseCsvRecords(text: string): Field[][] {
  const records: Field[][] = [];
  let rec: Field[] = [];
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // BOM
  while (i < n) {
    let quoted = false;
    let value = '';
    if (text[i] === '"') {
      quoted = true;
      i++;
      let start = i;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new FitsError('CORRUPT_DATA', `CSV: a quoted field starting in record ${records.length + 1} is never closed.`);
        if (text[q + 1] === '"') {
          value += text.slice(start, q + 1);
          i = q + 2;
          start = i;
          continue;
        }
        value += text.slice(start, q);
        i = q + 1;
        break;
      }
    } else {
      let j = i;
      while (j < n && text[j] !== ',' && text[j] !== '\n' && text[j] !== '\r') j++;
      value = text.slice(i, j);
      i = j;
    }
    rec.push({ text: value, quoted });
    if (i >= n) break;
    const c = text[i];
    if (c === ',') {
      i++;
      if (i >= n) rec.push({ text: '', quoted: false });
      continue;
    }
    if (c === '\r' || c === '\n') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      records.push(rec);
      rec = [];
      continue;
    }
    throw new FitsError('CORRUPT_DATA', `CSV: unexpected character after a quoted field in record ${records.length + 1}.`);
  }
  if (rec.length) records.push(rec);
  return records;
}

const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|nan|inf|infinity)$/i;
const BOOL = /^(true|false)$/i;

function parseFloatText(s: string): number {
  const t = s.toLowerCase().replace(/^\+/, '');
  if (t === 'nan' || t === '-nan') return NaN;
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return Number(s);
}

type Kind = 'int' | 'float' | 'bool' | 'string';

function kindOf(values: string[]): Kind {
  let kind: Kind = 'int';
  for (const v of values) {
    if (kind === 'int' && !INT.test(v)) kind = 'float';
    if (kind === 'float' && !FLOAT.test(v)) kind = 'bool';
    if (kind === 'bool' && !BOOL.test(v)) return 'string';
  }
  if (kind === 'bool' && values.length === 0) return 'string';
  return kind;
}

function isInt64(s: string): boolean {
  try {
    const b = BigInt(s);
    return b >= -(2n ** 63n) && b < 2n ** 63n;
  } catch {
    return false;
  }
}

/** A column from CSV fields (null: an empty unquoted field). */
function columnFromFields(name: string, fields: (Field | undefined)[]): Column {
  const n = fields.length;
  const present: string[] = [];
  let nulls = false;
  for (const f of fields) {
    if (!f || (!f.quoted && f.text === '')) nulls = true;
    else present.push(f.text.trim());
  }
  const arrays = present.length > 0 && present.every((s) => s.startsWith('[') && s.endsWith(']'));
  if (arrays) {
    const cells = fields.map((f) => (f && f.text.trim() !== '' ? (JSON.parse(f.text.replace(/\bnan\b/gi, 'null').replace(/-?\binf\b/gi, 'null')) as unknown) : null));
    if (cells.every((c) => c === null || (Array.isArray(c) && c.every((x) => x === null || typeof x === 'number')))) {
      const lens = new Set(cells.map((c) => (Array.isArray(c) ? c.length : -1)));
      const total = cells.reduce((a: number, c) => a + (Array.isArray(c) ? c.length : 0), 0);
      const data = new Float64Array(total);
      let o = 0;
      const offsets = new Int32Array(n + 1);
      for (let r = 0; r < n; r++) {
        const c = cells[r] as (number | null)[] | null;
        if (c) for (const x of c) data[o++] = x === null ? NaN : x;
        offsets[r + 1] = o;
      }
      const len = [...lens][0]!;
      if (lens.size === 1 && len > 0) return { name, dtype: 'float64', format: `${len}D`, cellShape: [len], length: n, data };
      let max = 0;
      for (let r = 0; r < n; r++) max = Math.max(max, offsets[r + 1]! - offsets[r]!);
      return { name, dtype: 'float64', format: `1PD(${max})`, cellShape: null, length: n, data, offsets };
    }
  }
  let kind = kindOf(present);
  if (kind === 'int' && !present.every(isInt64)) kind = 'float';
  let validity: Uint8Array | undefined;
  if (nulls) {
    validity = new Uint8Array((n + 7) >>> 3);
    fields.forEach((f, i) => {
      if (f && (f.quoted || f.text !== '')) validity![i >>> 3]! |= 1 << (i & 7);
    });
  }
  const text = (i: number) => (fields[i] ? fields[i]!.text.trim() : '');
  let dtype: ColumnDType;
  let data: Column['data'];
  let format: string;
  if (kind === 'int') {
    dtype = 'int64';
    const a = new BigInt64Array(n);
    for (let i = 0; i < n; i++) if (INT.test(text(i))) a[i] = BigInt(text(i));
    data = a;
    format = 'K';
  } else if (kind === 'float') {
    dtype = 'float64';
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = text(i) === '' ? NaN : parseFloatText(text(i));
    data = a;
    format = 'D';
    // Nulls of floats are NaN in FITS.
  } else if (kind === 'bool') {
    dtype = 'bool';
    data = Uint8Array.from({ length: n }, (_, i) => (/^true$/i.test(text(i)) ? 1 : 0));
    format = 'L';
  } else {
    dtype = 'string';
    const a = fields.map((f) => (f ? f.text : ''));
    data = a;
    format = `${Math.max(1, ...a.map((s) => s.length))}A`;
    validity = undefined; // FITS strings have no nulls: empty
  }
  const col: { -readonly [K in keyof Column]: Column[K] } = { name, dtype, format, cellShape: [], length: n, data };
  if (validity && dtype !== 'float64') col.validity = validity;
  return col;
}

/** Read CSV text (header line + records) as a FitsTable with inferred types. */
export function readCsv(text: string): FitsTable {
  const records = parseCsvRecords(text);
  if (records.length === 0) throw new FitsError('CORRUPT_DATA', 'CSV: the text has no header line.');
  const names = records[0]!.map((f) => f.text);
  const seen = new Set<string>();
  names.forEach((nm, i) => {
    if (nm === '' || seen.has(nm)) names[i] = `col${i + 1}`;
    seen.add(names[i]!);
  });
  const rows = records.slice(1).filter((r) => !(r.length === 1 && r[0]!.text === '' && !r[0]!.quoted));
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.length > names.length) throw new FitsError('CORRUPT_DATA', `CSV: record ${i + 2} has ${rows[i]!.length} fields; the header has ${names.length}.`);
  }
  const columns = names.map((name, c) => columnFromFields(name, rows.map((r) => r[c])));
  return new FitsTable(columns, rows.length);
}
