/**
 * The columnar table model: one typed array per column.
 *
 * Conventions (fixed early: readers, FitsTable, the GPU backend and Arrow
 * interop all rely on them):
 * - Fixed-width columns hold `length × cellSize` elements, row-major, where
 *   `cellSize` is the product of `cellShape` (1 for scalars).
 * - Logical (L) and bit (X) columns are `Uint8Array` of 0/1, one byte per element.
 *   For L, an element whose stored byte is neither 'T' nor 'F' is null: its bit in
 *   `validity` is 0 and its value is 0.
 * - Complex (C, M) columns are `Float32Array`/`Float64Array` with real and
 *   imaginary parts interleaved (2 numbers per element).
 * - Strings (A) are `string[]` (one per string element), trailing spaces and NULs removed.
 *   Fixed-width string columns read from a file also carry `strings`: the
 *   stored bytes, `width` per element. Their `data` is then decoded lazily,
 *   on first access (see {@link packedStringColumn}): like numpy's fixed-width
 *   byte strings, a million cells cost one Uint8Array, not a million JS strings,
 *   until someone asks for the strings. Fast paths (gather, sort keys, filters,
 *   digest, Arrow, the writer) read `strings` and never decode.
 * - Variable-length (P, Q) columns: `offsets` has `length + 1` entries; row i's
 *   elements are `data[offsets[i] .. offsets[i+1])` (for complex, element units; for
 *   PA/QA, `data` is a Uint8Array of the stored bytes).
 * - `validity` (optional) is a bitmap, one bit per element, least-significant bit
 *   first (Arrow's layout): 1 = valid, 0 = null (TNULL match, undefined logical).
 *   NaN in float columns is a value, not a null.
 */
import { decodePackedStrings } from './strings.js';

/** The element type of a table column as it is read (TFORM with TSCAL/TZERO applied, as astropy returns it). */
export type ColumnDType =
  | 'bool'
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'complex64'
  | 'complex128'
  | 'string';

/** Typed arrays a column may hold. */
export type ColumnArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

/** One column of a FitsTable: its name, element type, cell shape, values (one typed array or string list for all rows) and validity. */
export interface Column {
  /** TTYPEn (or `col{n}` when absent). */
  readonly name: string;
  /** Element type after scaling (DIGEST.md §4). */
  readonly dtype: ColumnDType;
  /** TFORMn as written (trimmed). */
  readonly format: string;
  /** Shape of one cell, slowest first ([] scalar); null for variable-length columns. */
  readonly cellShape: readonly number[] | null;
  /** Number of rows. */
  readonly length: number;
  /** The values (see the conventions above). */
  readonly data: ColumnArray | string[];
  /** Variable-length columns: row i spans data[offsets[i]..offsets[i+1]). */
  readonly offsets?: Int32Array | Float64Array;
  /** Validity bitmap (1 = valid), one bit per element, LSB first; absent when all valid. */
  readonly validity?: Uint8Array;
  /** TUNITn, if any. */
  readonly unit?: string;
  /** Fixed-width string columns: the stored bytes (see {@link PackedStrings}). */
  readonly strings?: PackedStrings;
}

/**
 * Fixed-width string elements as stored in the file: element i is
 * `bytes[i * width, (i + 1) * width)`, padded with trailing spaces or NULs
 * (which are not part of the value). Bytes are Latin-1 characters.
 */
export interface PackedStrings {
  readonly bytes: Uint8Array;
  /** Bytes per element (> 0). */
  readonly width: number;
}

/** A column's descriptive fields (no values). */
export type ColumnFields = Pick<Column, 'name' | 'dtype' | 'format' | 'cellShape' | 'unit'>;

/** The descriptive fields of a column, read without touching its values. */
export function columnFields(c: Column): ColumnFields {
  const f: { -readonly [K in keyof ColumnFields]: ColumnFields[K] } = { name: c.name, dtype: c.dtype, format: c.format, cellShape: c.cellShape };
  if (c.unit !== undefined) f.unit = c.unit;
  return f;
}

/**
 * A fixed-width string column over packed bytes; its `data` (string[]) is
 * decoded on first access and then kept. `data` is an enumerable getter, so
 * spreading such a column (`{ ...col }`) decodes it: code that copies columns
 * starts from {@link columnFields} instead.
 */
export function packedStringColumn(fields: ColumnFields, length: number, strings: PackedStrings, validity?: Uint8Array): Column {
  const col: { -readonly [K in keyof Column]?: Column[K] } = { ...fields, length, strings };
  if (validity) col.validity = validity;
  let decoded: string[] | undefined;
  Object.defineProperty(col, 'data', {
    enumerable: true,
    configurable: true,
    get: () => (decoded ??= decodePackedStrings(strings)),
  });
  return col as Column;
}

/** Number of elements a column's `data` holds, without decoding packed strings. */
export function elementCount(c: Column): number {
  if (c.strings) return c.strings.width > 0 ? Math.floor(c.strings.bytes.length / c.strings.width) : 0;
  return c.data.length;
}

/** Elements per cell (1 for scalars and variable-length columns). */
export function cellSize(c: Pick<Column, 'cellShape'>): number {
  return c.cellShape ? c.cellShape.reduce((a, b) => a * b, 1) : 1;
}

/** True if element i is valid (not null). */
export function isValid(c: Pick<Column, 'validity'>, i: number): boolean {
  return !c.validity || ((c.validity[i >>> 3]! >>> (i & 7)) & 1) === 1;
}
