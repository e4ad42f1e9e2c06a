/**
 * FitsTable: an in-memory columnar table (one typed array per column, see
 * column.ts) with selection, slicing, filtering and sorting (Arrow interop: fitsflow/arrow).
 *
 * Tables are immutable. Row operations (`filter`, `sort`, `take`, `slice` of a
 * view) return a lazy view: a row index over the parent's columns, so chained
 * operations compose indices and each column is gathered once, on first use
 * (`column()`, `columns`; `row()` reads cells through the index without
 * gathering; `materialize()` gathers everything). Slicing a plain table shares
 * memory. A sorted view (or a `take` of a full permutation) gathers by reading
 * the source in order and writing through the inverse permutation, which is
 * several times faster than random reads on big columns.
 *
 * Performance note: with millions of JS strings alive (big string columns),
 * every ~64 MB of new typed arrays triggers a full V8 collection that marks all
 * of them; sorting and filtering reuse scratch memory for that reason, but
 * gathering big results still pays for it.
 *
 * ## Filter expressions
 * `table.filter('MAG_G < 20 && isfinite(PARALLAX)')`:
 * - column names: bare identifiers (`MAG_G`), or in backticks / double quotes
 *   for any other name (`` `FLUX-AUTO` ``, `"e.1"`); an exact match first,
 *   then a case-insensitive one (like astropy). Array cells take an index:
 *   `FLUX[2]` (0-based, flat) or `M[1, 0]` (one index per axis of TDIM);
 * - numbers `12`, `1.5`, `.5`, `1e-3`; strings in single quotes `'M31'` (a
 *   doubled quote inside stands for one); `true`, `false`;
 * - `+ - * / %` (`%` keeps the sign of the dividend, like C and JS), unary `-`;
 * - `< <= > >= == !=` (not chained); `&& || !` or `and or not`; parentheses;
 * - functions: abs sqrt log log10 exp sin cos tan asin acos atan atan2 pow
 *   hypot floor ceil round (half to even) min max (2 or more arguments),
 *   isnan isfinite isinf, and isnull (true where the value is null).
 *
 * Semantics:
 * - numbers are compared in float64. A column compared with a constant is
 *   compared exactly whatever its type (float32 values as the doubles they
 *   are; int64/uint64 columns exactly against the constant on their 64-bit
 *   values, so `ID == 9007199254740993` is exact). Arithmetic converts int64
 *   values to the nearest double; comparing two 64-bit columns is exact;
 * - IEEE: NaN compares false, except `!=`;
 * - nulls (validity bit 0) propagate; logic is three-valued like SQL
 *   (`null && false` is false, `null || true` is true) and a row matches only
 *   when the filter is true. `isnull(X)` finds null rows;
 * - strings compare by UTF-16 code units, trailing spaces ignored (FITS);
 * - logical columns are conditions themselves: `FLAG && !BAD`.
 *
 * ## Sorting
 * `table.sort(['CLASS', 'MAG_R'], { descending: [false, true], nulls: 'last' })`:
 * stable (ties keep their order), multi-key (first key most significant).
 * Numbers ascend with -0 equal to +0 and NaN after every number; `descending`
 * reverses the numbers but keeps NaN last (like pandas, unlike reversing an
 * ascending sort). Nulls go `last` (default: after NaN) or `first`, in either
 * direction. Strings sort by UTF-16 code units (bytes, for ASCII). Booleans:
 * false before true. Complex and variable-length columns cannot be sort keys.
 */
import { FitsError } from '../../core/errors.js';
import type { Complex } from '../../header/card.js';
import { cellSize, elementCount, type Column, type ColumnArray } from '../column.js';
import { latin1, packedString, trimmedLength } from '../strings.js';
import type { BackendChoice, SortKeySpec, TableBackend } from './backend.js';
import { asyncBackend, syncBackend } from './choose-backend.js';
import { cpuBackend } from './backend-cpu.js';
import { gatherColumn, scatterColumn, sliceColumn } from './column-kernels.js';
import { checkExpression, resolveColumnName, type CheckedExpr } from './expression/check.js';
import { groupRows, type GroupByOptions, type GroupedTable } from './analytics/group-by.js';
import { joinTables, type JoinOptions } from './analytics/join.js';
import { xmatchTables, type TableCrossMatchOptions } from './analytics/xmatch.js';
import { withColumn } from './analytics/with-column.js';
import { describeTable } from './analytics/describe.js';
import { tableSchema, type ColumnSemantics, type SchemaOptions } from './analytics/schema.js';
import { featureMatrix, type FeatureMatrix, type FeatureOptions } from './analytics/features.js';

