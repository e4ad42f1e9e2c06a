/**
 * Concatenating tables of the same columns (partition pieces gathered from
 * many input batches), and sorting rows by an int64 key with an LSD radix
 * sort (HATS partitions are ordered by `_healpix_29`).
 */
import { FitsError } from '../core/errors.js';
import { cellSize, type Column, type ColumnArray } from '../table/column.js';
import { FitsTable } from '../table/ops/fits-table.js';

function validAt(v: Uint8Array | undefined, i: number): boolean {
  return !v || ((v[i >>> 3]! >>> (i & 7)) & 1) === 1;
}

/** Elements a column holds (numbers for complex: two per element). */
function elementsOf(c: Column): number {
  return c.offsets ? Number(c.offsets[c.length]) : c.length * cellSize(c);
}

function concatColumn(parts: Column[]): Column {
  const first = parts[0]!;
  const length = parts.reduce((a, p) => a + p.length, 0);
  const per = first.dtype === 'complex64' || first.dtype === 'complex128' ? 2 : 1;
  const total = parts.reduce((a, p) => a + elementsOf(p), 0);
  const out: { -readonly [K in keyof Column]: Column[K] } = { name: first.name, dtype: first.dtype, format: first.format, cellShape: first.cellShape, length, data: [] };
  if (first.unit !== undefined) out.unit = first.unit;
  if (parts.some((p) => p.validity)) {
    const v = new Uint8Array((total + 7) >>> 3);
    let e = 0;
    for (const p of parts) {
      const n = elementsOf(p);
      for (let i = 0; i < n; i++, e++) if (validAt(p.validity, i)) v[e >>> 3]! |= 1 << (e & 7);
    }
    out.validity = v;
  }
  if (first.offsets) {
    const offsets = total <= 0x7fffffff ? new Int32Array(length + 1) : new Float64Array(length + 1);
    let r = 0;
    let base = 0;
    for (const p of parts) {
      for (let i = 0; i < p.length; i++) offsets[r++] = base + Number(p.offsets![i]);
      base += elementsOf(p);
    }
    offsets[length] = base;
    out.offsets = offsets;
  }
  if (Array.isArray(first.data) && !first.offsets) {
    const strs: string[] = new Array(total);
    let o = 0;
    for (const p of parts) for (const s of p.data as string[]) strs[o++] = s;
    out.data = strs;
    return out;
  }
  const Ctor = (first.data as ColumnArray).constructor as new (n: number) => ColumnArray;
  const data = new Ctor(total * per);
  let o = 0;
  for (const p of parts) {
    const n = elementsOf(p) * per;
    (data as Uint8Array).set((p.data as Uint8Array).subarray(0, n), o);
    o += n;
  }
  out.data = data;
  return out;
}

/** Rows of several tables with the same columns, one after another. */
export function concatTables(tables: readonly FitsTable[]): FitsTable {
  if (tables.length === 0) throw new FitsError('BAD_ARGUMENT', 'Nothing to concatenate.');
  if (tables.length === 1) return tables[0]!;
  const cols = tables.map((t) => t.columns);
  const n = cols[0]!.length;
  for (const c of cols) if (c.length !== n) throw new FitsError('BAD_ARGUMENT', 'Tables to concatenate must have the same columns.');
  const columns = cols[0]!.map((_, i) => concatColumn(cols.map((c) => c[i]!)));
  return new FitsTable(columns, tables.reduce((a, t) => a + t.numRows, 0));
}

/** Concatenate int64 arrays. */
export function concatInt64(parts: readonly BigInt64Array[]): BigInt64Array {
  const out = new BigInt64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), (o += p.length));
  return out;
}

/**
 * The stable permutation sorting non-negative int64 keys ascending: LSD radix
 * sort on 11-bit digits, moving (low word, high word, index) triples so every
 * pass reads sequentially; digits equal for every key are skipped (within a
 * HATS partition the high bits are all the same).
 */
export function argsortInt64(keys: BigInt64Array): Uint32Array {
  const n = keys.length;
  const words = new Uint32Array(keys.buffer, keys.byteOffset, n * 2);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(n);
  let idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    lo[i] = words[2 * i + (little ? 0 : 1)]!;
    hi[i] = words[2 * i + (little ? 1 : 0)]!;
    idx[i] = i;
  }
  let lo2 = new Uint32Array(n);
  let hi2 = new Uint32Array(n);
  let idx2 = new Uint32Array(n);
  const count = new Uint32Array(2049);
  // Digits: bits 0-10, 11-21, 22-31 of the low word, then of the high word.
  const digits: [boolean, number, number][] = [[false, 0, 0x7ff], [false, 11, 0x7ff], [false, 22, 0x3ff], [true, 0, 0x7ff], [true, 11, 0x7ff], [true, 22, 0x3ff]];
  for (const [useHi, shift, mask] of digits) {
    const src = useHi ? hi : lo;
    count.fill(0);
    for (let i = 0; i < n; i++) count[((src[i]! >>> shift) & mask) + 1]!++;
    if (n === 0 || count[((src[0]! >>> shift) & mask) + 1] === n) continue; // one value: nothing to do
    for (let b = 0; b < 2048; b++) count[b + 1]! += count[b]!;
    for (let i = 0; i < n; i++) {
      const at = count[(src[i]! >>> shift) & mask]!++;
      lo2[at] = lo[i]!;
      hi2[at] = hi[i]!;
      idx2[at] = idx[i]!;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
    [idx, idx2] = [idx2, idx];
  }
  return idx;
}
