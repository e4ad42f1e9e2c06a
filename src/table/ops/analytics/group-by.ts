/**
 * Group-by and aggregation: `groupRows(table, ['BAND', 'FIELD']).agg(['count()', 'mean(MAG)', 'std(MAG)'])`.
 *
 * Groups are found by factorising the keys (factorize.ts: direct coding of
 * small integer ranges, hashing then sorting the distinct values, or the radix
 * sort of the key columns), so they come out in ascending key order (pandas'
 * `sort=True`); each row then gets its group id and the aggregations read the
 * value columns once, in row order, into per-group accumulators (which is
 * also what makes Kahan sums and Welford variances match pandas bit for bit).
 * Aggregations of one column share passes (sum/mean/count, var/std, min/max).
 *
 * Semantics follow pandas 1.5 (`df.groupby(keys).agg(...)`, Debian's
 * python3-pandas), result by result:
 * - keys: rows whose key has a null or NaN part are left out (`dropna: true`,
 *   the default); with `dropna: false` NA is a key value of its own, after
 *   every other. -0 and +0 are one key. Strings by UTF-16 code units.
 * - NA values (nulls, i.e. TNULL matches, and NaN) are skipped by every
 *   function; `count()` counts the group's rows, `count(C)` C's non-NA values.
 * - `sum`: float32 and float64 columns sum in their own precision with Kahan
 *   compensation, in row order (pandas' group_sum, bit for bit); integer and
 *   logical columns sum exactly into int64 (uint64 for unsigned columns),
 *   wrapping on overflow like numpy. A group without values sums to 0.
 * - `mean`: Kahan sum / count, in float32 for float32 columns, else float64
 *   (64-bit integers converted to the nearest double first, as pandas does).
 * - `var`, `std`: sample statistics (ddof = 1) by Welford's update in row
 *   order (pandas' group_var); NaN for fewer than two values. `var` of a
 *   float32 column is float32 (computed in float32); `std` is always float64.
 * - `median`: float64 (float32 for float32 columns); the middle value, or the
 *   mean of the two middle values `(a + b) / 2`; NaN without values.
 * - `min`, `max`, `first`, `last`: the column's own type; strings compare by
 *   code units; `first`/`last` are the first/last non-NA value in row order.
 *   A group without values gives NaN for float columns, else null.
 * - `nunique`: distinct non-NA values (-0 equals +0).
 * - counts (`count`, `nunique`) are int64, like pandas.
 * Output columns: the keys (values of each group's first row), then one
 * column per aggregation, named as written (`mean(MAG)`) unless renamed.
 */
import { FitsError } from '../../../core/errors.js';
import type { Column, ColumnDType } from '../../column.js';
import { factorizeKeys, columnCodes } from './factorize.js';
import { borrowU32, releaseU32 } from '../sort/scratch.js';
import { bitmapFromFlags, countColumn, int64Column, renamed, scalarColumn, takeOrNull } from './result-columns.js';
import { nameList, requireColumn, requireScalarKey, type ColumnList, type TableSource } from './table-source.js';

/** Aggregation functions. */
export type AggFunction = 'count' | 'sum' | 'mean' | 'min' | 'max' | 'std' | 'var' | 'median' | 'first' | 'last' | 'nunique';

const AGG_FUNCTIONS: readonly AggFunction[] = ['count', 'sum', 'mean', 'min', 'max', 'std', 'var', 'median', 'first', 'last', 'nunique'];

/** One aggregation: a function of a column (`count` may omit it: the group's row count). */
export interface AggSpec {
  fn: AggFunction;
  column?: string;
  /** Output column name (default: as written, e.g. `mean(MAG)`, `count()`). */
  name?: string;
}

/** Options of {@link FitsTable.groupBy}. */
export interface GroupByOptions {
  /** Leave out rows with a null/NaN key part (default true, like pandas). */
  dropna?: boolean;
}

/**
 * Parse one aggregation: `mean(MAG)`, `count()`, `count(*)`, optionally
 * `… as NAME`; a column name in backticks or double quotes may hold any
 * characters.
 */
