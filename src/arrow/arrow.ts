/**
 * Apache Arrow interop: FitsTable ⇄ arrow.Table.
 *
 * apache-arrow is an optional peer dependency, used only here (the
 * `fitsflow/arrow` entry): `toArrow` needs the module's constructors, which
 * the caller passes (`toArrow(table, arrow)`) or which are imported
 * dynamically (`await toArrow(table)`). `fromArrow` works from the tables'
 * own structure and needs no import.
 *
 * Mapping (FITS column → Arrow field):
 * - int8…uint64, float32, float64 scalars → the same Arrow type, sharing memory
 *   (zero-copy: the Arrow vector wraps the column's typed array);
 * - bool (L, X) → Bool (bit-packed: copied);
 * - string (A) → Utf8 (encoded: copied);
 * - complex64 / complex128 → FixedSizeList<2> of Float32 / Float64 (shared);
 * - array cells of shape [a, b, …] → nested FixedSizeList<a> of FixedSizeList<b> …
 *   of the element type (the flat values are shared);
 * - variable-length arrays (P, Q) → List (Int32 offsets; LargeList past 2^31)
 *   with the column's offsets and data (shared when offsets are Int32);
 *   PA/QA byte strings → Utf8 over the same bytes;
 * - validity → the null bitmap of the level holding the elements (the column for
 *   scalars, the innermost child for array cells and variable-length arrays).
 * Each field carries metadata `fits:dtype`, `fits:tform`, `fits:unit` (when
 * set) and `fits:shape` (JSON cell shape), so `fromArrow(toArrow(t))` restores
 * every column exactly (a validity bitmap without nulls comes back absent).
 */
import type * as ArrowNS from 'apache-arrow';
import { cellSize, type Column, type ColumnArray, type ColumnDType, type PackedStrings } from '../table/column.js';
import { trimmedLength } from '../table/strings.js';
import { FitsError } from '../core/errors.js';
import { FitsTable } from '../table/ops/fits-table.js';

/** The apache-arrow module (`import * as arrow from 'apache-arrow'`), passed where fitsflow should not import it itself. */
export type ArrowModule = typeof ArrowNS;
/** An apache-arrow Table. */
export type ArrowTable = ArrowNS.Table;
// Arrow's generic types are very deep; the conversion code works with these loose aliases.
// biome-ignore lint/suspicious/noExplicitAny: Arrow's generic Data type, too deep to spell out here
type AnyData = ArrowNS.Data<any>;
// biome-ignore lint/suspicious/noExplicitAny: Arrow's generic DataType
type AnyType = ArrowNS.DataType<any>;

const COMPLEX = (d: ColumnDType) => d === 'complex64' || d === 'complex128';

function packBits(bytes: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array((n + 7) >>> 3);
  for (let i = 0; i < n; i++) if (bytes[i]) out[i >>> 3]! |= 1 << (i & 7);
  return out;
}

function countNulls(v: Uint8Array | undefined, n: number): number {
  if (!v) return 0;
  let valid = 0;
  const full = n >>> 3;
  for (let i = 0; i < full; i++) {
    let b = v[i]!;
    b = b - ((b >>> 1) & 0x55);
    b = (b & 0x33) + ((b >>> 2) & 0x33);
    valid += (b + (b >>> 4)) & 0x0f;
  }
  for (let i = full * 8; i < n; i++) valid += (v[i >>> 3]! >>> (i & 7)) & 1;
  return n - valid;
}

/** UTF-8 encode strings into Arrow's offsets + bytes. */
function encodeStrings(strings: readonly string[]): { offsets: Int32Array; bytes: Uint8Array } {
  const n = strings.length;
  const offsets = new Int32Array(n + 1);
  let ascii = true;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const s = strings[i]!;
    total += s.length;
    if (ascii) for (let k = 0; k < s.length; k++) if (s.charCodeAt(k) > 0x7f) { ascii = false; break; }
  }
  if (ascii) {
    const bytes = new Uint8Array(total);
    let o = 0;
    for (let i = 0; i < n; i++) {
      const s = strings[i]!;
      offsets[i] = o;
      for (let k = 0; k < s.length; k++) bytes[o++] = s.charCodeAt(k);
    }
    offsets[n] = o;
    return { offsets, bytes };
  }
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  let o = 0;
  for (let i = 0; i < n; i++) {
    offsets[i] = o;
    const b = enc.encode(strings[i]!);
    parts.push(b);
    o += b.length;
  }
  offsets[n] = o;
  const bytes = new Uint8Array(o);
  let p = 0;
  for (const b of parts) {
    bytes.set(b, p);
    p += b.length;
  }
  return { offsets, bytes };
}