/** One cell as `row()` returns it. */
export type Cell =
  | number
  | bigint
  | string
  | boolean
  | null
  | Complex
  | ColumnArray
  | (number | bigint | string | boolean | Complex | null)[];

/** One row: column name → cell (duplicate names: the first column wins). */
export type Row = Record<string, Cell>;

/** Options of FitsTable's filters. */
export interface FilterOptions {
  /**
   * Where to run (filterAsync): `false` the CPU, `true` the GPU (FitsError
   * 'GPU' without an adapter), `'auto'` (default) the GPU only where it is
   * expected to win. The synchronous `filter` runs on the CPU.
   */
  gpu?: BackendChoice;
  /** A backend to run on instead (see backend.ts). */
  backend?: TableBackend;
}

/** Options of {@link FitsTable.sort}, {@link FitsTable.sortIndices} and {@link FitsTable.sortAsync}. */
export interface SortOptions {
  /** Descending order, for all keys or per key. Default false. */
  descending?: boolean | boolean[];
  /** Where nulls go (default 'last'). NaN always follows every number. */
  nulls?: 'first' | 'last';
  /** Where to run (sortAsync), as {@link FilterOptions.gpu}. */
  gpu?: BackendChoice;
  /** A backend to run on instead (see backend.ts). */
  backend?: TableBackend;
}

/**
 * How a view's rows map to its base columns' rows: row r is base row
 * `general[r]`, or, factorised, `sel[perm[r]]` (sel ascending; perm a
 * permutation of sel's positions; either may be null for the identity).
 * Filters keep `sel` ascending and sorts only touch `perm`, so a filtered,
 * sorted view materialises its columns by reading `sel` in order and writing
 * through the inverse permutation (see scatterColumn).
 */
class RowMap {
  #composed: Uint32Array | null = null;
  #inverse: Uint32Array | null = null;
  constructor(
    readonly sel: Uint32Array | null,
    readonly perm: Uint32Array | null,
    readonly general: Uint32Array | null,
  ) {}

  get length(): number {
    return (this.general ?? this.perm ?? this.sel)!.length;
  }

  /** Base row of row r. */
  at(r: number): number {
    if (this.general) return this.general[r]!;
    const p = this.perm ? this.perm[r]! : r;
    return this.sel ? this.sel[p]! : p;
  }

  /** Base row of every row. */
  composed(): Uint32Array {
    if (this.general) return this.general;
    if (!this.perm) return this.sel!;
    if (!this.sel) return this.perm;
    if (!this.#composed) {
      const { sel, perm } = this;
      const c = new Uint32Array(perm.length);
      for (let j = 0; j < c.length; j++) c[j] = sel[perm[j]!]!;
      this.#composed = c;
    }
    return this.#composed;
  }

  /** The inverse of perm (perm must be set). */
  inverse(): Uint32Array {
    if (!this.#inverse) {
      const perm = this.perm!;
      const inv = new Uint32Array(perm.length);
      for (let j = 0; j < perm.length; j++) inv[perm[j]!] = j;
      this.#inverse = inv;
    }
    return this.#inverse;
  }

  /** Rows `idx` of this map; `kind` tells what idx is: ascending (filter), a permutation (sort), anything (take). */
  compose(idx: Uint32Array, kind: 'ascending' | 'permutation' | 'any'): RowMap {
    if (!this.general) {
      if (kind === 'ascending' && !this.perm) {
        if (!this.sel) return new RowMap(idx, null, null);
        const sel = this.sel;
        const out = new Uint32Array(idx.length);
        for (let j = 0; j < idx.length; j++) out[j] = sel[idx[j]!]!;
        return new RowMap(out, null, null);
      }
      if (kind === 'permutation') {
        if (!this.perm) return new RowMap(this.sel, idx, null);
        const perm = this.perm;
        const out = new Uint32Array(idx.length);
        for (let j = 0; j < idx.length; j++) out[j] = perm[idx[j]!]!;
        return new RowMap(this.sel, out, null);
      }
    }
    const c = this.composed();
    const out = new Uint32Array(idx.length);
    for (let j = 0; j < idx.length; j++) out[j] = c[idx[j]!]!;
    return new RowMap(null, null, out);
  }

