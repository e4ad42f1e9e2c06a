/**
 * Joins: `joinTables(left, right, { on: ['FIELD', 'ID'], how: 'left' })`.
 *
 * The key columns of both sides are put end to end (in a common type) and
 * factorised together (factorize.ts: the radix sort of the keys, exact for
 * int64 of any size), so equal keys on either side share a code; rows are then
 * paired through per-code buckets.
 *
 * Semantics follow pandas 1.5's `pd.merge(left, right, on=…, how=…)`
 * (Debian's python3-pandas), including its row order:
 * - `inner`: keys in the order they first appear in the left table; for each
 *   key its left rows in order, each paired with the key's right rows in order.
 * - `left`: the left rows in order, each followed by its right matches in
 *   order (or one row with nulls on the right).
 * - `right`: the mirror image: right rows in order, each with its left matches.
 * - `outer`: keys in the order they first appear in the left table, then the
 *   keys only the right table has, in the order they first appear there; each
 *   key's rows as in `inner`, or alone with nulls on the other side. (pandas
 *   1.5's documentation says outer joins sort the keys, but 1.5 does not; 2.2
 *   does.) When one side is empty, the other side's rows come in their order.
 * - `sort: true` orders by ascending key instead (pandas' `sort=True`): NaN
 *   and null keys last.
 * - NA keys (null, or NaN in a float column) match each other, as in pandas
 *   (`nullsEqual: true`, the default). `nullsEqual: false` makes every NA key
 *   match nothing, as SQL does.
 * - Keys of different numeric types are compared in a common type: integers
 *   exactly as int64 (uint64 with signed integers, or any integer with a float:
 *   as float64, like numpy); strings only with strings, logicals with logicals.
 * - Output: the left table's columns in their order, its key columns holding
 *   the value of whichever side has the row (coalesced), then the right
 *   table's other columns, a clashing name suffixed `_2` (option `suffix`). A missing
 *   side gives nulls (NaN in float columns, 0/''/false underneath); variable-
 *   length array columns have no row nulls and give empty arrays instead.
 */
import { FitsError } from '../../../core/errors.js';
import { columnFields, packedStringColumn, type Column, type ColumnArray } from '../../column.js';
import { factorizeKeys } from './factorize.js';
import { gatherScalar, renamed, takeOrNull } from './result-columns.js';
import { nameList, requireColumn, requireScalarKey, type ColumnList, type TableSource } from './table-source.js';

/** Which rows a join keeps, as pandas' `how`: matches only (inner), every left or right row, or every row of both (outer). */
export type JoinHow = 'inner' | 'left' | 'right' | 'outer';

/** Options of {@link FitsTable.join}: the key columns, which rows to keep, how NA keys match, the order, and the suffix of clashing names. */
export interface JoinOptions {
  /** Key column(s), present in both tables. */
  on: string | readonly string[];
  /** Default 'inner'. */
  how?: JoinHow;
  /** NA keys (null, NaN) match each other, like pandas (default true); false: never, like SQL. */
  nullsEqual?: boolean;
  /** Rows in ascending key order (pandas' sort=True) instead of pandas' default order. */
  sort?: boolean;
  /** Appended to right-table column names that clash with left ones (default '_2'). */
  suffix?: string;
}

/** Most rows a join may produce. */
export const MAX_JOIN_ROWS = 0x7fffffff;

/** The row pairs of a join: left[j], right[j] are the rows of output row j (-1: none). */
export interface JoinPairs {
  left: Int32Array;
  right: Int32Array;
}