/** UTF-8 encode packed Latin-1 cells (column.ts), padding removed, into Arrow's offsets + bytes. */
function encodePackedStrings(src: Uint8Array, width: number, count: number): { offsets: Int32Array; bytes: Uint8Array } {
  const offsets = new Int32Array(count + 1);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const at = i * width;
    const len = trimmedLength(src, at, width);
    total += len;
    for (let k = at; k < at + len; k++) if (src[k]! > 0x7f) total++; // two UTF-8 bytes
  }
  const bytes = new Uint8Array(total);
  let o = 0;
  for (let i = 0; i < count; i++) {
    const at = i * width;
    const len = trimmedLength(src, at, width);
    offsets[i] = o;
    for (let k = at; k < at + len; k++) {
      const b = src[k]!;
      if (b < 0x80) bytes[o++] = b;
      else {
        bytes[o++] = 0xc0 | (b >>> 6);
        bytes[o++] = 0x80 | (b & 0x3f);
      }
    }
  }
  offsets[count] = o;
  return { offsets, bytes };
}

function elementType(A: ArrowModule, dtype: ColumnDType): AnyType {
  switch (dtype) {
    case 'bool':
      return new A.Bool();
    case 'uint8':
      return new A.Uint8();
    case 'int8':
      return new A.Int8();
    case 'int16':
      return new A.Int16();
    case 'uint16':
      return new A.Uint16();
    case 'int32':
      return new A.Int32();
    case 'uint32':
      return new A.Uint32();
    case 'int64':
      return new A.Int64();
    case 'uint64':
      return new A.Uint64();
    case 'float32':
    case 'complex64':
      return new A.Float32();
    case 'float64':
    case 'complex128':
      return new A.Float64();
    case 'string':
      return new A.Utf8();
  }
}

/** Arrow Data for `count` flat elements of a column's element type (complex: FixedSizeList<2>). */
function leafData(A: ArrowModule, col: Column, data: Column['data'] | PackedStrings, count: number, validity: Uint8Array | undefined): AnyData {
  const nullCount = countNulls(validity, count);
  const nullBitmap = nullCount ? validity : undefined;
  const type = elementType(A, col.dtype);
  if (col.dtype === 'string') {
    if (col.strings && data === col.strings) {
      const { offsets, bytes } = encodePackedStrings(col.strings.bytes, col.strings.width, count);
      return A.makeData({ type: type as ArrowNS.Utf8, length: count, nullCount, nullBitmap, valueOffsets: offsets, data: bytes });
    }
    if (Array.isArray(data)) {
      const { offsets, bytes } = encodeStrings(data.length === count ? data : data.slice(0, count));
      return A.makeData({ type: type as ArrowNS.Utf8, length: count, nullCount, nullBitmap, valueOffsets: offsets, data: bytes });
    }
    throw new FitsError('BAD_ARGUMENT', `Column '${col.name}': string data must be an array of strings.`);
  }
  if (col.dtype === 'bool') {
    return A.makeData({ type: type as ArrowNS.Bool, length: count, nullCount, nullBitmap, data: packBits(data as Uint8Array, count) });
  }
  const values = data as Exclude<ColumnArray, never>;
  if (COMPLEX(col.dtype)) {
    const child = A.makeData({ type: type as ArrowNS.Float, length: count * 2, data: values.subarray(0, count * 2) as Float32Array });
    return A.makeData({
      type: new A.FixedSizeList(2, new A.Field('item', type, false)),
      length: count,
      nullCount,
      nullBitmap,
      child,
    });
  }
  return A.makeData({ type: type as ArrowNS.Int, length: count, nullCount, nullBitmap, data: values.subarray(0, count) as Int32Array });
}

