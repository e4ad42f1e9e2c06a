/**
 * FITS columns ⇄ Parquet schema elements and the values hyparquet-writer takes.
 *
 * Mapping (FITS → Parquet):
 * - L → BOOLEAN; X (bits) → LIST of BOOLEAN;
 * - B → INT32 UINT_8; B with TZERO −128 → INT32 INT_8; I → INT32 INT_16;
 *   I with TZERO 32768 → INT32 UINT_16; J → INT32; J unsigned → INT32 UINT_32;
 *   K → INT64; K with TZERO 2^63 → INT64 UINT_64 (all exact);
 * - E → FLOAT, D → DOUBLE; scaled integers (TSCAL/TZERO) → DOUBLE (their values);
 * - C, M → a group {re, im} of FLOAT / DOUBLE;
 * - A → BYTE_ARRAY UTF8 (trailing spaces removed, as FITS readers do);
 * - cells with a shape [a, b, …] → nested LISTs (outer axis first);
 * - variable-length arrays (P, Q) → LIST; PA/QA → UTF8 strings;
 * - TNULL / undefined logicals → Parquet nulls (OPTIONAL fields).
 * Column types that do not say it themselves (unsigned, shapes, TFORM) travel in
 * the file's `fits:table` metadata (table-meta.ts).
 *
 * Only converted types (not Parquet "logical types") mark integer widths:
 * readers honour both, and hyparquet-writer 0.17 encodes the INTEGER logical
 * type's bit width as a 32-bit field, which DuckDB and Arrow reject.
 */
import type { SchemaElement } from 'hyparquet';
import { FitsError } from '../core/errors.js';
import { cellSize, type Column, type ColumnDType } from '../table/column.js';

/** A column's Parquet schema subtree and how to turn its rows into writer values. */
export interface ColumnPlan {
  name: string;
  dtype: ColumnDType;
  /** Schema elements of the column, depth-first (the first one is the column's own). */
  elements: SchemaElement[];
  nullable: boolean;
  /** Flat column without nulls of a primitive type (typed arrays pass straight through). */
  flat: boolean;
}

function leafElement(name: string, dtype: ColumnDType, optional: boolean): SchemaElement[] {
  const repetition_type = optional ? 'OPTIONAL' : 'REQUIRED';
  switch (dtype) {
    case 'bool':
      return [{ name, type: 'BOOLEAN', repetition_type }];
    case 'uint8':
      return [{ name, type: 'INT32', repetition_type, converted_type: 'UINT_8' }];
    case 'int8':
      return [{ name, type: 'INT32', repetition_type, converted_type: 'INT_8' }];
    case 'int16':
      return [{ name, type: 'INT32', repetition_type, converted_type: 'INT_16' }];
    case 'uint16':
      return [{ name, type: 'INT32', repetition_type, converted_type: 'UINT_16' }];
    case 'int32':
      return [{ name, type: 'INT32', repetition_type }];
    case 'uint32':
      return [{ name, type: 'INT32', repetition_type, converted_type: 'UINT_32' }];
    case 'int64':
      return [{ name, type: 'INT64', repetition_type }];
    case 'uint64':
      return [{ name, type: 'INT64', repetition_type, converted_type: 'UINT_64' }];
    case 'float32':
      return [{ name, type: 'FLOAT', repetition_type }];
    case 'float64':
      return [{ name, type: 'DOUBLE', repetition_type }];
    case 'string':
      return [{ name, type: 'BYTE_ARRAY', repetition_type, converted_type: 'UTF8', logical_type: { type: 'STRING' } }];
    case 'complex64':
    case 'complex128': {
      const t = dtype === 'complex64' ? 'FLOAT' : 'DOUBLE';
      return [
        { name, repetition_type, num_children: 2 },
        { name: 're', type: t, repetition_type: 'REQUIRED' },
        { name: 'im', type: t, repetition_type: 'REQUIRED' },
      ];
    }
  }
}

