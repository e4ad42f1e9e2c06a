/**
 * Value comparison as astropy's diff does it: floats within rtol/atol (NaN
 * equal to NaN), everything else by equality with Python's numeric rules
 * (1 == 1.0 == True).
 */
import type { CardValue } from '../header/card.js';

/** A header value with whether it was written as a real number. */
export interface TypedValue {
  value: CardValue;
  isReal: boolean;
}

/** numpy.isclose for two finite-or-infinite numbers. */
export function isClose(a: number, b: number, rtol: number, atol: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

function numeric(v: CardValue): number | bigint | null {
  if (typeof v === 'number' || typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

/** Python's `a != b` for numbers, bigints and booleans. */
export function numbersDiffer(a: number | bigint, b: number | bigint): boolean {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a !== b;
  if (typeof a === 'bigint') return !Number.isInteger(b) || a !== BigInt(b as number);
  if (typeof b === 'bigint') return !Number.isInteger(a) || BigInt(a) !== b;
  return a !== b;
}

/** astropy.utils.diff.diff_values for header values. */
export function valuesDiffer(a: TypedValue, b: TypedValue, rtol = 0, atol = 0): boolean {
  const x = a.value;
  const y = b.value;
  if (a.isReal && b.isReal && typeof x === 'number' && typeof y === 'number') {
    if (Number.isNaN(x) && Number.isNaN(y)) return false;
    return !isClose(x, y, rtol, atol);
  }
  if (typeof x === 'string' || typeof y === 'string') return x !== y;
  if (x === null || y === null) return x !== y;
  if (typeof x === 'object' || typeof y === 'object') {
    if (typeof x !== 'object' || typeof y !== 'object') {
      const [c, n] = typeof x === 'object' ? [x, y] : [y as { re: number; im: number }, x];
      const nv = numeric(n as CardValue);
      return nv === null || c.im !== 0 || numbersDiffer(c.re, nv);
    }
    return x.re !== y.re || x.im !== y.im;
  }
  return numbersDiffer(numeric(x)!, numeric(y)!);
}

/** A value as the report shows it (Python repr-like). */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : String(v);
  if (v === null || v === undefined) return 'None';
  if (ArrayBuffer.isView(v)) return `[${Array.from(v as unknown as ArrayLike<number | bigint>, (x) => formatValue(x)).join(' ')}]`;
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (typeof v === 'object' && 're' in v && 'im' in v) {
    const c = v as { re: number; im: number };
    return `(${c.re}${c.im < 0 ? '-' : '+'}${Math.abs(c.im)}j)`;
  }
  return String(v);
}