/** Arrow Data of one column. */
function columnData(A: ArrowModule, col: Column): AnyData {
  const n = col.length;
  if (col.offsets) {
    // Variable-length arrays: List (or LargeList) over the shared data.
    const off = col.offsets;
    const last = off[n] ?? 0;
    if (col.dtype === 'string' && !Array.isArray(col.data)) {
      const bytes = col.data as Uint8Array;
      const offsets = off instanceof Int32Array ? off : Int32Array.from(off);
      return A.makeData({ type: new A.Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: bytes });
    }
    const child = leafData(A, col, col.data, (col.data as ColumnArray).length / (COMPLEX(col.dtype) ? 2 : 1), col.validity);
    const field = new A.Field('item', child.type, child.nullCount > 0);
    if (off instanceof Int32Array || last <= 0x7fffffff) {
      const offsets = off instanceof Int32Array ? off : Int32Array.from(off);
      return A.makeData({ type: new A.List(field), length: n, nullCount: 0, valueOffsets: offsets, child });
    }
    const big = new BigInt64Array(n + 1);
    for (let i = 0; i <= n; i++) big[i] = BigInt(off[i]!);
    return A.makeData({ type: new A.LargeList(field), length: n, nullCount: 0, valueOffsets: big, child } as never);
  }
  const shape = col.cellShape ?? [];
  const cs = cellSize(col);
  const values = col.strings ?? col.data; // packed strings are encoded without decoding
  if (shape.length === 0) return leafData(A, col, values, n, col.validity);
  // Array cells: nested FixedSizeLists, innermost axis last. Level k has
  // n × shape[0] × … × shape[k-1] entries.
  let data = leafData(A, col, values, n * cs, col.validity);
  for (let k = shape.length - 1; k >= 0; k--) {
    const count = n * shape.slice(0, k).reduce((a, b) => a * b, 1);
    data = A.makeData({
      type: new A.FixedSizeList(shape[k]!, new A.Field('item', data.type, data.nullCount > 0)),
      length: count,
      nullCount: 0,
      child: data,
    });
  }
  return data;
}

/** Convert columns to an Arrow table (see the module doc for the mapping). */
export function columnsToArrow(A: ArrowModule, columns: readonly Column[], numRows: number): ArrowTable {
  const fields: ArrowNS.Field[] = [];
  const children: AnyData[] = [];
  const seen = new Map<string, number>();
  for (const col of columns) {
    const data = columnData(A, col);
    const meta = new Map<string, string>([
      ['fits:dtype', col.dtype],
      ['fits:tform', col.format],
      ['fits:shape', JSON.stringify(col.cellShape)],
    ]);
    if (col.unit !== undefined) meta.set('fits:unit', col.unit);
    // Arrow field names must be unique for getChild(); FITS TTYPEs usually are.
    let name = col.name;
    const k = seen.get(name) ?? 0;
    seen.set(col.name, k + 1);
    if (k) {
      name = `${col.name}_${k}`;
      meta.set('fits:name', col.name);
    }
    fields.push(new A.Field(name, data.type, data.nullCount > 0, meta));
    children.push(data);
  }
  const schema = new A.Schema(fields);
  const struct = A.makeData({ type: new A.Struct(fields), length: numRows, nullCount: 0, children });
  return new A.Table([new A.RecordBatch(schema, struct)]);
}

// ---------------------------------------------------------------- fromArrow

/** Arrow's type ids (Schema.fbs), so that reading needs no import of apache-arrow. */
const T = {
  Null: 1,
  Int: 2,
  Float: 3,
  Binary: 4,
  Utf8: 5,
  Bool: 6,
  List: 12,
  FixedSizeList: 16,
  LargeBinary: 19,
  LargeUtf8: 20,
  LargeList: 21,
} as const;

interface Leaf {
  dtype: ColumnDType;
  data: Column['data'];
  validity?: Uint8Array;
  /** Number of elements. */
  count: number;
}

