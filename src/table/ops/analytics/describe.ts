/**
 * Per-column statistics: `describeTable(table)` gives one row per column
 * with its count, nulls, mean, std, min, quartiles and max (numbers) or
 * distinct values, most frequent value and its frequency (strings, logicals).
 *
 * The numbers are pandas 1.5's `Series.describe()` (numpy 1.24 underneath):
 * count of non-NA values; mean by numpy's pairwise summation; std the
 * two-pass sample standard deviation (ddof = 1); quartiles by numpy's
 * `percentile` (linear interpolation, its lerp); NA (null, NaN) skipped.
 * Bit for bit for float64 columns and integer columns without nulls; float32
 * columns follow numpy's float32 arithmetic; integer columns with nulls (which
 * pandas holds as masked arrays, summed in another order) can differ in the
 * last bits. `top` is the most frequent value, the first to occur on ties.
 */
import { cellSize, type Column } from '../../column.js';
import { bitmapFromFlags, countColumn, scalarColumn } from './result-columns.js';
import type { ColumnList, TableSource } from './table-source.js';

const fr = Math.fround;

/** numpy's pairwise summation (PW_BLOCKSIZE 128, 8 accumulators), of a[s, s + n). */
export function pairwiseSum(a: Float64Array, s: number, n: number, f32 = false): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = f32 ? fr(res + a[s + i]!) : res + a[s + i]!;
    return res;
  }
  if (n <= 128) {
    const r = [a[s]!, a[s + 1]!, a[s + 2]!, a[s + 3]!, a[s + 4]!, a[s + 5]!, a[s + 6]!, a[s + 7]!];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let k = 0; k < 8; k++) r[k] = f32 ? fr(r[k]! + a[s + i + k]!) : r[k]! + a[s + i + k]!;
    const add = f32 ? (x: number, y: number) => fr(x + y) : (x: number, y: number) => x + y;
    let res = add(add(add(r[0]!, r[1]!), add(r[2]!, r[3]!)), add(add(r[4]!, r[5]!), add(r[6]!, r[7]!)));
    for (; i < n; i++) res = add(res, a[s + i]!);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  const x = pairwiseSum(a, s, n2, f32);
  const y = pairwiseSum(a, s + n2, n - n2, f32);
  return f32 ? fr(x + y) : x + y;
}

/**
 * `np.add.reduce`: 0 + pairwise sum, or, when numpy iterates with buffering
 * (casting, and float32 sums as measured with numpy 1.24), block by block of
 * 8192 elements; `f32` sums in float32.
 */
function npSum(a: Float64Array, buffered: boolean, f32 = false): number {
  if (!buffered) return 0 + pairwiseSum(a, 0, a.length, f32);
  let acc = 0;
  for (let s = 0; s < a.length; s += 8192) {
    const part = pairwiseSum(a, s, Math.min(8192, a.length - s), f32);
    acc = f32 ? fr(acc + part) : acc + part;
  }
  return acc;
}

/** numpy 1.24's percentile (method 'linear') of ascending values. */
export function percentile(sorted: Float64Array, q: number, f32 = false): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const virtual = (n - 1) * (q / 100);
  let prev = Math.floor(virtual);
  let next = prev + 1;
  if (virtual >= n - 1) prev = next = n - 1;
  if (virtual < 0) prev = next = 0;
  const gamma = virtual - (virtual >= n - 1 ? -1 : prev);
  const a = sorted[prev]!;
  const b = sorted[next]!;
  if (f32) {
    // float32 arrays interpolate in float32 (the float64 weight is cast down first).
    const diff = fr(b - a);
    return gamma >= 0.5 ? fr(b - fr(diff * fr(1 - gamma))) : fr(a + fr(diff * fr(gamma)));
  }
  const diff = b - a;
  return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
}

interface NumericStats {
  count: number;
  mean: number;
  std: number;
  min: number;
  p25: number;
  p50: number;
  p75: number;
  max: number;
}