export function parseAgg(text: string): AggSpec {
  const m = /^\s*([A-Za-z_]+)\s*\(\s*(`(?:[^`]|``)*`|"(?:[^"]|"")*"|[^()]*?)\s*\)\s*(?:\s+as\s+(`(?:[^`]|``)*`|"(?:[^"]|"")*"|\S+))?\s*$/i.exec(text);
  if (!m) throw new FitsError('BAD_ARGUMENT', `Cannot read the aggregation '${text}': write FUNCTION(COLUMN), e.g. mean(MAG) or count().`);
  const fn = m[1]!.toLowerCase();
  if (!(AGG_FUNCTIONS as readonly string[]).includes(fn)) {
    throw new FitsError('BAD_ARGUMENT', `Unknown aggregation '${m[1]}' in '${text}'; use one of ${AGG_FUNCTIONS.join(', ')}.`);
  }
  const unquote = (s: string) => (s.startsWith('`') ? s.slice(1, -1).replace(/``/g, '`') : s.startsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s);
  const arg = m[2] === '' || m[2] === '*' ? undefined : unquote(m[2]!);
  if (arg === undefined && fn !== 'count') throw new FitsError('BAD_ARGUMENT', `${fn}() needs a column: write ${fn}(COLUMN).`);
  const spec: AggSpec = { fn: fn as AggFunction };
  if (arg !== undefined) spec.column = arg;
  if (m[3] !== undefined) spec.name = unquote(m[3]);
  return spec;
}

/** Parse a comma-separated list of aggregations (`count(),mean(MAG),max(MAG)`). */
export function parseAggList(text: string): AggSpec[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '`' || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  const specs = parts.filter((p) => p.trim().length > 0).map(parseAgg);
  if (specs.length === 0) throw new FitsError('BAD_ARGUMENT', 'No aggregation given: write e.g. count(),mean(MAG).');
  return specs;
}

/** The default output name of an aggregation. */
export function aggName(spec: AggSpec): string {
  return spec.name ?? `${spec.fn}(${spec.column ?? ''})`;
}

/** A grouped table as FitsTable.groupBy returns it: `agg` gives a table of type T. */
export interface GroupedTable<T> {
  readonly keys: readonly string[];
  readonly numGroups: number;
  /** Each row's group (ascending key order), -1 for rows left out (NA keys). */
  readonly groupIds: Int32Array;
  /** One row per group: the keys, then the aggregations (e.g. `'count(),mean(MAG)'`). */
  agg(specs: string | AggSpec | readonly (string | AggSpec)[]): T;
}

/**
 * The groups of a table by key columns; call {@link Grouping.agg} for results.
 */
export class Grouping {
  /**
   * @param groupIds each row's group (groups numbered in ascending key order), -1 for rows left out
   * @param firstRows each group's first row
   * @param sizes each group's row count
   */
  constructor(
    readonly table: TableSource,
    readonly keys: readonly string[],
    readonly keyColumns: readonly number[],
    readonly groupIds: Int32Array,
    readonly numGroups: number,
    readonly firstRows: Uint32Array,
    readonly sizes: Float64Array,
  ) {}