/** Join two tables (see the module doc). */
export function joinTables(left: TableSource, right: TableSource, opts: JoinOptions): ColumnList {
  const how = opts.how ?? 'inner';
  if (how !== 'inner' && how !== 'left' && how !== 'right' && how !== 'outer') {
    throw new FitsError('BAD_ARGUMENT', `join(): how must be 'inner', 'left', 'right' or 'outer', not '${String(how)}'.`);
  }
  const keys = nameList(opts.on, 'join()');
  const li = keys.map((k) => requireColumn(left, k, 'join() left table'));
  const ri = keys.map((k) => requireColumn(right, k, 'join() right table'));
  const nL = left.numRows;
  const nR = right.numRows;
  const keyCols = keys.map((k, j) => {
    const a = left.columnAt(li[j]!);
    const b = right.columnAt(ri[j]!);
    requireScalarKey(a, 'join()');
    requireScalarKey(b, 'join()');
    return concatKeys(a, b, k);
  });
  const pairs = joinPairs(keyCols, nL, nR, how, opts.nullsEqual !== false, !!opts.sort);
  const m = pairs.left.length;
  // Keys: from the left row when there is one, else from the right row.
  const at = new Int32Array(m);
  for (let j = 0; j < m; j++) at[j] = pairs.left[j]! >= 0 ? pairs.left[j]! : nL + pairs.right[j]!;
  const leftRest = left.columnNames.map((_, i) => i).filter((i) => !li.includes(i));
  const rightRest = right.columnNames.map((_, i) => i).filter((i) => !ri.includes(i));
  const leftCols = takeOrNull(left, leftRest, pairs.left);
  // The left table's columns in their order, its key columns coalesced in place (pandas' layout).
  const out: Column[] = left.columnNames.map((_, i) => {
    const k = li.indexOf(i);
    return k >= 0 ? renamed(gatherScalar(keyCols[k]!, at), left.columnAt(i).name) : leftCols[leftRest.indexOf(i)]!;
  });
  const taken = new Set(out.map((c) => c.name));
  const suffix = opts.suffix ?? '_2';
  for (const c of takeOrNull(right, rightRest, pairs.right)) out.push(taken.has(c.name) ? renamed(c, c.name + suffix) : c);
  return { columns: out, numRows: m };
}

/**
 * The row pairs of a join on key columns of nL + nR rows (the left rows, then
 * the right rows), in pandas 1.5's order (see the module doc).
 */
