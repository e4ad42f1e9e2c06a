/**
 * Random catalogs for the analytics tests: duplicate keys of every type
 * (int32, int64 above 2^53, strings — plain and packed —, floats with NaN and
 * -0, logicals), values with NaN, nulls (TNULL-style validity), infinities,
 * int64 sums that wrap, and empty tables.
 */
import { packedStringColumn, type Column, type ColumnArray, type ColumnDType } from '../../../src/table/column.js';
import { xorshift32 } from '../../helpers/xorshift.js';

export type Rng = () => number;

/** Uniform [0, 1) from a seed. */
export function uniform(seed: number): Rng {
  const next = xorshift32(seed);
  return () => next() / 4294967296;
}

function validityFrom(nulls: boolean[]): Uint8Array | undefined {
  if (!nulls.some((x) => x)) return undefined;
  const v = new Uint8Array((nulls.length + 7) >>> 3);
  nulls.forEach((isNull, i) => {
    if (!isNull) v[i >>> 3]! |= 1 << (i & 7);
  });
  return v;
}

const FORMAT: Partial<Record<ColumnDType, string>> = { float64: 'D', float32: 'E', int64: 'K', uint64: 'K', int32: 'J', int16: 'I', uint8: 'B', bool: 'L' };

export function col(name: string, dtype: ColumnDType, data: ColumnArray | string[], nulls?: boolean[]): Column {
  const c: { -readonly [K in keyof Column]?: Column[K] } = { name, dtype, format: dtype === 'string' ? '8A' : FORMAT[dtype]!, cellShape: [], length: data.length, data };
  const v = nulls ? validityFrom(nulls) : undefined;
  if (v) c.validity = v;
  return c as Column;
}

/** A packed fixed-width string column (as a file read gives), `width` bytes per cell, space padded. */
export function packedCol(name: string, values: string[], width: number, nulls?: boolean[]): Column {
  const bytes = new Uint8Array(values.length * width).fill(0x20);
  values.forEach((s, i) => {
    for (let k = 0; k < Math.min(width, s.length); k++) bytes[i * width + k] = s.charCodeAt(k);
  });
  return packedStringColumn({ name, dtype: 'string', format: `${width}A`, cellShape: [] }, values.length, { bytes, width }, nulls ? validityFrom(nulls) : undefined);
}

const BIG = 1n << 60n;

/** A random catalog of `n` rows (column names: K_* keys, V_* values). */
export function randomCatalog(seed: number, n: number): Column[] {
  const r = uniform(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const nulls = (p: number) => Array.from({ length: n }, () => r() < p);
  const k = Math.max(1, Math.floor(n / 8));
  const words = ['M31', 'NGC 253', 'a', 'b', 'B', 'ab', 'a b', 'zeta', 'Ω', ''];
  const cols: Column[] = [
    col('K_INT', 'int32', Int32Array.from({ length: n }, () => Math.floor(r() * k) - 3)),
    col('K_BIG', 'int64', BigInt64Array.from({ length: n }, () => BIG + BigInt(Math.floor(r() * k)) * 3n - (r() < 0.1 ? 2n * BIG : 0n)), nulls(0.05)),
    col('K_STR', 'string', Array.from({ length: n }, () => pick(words)), nulls(0.05)),
    packedCol('K_PSTR', Array.from({ length: n }, () => pick(['x', 'xy', 'x y', 'B', '', 'xyzxyzxy'])), 8, nulls(0.05)),
    col('K_FLT', 'float64', Float64Array.from({ length: n }, () => pick([0.5, 1.5, -0, 0, NaN, -1e300, 2.25]))),
    col('K_BOOL', 'bool', Uint8Array.from({ length: n }, () => (r() < 0.5 ? 1 : 0))),
    col('V_F64', 'float64', Float64Array.from({ length: n }, () => (r() < 0.1 ? NaN : r() < 0.01 ? pick([Infinity, -Infinity]) : (r() - 0.5) * 10 ** Math.floor(r() * 12 - 4)))),
    col('V_F32', 'float32', Float32Array.from({ length: n }, () => (r() < 0.1 ? NaN : (r() - 0.3) * 1000)), nulls(0.03)),
    col('V_I32', 'int32', Int32Array.from({ length: n }, () => Math.floor((r() - 0.5) * 4e9)), nulls(0.1)),
    col('V_I64', 'int64', BigInt64Array.from({ length: n }, () => (BigInt(Math.floor(r() * 2 ** 31)) << 32n) + BigInt(Math.floor(r() * 2 ** 32)) - (r() < 0.5 ? 1n << 62n : 0n)), nulls(0.1)),
    col('V_I16', 'int16', Int16Array.from({ length: n }, () => Math.floor((r() - 0.5) * 60000))),
    col('V_U8', 'uint8', Uint8Array.from({ length: n }, () => Math.floor(r() * 256))),
    col('V_STR', 'string', Array.from({ length: n }, () => pick(words)), nulls(0.2)),
    col('V_STR2', 'string', Array.from({ length: n }, () => pick(words))),
    col('V_Z', 'float64', Float64Array.from({ length: n }, () => pick([-0, 0, 0, -0, 1, -1, NaN, 0.5]))),
    col('V_BOOL', 'bool', Uint8Array.from({ length: n }, () => (r() < 0.3 ? 1 : 0))),
  ];
  return cols;
}