  /** One row per group: the key columns, then one column per aggregation (see the module doc). */
  agg(specs: string | AggSpec | readonly (string | AggSpec)[]): ColumnList {
    const list = typeof specs === 'string' ? parseAggList(specs) : Array.isArray(specs) ? (specs as (string | AggSpec)[]).flatMap((s) => (typeof s === 'string' ? parseAggList(s) : [s])) : [specs as AggSpec];
    const G = this.numGroups;
    const keyCols = takeOrNull(this.table, this.keyColumns, new Int32Array(this.firstRows.buffer, this.firstRows.byteOffset, G));
    // A float key's zero is the column's first zero (-0 and +0 are one key), as pandas factorises each key column.
    keyCols.forEach((c, k) => {
      if (c.dtype !== 'float32' && c.dtype !== 'float64') return;
      const all = this.table.columnAt(this.keyColumns[k]!).data as Float64Array | Float32Array;
      let zero = 0;
      for (let i = 0; i < all.length; i++) {
        if (all[i] === 0) {
          zero = all[i]!;
          break;
        }
      }
      const d = c.data as Float64Array | Float32Array;
      for (let g = 0; g < d.length; g++) if (d[g] === 0) d[g] = zero;
    });
    const out: Column[] = [...keyCols];
    const work = new AggWork(this.groupIds, G);
    for (const spec of list) out.push(this.#aggregate(spec, work));
    const names = new Set<string>();
    for (const c of out) {
      if (names.has(c.name)) throw new FitsError('BAD_ARGUMENT', `agg(): two output columns are named '${c.name}'; rename one with 'as'.`);
      names.add(c.name);
    }
    return { columns: out, numRows: G };
  }

  #aggregate(spec: AggSpec, work: AggWork): Column {
    const name = aggName(spec);
    if (!(AGG_FUNCTIONS as readonly string[]).includes(spec.fn)) throw new FitsError('BAD_ARGUMENT', `Unknown aggregation '${String(spec.fn)}'.`);
    if (spec.column === undefined) {
      if (spec.fn !== 'count') throw new FitsError('BAD_ARGUMENT', `${spec.fn}() needs a column.`);
      return countColumn(name, this.sizes);
    }
    const ci = requireColumn(this.table, spec.column, `${spec.fn}(${spec.column})`);
    const col = this.table.columnAt(ci);
    requireScalarKey(col, `${spec.fn}(${spec.column})`);
    const isString = col.dtype === 'string';
    const numericOnly = spec.fn === 'sum' || spec.fn === 'mean' || spec.fn === 'std' || spec.fn === 'var' || spec.fn === 'median';
    if (isString && numericOnly) throw new FitsError('BAD_ARGUMENT', `${spec.fn}(${col.name}): '${col.name}' holds strings; ${spec.fn} needs numbers.`);
    const G = this.numGroups;
    const f32 = col.dtype === 'float32';
    switch (spec.fn) {
      case 'count':
        return countColumn(name, work.kahan(ci, col).nobs);
      case 'sum':
        if (col.dtype === 'float64' || f32) return scalarColumn(name, col.dtype, f32 ? Float32Array.from(work.kahan(ci, col).sum) : work.kahan(ci, col).sum, null, col.unit);
        return integerSum(name, col, work.valueGroups(ci, col), G);
      case 'mean': {
        const { sum, nobs } = work.kahan(ci, col);
        const out = f32 ? new Float32Array(G) : new Float64Array(G);
        for (let g = 0; g < G; g++) out[g] = nobs[g] === 0 ? NaN : f32 ? sum[g]! / Math.fround(nobs[g]!) : sum[g]! / nobs[g]!;
        return nanToNull(scalarColumn(name, f32 ? 'float32' : 'float64', out, null, col.unit), col);
      }
      case 'var':
        if (f32) return nanToNull(scalarColumn(name, 'float32', welford32(col, work.nullFreeGroups(ci, col), G)), col);
        return nanToNull(scalarColumn(name, 'float64', work.welford(ci, col).slice()), col);
      case 'std': {
        // pandas 1.5 computes std through a float64 path: NaN, not <NA>, even for nullable columns.
        const v = work.welford(ci, col).slice();
        for (let g = 0; g < G; g++) v[g] = Math.sqrt(v[g]!);
        return scalarColumn(name, 'float64', v, null, col.unit);
      }
      case 'median':
        return nanToNull(medianColumn(name, col, work.nullFreeGroups(ci, col), G), col);
      case 'min':
      case 'max':
        return minMaxColumn(name, col, work, ci, spec.fn === 'max');
      case 'first':
      case 'last': {
        const rows = firstLastRows(work.valueGroups(ci, col), G, spec.fn === 'last');
        const [c] = takeOrNull(this.table, [ci], rows);
        return withoutFloatNulls(renamed(c!, name));
      }
      case 'nunique':
        return countColumn(name, nunique(col, work.valueGroups(ci, col), G));
    }
  }
}

