/**
 * Parquet values (as hyparquet decodes them) → fitsflow columns.
 *
 * With the file's `fits:table` metadata each column gets back its FITS type,
 * TFORM and cell shape exactly. Without it (any other Parquet file) the types
 * come from the schema: integer converted types keep their width and sign,
 * FLOAT/DOUBLE/BOOLEAN/UTF8 map directly, {re, im} groups become complex,
 * lists become fixed cells when every row has the same length (else
 * variable-length arrays), dates and timestamps become ISO 8601 strings.
 */
import type { SchemaElement } from 'hyparquet';
import { FitsError } from '../core/errors.js';
import { cellSize, type Column, type ColumnArray, type ColumnDType } from '../table/column.js';
import type { ColumnMeta } from './table-meta.js';

/** The schema facts of a top-level Parquet column that decide its FITS type. */
export interface ParquetColumnShape {
  name: string;
  /** Element type of the leaf. */
  dtype: ColumnDType | 'date' | 'binary';
  /** Number of LIST levels above the leaf. */
  lists: number;
  /** Whether values (the leaf or the column) may be null. */
  nullable: boolean;
}

/** A schema tree node as hyparquet builds it. */
export interface SchemaNode {
  element: SchemaElement;
  children: SchemaNode[];
}

function leafDtype(e: SchemaElement, name: string): ColumnDType | 'date' | 'binary' {
  const ct = e.converted_type;
  const lt = e.logical_type as { type?: string; bitWidth?: number; isSigned?: boolean } | undefined;
  switch (e.type) {
    case 'BOOLEAN':
      return 'bool';
    case 'INT32': {
      if (ct === 'INT_8' || (lt?.type === 'INTEGER' && lt.bitWidth === 8 && lt.isSigned)) return 'int8';
      if (ct === 'UINT_8' || (lt?.type === 'INTEGER' && lt.bitWidth === 8)) return 'uint8';
      if (ct === 'INT_16' || (lt?.type === 'INTEGER' && lt.bitWidth === 16 && lt.isSigned)) return 'int16';
      if (ct === 'UINT_16' || (lt?.type === 'INTEGER' && lt.bitWidth === 16)) return 'uint16';
      if (ct === 'UINT_32' || (lt?.type === 'INTEGER' && lt.bitWidth === 32 && lt.isSigned === false)) return 'uint32';
      if (ct === 'DATE' || lt?.type === 'DATE' || ct === 'TIME_MILLIS') return 'date';
      if (ct === 'DECIMAL' || lt?.type === 'DECIMAL') return 'float64';
      return 'int32';
    }
    case 'INT64':
      if (ct === 'UINT_64' || (lt?.type === 'INTEGER' && lt.isSigned === false)) return 'uint64';
      if (ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS' || lt?.type === 'TIMESTAMP') return 'date';
      if (ct === 'DECIMAL' || lt?.type === 'DECIMAL') return 'float64';
      return 'int64';
    case 'INT96':
      return 'date';
    case 'FLOAT':
      return 'float32';
    case 'DOUBLE':
      return 'float64';
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      if (ct === 'UTF8' || ct === 'JSON' || ct === 'ENUM' || lt?.type === 'STRING' || lt?.type === 'JSON' || lt?.type === 'ENUM' || lt?.type === 'UUID') return 'string';
      if (ct === 'DECIMAL' || lt?.type === 'DECIMAL' || lt?.type === 'FLOAT16') return 'float64';
      return 'binary';
    default:
      throw new FitsError('UNSUPPORTED', `Column '${name}' has the Parquet type ${String(e.type)}, which has no FITS equivalent.`);
  }
}

/** Whether a group is a LIST (3-level or legacy 2-level) and its element node. */
function listElement(node: SchemaNode): SchemaNode | undefined {
  const e = node.element;
  const isList = e.converted_type === 'LIST' || (e.logical_type as { type?: string } | undefined)?.type === 'LIST';
  if (!isList || node.children.length !== 1) return undefined;
  const rep = node.children[0]!;
  if (rep.element.repetition_type !== 'REPEATED') return undefined;
  return rep.children.length === 1 ? rep.children[0]! : rep; // legacy: the repeated node is the element
}

/** Describe a top-level column of a Parquet schema (FitsError UNSUPPORTED when FITS cannot hold it). */
export function describeParquetColumn(node: SchemaNode): ParquetColumnShape {
  const name = node.element.name;
  let lists = 0;
  let cur = node;
  for (;;) {
    const el = listElement(cur);
    if (!el) break;
    lists++;
    cur = el;
  }
  if (cur.element.repetition_type === 'REPEATED' && cur.children.length === 0 && cur !== node) {
    // legacy 2-level list of primitives: handled above
  } else if (cur.element.repetition_type === 'REPEATED') {
    throw new FitsError('UNSUPPORTED', `Column '${name}' uses a repeated field outside a LIST; FITS tables cannot hold it.`);
  }
  if (cur.children.length > 0) {
    const kids = cur.children.map((c) => c.element);
    const isComplex = kids.length === 2 && kids[0]!.name === 're' && kids[1]!.name === 'im' && kids.every((k) => k.type === kids[0]!.type && (k.type === 'FLOAT' || k.type === 'DOUBLE'));
    if (!isComplex) throw new FitsError('UNSUPPORTED', `Column '${name}' is a record of fields (${kids.map((k) => k.name).join(', ')}); FITS tables have no nested records — select the other columns.`);
    return { name, dtype: kids[0]!.type === 'FLOAT' ? 'complex64' : 'complex128', lists, nullable: cur.element.repetition_type === 'OPTIONAL' || node.element.repetition_type === 'OPTIONAL' };
  }
  return { name, dtype: leafDtype(cur.element, name), lists, nullable: cur.element.repetition_type === 'OPTIONAL' || node.element.repetition_type === 'OPTIONAL' };
}

/** Rows of one column over a range, as hyparquet decoded them. */
export type ParquetRows = ArrayLike<unknown>;

const CTORS: Record<Exclude<ColumnDType, 'string'>, new (n: number) => ColumnArray> = {
  bool: Uint8Array, uint8: Uint8Array, int8: Int8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array,
  int64: BigInt64Array, uint64: BigUint64Array, float32: Float32Array, float64: Float64Array, complex64: Float32Array, complex128: Float64Array,
};

/** Collects elements into a typed array (or strings) with a validity bitmap. */
class ElementSink {
  readonly values: ColumnArray | string[];
  validity: Uint8Array | undefined;
  count = 0;
  constructor(readonly dtype: ColumnDType, readonly name: string, capacity: number) {
    const per = dtype === 'complex64' || dtype === 'complex128' ? 2 : 1;
    this.values = dtype === 'string' ? new Array<string>(capacity) : new CTORS[dtype](capacity * per);
  }
  push(v: unknown): void {
    const i = this.count++;
    if (v === null || v === undefined) {
      this.validity ??= new Uint8Array(((this.values.length || 1) + 7) >>> 3).fill(0xff);
      this.validity[i >>> 3]! &= ~(1 << (i & 7));
      if (this.dtype === 'string') (this.values as string[])[i] = '';
      return;
    }
    const d = this.dtype;
    if (d === 'string') (this.values as string[])[i] = v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : String(v);
    else if (d === 'complex64' || d === 'complex128') {
      const c = v as { re?: unknown; im?: unknown };
      (this.values as Float64Array)[2 * i] = toNumber(c.re);
      (this.values as Float64Array)[2 * i + 1] = toNumber(c.im);
    } else if (d === 'bool') (this.values as Uint8Array)[i] = v ? 1 : 0;
    else if (d === 'int64' || d === 'uint64') (this.values as BigInt64Array)[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    else (this.values as Float64Array)[i] = toNumber(v);
  }
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v === null || v === undefined) return NaN;
  return Number(v);
}

function rowCount(rows: ParquetRows): number {
  return rows.length;
}

/** Shape of each row of a list column: lengths along each level when uniform, else null. */
function uniformShape(rows: ParquetRows, lists: number): number[] | null {
  const shape: (number | undefined)[] = new Array(lists);
  const walk = (v: unknown, k: number): boolean => {
    if (k === lists) return true;
    if (!Array.isArray(v)) return false; // a null list: not a fixed cell
    if (shape[k] === undefined) shape[k] = v.length;
    else if (shape[k] !== v.length) return false;
    for (const x of v) if (!walk(x, k + 1)) return false;
    return true;
  };
  for (let r = 0; r < rowCount(rows); r++) if (!walk(rows[r], 0)) return null;
  if (shape.some((s) => s === undefined)) return null;
  return shape as number[];
}

const FITS_CODE: Record<ColumnDType, string> = {
  bool: 'L', uint8: 'B', int8: 'B', int16: 'I', uint16: 'I', int32: 'J', uint32: 'J', int64: 'K', uint64: 'K', float32: 'E', float64: 'D', complex64: 'C', complex128: 'M', string: 'A',
};

/** Length in FITS characters (Latin-1 bytes) of a string; characters beyond Latin-1 are refused by the FITS writer. */
function fitsLength(s: string): number {
  return s.length;
}

/**
 * Build a column from rows decoded by hyparquet. With `meta` the FITS type is
 * restored exactly; otherwise it is derived from `shape` and the values.
 */
export function columnFromParquet(rows: ParquetRows, shape: ParquetColumnShape, meta: ColumnMeta | undefined): Column {
  const n = rowCount(rows);
  const name = meta?.name ?? shape.name;
  let dtype: ColumnDType = meta?.dtype ?? (shape.dtype === 'date' ? 'string' : shape.dtype === 'binary' ? 'uint8' : shape.dtype);
  const tform = meta?.tform;
  // PA/QA strings: one string per row into the heap layout (bytes + offsets).
  if (dtype === 'string' && tform && /^\s*\d*[PQ]A/i.test(tform)) {
    const offsets = new Int32Array(n + 1);
    let total = 0;
    for (let r = 0; r < n; r++) total += typeof rows[r] === 'string' ? (rows[r] as string).length : 0;
    const bytes = new Uint8Array(total);
    let o = 0;
    for (let r = 0; r < n; r++) {
      const s = typeof rows[r] === 'string' ? (rows[r] as string) : '';
      for (let k = 0; k < s.length; k++) bytes[o++] = s.charCodeAt(k) & 0xff;
      offsets[r + 1] = o;
    }
    return { name, dtype, format: tform, cellShape: null, length: n, data: bytes as unknown as string[], offsets };
  }
  if (shape.dtype === 'binary' && !meta) {
    // Opaque bytes: a variable-length array of bytes per row.
    const offsets = new Int32Array(n + 1);
    const parts: Uint8Array[] = [];
    let o = 0;
    for (let r = 0; r < n; r++) {
      const v = rows[r];
      const b = v instanceof Uint8Array ? v : typeof v === 'string' ? new TextEncoder().encode(v) : new Uint8Array(0);
      parts.push(b);
      o += b.length;
      offsets[r + 1] = o;
    }
    const data = new Uint8Array(o);
    let p = 0;
    for (const b of parts) (data.set(b, p), (p += b.length));
    let max = 0;
    for (let r = 0; r < n; r++) max = Math.max(max, offsets[r + 1]! - offsets[r]!);
    return { name, dtype: 'uint8', format: `1PB(${max})`, cellShape: null, length: n, data, offsets };
  }
  const lists = shape.lists;
  let cellShape: number[] | null;
  if (meta) cellShape = meta.shape ? [...meta.shape] : null;
  else if (lists === 0) cellShape = [];
  else cellShape = uniformShape(rows, lists);
  if (cellShape && cellShape.length !== lists && !(dtype === 'string' && cellShape.length === lists)) {
    if (cellShape.length !== lists) throw new FitsError('CORRUPT_DATA', `Column '${name}': the fits:table metadata gives cells of shape [${cellShape.join(', ')}] but the file stores ${lists} list level(s).`);
  }
  if (cellShape === null && lists > 1) throw new FitsError('UNSUPPORTED', `Column '${name}' holds lists of lists of varying lengths; FITS variable-length arrays have one level.`);
  if (cellShape === null) {
    // Variable-length arrays.
    let total = 0;
    for (let r = 0; r < n; r++) total += Array.isArray(rows[r]) ? (rows[r] as unknown[]).length : 0;
    const sink = new ElementSink(dtype, name, total);
    const offsets = new Int32Array(n + 1);
    let max = 0;
    for (let r = 0; r < n; r++) {
      const cell = rows[r];
      if (Array.isArray(cell)) {
        for (const v of cell) sink.push(v);
        max = Math.max(max, cell.length);
      }
      offsets[r + 1] = sink.count;
    }
    const col: { -readonly [K in keyof Column]: Column[K] } = { name, dtype, format: tform ?? `1P${FITS_CODE[dtype]}(${max})`, cellShape: null, length: n, data: sink.values, offsets };
    if (sink.validity) col.validity = trimBits(sink.validity, total);
    if (meta?.unit) col.unit = meta.unit;
    return col;
  }
  const per = cellShape.reduce((a, b) => a * b, 1);
  const sink = new ElementSink(dtype, name, n * per);
  const fill = (v: unknown, k: number, span: number) => {
    if (k === lists) return sink.push(v);
    const len = cellShape![k]!;
    if (!Array.isArray(v) || v.length !== len) {
      throw new FitsError('CORRUPT_DATA', `Column '${name}': a row has ${Array.isArray(v) ? v.length : 'no'} values where its cells hold ${len}.`);
    }
    for (const x of v) fill(x, k + 1, span / len);
  };
  for (let r = 0; r < n; r++) fill(rows[r], 0, per);
  let format = tform;
  if (!format) {
    if (dtype === 'string') {
      let w = 1;
      const strs = sink.values as string[];
      for (let i = 0; i < sink.count; i++) w = Math.max(w, fitsLength(strs[i]!));
      format = `${w * per}A`;
    } else format = `${per === 1 && cellShape.length === 0 ? '' : per}${FITS_CODE[dtype]}`;
  }
  if (dtype === 'bool' && /^\s*\d*X/i.test(format)) dtype = 'bool';
  const col: { -readonly [K in keyof Column]: Column[K] } = { name, dtype, format, cellShape, length: n, data: sink.values };
  if (sink.validity) col.validity = trimBits(sink.validity, n * per);
  if (meta?.unit) col.unit = meta.unit;
  else if (!meta && dtype === 'string' && cellShape.length > 0 && cellSize(col) > 0) {
    // String cells need one width for every element.
  }
  return col;
}

function trimBits(v: Uint8Array, count: number): Uint8Array {
  const out = v.subarray(0, (count + 7) >>> 3);
  if (count & 7 && out.length) out[out.length - 1]! &= (1 << (count & 7)) - 1;
  return out;
}