/** A 3-level LIST around `inner` (whose first element is renamed `element`). */
function listOf(name: string, inner: SchemaElement[], optional = false): SchemaElement[] {
  const [first, ...rest] = inner;
  return [
    { name, repetition_type: optional ? 'OPTIONAL' : 'REQUIRED', converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { ...first!, name: 'element' },
    ...rest,
  ];
}

/** True for PA/QA columns (strings stored in the heap). */
export function isHeapString(c: Pick<Column, 'dtype' | 'offsets' | 'format'>): boolean {
  return c.dtype === 'string' && (!!c.offsets || /^\s*\d*[PQ]A/i.test(c.format));
}

/**
 * Plan a column. `nullable`: whether its elements may be null (decided for the
 * whole output, so every row group and every HATS partition has one schema).
 */
export function planColumn(col: Pick<Column, 'name' | 'dtype' | 'format' | 'cellShape' | 'offsets'>, nullable: boolean): ColumnPlan {
  const { name, dtype } = col;
  if (isHeapString(col)) {
    return { name, dtype, elements: leafElement(name, 'string', false), nullable: false, flat: false };
  }
  if (col.cellShape === null || col.offsets) {
    return { name, dtype, elements: listOf(name, leafElement('element', dtype, nullable)), nullable, flat: false };
  }
  let elements = leafElement(name, dtype, nullable);
  const shape = col.cellShape;
  for (let k = shape.length - 1; k >= 0; k--) elements = listOf(name, elements);
  const flat = shape.length === 0 && !nullable && dtype !== 'bool' && dtype !== 'string' && dtype !== 'complex64' && dtype !== 'complex128';
  return { name, dtype, elements, nullable, flat };
}

function validAt(v: Uint8Array | undefined, i: number): boolean {
  return !v || ((v[i >>> 3]! >>> (i & 7)) & 1) === 1;
}

const latin1 = (bytes: Uint8Array, a: number, b: number): string => {
  let end = b;
  while (end > a && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0)) end--;
  let s = '';
  for (let i = a; i < end; i += 4096) s += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 4096)));
  return s;
};

/**
 * The values of rows r0 … r1-1 as hyparquet-writer takes them: a typed array
 * for flat columns, else one JS value per row (null, number, bigint, boolean,
 * string, {re, im} or nested arrays).
 */
export function columnValues(plan: ColumnPlan, col: Column, r0: number, r1: number): ArrayLike<unknown> & Iterable<unknown> {
  const n = r1 - r0;
  if (plan.flat && !col.validity) {
    const d = (col.data as Exclude<Column['data'], string[]>).subarray(r0, r1);
    // hyparquet-writer maps UINT_32 values to the signed int32 of the same bits from a JS array only.
    if (d instanceof Uint32Array) return Array.from(d);
    return d as unknown as ArrayLike<unknown> & Iterable<unknown>;
  }
  const data = col.data;
  const v = col.validity;
  const complex = col.dtype === 'complex64' || col.dtype === 'complex128';
  const element = (e: number): unknown => {
    if (!validAt(v, e)) return null;
    if (complex) return { re: (data as Float64Array)[2 * e]!, im: (data as Float64Array)[2 * e + 1]! };
    if (col.dtype === 'bool') return (data as Uint8Array)[e] !== 0;
    return (data as ArrayLike<unknown>)[e];
  };
  const out: unknown[] = new Array(n);
  if (isHeapString(col)) {
    const bytes = data as unknown as Uint8Array;
    const off = col.offsets!;
    if (Array.isArray(data)) for (let r = 0; r < n; r++) out[r] = (data as string[])[r0 + r];
    else for (let r = 0; r < n; r++) out[r] = latin1(bytes, off[r0 + r]!, off[r0 + r + 1]!);
    return out;
  }
  if (col.offsets) {
    const off = col.offsets;
    for (let r = 0; r < n; r++) {
      const a = off[r0 + r]!;
      const b = off[r0 + r + 1]!;
      const cell: unknown[] = new Array(b - a);
      for (let e = a; e < b; e++) cell[e - a] = element(e);
      out[r] = cell;
    }
    return out;
  }
  const shape = col.cellShape ?? [];
  const per = cellSize(col);
  if (shape.length === 0) {
    for (let r = 0; r < n; r++) out[r] = element(r0 + r);
    return out;
  }
  // Nested lists, outer axis first: axis k splits a run of `span` elements into shape[k] runs.
  const nest = (e: number, k: number, span: number): unknown[] => {
    const len = shape[k]!;
    const sub = span / len;
    const cell: unknown[] = new Array(len);
    for (let i = 0; i < len; i++) cell[i] = k === shape.length - 1 ? element(e + i) : nest(e + i * sub, k + 1, sub);
    return cell;
  };
  for (let r = 0; r < n; r++) out[r] = per === 0 ? nestEmpty(shape) : nest((r0 + r) * per, 0, per);
  return out;
}

/** A cell of a shape with a zero axis: nested empty lists down to that axis. */
function nestEmpty(shape: readonly number[]): unknown[] {
  const build = (k: number): unknown[] => (shape[k] === 0 || k === shape.length - 1 ? new Array(shape[k]).fill(null) : Array.from({ length: shape[k]! }, () => build(k + 1)));
  return build(0);
}

/** Refuse column names Parquet cannot hold. */
export function checkColumnNames(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new FitsError('BAD_ARGUMENT', `Two columns are named '${n}'; Parquet needs unique names (select or rename one).`);
    seen.add(n);
  }
}