export function joinPairs(keyCols: readonly Column[], nL: number, nR: number, how: JoinHow, nullsEqual: boolean, sort: boolean): JoinPairs {
  if (!sort && (nL === 0 || nR === 0)) {
    // One side empty: the other side's rows in order (or nothing).
    const keep = nL === 0 ? (how === 'right' || how === 'outer' ? nR : 0) : how === 'left' || how === 'outer' ? nL : 0;
    const rows = Int32Array.from({ length: keep }, (_, i) => i);
    const none = new Int32Array(keep).fill(-1);
    return nL === 0 ? { left: none, right: rows } : { left: rows, right: none };
  }
  const { codes, count: K } = factorizeKeys(keyCols, nL + nR, nullsEqual ? 'group' : 'unique');
  const lc = codes.subarray(0, nL);
  const rc = codes.subarray(nL);
  const lb = buckets(lc, K);
  const rb = buckets(rc, K);
  const lCount = (c: number) => lb.start[c + 1]! - lb.start[c]!;
  const rCount = (c: number) => rb.start[c + 1]! - rb.start[c]!;

  // Output size first (bounded), then the pairs.
  let total = 0;
  for (let c = 0; c < K; c++) {
    const a = lCount(c);
    const b = rCount(c);
    if (how === 'inner') total += a * b;
    else if (how === 'left') total += b > 0 ? a * b : a;
    else if (how === 'right') total += a > 0 ? a * b : b;
    else total += a > 0 && b > 0 ? a * b : a + b;
  }
  if (total > MAX_JOIN_ROWS) {
    throw new FitsError('BAD_SIZE', `This join would produce ${total} rows (at most ${MAX_JOIN_ROWS}); the keys repeat too often on both sides — join on more columns or deduplicate first.`);
  }
  const L = new Int32Array(total);
  const R = new Int32Array(total);
  let o = 0;
  const emitKey = (c: number) => {
    const a0 = lb.start[c]!;
    const a1 = lb.start[c + 1]!;
    const b0 = rb.start[c]!;
    const b1 = rb.start[c + 1]!;
    if (a1 > a0 && b1 > b0) {
      for (let x = a0; x < a1; x++) {
        for (let y = b0; y < b1; y++) {
          L[o] = lb.rows[x]!;
          R[o++] = rb.rows[y]!;
        }
      }
    } else if (a1 > a0) {
      if (how === 'inner' || how === 'right') return;
      for (let x = a0; x < a1; x++) {
        L[o] = lb.rows[x]!;
        R[o++] = -1;
      }
    } else if (b1 > b0) {
      if (how === 'inner' || how === 'left') return;
      for (let y = b0; y < b1; y++) {
        L[o] = -1;
        R[o++] = rb.rows[y]!;
      }
    }
  };
  if (sort) {
    if (how === 'right') {
      // pandas: left_outer_join(right, left, sort=True) mirrored: right-major within a key.
      for (let c = 0; c < K; c++) {
        const a0 = lb.start[c]!;
        const a1 = lb.start[c + 1]!;
        for (let y = rb.start[c]!; y < rb.start[c + 1]!; y++) {
          if (a1 === a0) {
            L[o] = -1;
            R[o++] = rb.rows[y]!;
          } else {
            for (let x = a0; x < a1; x++) {
              L[o] = lb.rows[x]!;
              R[o++] = rb.rows[y]!;
            }
          }
        }
      }
    } else for (let c = 0; c < K; c++) emitKey(c);
  } else if (how === 'left') {
    for (let i = 0; i < nL; i++) {
      const c = lc[i]!;
      if (rCount(c) === 0) {
        L[o] = i;
        R[o++] = -1;
      } else {
        for (let y = rb.start[c]!; y < rb.start[c + 1]!; y++) {
          L[o] = i;
          R[o++] = rb.rows[y]!;
        }
      }
    }
  } else if (how === 'right') {
    for (let i = 0; i < nR; i++) {
      const c = rc[i]!;
      if (lCount(c) === 0) {
        L[o] = -1;
        R[o++] = i;
      } else {
        for (let x = lb.start[c]!; x < lb.start[c + 1]!; x++) {
          L[o] = lb.rows[x]!;
          R[o++] = i;
        }
      }
    }
  } else {
    // inner, outer: keys in order of first appearance (left, then right for outer).
    const seen = new Uint8Array(K);
    for (let i = 0; i < nL; i++) {
      const c = lc[i]!;
      if (!seen[c]) {
        seen[c] = 1;
        if (lb.unique) {
          // One left row per key (a catalog's IDs): its right matches, without the key's bucket.
          const b0 = rb.start[c]!;
          const b1 = rb.start[c + 1]!;
          if (b1 === b0 && how === 'outer') {
            L[o] = i;
            R[o++] = -1;
          }
          for (let y = b0; y < b1; y++) {
            L[o] = i;
            R[o++] = rb.rows[y]!;
          }
        } else emitKey(c);
      }
    }
    if (how === 'outer') {
      for (let i = 0; i < nR; i++) {
        const c = rc[i]!;
        if (!seen[c]) {
          seen[c] = 1;
          emitKey(c);
        }
      }
    }
  }
  return { left: L, right: R };
}

/**
 * Rows grouped by code (a stable counting sort): code c's rows are
 * rows[start[c] .. start[c+1]); `unique` when no code has two rows.
 */
function buckets(codes: Int32Array, K: number): { start: Int32Array; rows: Int32Array; unique: boolean } {
  const start = new Int32Array(K + 1);
  let unique = true;
  for (let i = 0; i < codes.length; i++) if (++start[codes[i]! + 1]! > 1) unique = false;
  for (let c = 0; c < K; c++) start[c + 1]! += start[c]!;
  const pos = start.slice(0, K);
  const rows = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) rows[pos[codes[i]!]!++] = i;
  return { start, rows, unique };
}

// ---------------------------------------------------------------- key columns end to end

const INTS = new Set(['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64']);

function concatBits(a: Column, b: Column): Uint8Array | undefined {
  if (!a.validity && !b.validity) return undefined;
  const n = a.length + b.length;
  const v = new Uint8Array((n + 7) >>> 3);
  const bit = (c: Column, i: number) => (!c.validity ? 1 : (c.validity[i >>> 3]! >>> (i & 7)) & 1);
  for (let i = 0; i < a.length; i++) v[i >>> 3]! |= bit(a, i) << (i & 7);
  for (let i = 0; i < b.length; i++) {
    const o = a.length + i;
    v[o >>> 3]! |= bit(b, i) << (o & 7);
  }
  return v;
}