/** pandas' describe() numbers for one numeric column. */
function numericStats(col: Column): NumericStats {
  const n = col.length;
  const d = col.data;
  const v = col.validity;
  const big = d instanceof BigInt64Array || d instanceof BigUint64Array;
  const isF32 = col.dtype === 'float32';
  const isFloat = isF32 || col.dtype === 'float64';
  const vals = new Float64Array(n); // NA → 0, as nanops fills them
  const mask = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const x = big ? Number((d as BigInt64Array)[i]!) : (d as Float64Array)[i]!;
    if (x !== x || (v && ((v[i >>> 3]! >>> (i & 7)) & 1) === 0)) {
      mask[i] = 1;
      continue;
    }
    vals[i] = x;
    count++;
  }
  const present = new Float64Array(count);
  for (let i = 0, k = 0; i < n; i++) if (!mask[i]) present[k++] = vals[i]!;
  const sorted = present.slice().sort();
  // mean: nanmean sums in the column's float type (float64 for integers, numpy casting in buffered blocks).
  const sum = npSum(vals, !isFloat || isF32, isF32);
  const mean = count === 0 ? NaN : isF32 ? fr(sum / fr(count)) : sum / count;
  // std: nanvar's two passes, the sum in float64 (buffered casting for float32), the squares in the column's type.
  let std = NaN;
  if (count > 1) {
    const avg = npSum(vals, isF32) / count;
    const sq = new Float64Array(n);
    if (isF32) {
      const a32 = fr(avg);
      for (let i = 0; i < n; i++) if (!mask[i]) sq[i] = fr(fr(a32 - vals[i]!) ** 2);
    } else for (let i = 0; i < n; i++) if (!mask[i]) sq[i] = (avg - vals[i]!) ** 2;
    const variance = npSum(sq, isF32) / (count - 1);
    std = isF32 ? fr(Math.sqrt(fr(variance))) : Math.sqrt(variance);
  }
  return {
    count,
    mean,
    std,
    min: count ? sorted[0]! : NaN,
    p25: percentile(sorted, 25, isF32),
    p50: percentile(sorted, 50, isF32),
    p75: percentile(sorted, 75, isF32),
    max: count ? sorted[count - 1]! : NaN,
  };
}

const NUMERIC = new Set(['uint8', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64']);

/**
 * One row per column: `column`, `dtype`, `unit`, `count` (non-NA values),
 * `nulls` (nulls and NaN), `mean`, `std`, `min`, `25%`, `50%`, `75%`, `max`
 * (numeric columns; null otherwise), `unique`, `top`, `freq` (string and
 * logical columns; null otherwise). Array and complex columns get the counts only.
 */
export function describeTable(table: TableSource): ColumnList {
  const names = table.columnNames;
  const m = names.length;
  const dtype: string[] = [];
  const unit: string[] = [];
  const count = new Float64Array(m);
  const nulls = new Float64Array(m);
  const stats = ['mean', 'std', 'min', '25%', '50%', '75%', 'max'].map(() => new Float64Array(m).fill(NaN));
  const statsValid = new Uint8Array(m);
  const unique = new Float64Array(m);
  const top: string[] = new Array<string>(m).fill('');
  const freq = new Float64Array(m);
  const catValid = new Uint8Array(m);
  for (let c = 0; c < m; c++) {
    const col = table.columnAt(c);
    dtype.push(col.dtype);
    unit.push(col.unit ?? '');
    const scalar = !col.offsets && col.cellShape !== null && cellSize(col) === 1;
    if (scalar && NUMERIC.has(col.dtype)) {
      const s = numericStats(col);
      count[c] = s.count;
      nulls[c] = col.length - s.count;
      [s.mean, s.std, s.min, s.p25, s.p50, s.p75, s.max].forEach((x, k) => (stats[k]![c] = x));
      statsValid[c] = 1;
    } else if (scalar && (col.dtype === 'string' || col.dtype === 'bool')) {
      const counts = new Map<string | boolean, number>();
      const v = col.validity;
      const d = col.data as ArrayLike<string | number>;
      for (let i = 0; i < col.length; i++) {
        if (v && ((v[i >>> 3]! >>> (i & 7)) & 1) === 0) continue;
        const key = col.dtype === 'bool' ? d[i] !== 0 : (d[i] as string);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      let best: string | boolean = '';
      let bestN = 0;
      let total = 0;
      for (const [k, nk] of counts) {
        total += nk;
        if (nk > bestN) {
          best = k;
          bestN = nk;
        }
      }
      count[c] = total;
      nulls[c] = col.length - total;
      unique[c] = counts.size;
      top[c] = col.dtype === 'bool' ? (best ? 'True' : 'False') : String(best);
      freq[c] = bestN;
      catValid[c] = total > 0 ? 1 : 0;
    } else {
      // Arrays, complex: rows with any value.
      count[c] = col.length;
    }
  }
  const sv = bitmapFromFlags(statsValid);
  const cv = bitmapFromFlags(catValid);
  const columns: Column[] = [
    scalarColumn('column', 'string', [...names]),
    scalarColumn('dtype', 'string', dtype),
    scalarColumn('unit', 'string', unit),
    countColumn('count', count),
    countColumn('nulls', nulls),
    ...['mean', 'std', 'min', '25%', '50%', '75%', 'max'].map((name, k) => scalarColumn(name, 'float64', stats[k]!, sv)),
    { ...countColumn('unique', unique), ...(cv ? { validity: cv } : {}) },
    scalarColumn('top', 'string', top, cv),
    { ...countColumn('freq', freq), ...(cv ? { validity: cv } : {}) },
  ];
  return { columns, numRows: m };
}
