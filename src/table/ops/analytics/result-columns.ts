/**
 * Building result columns (column.ts conventions) for the analytics: numeric
 * columns from typed arrays, int64 columns from 32-bit word pairs, validity
 * bitmaps, and "take rows or null" gathers for join results.
 */
import { FitsError } from '../../../core/errors.js';
import { cellSize, columnFields, packedStringColumn, type Column, type ColumnArray, type ColumnDType } from '../../column.js';
import type { TableSource } from './table-source.js';

/** The TFORM letter a result of this dtype is written with. */
export function formatOf(dtype: ColumnDType): string {
  switch (dtype) {
    case 'bool': return 'L';
    case 'uint8': return 'B';
    case 'int8': return 'B';
    case 'int16': case 'uint16': return 'I';
    case 'int32': case 'uint32': return 'J';
    case 'int64': case 'uint64': return 'K';
    case 'float32': return 'E';
    case 'float64': return 'D';
    case 'complex64': return 'C';
    case 'complex128': return 'M';
    case 'string': return 'A';
  }
}

/** A scalar column. */
export function scalarColumn(name: string, dtype: ColumnDType, data: ColumnArray | string[], validity?: Uint8Array | null, unit?: string): Column {
  const col: { -readonly [K in keyof Column]?: Column[K] } = {
    name,
    dtype,
    format: dtype === 'string' ? `${maxLength(data as string[])}A` : formatOf(dtype),
    cellShape: [],
    length: data.length,
    data,
  };
  if (validity) col.validity = validity;
  if (unit) col.unit = unit;
  return col as Column;
}

function maxLength(a: readonly string[]): number {
  let m = 1;
  for (const s of a) if (s.length > m) m = s.length;
  return m;
}

/** A 64-bit integer column from interleaved little-endian words (low, high per value). */
export function int64Column(name: string, words: Uint32Array, unsigned = false, validity?: Uint8Array | null): Column {
  const data = unsigned ? new BigUint64Array(words.buffer, words.byteOffset, words.length / 2) : new BigInt64Array(words.buffer, words.byteOffset, words.length / 2);
  return scalarColumn(name, unsigned ? 'uint64' : 'int64', data, validity);
}

/** An int64 column of small non-negative counts. */
export function countColumn(name: string, counts: ArrayLike<number>): Column {
  const w = new Uint32Array(counts.length * 2);
  for (let g = 0; g < counts.length; g++) {
    const c = counts[g]!;
    w[2 * g] = c >>> 0;
    w[2 * g + 1] = Math.floor(c / 4294967296);
  }
  return int64Column(name, w);
}

/** A bitmap of `n` bits from 0/1 flags (1 = valid); null when every flag is 1. */
export function bitmapFromFlags(valid: Uint8Array, n = valid.length): Uint8Array | null {
  let all = true;
  for (let i = 0; i < n && all; i++) if (!valid[i]) all = false;
  if (all) return null;
  const v = new Uint8Array((n + 7) >>> 3);
  for (let i = 0; i < n; i++) if (valid[i]) v[i >>> 3]! |= 1 << (i & 7);
  return v;
}

/** The same column under another name. */
export function renamed(col: Column, name: string): Column {
  if (col.name === name) return col;
  if (col.strings) return packedStringColumn({ ...columnFields(col), name }, col.length, col.strings, col.validity);
  const out: { -readonly [K in keyof Column]?: Column[K] } = { ...columnFields(col), name, length: col.length, data: col.data };
  if (col.offsets) out.offsets = col.offsets;
  if (col.validity) out.validity = col.validity;
  return out as Column;
}

/** A column of `n` null rows shaped like `col` (values 0 / NaN / '', validity all 0). */
export function nullColumn(col: Column, n: number): Column {
  const fields = columnFields(col);
  if (col.offsets) {
    const data = Array.isArray(col.data) ? [] : new (col.data.constructor as new (k: number) => ColumnArray)(0);
    return { ...fields, length: n, data, offsets: new Int32Array(n + 1) };
  }
  const cs = cellSize(col);
  const validity = new Uint8Array((n * cs + 7) >>> 3);
  if (col.strings) return packedStringColumn(fields, n, { bytes: new Uint8Array(n * cs * col.strings.width), width: col.strings.width }, validity);
  if (Array.isArray(col.data)) return { ...fields, length: n, data: new Array<string>(n * cs).fill(''), validity };
  const per = col.dtype === 'complex64' || col.dtype === 'complex128' ? 2 : 1;
  const data = new (col.data.constructor as new (k: number) => ColumnArray)(n * cs * per);
  if (data instanceof Float32Array || data instanceof Float64Array) data.fill(NaN);
  return { ...fields, length: n, data, validity };
}

/**
 * Rows `idx` of every listed column of `table`, where -1 stands for a missing
 * row: a null (validity 0; NaN in float columns, 0, false or '' underneath;
 * an empty array in variable-length columns, which have no row nulls).
 * Gathers through the table's own `take`.
 */
export function takeOrNull(table: TableSource, columns: readonly number[], idx: Int32Array): Column[] {
  const m = idx.length;
  let missing = 0;
  for (let j = 0; j < m; j++) if (idx[j]! < 0) missing++;
  if (missing === m || table.numRows === 0) {
    if (missing !== m) throw new FitsError('BAD_ARGUMENT', 'takeOrNull: row index out of range.');
    return columns.map((c) => nullColumn(table.columnAt(c), m));
  }
  const safe = new Uint32Array(m);
  for (let j = 0; j < m; j++) safe[j] = idx[j]! < 0 ? 0 : idx[j]!;
  const view = table.take(safe);
  const out = columns.map((c) => view.columnAt(c));
  if (missing === 0) return out;
  return out.map((col) => blankRows(col, idx));
}