  /** Rows a .. b. */
  slice(a: number, b: number): RowMap {
    if (!this.general && !this.perm) return new RowMap(this.sel!.subarray(a, b), null, null);
    return new RowMap(null, null, this.composed().subarray(a, b));
  }

  /** Column `col` with this map applied. */
  apply(col: Column): Column {
    if (this.perm && !this.general) {
      const out = scatterColumn(col, this.sel, this.inverse());
      if (out) return out;
    }
    return gatherColumn(col, this.composed());
  }
}

/** Set by the private view factory just before construction. */
let pendingView: { base: readonly Column[]; map: RowMap; cache?: (Column | undefined)[] } | null = null;

/**
 * A table in columns (one typed array or string list per column), as `hdu.readTable()` returns it.
 * Row selections (filter, sort, slice, take) are views that share the columns; `materialize()` copies.
 * Analytics (groupBy, join, xmatch, withColumn, describe) return new tables.
 */
export class FitsTable {
  /** Number of rows. */
  readonly numRows: number;
  /** Columns before the row map (the parent's columns for a view). */
  readonly #base: readonly Column[];
  /** Row i of this table is row #map.at(i) of #base; null when this table owns its rows. */
  readonly #map: RowMap | null;
  /** Gathered columns of a view. */
  readonly #cache: (Column | undefined)[];

  /**
   * A table of columns, each `numRows` long (the reader builds tables this way).
   * The columns are used as they are, not copied.
   */
  constructor(columns: Column[], numRows: number) {
    if (pendingView) {
      const v = pendingView;
      pendingView = null;
      this.#base = v.base;
      this.#map = v.map;
      this.#cache = v.cache ?? new Array(v.base.length);
      this.numRows = numRows;
      return;
    }
    if (!Array.isArray(columns)) throw new FitsError('BAD_ARGUMENT', 'FitsTable needs an array of columns.');
    if (!Number.isSafeInteger(numRows) || numRows < 0) throw new FitsError('BAD_ARGUMENT', `A table's row count must be a non-negative integer, not ${numRows}.`);
    for (const c of columns) checkColumn(c, numRows);
    this.numRows = numRows;
    this.#base = columns.slice();
    this.#map = null;
    this.#cache = [];
  }