function bitAt(v: Uint8Array, i: number): number {
  return (v[i >>> 3]! >>> (i & 7)) & 1;
}

/** The validity of a Data's `length` entries, shifted to bit 0; undefined without nulls. */
function validityOf(d: AnyData): Uint8Array | undefined {
  if (!d.nullBitmap || d.nullBitmap.length === 0 || d.nullCount === 0) return undefined;
  const n = d.length;
  const out = new Uint8Array((n + 7) >>> 3);
  const src = d.nullBitmap;
  const off = d.offset;
  if ((off & 7) === 0) out.set(src.subarray(off >>> 3, (off >>> 3) + out.length));
  else for (let i = 0; i < n; i++) out[i >>> 3]! |= bitAt(src, off + i) << (i & 7);
  if (n & 7) out[out.length - 1]! &= (1 << (n & 7)) - 1;
  return out;
}

function decodeUtf8(values: Uint8Array, offsets: ArrayLike<number | bigint>, n: number): string[] {
  const out: string[] = new Array(n);
  const dec = new TextDecoder();
  for (let i = 0; i < n; i++) {
    const a = Number(offsets[i]!);
    const b = Number(offsets[i + 1]!);
    let ascii = b - a < 64;
    if (ascii) for (let k = a; k < b; k++) if (values[k]! > 0x7f) { ascii = false; break; }
    out[i] = ascii ? String.fromCharCode(...values.subarray(a, b)) : dec.decode(values.subarray(a, b));
  }
  return out;
}