/** A gathered column with the rows where idx < 0 made null (the column's arrays are fresh: changed in place). */
function blankRows(col: Column, idx: Int32Array): Column {
  const m = idx.length;
  if (col.offsets) {
    // No row-level nulls for variable-length arrays: missing rows become empty arrays.
    const off = col.offsets;
    const per = col.dtype === 'complex64' || col.dtype === 'complex128' ? 2 : 1;
    const offsets = new (off.constructor as new (k: number) => Int32Array | Float64Array)(m + 1);
    let total = 0;
    for (let j = 0; j < m; j++) {
      offsets[j] = total;
      if (idx[j]! >= 0) total += off[j + 1]! - off[j]!;
    }
    offsets[m] = total;
    const v = col.validity;
    const validity = v ? new Uint8Array((total + 7) >>> 3) : undefined;
    let data: Column['data'];
    if (Array.isArray(col.data)) {
      const src = col.data;
      const dst: string[] = [];
      for (let j = 0; j < m; j++) if (idx[j]! >= 0) for (let k = off[j]!; k < off[j + 1]!; k++) dst.push(src[k]!);
      data = dst;
    } else {
      const src = col.data;
      const dst = new (src.constructor as new (k: number) => ColumnArray)(total * per);
      for (let j = 0; j < m; j++) {
        if (idx[j]! < 0) continue;
        const a = off[j]!;
        const b = off[j + 1]!;
        (dst as Float64Array).set((src as Float64Array).subarray(a * per, b * per), offsets[j]! * per);
        if (v) for (let k = a, o = offsets[j]!; k < b; k++, o++) validity![o >>> 3]! |= ((v[k >>> 3]! >>> (k & 7)) & 1) << (o & 7);
      }
      data = dst;
    }
    const out: { -readonly [K in keyof Column]?: Column[K] } = { ...columnFields(col), length: m, data, offsets };
    if (validity) out.validity = validity;
    return out as Column;
  }
  const cs = cellSize(col);
  const validity = col.validity ?? new Uint8Array((m * cs + 7) >>> 3).fill(0xff);
  for (let j = 0; j < m; j++) {
    if (idx[j]! >= 0) continue;
    for (let e = j * cs; e < (j + 1) * cs; e++) validity[e >>> 3]! &= ~(1 << (e & 7));
  }
  if (col.strings) {
    const { bytes, width } = col.strings;
    for (let j = 0; j < m; j++) if (idx[j]! < 0) bytes.fill(0, j * cs * width, (j + 1) * cs * width);
    return packedStringColumn(columnFields(col), m, col.strings, validity);
  }
  const d = col.data;
  const per = col.dtype === 'complex64' || col.dtype === 'complex128' ? 2 : 1;
  for (let j = 0; j < m; j++) {
    if (idx[j]! >= 0) continue;
    if (Array.isArray(d)) for (let e = j * cs; e < (j + 1) * cs; e++) d[e] = '';
    else if (d instanceof Float32Array || d instanceof Float64Array) d.fill(NaN, j * cs * per, (j + 1) * cs * per);
    else if (d instanceof BigInt64Array || d instanceof BigUint64Array) d.fill(0n, j * cs, (j + 1) * cs);
    else d.fill(0, j * cs, (j + 1) * cs);
  }
  const out: { -readonly [K in keyof Column]?: Column[K] } = { ...columnFields(col), length: m, data: d, validity };
  return out as Column;
}

/** Same-width integer view of a typed array, so copies keep every bit pattern (NaN payloads, int64). */
function bitsView(a: ColumnArray): Uint8Array | Uint16Array | Uint32Array | Float64Array {
  switch (a.BYTES_PER_ELEMENT) {
    case 1: return new Uint8Array(a.buffer, a.byteOffset, a.length);
    case 2: return new Uint16Array(a.buffer, a.byteOffset, a.length);
    case 4: return new Uint32Array(a.buffer, a.byteOffset, a.length);
    default: return new Float64Array(a.buffer, a.byteOffset, a.length);
  }
}

/** Rows `idx` of a scalar column (every index valid): for key columns the analytics build themselves. */
export function gatherScalar(col: Column, idx: Int32Array | Uint32Array): Column {
  const m = idx.length;
  const v = col.validity;
  let validity: Uint8Array | undefined;
  if (v) {
    validity = new Uint8Array((m + 7) >>> 3);
    for (let j = 0; j < m; j++) {
      const i = idx[j]!;
      validity[j >>> 3]! |= ((v[i >>> 3]! >>> (i & 7)) & 1) << (j & 7);
    }
  }
  const fields = columnFields(col);
  if (col.strings) {
    const { bytes, width } = col.strings;
    const out = new Uint8Array(m * width);
    for (let j = 0; j < m; j++) out.set(bytes.subarray(idx[j]! * width, (idx[j]! + 1) * width), j * width);
    return packedStringColumn(fields, m, { bytes: out, width }, validity);
  }
  let data: Column['data'];
  if (Array.isArray(col.data)) {
    const src = col.data;
    const out = new Array<string>(m);
    for (let j = 0; j < m; j++) out[j] = src[idx[j]!]!;
    data = out;
  } else {
    const dst = new (col.data.constructor as new (k: number) => ColumnArray)(m);
    const s = bitsView(col.data);
    const d = bitsView(dst);
    for (let j = 0; j < m; j++) d[j] = s[idx[j]!]!;
    data = dst;
  }
  const out: { -readonly [K in keyof Column]?: Column[K] } = { ...fields, length: m, data };
  if (validity) out.validity = validity;
  return out as Column;
}