  static #view(base: readonly Column[], map: RowMap, cache?: (Column | undefined)[]): FitsTable {
    pendingView = { base, map, cache };
    return new FitsTable([], map.length);
  }

  // ---------------------------------------------------------------- columns

  /** Column names, in order. */
  get columnNames(): string[] {
    return this.#base.map((c) => c.name);
  }

  /** All columns (a view gathers every column it has not gathered yet). */
  get columns(): Column[] {
    return this.#base.map((_, i) => this.columnAt(i));
  }

  /** The column at a position. */
  columnAt(i: number): Column {
    const base = this.#base[i];
    if (!base) throw new FitsError('NOT_FOUND', `There is no column ${i} (the table has ${this.#base.length}).`);
    if (!this.#map) return base;
    return (this.#cache[i] ??= this.#map.apply(base));
  }

  /**
   * Where column `i`'s values live without gathering: row r of this table is
   * row `rows[r]` of `column` (or row r when `rows` is null). For backends that
   * can read through an index (sorting keys, a GPU upload) instead of gathering.
   */
  columnSource(i: number): { column: Column; rows: Uint32Array | null } {
    const base = this.#base[i];
    if (!base) throw new FitsError('NOT_FOUND', `There is no column ${i} (the table has ${this.#base.length}).`);
    const cached = this.#map ? this.#cache[i] : undefined;
    if (cached || !this.#map) return { column: cached ?? base, rows: null };
    return { column: base, rows: this.#map.composed() };
  }

  /** Position of a column by name (exact, then case-insensitive), or -1. */
  columnIndex(name: string): number {
    const r = resolveColumnName(this.#base, name);
    if (typeof r === 'string') throw new FitsError('BAD_ARGUMENT', r[0]!.toUpperCase() + r.slice(1) + '.');
    return r;
  }

  /** True if the table has a column of this name (case-insensitive fallback). */
  hasColumn(name: string): boolean {
    return resolveColumnName(this.#base, name) !== -1;
  }

  /** A column by name: an exact match, else the unique case-insensitive match. */
  column(name: string): Column {
    const i = this.columnIndex(name);
    if (i < 0) throw new FitsError('NOT_FOUND', `No column named '${name}'; columns: ${this.columnNames.join(', ') || '(none)'}.`);
    return this.columnAt(i);
  }

  /** A table of some columns, in the order given. */
  select(names: string | readonly string[]): FitsTable {
    const list = typeof names === 'string' ? [names] : names;
    const idx = list.map((n) => {
      const i = this.columnIndex(n);
      if (i < 0) throw new FitsError('NOT_FOUND', `No column named '${n}'; columns: ${this.columnNames.join(', ') || '(none)'}.`);
      return i;
    });
    const base = idx.map((i) => this.#base[i]!);
    if (!this.#map) return new FitsTable(base, this.numRows);
    return FitsTable.#view(base, this.#map, idx.map((i) => this.#cache[i]));
  }

  // ---------------------------------------------------------------- rows

  /** Rows `start .. end` (end exclusive; negative counts from the end, like Array.prototype.slice). */
  slice(start = 0, end = this.numRows): FitsTable {
    const n = this.numRows;
    const norm = (x: number) => {
      if (Number.isNaN(x)) return 0;
      x = Math.trunc(x);
      return x < 0 ? Math.max(0, n + x) : Math.min(n, x);
    };
    const a = norm(start);
    const b = Math.max(a, norm(end));
    if (this.#map) {
      return FitsTable.#view(this.#base, this.#map.slice(a, b), this.#cache.map((c) => (c ? sliceColumn(c, a, b) : undefined)));
    }
    return new FitsTable(this.#base.map((c) => sliceColumn(c, a, b)), b - a);
  }

  /** The first `n` rows (default 10). */
  head(n = 10): FitsTable {
    return this.slice(0, Math.max(0, n));
  }

  /** The last `n` rows (default 10). */
  tail(n = 10): FitsTable {
    return this.slice(Math.max(0, this.numRows - Math.max(0, n)));
  }

  /** The rows at `indices`, in that order (repeats allowed). */
  take(indices: Uint32Array | readonly number[]): FitsTable {
    const n = this.numRows;
    const idx = Uint32Array.from(indices as ArrayLike<number>);
    for (let j = 0; j < idx.length; j++) {
      const v = (indices as ArrayLike<number>)[j]!;
      if (!(v >= 0 && v < n && Number.isInteger(v))) throw new FitsError('BAD_ARGUMENT', `Row index ${v} is out of range (the table has ${n} rows).`);
    }
    return this.#take(idx, idx.length === n && isPermutation(idx) ? 'permutation' : 'any');
  }

  /** take() for trusted indices (owned by the caller, in range), of a known kind. */
  #take(idx: Uint32Array, kind: 'ascending' | 'permutation' | 'any'): FitsTable {
    return FitsTable.#view(this.#base, this.#map ? this.#map.compose(idx, kind) : new RowMap(kind === 'ascending' ? idx : null, kind === 'permutation' ? idx : null, kind === 'any' ? idx : null));
  }

  /** A table that owns its rows: a view gathers all its columns now. */
  materialize(): FitsTable {
    if (!this.#map) return this;
    return new FitsTable(this.columns, this.numRows);
  }

  /** Row `i` as a plain object (negative i counts from the end). */
  row(i: number): Row {
    const n = this.numRows;
    const r = i < 0 ? n + i : i;
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new FitsError('BAD_ARGUMENT', `Row ${i} is out of range (the table has ${n} rows).`);
    const src = this.#map ? this.#map.at(r) : r;
    const out: Row = {};
    for (const col of this.#base) if (!(col.name in out)) out[col.name] = cellValue(col, src);
    return out;
  }

  /** Iterate over the rows as plain objects. */
  *rows(): IterableIterator<Row> {
    for (let i = 0; i < this.numRows; i++) yield this.row(i);
  }

  /** The rows as objects (see {@link FitsTable.rows}). */
  [Symbol.iterator](): IterableIterator<Row> {
    return this.rows();
  }

  /** One cell: row `i` of column `name`. */
  cell(i: number, name: string): Cell {
    const c = this.columnIndex(name);
    if (c < 0) throw new FitsError('NOT_FOUND', `No column named '${name}'.`);
    const n = this.numRows;
    const r = i < 0 ? n + i : i;
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new FitsError('BAD_ARGUMENT', `Row ${i} is out of range (the table has ${n} rows).`);
    return cellValue(this.#base[c]!, this.#map ? this.#map.at(r) : r);
  }

  // ---------------------------------------------------------------- filter

  /** Type-check an expression against this table (FitsError BAD_ARGUMENT on mistakes). */
  check(expression: string, want: 'bool' | 'number' | 'string' = 'bool'): CheckedExpr {
    return checkExpression(expression, this.#base, want);
  }

  /** The rows where `expression` is true (see the module doc for the language). */
  filter(expression: string, opts: FilterOptions = {}): FitsTable {
    return this.#take(this.filterIndices(expression, opts), 'ascending');
  }

  /** Ascending indices of the rows where `expression` is true. */
  filterIndices(expression: string, opts: FilterOptions = {}): Uint32Array {
    const expr = this.check(expression);
    const backend = syncBackend(opts.gpu, cpuBackend, opts.backend, 'filter');
    return syncResult(backend, backend.filter(this, expr));
  }

  /** filter() that can await an asynchronous (GPU) backend. */
  async filterAsync(expression: string, opts: FilterOptions = {}): Promise<FitsTable> {
    const expr = this.check(expression);
    const backend = await asyncBackend(opts.gpu, cpuBackend, opts.backend, { kind: 'filter', table: this, expr });
    return this.#take(await backend.filter(this, expr), 'ascending');
  }

  // ---------------------------------------------------------------- sort

  /** Sorted by one or more columns (see the module doc for the order). */
  sort(keys: string | readonly string[], opts: SortOptions = {}): FitsTable {
    return this.#take(this.sortIndices(keys, opts), 'permutation');
  }

  /** The stable permutation that sorts the table (`argsort`). */
  sortIndices(keys: string | readonly string[], opts: SortOptions = {}): Uint32Array {
    const specs = this.#sortSpecs(keys, opts);
    const backend = syncBackend(opts.gpu, cpuBackend, opts.backend, 'sort');
    return syncResult(backend, backend.sort(this, specs));
  }

  /** sort() that can await an asynchronous (GPU) backend. */
  async sortAsync(keys: string | readonly string[], opts: SortOptions = {}): Promise<FitsTable> {
    const specs = this.#sortSpecs(keys, opts);
    const backend = await asyncBackend(opts.gpu, cpuBackend, opts.backend, { kind: 'sort', table: this, keys: specs });
    return this.#take(await backend.sort(this, specs), 'permutation');
  }

  #sortSpecs(keys: string | readonly string[], opts: SortOptions): SortKeySpec[] {
    const list = typeof keys === 'string' ? [keys] : keys;
    if (list.length === 0) throw new FitsError('BAD_ARGUMENT', 'sort() needs at least one key.');
    const desc = opts.descending ?? false;
    if (Array.isArray(desc) && desc.length !== list.length) {
      throw new FitsError('BAD_ARGUMENT', `sort(): ${list.length} keys but ${desc.length} 'descending' flags.`);
    }
    const nulls = opts.nulls ?? 'last';
    if (nulls !== 'first' && nulls !== 'last') throw new FitsError('BAD_ARGUMENT', `sort(): nulls must be 'first' or 'last', not '${String(nulls)}'.`);
    return list.map((name, k) => {
      const i = this.columnIndex(name);
      if (i < 0) throw new FitsError('NOT_FOUND', `Cannot sort by '${name}': no such column; columns: ${this.columnNames.join(', ')}.`);
      const col = this.#base[i]!;
      if (col.cellShape === null || col.offsets) throw new FitsError('BAD_ARGUMENT', `Cannot sort by '${col.name}': it holds variable-length arrays.`);
      if (cellSize(col) !== 1) throw new FitsError('BAD_ARGUMENT', `Cannot sort by '${col.name}': it holds ${cellSize(col)} values per row.`);
      if (col.dtype === 'complex64' || col.dtype === 'complex128') throw new FitsError('BAD_ARGUMENT', `Cannot sort by '${col.name}': complex numbers have no order.`);
      return { column: i, descending: Array.isArray(desc) ? !!desc[k] : !!desc, nulls };
    });
  }

  /**
   * A table from plain arrays: `FitsTable.fromArrays({ RA: new Float64Array(…), NAME: ['a', 'b'] })`.
   * Typed arrays give their dtype; string arrays 'string'; boolean arrays 'bool';
   * number arrays float64; bigint arrays int64. Scalar cells only.
   */
  static fromArrays(arrays: Record<string, ColumnArray | readonly string[] | readonly boolean[] | readonly number[] | readonly bigint[]>): FitsTable {
    const cols: Column[] = [];
    let n = -1;
    for (const [name, a] of Object.entries(arrays)) {
      const col = columnFromArray(name, a);
      if (n >= 0 && col.length !== n) throw new FitsError('BAD_ARGUMENT', `fromArrays(): column '${name}' has ${col.length} rows, others ${n}.`);
      n = col.length;
      cols.push(col);
    }
    return new FitsTable(cols, Math.max(0, n));
  }

  /** A one-line summary: the number of rows and the column names (print rows with `rows()`, e.g. `console.table([...t.rows()])`). */
  toString(): string {
    return `FitsTable(${this.numRows} rows × ${this.#base.length} columns: ${this.columnNames.join(', ')})`;
  }

  // ---------------------------------------------------------------- analytics (thin wrappers of src/table/analytics/)

  /** Rows grouped by key columns: `t.groupBy(['BAND']).agg('count(),mean(MAG),std(MAG)')` (pandas semantics: analytics/group-by.ts). */
  groupBy(keys: string | readonly string[], opts: GroupByOptions = {}): GroupedTable<FitsTable> {
    const g = groupRows(this, keys, opts);
    return { keys: g.keys, numGroups: g.numGroups, groupIds: g.groupIds, agg: (specs) => FitsTable.#of(g.agg(specs)) };
  }

  /** This table joined with another on key columns (pandas merge semantics and order: analytics/join.ts). */
  join(other: FitsTable, opts: JoinOptions): FitsTable {
    return FitsTable.#of(joinTables(this, other, opts));
  }

  /** Pairs of rows within an angular radius: index_a, index_b, sep_arcsec (astropy semantics: analytics/xmatch.ts). */
  xmatch(other: FitsTable, opts: TableCrossMatchOptions): FitsTable {
    return FitsTable.#of(xmatchTables(this, other, opts));
  }

  /** This table with a column computed from an expression (replaced when the name exists, else appended). */
  withColumn(name: string, expression: string): FitsTable {
    return FitsTable.#of(withColumn(this, name, expression));
  }

  /** Per-column statistics, one row per column (pandas describe numbers: analytics/describe.ts). */
  describe(): FitsTable {
    return FitsTable.#of(describeTable(this));
  }

  /** Each column's semantic type for machine learning, with unit, UCD, description, null count (analytics/schema.ts). */
  schema(opts: SchemaOptions = {}): ColumnSemantics[] {
    return tableSchema(this, opts);
  }

  /** A Float32Array feature matrix, missing mask and categorical codes for TF.js / onnxruntime-web (analytics/features.ts). */
  features(opts: FeatureOptions = {}): FeatureMatrix {
    return featureMatrix(this, opts);
  }

  static #of(r: { columns: Column[]; numRows: number }): FitsTable {
    return new FitsTable(r.columns, r.numRows);
  }
}

/** True if idx holds each of 0 .. idx.length-1 once (values already known to be in range). */
function isPermutation(idx: Uint32Array): boolean {
  const seen = new Uint8Array(idx.length);
  for (let j = 0; j < idx.length; j++) {
    if (seen[idx[j]!]) return false;
    seen[idx[j]!] = 1;
  }
  return true;
}

function syncResult<T>(backend: TableBackend, r: T | Promise<T>): T {
  if (r instanceof Promise) {
    r.catch(() => undefined);
    throw new FitsError('GPU', `The ${backend.name} table backend is asynchronous: use filterAsync()/sortAsync().`);
  }
  return r;
}

const DTYPE_OF: [abstract new (...a: never[]) => unknown, Column['dtype'], string][] = [
  [Float64Array, 'float64', 'D'],
  [Float32Array, 'float32', 'E'],
  [Int32Array, 'int32', 'J'],
  [Uint32Array, 'uint32', 'J'],
  [Int16Array, 'int16', 'I'],
  [Uint16Array, 'uint16', 'I'],
  [Int8Array, 'int8', 'B'],
  [Uint8Array, 'uint8', 'B'],
  [BigInt64Array, 'int64', 'K'],
  [BigUint64Array, 'uint64', 'K'],
];

function columnFromArray(name: string, a: unknown): Column {
  for (const [ctor, dtype, code] of DTYPE_OF) {
    if (a instanceof ctor) {
      const data = a as ColumnArray;
      return { name, dtype, format: code, cellShape: [], length: data.length, data };
    }
  }
  if (!Array.isArray(a)) throw new FitsError('BAD_ARGUMENT', `fromArrays(): column '${name}' is not an array.`);
  const n = a.length;
  if (a.every((v) => typeof v === 'string')) {
    const max = a.reduce((m: number, s: string) => Math.max(m, s.length), 1);
    return { name, dtype: 'string', format: `${max}A`, cellShape: [], length: n, data: a.slice() as string[] };
  }
  if (a.every((v) => typeof v === 'boolean')) return { name, dtype: 'bool', format: 'L', cellShape: [], length: n, data: Uint8Array.from(a as boolean[], (v) => (v ? 1 : 0)) };
  if (a.every((v) => typeof v === 'bigint')) return { name, dtype: 'int64', format: 'K', cellShape: [], length: n, data: BigInt64Array.from(a as bigint[]) };
  if (a.every((v) => typeof v === 'number')) return { name, dtype: 'float64', format: 'D', cellShape: [], length: n, data: Float64Array.from(a as number[]) };
  throw new FitsError('BAD_ARGUMENT', `fromArrays(): column '${name}' mixes value types.`);
}

function checkColumn(c: Column, numRows: number): void {
  if (!c || typeof c.name !== 'string') throw new FitsError('BAD_ARGUMENT', 'A table column needs a name.');
  if (c.length !== numRows) throw new FitsError('BAD_ARGUMENT', `Column '${c.name}' has ${c.length} rows but the table has ${numRows}.`);
  const per = c.dtype === 'complex64' || c.dtype === 'complex128' ? 2 : 1;
  if (c.offsets) {
    if (c.offsets.length < numRows + 1) throw new FitsError('BAD_ARGUMENT', `Column '${c.name}' has ${c.offsets.length} offsets for ${numRows} rows (needs ${numRows + 1}).`);
    if (numRows > 0 && c.offsets[numRows]! * per > c.data.length) throw new FitsError('BAD_ARGUMENT', `Column '${c.name}': offsets point past its data.`);
    return;
  }
  const have = elementCount(c);
  const need = numRows * cellSize(c) * (c.dtype === 'string' ? 1 : per);
  if (have < need) throw new FitsError('BAD_ARGUMENT', `Column '${c.name}' holds ${have} values; ${numRows} rows need ${need}.`);
  if (c.validity && c.validity.length * 8 < numRows * cellSize(c)) throw new FitsError('BAD_ARGUMENT', `Column '${c.name}': its validity bitmap is too short.`);
}

// ---------------------------------------------------------------- cells


/** The value of row `r` of a column (see {@link Cell}). */
export function cellValue(col: Column, r: number): Cell {
  const complex = col.dtype === 'complex64' || col.dtype === 'complex128';
  const v = col.validity;
  const valid = (i: number) => !v || ((v[i >>> 3]! >>> (i & 7)) & 1) === 1;
  let a: number;
  let b: number;
  if (col.offsets) {
    a = col.offsets[r]!;
    b = col.offsets[r + 1]!;
    if (col.dtype === 'string' && !Array.isArray(col.data)) {
      const bytes = col.data as Uint8Array;
      return latin1(bytes, a, trimmedLength(bytes, a, b - a));
    }
  } else {
    const cs = cellSize(col);
    if (cs === 1 && col.cellShape && col.cellShape.length === 0) return element(col, r, complex, valid);
    a = r * cs;
    b = a + cs;
  }
  let anyNull = false;
  for (let i = a; i < b && v; i++) if (!valid(i)) anyNull = true;
  if (!anyNull && !complex && col.dtype !== 'bool' && col.dtype !== 'string') {
    return (col.data as ColumnArray).slice(a, b);
  }
  const out: (number | bigint | string | boolean | Complex | null)[] = [];
  for (let i = a; i < b; i++) out.push(element(col, i, complex, valid) as number);
  return out;
}

function element(col: Column, i: number, complex: boolean, valid: (i: number) => boolean): number | bigint | string | boolean | Complex | null {
  if (!valid(i)) return null;
  if (col.strings) return packedString(col.strings, i);
  const d = col.data;
  if (complex) return { re: (d as Float64Array)[2 * i]!, im: (d as Float64Array)[2 * i + 1]! };
  if (col.dtype === 'bool') return (d as Uint8Array)[i] !== 0;
  return d[i]!;
}