/** The value cached under `key`, computed by `make` the first time. */
function memo<T>(cache: Map<number, T>, key: number, make: () => T): T {
  let v = cache.get(key);
  if (v === undefined) {
    v = make();
    cache.set(key, v);
  }
  return v;
}

/**
 * Work shared by the aggregations of one `agg()` call, per value column: the
 * rows' groups with NA values left out, the Kahan sums (sum, mean and
 * count(C) read the same pass) and the float64 Welford variances (var, std).
 */
class AggWork {
  readonly #groups = new Map<number, Int32Array>();
  readonly #kahan = new Map<number, { sum: Float64Array; nobs: Float64Array }>();
  readonly #welford = new Map<number, Float64Array>();
  readonly #minMax = new Map<number, MinMax>();
  constructor(
    readonly gid: Int32Array,
    readonly G: number,
  ) {}

  /** Each row's group, or -1 where the row is left out or the value is NA (null or NaN). */
  valueGroups(ci: number, col: Column): Int32Array {
    return memo(this.#groups, ci, () => valueGroups(col, this.gid, true));
  }

  /** valueGroups without the NaN test (numeric loops skip NaN themselves, saving a copy of the group ids). */
  nullFreeGroups(ci: number, col: Column): Int32Array {
    return this.#groups.get(ci) ?? valueGroups(col, this.gid, false);
  }

  kahan(ci: number, col: Column): { sum: Float64Array; nobs: Float64Array } {
    return memo(this.#kahan, ci, () => kahanSums(col, this.nullFreeGroups(ci, col), this.G));
  }

  /** Sample variances in float64 (NaN below two values). */
  welford(ci: number, col: Column): Float64Array {
    return memo(this.#welford, ci, () => welford64(col, this.nullFreeGroups(ci, col), this.G));
  }

  /** Minima and maxima of a numeric (non-64-bit) column in one pass. */
  minMax(ci: number, col: Column): MinMax {
    return memo(this.#minMax, ci, () => minMaxNumbers(col.data as Float64Array, this.nullFreeGroups(ci, col), this.G));
  }
}

/** Group a table by key columns (see the module doc). */
export function groupRows(table: TableSource, keys: string | readonly string[], opts: GroupByOptions = {}): Grouping {
  const names = nameList(keys, 'groupBy()');
  const idx = names.map((k) => requireColumn(table, k, 'groupBy()'));
  const cols = idx.map((i) => table.columnAt(i));
  for (const c of cols) requireScalarKey(c, 'groupBy()');
  const n = table.numRows;
  const keyCodes = factorizeKeys(cols, n, opts.dropna === false ? 'group' : 'drop');
  const { codes, count } = keyCodes;
  if (keyCodes.sizes && keyCodes.first) return new Grouping(table, names, idx, codes, count, keyCodes.first, keyCodes.sizes);
  const firstRows = new Uint32Array(count).fill(0xffffffff);
  const sizes = new Float64Array(count);
  for (let i = 0; i < n; i++) {
    const g = codes[i]!;
    if (g < 0) continue;
    if (sizes[g] === 0) firstRows[g] = i;
    sizes[g]!++;
  }
  return new Grouping(table, names, idx, codes, count, firstRows, sizes);
}

// ---------------------------------------------------------------- helpers

type IntArray = Uint8Array | Int8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

const TWO32 = 4294967296;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function words64(d: BigInt64Array | BigUint64Array): Uint32Array {
  if (!LITTLE_ENDIAN) throw new FitsError('UNSUPPORTED', '64-bit integer columns need a little-endian platform.');
  return new Uint32Array(d.buffer, d.byteOffset, d.length * 2);
}

/** The column's values as doubles (64-bit integers to the nearest double, like numpy's astype). */
function asDoubles(col: Column): Float64Array | Float32Array | IntArray {
  const d = col.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    const u = words64(d);
    const signed = d instanceof BigInt64Array;
    const out = new Float64Array(d.length);
    for (let i = 0; i < out.length; i++) out[i] = (signed ? u[2 * i + 1]! | 0 : u[2 * i + 1]!) * TWO32 + u[2 * i]!;
    return out;
  }
  return d as Float64Array | Float32Array | IntArray;
}

/** gid with -1 where the value is null (and, if `nan`, NaN); gid itself when there is none. */
function valueGroups(col: Column, gid: Int32Array, nan: boolean): Int32Array {
  const n = gid.length;
  const v = col.validity;
  const d = col.data;
  const isFloat = nan && (d instanceof Float64Array || d instanceof Float32Array);
  if (!v && !isFloat) return gid;
  let out: Int32Array | null = null;
  if (isFloat) {
    for (let i = 0; i < n; i++) {
      const x = d[i]!;
      if (x !== x) {
        out ??= gid.slice();
        out[i] = -1;
      }
    }
  }
  if (v) {
    for (let i = 0; i < n; i++) {
      if (((v[i >>> 3]! >>> (i & 7)) & 1) === 0) {
        out ??= gid.slice();
        out[i] = -1;
      }
    }
  }
  return out ?? gid;
}

/**
 * A float result of an integer or logical column with nulls: NaN (too few
 * values) becomes null, as pandas' nullable Int64/Float64 columns give <NA>.
 */
function nanToNull(c: Column, src: Column): Column {
  if (!src.validity || src.dtype === 'float32' || src.dtype === 'float64') return c;
  const d = c.data as Float64Array | Float32Array;
  const valid = new Uint8Array(d.length);
  for (let g = 0; g < d.length; g++) valid[g] = d[g] === d[g] ? 1 : 0;
  const v = bitmapFromFlags(valid);
  return v ? { ...c, validity: v } : c;
}

/** Floats with no value in a group are NaN (a value, like pandas), not nulls. */
function withoutFloatNulls(c: Column): Column {
  if ((c.dtype === 'float32' || c.dtype === 'float64') && c.validity) {
    const { validity: _drop, ...rest } = c;
    return rest as Column;
  }
  return c;
}

/**
 * Kahan sums in row order (pandas' group_sum / group_mean): in float32 for
 * float32 columns, else float64 (64-bit integers to the nearest double); and
 * the number of values per group.
 */
function kahanSums(col: Column, vg: Int32Array, G: number): { sum: Float64Array; nobs: Float64Array } {
  const n = vg.length;
  const s = new Float64Array(G);
  const comp = new Float64Array(G);
  const nobs = new Float64Array(G);
  if (col.dtype === 'string') {
    for (let i = 0; i < n; i++) if (vg[i]! >= 0) nobs[vg[i]!]!++;
    return { sum: s, nobs };
  }
  const d = asDoubles(col);
  if (d instanceof Float32Array) {
    const fr = Math.fround;
    for (let i = 0; i < n; i++) {
      const g = vg[i]!;
      if (g < 0) continue;
      const x = d[i]!;
      if (x !== x) continue;
      nobs[g]!++;
      const y = fr(x - comp[g]!);
      const t = fr(s[g]! + y);
      comp[g] = fr(fr(t - s[g]!) - y);
      s[g] = t;
    }
  } else if (d instanceof Float64Array) {
    for (let i = 0; i < n; i++) {
      const g = vg[i]!;
      if (g < 0) continue;
      const x = d[i]!;
      if (x !== x) continue;
      nobs[g]!++;
      const y = x - comp[g]!;
      const t = s[g]! + y;
      comp[g] = t - s[g]! - y;
      s[g] = t;
    }
  } else {
    // Integer columns (as doubles): the same loop, kept apart so each stays monomorphic.
    for (let i = 0; i < n; i++) {
      const g = vg[i]!;
      if (g < 0) continue;
      const x = d[i]!;
      if (x !== x) continue;
      nobs[g]!++;
      const y = x - comp[g]!;
      const t = s[g]! + y;
      comp[g] = t - s[g]! - y;
      s[g] = t;
    }
  }
  return { sum: s, nobs };
}

/** Exact integer sums into int64 (uint64 for unsigned columns), wrapping like numpy. */
function integerSum(name: string, col: Column, vg: Int32Array, G: number): Column {
  const n = vg.length;
  const d = col.data;
  const lo = new Float64Array(G);
  const hi = new Uint32Array(G);
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    const u = words64(d);
    for (let i = 0; i < n; i++) {
      const g = vg[i]!;
      if (g < 0) continue;
      const s = lo[g]! + u[2 * i]!;
      const carry = s >= TWO32 ? 1 : 0;
      lo[g] = s - carry * TWO32;
      hi[g] = (hi[g]! + u[2 * i + 1]! + carry) >>> 0;
    }
  } else {
    const a = d as IntArray;
    for (let i = 0; i < n; i++) {
      const g = vg[i]!;
      if (g < 0) continue;
      const x = a[i]!;
      const s = lo[g]! + (x >>> 0);
      const carry = s >= TWO32 ? 1 : 0;
      lo[g] = s - carry * TWO32;
      hi[g] = (hi[g]! + (x < 0 ? 0xffffffff : 0) + carry) >>> 0;
    }
  }
  const w = new Uint32Array(2 * G);
  for (let g = 0; g < G; g++) {
    w[2 * g] = lo[g]!;
    w[2 * g + 1] = hi[g]!;
  }
  const unsigned = col.dtype === 'uint8' || col.dtype === 'uint16' || col.dtype === 'uint32' || col.dtype === 'uint64';
  const c = int64Column(name, w, unsigned);
  return col.unit ? { ...c, unit: col.unit } : c;
}

/** Welford's update in row order, ddof = 1 (pandas group_var), in float64; NaN below two values. */
function welford64(col: Column, vg: Int32Array, G: number): Float64Array {
  const n = vg.length;
  const d = asDoubles(col);
  const mean = new Float64Array(G);
  const m2 = new Float64Array(G);
  const nobs = new Float64Array(G);
  for (let i = 0; i < n; i++) {
    const g = vg[i]!;
    if (g < 0) continue;
    const x = d[i]!;
    if (x !== x) continue;
    const k = ++nobs[g]!;
    const old = mean[g]!;
    const mu = old + (x - old) / k;
    mean[g] = mu;
    m2[g]! += (x - mu) * (x - old);
  }
  for (let g = 0; g < G; g++) m2[g] = nobs[g]! <= 1 ? NaN : m2[g]! / (nobs[g]! - 1);
  return m2;
}

/** welford64 in float32 arithmetic (pandas' group_var on a float32 column). */
function welford32(col: Column, vg: Int32Array, G: number): Float32Array {
  const n = vg.length;
  const d = col.data as Float32Array;
  const fr = Math.fround;
  const mean = new Float64Array(G);
  const m2 = new Float64Array(G);
  const nobs = new Float64Array(G);
  for (let i = 0; i < n; i++) {
    const g = vg[i]!;
    if (g < 0) continue;
    const x = d[i]!;
    if (x !== x) continue;
    const k = ++nobs[g]!;
    const old = mean[g]!;
    const dx = fr(x - old);
    const mu = fr(old + fr(dx / fr(k)));
    mean[g] = mu;
    m2[g] = fr(m2[g]! + fr(fr(x - mu) * dx));
  }
  const out = new Float32Array(G);
  for (let g = 0; g < G; g++) {
    const ct = fr(nobs[g]!);
    out[g] = ct <= 1 ? NaN : m2[g]! / fr(ct - 1);
  }
  return out;
}

/** pandas' kth_smallest_c (Wirth's selection), in place on a[0..n). */
function kthSmallest(a: Float64Array, k: number, n: number): number {
  let l = 0;
  let m = n - 1;
  while (l < m) {
    const x = a[k]!;
    let i = l;
    let j = m;
    for (;;) {
      while (a[i]! < x) i++;
      while (x < a[j]!) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
      if (i > j) break;
    }
    if (j < k) l = i;
    if (k < i) m = j;
  }
  return a[k]!;
}

/**
 * kthSmallest(a, h - 1, m) right after kthSmallest(a, h, m), as pandas calls
 * it: a[0..h) now holds the h smallest values, so their maximum is the
 * answer's value. Only when it is a zero and the group holds both -0 and +0
 * does the element chosen show (the selection swaps equal values across the
 * middle); then the selection itself runs, for pandas' bits.
 */
function lowerMiddle(a: Float64Array, h: number, m: number): number {
  let mx = -Infinity;
  for (let q = 0; q < h; q++) if (a[q]! > mx) mx = a[q]!;
  if (mx !== 0) return mx;
  let neg = false;
  let pos = false;
  for (let q = 0; q < m; q++) {
    if (a[q] === 0) {
      if (Object.is(a[q], -0)) neg = true;
      else pos = true;
    }
  }
  return neg && pos ? kthSmallest(a, h - 1, m) : mx;
}

function medianColumn(name: string, col: Column, vg: Int32Array, G: number): Column {
  const n = vg.length;
  const d = asDoubles(col);
  // Non-NA values grouped (a stable counting sort by group: row order within each group).
  const start = new Int32Array(G + 1);
  for (let i = 0; i < n; i++) {
    const g = vg[i]!;
    if (g >= 0 && d[i] === d[i]) start[g + 1]!++;
  }
  for (let g = 0; g < G; g++) start[g + 1]! += start[g]!;
  const total = start[G]!;
  // Scratch from the sort's pool (reused memory: no fresh pages to fault in).
  const scratch = borrowU32(2 * total);
  const buf = new Float64Array(scratch.buffer, scratch.byteOffset, total);
  const pos = start.slice(0, G);
  for (let i = 0; i < n; i++) {
    const g = vg[i]!;
    const x = d[i]!;
    if (g >= 0 && x === x) buf[pos[g]!++] = x;
  }
  const out = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    const a = start[g]!;
    const m = start[g + 1]! - a;
    if (m === 0) {
      out[g] = NaN;
      continue;
    }
    const seg = buf.subarray(a, a + m);
    const h = Math.floor(m / 2);
    out[g] = m % 2 ? kthSmallest(seg, h, m) : (kthSmallest(seg, h, m) + lowerMiddle(seg, h, m)) / 2;
  }
  releaseU32(scratch);
  if (col.dtype === 'float32') return scalarColumn(name, 'float32', Float32Array.from(out), null, col.unit);
  return scalarColumn(name, 'float64', out, null, col.unit);
}

function minMaxColumn(name: string, col: Column, work: AggWork, ci: number, max: boolean): Column {
  const G = work.G;
  const d = col.data;
  const dtype = col.dtype as ColumnDType;
  if (!Array.isArray(d) && !(d instanceof BigInt64Array) && !(d instanceof BigUint64Array)) {
    const m = work.minMax(ci, col);
    const best = max ? m.max : m.min;
    const isFloat = dtype === 'float32' || dtype === 'float64';
    const data = new (d.constructor as new (k: number) => Float64Array)(G);
    for (let g = 0; g < G; g++) data[g] = m.nobs[g] ? best[g]! : isFloat ? NaN : 0;
    const c = scalarColumn(name, dtype, data, isFloat ? null : validityOf(m.nobs), col.unit);
    return { ...c, format: col.format };
  }
  const vg = work.nullFreeGroups(ci, col);
  const n = vg.length;
  const nobs = new Uint8Array(G);
  if (Array.isArray(d)) {
    const best: string[] = new Array<string>(G).fill('');
    for (let i = 0; i < n; i++) {
      const g = vg[i]!;
      if (g < 0) continue;
      const x = d[i]!;
      if (!nobs[g]) {
        nobs[g] = 1;
        best[g] = x;
      } else if (max ? x > best[g]! : x < best[g]!) best[g] = x;
    }
    return { ...scalarColumn(name, 'string', best, validityOf(nobs)), format: col.format };
  }
  {
    // 64-bit integers, compared on their two words.
    const u = words64(d as BigInt64Array);
    const signed = d instanceof BigInt64Array;
    const hi = new Float64Array(G);
    const lo = new Float64Array(G);
    for (let i = 0; i < n; i++) {
      const g = vg[i]!;
      if (g < 0) continue;
      const h = signed ? u[2 * i + 1]! | 0 : u[2 * i + 1]!;
      const l = u[2 * i]!;
      if (!nobs[g]) {
        nobs[g] = 1;
        hi[g] = h;
        lo[g] = l;
      } else if (max ? h > hi[g]! || (h === hi[g] && l > lo[g]!) : h < hi[g]! || (h === hi[g] && l < lo[g]!)) {
        hi[g] = h;
        lo[g] = l;
      }
    }
    const w = new Uint32Array(2 * G);
    for (let g = 0; g < G; g++) {
      w[2 * g] = lo[g]!;
      w[2 * g + 1] = hi[g]! >>> 0;
    }
    return { ...int64Column(name, w, !signed, validityOf(nobs)), format: col.format, ...(col.unit ? { unit: col.unit } : {}) };
  }
}

/** Per-group minima and maxima (numbers present in `nobs`). */
interface MinMax {
  min: Float64Array;
  max: Float64Array;
  nobs: Uint8Array;
}

/** pandas' group_min_max for both at once: strict comparisons in row order from ±Infinity, NaN skipped. */
function minMaxNumbers(a: Float64Array | Float32Array | IntArray, vg: Int32Array, G: number): MinMax {
  const n = vg.length;
  const mn = new Float64Array(G).fill(Infinity);
  const mx = new Float64Array(G).fill(-Infinity);
  const nobs = new Uint8Array(G);
  for (let i = 0; i < n; i++) {
    const g = vg[i]!;
    if (g < 0) continue;
    const x = a[i]!;
    if (x !== x) continue;
    nobs[g] = 1;
    if (x < mn[g]!) mn[g] = x;
    if (x > mx[g]!) mx[g] = x;
  }
  return { min: mn, max: mx, nobs };
}

function validityOf(nobs: Uint8Array): Uint8Array | null {
  let all = true;
  for (let g = 0; g < nobs.length && all; g++) if (!nobs[g]) all = false;
  if (all) return null;
  const v = new Uint8Array((nobs.length + 7) >>> 3);
  for (let g = 0; g < nobs.length; g++) if (nobs[g]) v[g >>> 3]! |= 1 << (g & 7);
  return v;
}

/** Each group's first (or last) row with a non-NA value, -1 when there is none. */
function firstLastRows(vg: Int32Array, G: number, last: boolean): Int32Array {
  const rows = new Int32Array(G).fill(-1);
  const n = vg.length;
  if (last) {
    for (let i = n - 1; i >= 0; i--) {
      const g = vg[i]!;
      if (g >= 0 && rows[g]! < 0) rows[g] = i;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const g = vg[i]!;
      if (g >= 0 && rows[g]! < 0) rows[g] = i;
    }
  }
  return rows;
}

/** Distinct non-NA values per group (factorise the values, then count distinct (group, value) pairs). */
function nunique(col: Column, vg: Int32Array, G: number): Float64Array {
  const { codes, count } = columnCodes(col);
  const n = vg.length;
  const out = new Float64Array(G);
  if (n === 0) return out;
  // Sort-free: visit (group, value) pairs through a per-value "last group seen" when groups are visited in order.
  // Rows are bucketed by group first (counting sort), so each value code is checked once per group.
  const start = new Int32Array(G + 1);
  for (let i = 0; i < n; i++) if (vg[i]! >= 0) start[vg[i]! + 1]!++;
  for (let g = 0; g < G; g++) start[g + 1]! += start[g]!;
  const pos = start.slice(0, G);
  const byGroup = new Int32Array(start[G]!);
  for (let i = 0; i < n; i++) if (vg[i]! >= 0) byGroup[pos[vg[i]!]!++] = i;
  const seen = new Int32Array(count).fill(-1);
  for (let g = 0; g < G; g++) {
    let k = 0;
    for (let j = start[g]!; j < start[g + 1]!; j++) {
      const c = codes[byGroup[j]!]!;
      if (seen[c] !== g) {
        seen[c] = g;
        k++;
      }
    }
    out[g] = k;
  }
  return out;
}
