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
 * - Variable-length (P, Q) columns: `offsets` has `length + 1` entries; row i's
 *   elements are `data[offsets[i] .. offsets[i+1])` (for complex, element units; for
 *   PA/QA, `data` is a Uint8Array of the stored bytes).
 * - `validity` (optional) is a bitmap, one bit per element, least-significant bit
 *   first (Arrow's layout): 1 = valid, 0 = null (TNULL match, undefined logical).
 *   NaN in float columns is a value, not a null.
 */
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
}

/** Elements per cell (1 for scalars and variable-length columns). */
export function cellSize(c: Pick<Column, 'cellShape'>): number {
  return c.cellShape ? c.cellShape.reduce((a, b) => a * b, 1) : 1;
}

/** True if element i is valid (not null). */
export function isValid(c: Pick<Column, 'validity'>, i: number): boolean {
  return !c.validity || ((c.validity[i >>> 3]! >>> (i & 7)) & 1) === 1;
}