/** Flat elements of a primitive (or complex-pair) Data. */
function readLeaf(d: AnyData, name: string, metaDtype: string | undefined, getRow?: (i: number) => unknown): Leaf {
  // biome-ignore lint/suspicious/noExplicitAny: Arrow's type objects carry per-type fields
  const type = d.type as any;
  const n = d.length;
  const validity = validityOf(d);
  switch (d.typeId as number) {
    case T.Int: {
      const bw = type.bitWidth as number;
      const signed = type.isSigned as boolean;
      const dtype = (`${signed ? '' : 'u'}int${bw}`) as ColumnDType;
      return { dtype, data: (d.values as ColumnArray).subarray(0, n), validity, count: n };
    }
    case T.Float: {
      const precision = type.precision as number; // 0 half, 1 single, 2 double
      if (precision === 2) return { dtype: 'float64', data: (d.values as Float64Array).subarray(0, n), validity, count: n };
      if (precision === 1) return { dtype: 'float32', data: (d.values as Float32Array).subarray(0, n), validity, count: n };
      const h = d.values as Uint16Array;
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = half(h[i]!);
      return { dtype: 'float32', data: out, validity, count: n };
    }
    case T.Bool: {
      const out = new Uint8Array(n);
      const v = d.values as Uint8Array;
      for (let i = 0; i < n; i++) out[i] = bitAt(v, d.offset + i);
      return { dtype: 'bool', data: out, validity, count: n };
    }
    case T.Utf8:
    case T.LargeUtf8:
      return { dtype: 'string', data: decodeUtf8(d.values as Uint8Array, d.valueOffsets as ArrayLike<number>, n), validity, count: n };
    case T.FixedSizeList: {
      if ((metaDtype === 'complex64' || metaDtype === 'complex128') && type.listSize === 2) {
        const child = d.children[0]!;
        const f = readLeaf(child, name, undefined);
        if (f.dtype !== 'float32' && f.dtype !== 'float64') break;
        return { dtype: f.dtype === 'float32' ? 'complex64' : 'complex128', data: f.data, validity, count: n };
      }
      break;
    }
    default:
      break;
  }
  if (getRow) {
    // Anything else that reads as strings, numbers or booleans row by row (dictionaries, views, dates…).
    const vals: unknown[] = [];
    for (let i = 0; i < n; i++) vals.push(getRow(i));
    const present = vals.filter((v) => v !== null && v !== undefined);
    if (present.every((v) => typeof v === 'string')) return { dtype: 'string', data: vals.map((v) => (typeof v === 'string' ? v : '')), validity, count: n };
    if (present.every((v) => typeof v === 'number')) return { dtype: 'float64', data: Float64Array.from(vals, (v) => (typeof v === 'number' ? v : 0)), validity, count: n };
    if (present.every((v) => typeof v === 'bigint')) return { dtype: 'int64', data: BigInt64Array.from(vals, (v) => (typeof v === 'bigint' ? v : 0n)), validity, count: n };
    if (present.every((v) => typeof v === 'boolean')) return { dtype: 'bool', data: Uint8Array.from(vals, (v) => (v === true ? 1 : 0)), validity, count: n };
  }
  throw new FitsError('UNSUPPORTED', `Column '${name}': Arrow type ${String(d.type)} has no FITS equivalent.`);
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

const FITS_CODE: Record<ColumnDType, string> = {
  bool: 'L',
  uint8: 'B',
  int8: 'B',
  int16: 'I',
  uint16: 'I',
  int32: 'J',
  uint32: 'J',
  int64: 'K',
  uint64: 'K',
  float32: 'E',
  float64: 'D',
  complex64: 'C',
  complex128: 'M',
  string: 'A',
};

/** A TFORM for a column built from Arrow data (when the field carries none). */
function deriveTform(dtype: ColumnDType, cellShape: readonly number[] | null, data: Column['data'], offsets?: ArrayLike<number>): string {
  if (cellShape === null) {
    let max = 0;
    if (offsets) for (let i = 0; i + 1 < offsets.length; i++) max = Math.max(max, offsets[i + 1]! - offsets[i]!);
    return `P${FITS_CODE[dtype]}(${max})`;
  }
  const cs = cellShape.reduce((a, b) => a * b, 1);
  if (dtype === 'string') {
    let max = 0;
    for (const s of data as string[]) max = Math.max(max, new TextEncoder().encode(s).length);
    return `${Math.max(1, max) * cs}A`;
  }
  return `${cs === 1 ? '' : cs}${FITS_CODE[dtype]}`;
}

/** Concatenate the per-chunk columns of one field. */
function concatColumns(parts: Column[]): Column {
  if (parts.length === 1) return parts[0]!;
  const first = parts[0]!;
  const length = parts.reduce((a, p) => a + p.length, 0);
  const per = COMPLEX(first.dtype) ? 2 : 1;
  const anyValidity = parts.some((p) => p.validity);
  const elems = (p: Column) => (p.offsets ? Number(p.offsets[p.length]! - p.offsets[0]!) : p.length * cellSize(p));
  const totalElems = parts.reduce((a, p) => a + elems(p), 0);
  const validity = anyValidity ? new Uint8Array((totalElems + 7) >>> 3) : undefined;
  let data: Column['data'];
  let offsets: Int32Array | Float64Array | undefined;
  if (first.offsets) {
    offsets = totalElems <= 0x7fffffff ? new Int32Array(length + 1) : new Float64Array(length + 1);
    const dst = new (first.data.constructor as new (n: number) => ColumnArray)(totalElems * per);
    let row = 0;
    let o = 0;
    for (const p of parts) {
      const off = p.offsets!;
      const base = off[0]!;
      for (let i = 0; i < p.length; i++) offsets[row++] = o + off[i]! - base;
      const cnt = off[p.length]! - base;
      (dst as Uint8Array).set((p.data as Uint8Array).subarray(base * per, (base + cnt) * per), o * per);
      for (let i = 0; i < cnt; i++) if (!p.validity || bitAt(p.validity, base + i)) validity && (validity[(o + i) >>> 3]! |= 1 << ((o + i) & 7));
      o += cnt;
    }
    offsets[length] = o;
    data = dst;
  } else {
    let o = 0;
    if (Array.isArray(first.data)) {
      const out: string[] = [];
      for (const p of parts) for (const s of p.data as string[]) out.push(s);
      data = out;
    } else {
      const dst = new (first.data.constructor as new (n: number) => ColumnArray)(totalElems * per);
      for (const p of parts) {
        (dst as Uint8Array).set(p.data as Uint8Array, o * per);
        o += elems(p);
      }
      data = dst;
    }
    if (validity) {
      let e = 0;
      for (const p of parts) {
        const cnt = elems(p);
        for (let i = 0; i < cnt; i++, e++) if (!p.validity || bitAt(p.validity, i)) validity[e >>> 3]! |= 1 << (e & 7);
      }
    }
  }
  const out: { -readonly [K in keyof Column]: Column[K] } = { ...first, length, data };
  if (offsets) out.offsets = offsets;
  if (validity) out.validity = validity;
  else delete out.validity;
  return out;
}

/** One chunk of one field → a Column. */
function chunkToColumn(d: AnyData, field: ArrowNS.Field, getRow: (i: number) => unknown): Column {
  const meta = field.metadata;
  const metaDtype = meta.get('fits:dtype');
  const name = meta.get('fits:name') ?? field.name;
  const n = d.length;
  const tform = meta.get('fits:tform');
  const unit = meta.get('fits:unit');
  const finish = (c: { -readonly [K in keyof Column]: Column[K] }): Column => {
    if (unit !== undefined) c.unit = unit;
    if (!c.validity) delete c.validity;
    if (!c.offsets) delete c.offsets;
    return c;
  };
  const typeId = d.typeId as number;
  // Byte strings of variable-length columns (PA/QA) travel as Utf8.
  if ((typeId === T.Utf8 || typeId === T.LargeUtf8 || typeId === T.Binary || typeId === T.LargeBinary) && (metaDtype === 'string' || typeId === T.Binary || typeId === T.LargeBinary) && (tform ? /^\s*\d*[PQ]/i.test(tform) : typeId === T.Binary || typeId === T.LargeBinary)) {
    const vo = d.valueOffsets as ArrayLike<number | bigint>;
    const base = Number(vo[0]!);
    const end = Number(vo[n]!);
    const offsets = end - base <= 0x7fffffff ? new Int32Array(n + 1) : new Float64Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = Number(vo[i]!) - base;
    const bytes = (d.values as Uint8Array).subarray(base, end);
    const dtype: ColumnDType = metaDtype === 'string' ? 'string' : 'uint8';
    return finish({ name, dtype, format: tform ?? deriveTform(dtype, null, bytes, offsets), cellShape: null, length: n, data: bytes, offsets });
  }
  if (typeId === T.List || typeId === T.LargeList) {
    const child = d.children[0]!;
    const leaf = readLeaf(child, name, metaDtype);
    const vo = d.valueOffsets as ArrayLike<number | bigint>;
    const offsets = Number(vo[n] ?? 0) <= 0x7fffffff ? new Int32Array(n + 1) : new Float64Array(n + 1);
    for (let i = 0; i <= n; i++) offsets[i] = Number(vo[i]!);
    return finish({
      name,
      dtype: leaf.dtype,
      format: tform ?? deriveTform(leaf.dtype, null, leaf.data, offsets),
      cellShape: null,
      length: n,
      data: leaf.data,
      offsets,
      validity: leaf.validity,
    });
  }
  // Fixed-size lists (other than complex pairs) are array cells.
  const shape: number[] = [];
  let cur = d;
  let listNulls: Uint8Array | undefined;
  let count = n;
  const isComplexPair = (x: AnyData) => (metaDtype === 'complex64' || metaDtype === 'complex128') && (x.typeId as number) === T.FixedSizeList && (x.children[0]!.typeId as number) !== T.FixedSizeList;
  while ((cur.typeId as number) === T.FixedSizeList && !isComplexPair(cur)) {
    // biome-ignore lint/suspicious/noExplicitAny: FixedSizeList's listSize
    const size = (cur.type as any).listSize as number;
    // Nulls at a list level null every element beneath.
    const v = validityOf(cur);
    if (v) {
      const expanded = new Uint8Array(((count * size + 7) >>> 3));
      for (let i = 0; i < count; i++) {
        const ok = bitAt(v, i) && (!listNulls || bitAt(listNulls, i));
        if (ok) for (let k = 0; k < size; k++) expanded[(i * size + k) >>> 3]! |= 1 << ((i * size + k) & 7);
      }
      listNulls = expanded;
    } else if (listNulls) {
      const expanded = new Uint8Array(((count * size + 7) >>> 3));
      for (let i = 0; i < count; i++) if (bitAt(listNulls, i)) for (let k = 0; k < size; k++) expanded[(i * size + k) >>> 3]! |= 1 << ((i * size + k) & 7);
      listNulls = expanded;
    }
    shape.push(size);
    count *= size;
    cur = cur.children[0]!;
    // Children of fixed-size lists are sliced with their parent; keep only this chunk's elements.
    if (cur.length > count) cur = cur.slice(0, count);
  }
  const leaf = readLeaf(cur, name, metaDtype, shape.length === 0 ? getRow : undefined);
  let validity = leaf.validity;
  if (listNulls) {
    if (!validity) validity = listNulls;
    else for (let i = 0; i < validity.length; i++) validity[i]! &= listNulls[i]!;
  }
  const metaShape = meta.get('fits:shape');
  let cellShape: number[] = shape;
  if (metaShape) {
    try {
      const s = JSON.parse(metaShape) as unknown;
      if (Array.isArray(s) && s.reduce((a: number, b: number) => a * b, 1) === shape.reduce((a, b) => a * b, 1)) cellShape = s as number[];
    } catch {
      /* ignore malformed metadata */
    }
  }
  return finish({
    name,
    dtype: leaf.dtype,
    format: tform ?? deriveTform(leaf.dtype, cellShape, leaf.data),
    cellShape,
    length: n,
    data: leaf.data,
    validity,
  });
}

/** Columns of an Arrow table (see the module doc). */
export function arrowToColumns(table: ArrowTable): { columns: Column[]; numRows: number } {
  const columns: Column[] = [];
  const fields = table.schema.fields;
  for (let f = 0; f < fields.length; f++) {
    const field = fields[f]!;
    const vector = table.getChildAt(f);
    const chunks = vector ? (vector.data as AnyData[]) : [];
    const parts: Column[] = [];
    let rowBase = 0;
    for (const d of chunks) {
      const base = rowBase;
      parts.push(chunkToColumn(d, field, (i) => vector!.get(base + i)));
      rowBase += d.length;
    }
    if (parts.length === 0) {
      const empty = chunkToColumnEmpty(field);
      columns.push(empty);
    } else columns.push(concatColumns(parts));
  }
  return { columns, numRows: table.numRows };
}

function chunkToColumnEmpty(field: ArrowNS.Field): Column {
  const dtype = (field.metadata.get('fits:dtype') as ColumnDType | undefined) ?? 'float64';
  return { name: field.name, dtype, format: field.metadata.get('fits:tform') ?? FITS_CODE[dtype], cellShape: [], length: 0, data: dtype === 'string' ? [] : new Float64Array(0) };
}

/**
 * A FitsTable as an apache-arrow Table. Numeric columns share memory with the
 * Arrow vectors (zero-copy); see the module notes for the full mapping. Pass
 * the apache-arrow module for a synchronous call
 * (`import * as arrow from 'apache-arrow'; toArrow(t, arrow)`), or leave it
 * out to import apache-arrow dynamically (returns a Promise).
 * @example
 * const at = await toArrow(await hdu.readTable());
 */
export function toArrow(table: FitsTable, arrow: ArrowModule): ArrowTable;
export function toArrow(table: FitsTable): Promise<ArrowTable>;
export function toArrow(table: FitsTable, arrow?: ArrowModule): ArrowTable | Promise<ArrowTable> {
  if (arrow) return columnsToArrow(arrow, table.columns, table.numRows);
  return import('apache-arrow').then(
    (m) => columnsToArrow(m as ArrowModule, table.columns, table.numRows),
    (e: unknown) => {
      throw new FitsError('UNSUPPORTED', 'toArrow() needs the apache-arrow package (npm install apache-arrow).', { cause: e });
    },
  );
}

/** A FitsTable from an apache-arrow Table (no import of apache-arrow needed). */
export function fromArrow(table: ArrowTable): FitsTable {
  const { columns, numRows } = arrowToColumns(table);
  return new FitsTable(columns, numRows);
}