function keyColumn(name: string, dtype: Column['dtype'], format: string, data: Column['data'], validity: Uint8Array | undefined): Column {
  const c: { -readonly [K in keyof Column]?: Column[K] } = { name, dtype, format, cellShape: [], length: data.length, data };
  if (validity) c.validity = validity;
  return c as Column;
}

/** The values of an integer column as 64-bit words (sign-extended). */
function int64Words(c: Column, out: Uint32Array, at: number): void {
  const d = c.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    out.set(new Uint32Array(d.buffer, d.byteOffset, 2 * d.length), 2 * at);
    return;
  }
  const a = d as Exclude<ColumnArray, BigInt64Array | BigUint64Array>;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    out[2 * (at + i)] = x >>> 0;
    out[2 * (at + i) + 1] = x < 0 ? 0xffffffff : 0;
  }
}

function asDouble(c: Column, out: Float64Array, at: number): void {
  const d = c.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    const u = new Uint32Array(d.buffer, d.byteOffset, 2 * d.length);
    const signed = d instanceof BigInt64Array;
    for (let i = 0; i < d.length; i++) out[at + i] = (signed ? u[2 * i + 1]! | 0 : u[2 * i + 1]!) * 4294967296 + u[2 * i]!;
    return;
  }
  const a = d as Exclude<ColumnArray, BigInt64Array | BigUint64Array>;
  for (let i = 0; i < a.length; i++) out[at + i] = a[i]!;
}

/** Key column `a` followed by `b`, in a type both convert to exactly (see the module doc). */
export function concatKeys(a: Column, b: Column, name: string): Column {
  const n = a.length + b.length;
  const validity = concatBits(a, b);
  const ta = a.dtype;
  const tb = b.dtype;
  if (ta === 'string' || tb === 'string') {
    if (ta !== tb) throw new FitsError('BAD_ARGUMENT', `join(): key '${name}' holds strings on one side and ${ta === 'string' ? tb : ta} values on the other.`);
    if (a.strings && b.strings && a.strings.width === b.strings.width) {
      const width = a.strings.width;
      const bytes = new Uint8Array(n * width);
      bytes.set(a.strings.bytes.subarray(0, a.length * width));
      bytes.set(b.strings.bytes.subarray(0, b.length * width), a.length * width);
      return packedStringColumn({ ...columnFields(a), name }, n, { bytes, width }, validity);
    }
    const data = (a.data as string[]).slice(0, a.length).concat((b.data as string[]).slice(0, b.length));
    return keyColumn(name, 'string', a.format, data, validity);
  }
  if (ta === 'bool' || tb === 'bool') {
    if (ta !== tb) throw new FitsError('BAD_ARGUMENT', `join(): key '${name}' is logical on one side and ${ta === 'bool' ? tb : ta} on the other.`);
  }
  if (ta === tb) {
    const data = new ((a.data as ColumnArray).constructor as new (k: number) => ColumnArray)(n);
    (data as Float64Array).set(a.data as Float64Array);
    (data as Float64Array).set(b.data as Float64Array, a.length);
    return keyColumn(name, ta, a.format, data, validity);
  }
  const signed = (t: string) => t === 'int8' || t === 'int16' || t === 'int32' || t === 'int64';
  const u64 = ta === 'uint64' || tb === 'uint64';
  if (INTS.has(ta) && INTS.has(tb) && !(u64 && (signed(ta) || signed(tb)))) {
    // Exact as int64, or as uint64 when one side is uint64 and neither is signed.
    const words = new Uint32Array(2 * n);
    int64Words(a, words, 0);
    int64Words(b, words, a.length);
    return u64 ? keyColumn(name, 'uint64', 'K', new BigUint64Array(words.buffer), validity) : keyColumn(name, 'int64', 'K', new BigInt64Array(words.buffer), validity);
  }
  // Integers with floats (or uint64 with signed integers): float64, like numpy.
  const data = new Float64Array(n);
  asDouble(a, data, 0);
  asDouble(b, data, a.length);
  return keyColumn(name, 'float64', 'D', data, validity);
}
