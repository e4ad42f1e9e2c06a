/**
 * CPU compiler for checked expressions: builds a tree of small objects whose
 * methods run typed-array loops over chunks of rows (no eval, no code generation).
 *
 * Evaluation is vectorised over chunks of {@link CHUNK} rows with selection
 * vectors, like a columnar database engine:
 * - a boolean node ({@link Pred}) writes the rows of a candidate set for which
 *   it is TRUE (or, asked for the other side, FALSE); rows where it is null are
 *   in neither set. `a && b` evaluates `b` only on the rows where `a` holds.
 * - a numeric node ({@link NumEval}) fills a Float64Array with its values for
 *   the candidate rows, and a 0/1 validity array when nulls can occur.
 *
 * Semantics (documented for users in the FitsTable docs):
 * - Numbers are float64. A comparison of a column with a constant is exact for
 *   every column type: float32 values are compared as the doubles they are, and
 *   64-bit integer columns are compared against the constant exactly (on the two
 *   32-bit halves, never through a lossy double). Arithmetic on a 64-bit column
 *   converts its values to the nearest double first.
 * - IEEE comparisons: NaN compares false, except `!=`, which is true.
 * - Nulls (validity bit 0) propagate through arithmetic and comparisons; logic
 *   is three-valued (Kleene): `null && false` is false, `null || true` is true.
 *   A row matches a filter only if the filter is TRUE (not null) for it.
 * - Strings compare by UTF-16 code units with trailing spaces ignored.
 */
import type { Column, PackedStrings } from '../../column.js';
import { FitsError } from '../../../core/errors.js';
import type { CompareOp } from './ast.js';
import { MATH, type CheckedColumn, type CheckedExpr } from './check.js';
import { borrowU32, releaseU32 } from '../sort/scratch.js';

/** Rows per evaluation chunk. */
export const CHUNK = 16384;

type Sel = Uint32Array | null;

/** A compiled boolean expression. */
export interface Pred {
  /**
   * Write to `out` the candidate rows for which the expression is `want`
   * (true or false, never null), in order; return how many.
   * Candidates are rows `start .. start+n-1` when `sel` is null, else `sel[0..n)`.
   */
  select(want: boolean, start: number, sel: Sel, n: number, out: Uint32Array): number;
}

/** A compiled numeric expression. */
export interface NumEval {
  /** Values for the last run's candidates. */
  v: Float64Array<ArrayBufferLike>;
  /** 0/1 validity for the last run's candidates; meaningful only when `hasNull`. */
  valid: Uint8Array;
  hasNull: boolean;
  run(start: number, sel: Sel, n: number): void;
}

// ---------------------------------------------------------------- set helpers

function materialize(start: number, sel: Sel, n: number, out: Uint32Array): number {
  if (sel) out.set(sel.subarray(0, n));
  else for (let k = 0; k < n; k++) out[k] = start + k;
  return n;
}

/** Candidates minus `sub` (a sorted subset of them). */
function difference(start: number, sel: Sel, n: number, sub: Uint32Array, m: number, out: Uint32Array): number {
  let j = 0;
  let o = 0;
  for (let k = 0; k < n; k++) {
    const r = sel ? sel[k]! : start + k;
    if (j < m && sub[j] === r) j++;
    else out[o++] = r;
  }
  return o;
}

/** Union of two disjoint sorted lists. */
function merge(a: Uint32Array, na: number, b: Uint32Array, nb: number, out: Uint32Array): number {
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < na && j < nb) out[o++] = a[i]! < b[j]! ? a[i++]! : b[j++]!;
  while (i < na) out[o++] = a[i++]!;
  while (j < nb) out[o++] = b[j++]!;
  return o;
}

// ---------------------------------------------------------------- boolean nodes

class ConstPred implements Pred {
  constructor(private readonly value: boolean) {}
  select(want: boolean, start: number, sel: Sel, n: number, out: Uint32Array): number {
    return want === this.value ? materialize(start, sel, n, out) : 0;
  }
}

class NotPred implements Pred {
  constructor(private readonly a: Pred) {}
  select(want: boolean, start: number, sel: Sel, n: number, out: Uint32Array): number {
    return this.a.select(!want, start, sel, n, out);
  }
}

/** `and` (strong = true) or `or` (strong = false), in Kleene logic. */
class LogicPred implements Pred {
  private readonly t1 = new Uint32Array(CHUNK);
  private readonly t2 = new Uint32Array(CHUNK);
  private readonly t3 = new Uint32Array(CHUNK);
  constructor(
    private readonly a: Pred,
    private readonly b: Pred,
    /** The value both sides must have for the result to have it: true for `and`, false for `or`. */
    private readonly both: boolean,
  ) {}
  select(want: boolean, start: number, sel: Sel, n: number, out: Uint32Array): number {
    if (want === this.both) {
      // and → true: a true, then b true among those. (or → false: symmetric.)
      const m = this.a.select(want, start, sel, n, this.t1);
      return m === 0 ? 0 : this.b.select(want, 0, this.t1, m, out);
    }
    // and → false: a false, or b false among the others. (or → true: symmetric.)
    const f1 = this.a.select(want, start, sel, n, this.t1);
    if (f1 === n) return materialize(start, sel, n, out);
    const r = difference(start, sel, n, this.t1, f1, this.t2);
    const f2 = this.b.select(want, 0, this.t2, r, this.t3);
    return merge(this.t1, f1, this.t3, f2, out);
  }
}

/** Null test of a boolean expression: rows where it is neither true nor false. */
class BoolIsNullPred implements Pred {
  private readonly t1 = new Uint32Array(CHUNK);
  private readonly t2 = new Uint32Array(CHUNK);
  private readonly t3 = new Uint32Array(CHUNK);
  private readonly t4 = new Uint32Array(CHUNK);
  constructor(private readonly a: Pred) {}
  select(want: boolean, start: number, sel: Sel, n: number, out: Uint32Array): number {
    const nt = this.a.select(true, start, sel, n, this.t1);
    const r = difference(start, sel, n, this.t1, nt, this.t2);
    const nf = this.a.select(false, 0, this.t2, r, this.t3);
    if (!want) return merge(this.t1, nt, this.t3, nf, out);
    // Nulls: the rest after removing the true and the false rows.
    const m = merge(this.t1, nt, this.t3, nf, this.t4);
    return difference(start, sel, n, this.t4, m, out);
  }
}

// ---------------------------------------------------------------- column access

const bit = (v: Uint8Array, i: number) => (v[i >>> 3]! >>> (i & 7)) & 1;

/** The 32-bit words of a 64-bit integer column (little-endian: low word first). */
function words64(data: BigInt64Array | BigUint64Array): Uint32Array {
  if (!LITTLE_ENDIAN) throw new FitsError('UNSUPPORTED', '64-bit integer columns need a little-endian platform.');
  return new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
}
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Column values as doubles, plus validity. */
class ColumnEval implements NumEval {
  v: Float64Array<ArrayBufferLike> = new Float64Array(CHUNK);
  private readonly own = this.v;
  valid = new Uint8Array(CHUNK);
  hasNull: boolean;
  private readonly data: Exclude<Column['data'], string[]>;
  private readonly w: Uint32Array | null;
  private readonly signed: boolean;
  constructor(
    private readonly col: Column,
    private readonly element: number,
    private readonly stride: number,
  ) {
    this.data = col.data as Exclude<Column['data'], string[]>;
    this.hasNull = !!col.validity;
    const big = this.data instanceof BigInt64Array || this.data instanceof BigUint64Array;
    this.w = big ? words64(this.data as BigInt64Array) : null;
    this.signed = this.data instanceof BigInt64Array;
  }
  run(start: number, sel: Sel, n: number): void {
    const { data, element, stride } = this;
    if (!sel && stride === 1 && data instanceof Float64Array && !this.w) this.v = data.subarray(start, start + n);
    else {
      const v = (this.v = this.own);
      const w = this.w;
      if (w) {
        // hi * 2^32 + lo rounds once: the nearest double, as Number(bigint) gives.
        for (let k = 0; k < n; k++) {
          const i = (sel ? sel[k]! : start + k) * stride + element;
          const hi = this.signed ? w[2 * i + 1]! | 0 : w[2 * i + 1]!;
          v[k] = hi * 4294967296 + w[2 * i]!;
        }
      } else if (!sel && stride === 1) {
        for (let k = 0; k < n; k++) v[k] = data[start + k] as number;
      } else {
        for (let k = 0; k < n; k++) v[k] = data[(sel ? sel[k]! : start + k) * stride + element] as number;
      }
    }
    const validity = this.col.validity;
    if (validity) {
      const valid = this.valid;
      for (let k = 0; k < n; k++) valid[k] = bit(validity, (sel ? sel[k]! : start + k) * stride + element);
    }
  }
}

class ConstEval implements NumEval {
  v: Float64Array<ArrayBufferLike>;
  valid = new Uint8Array(0);
  hasNull = false;
  constructor(value: number) {
    this.v = new Float64Array(CHUNK).fill(value);
  }
  run(): void {}
}

/** Validity of the combination of several evaluated inputs. */
function combineValidity(args: readonly NumEval[], n: number, valid: Uint8Array): boolean {
  let any = false;
  for (const a of args) {
    if (!a.hasNull) continue;
    if (!any) valid.set(a.valid.subarray(0, n));
    else for (let k = 0; k < n; k++) valid[k] = valid[k]! & a.valid[k]!;
    any = true;
  }
  return any;
}

class NegEval implements NumEval {
  v = new Float64Array(CHUNK);
  valid = new Uint8Array(CHUNK);
  hasNull = false;
  constructor(private readonly a: NumEval) {}
  run(start: number, sel: Sel, n: number): void {
    this.a.run(start, sel, n);
    const x = this.a.v;
    const v = this.v;
    for (let k = 0; k < n; k++) v[k] = -x[k]!;
    this.hasNull = combineValidity([this.a], n, this.valid);
  }
}

class ArithEval implements NumEval {
  v = new Float64Array(CHUNK);
  valid = new Uint8Array(CHUNK);
  hasNull = false;
  constructor(
    private readonly op: '+' | '-' | '*' | '/' | '%',
    private readonly a: NumEval,
    private readonly b: NumEval,
  ) {}
  run(start: number, sel: Sel, n: number): void {
    this.a.run(start, sel, n);
    this.b.run(start, sel, n);
    const x = this.a.v;
    const y = this.b.v;
    const v = this.v;
    switch (this.op) {
      case '+':
        for (let k = 0; k < n; k++) v[k] = x[k]! + y[k]!;
        break;
      case '-':
        for (let k = 0; k < n; k++) v[k] = x[k]! - y[k]!;
        break;
      case '*':
        for (let k = 0; k < n; k++) v[k] = x[k]! * y[k]!;
        break;
      case '/':
        for (let k = 0; k < n; k++) v[k] = x[k]! / y[k]!;
        break;
      case '%':
        for (let k = 0; k < n; k++) v[k] = x[k]! % y[k]!;
        break;
    }
    this.hasNull = combineValidity([this.a, this.b], n, this.valid);
  }
}

class CallEval implements NumEval {
  v = new Float64Array(CHUNK);
  valid = new Uint8Array(CHUNK);
  hasNull = false;
  private readonly fn: (...a: number[]) => number;
  constructor(
    private readonly name: string,
    private readonly args: NumEval[],
  ) {
    this.fn = MATH[name]!;
  }
  run(start: number, sel: Sel, n: number): void {
    for (const a of this.args) a.run(start, sel, n);
    const v = this.v;
    const x = this.args[0]!.v;
    if (this.args.length === 1) {
      switch (this.name) {
        case 'abs':
          for (let k = 0; k < n; k++) v[k] = Math.abs(x[k]!);
          break;
        case 'sqrt':
          for (let k = 0; k < n; k++) v[k] = Math.sqrt(x[k]!);
          break;
        case 'log':
          for (let k = 0; k < n; k++) v[k] = Math.log(x[k]!);
          break;
        case 'log10':
          for (let k = 0; k < n; k++) v[k] = Math.log10(x[k]!);
          break;
        case 'floor':
          for (let k = 0; k < n; k++) v[k] = Math.floor(x[k]!);
          break;
        case 'ceil':
          for (let k = 0; k < n; k++) v[k] = Math.ceil(x[k]!);
          break;
        default: {
          const f = this.fn as (a: number) => number;
          for (let k = 0; k < n; k++) v[k] = f(x[k]!);
        }
      }
    } else if (this.args.length === 2) {
      const y = this.args[1]!.v;
      const f = this.fn as (a: number, b: number) => number;
      if (this.name === 'min') for (let k = 0; k < n; k++) v[k] = Math.min(x[k]!, y[k]!);
      else if (this.name === 'max') for (let k = 0; k < n; k++) v[k] = Math.max(x[k]!, y[k]!);
      else for (let k = 0; k < n; k++) v[k] = f(x[k]!, y[k]!);
    } else {
      const f = this.fn;
      const vals = this.args.map((a) => a.v);
      const tmp: number[] = new Array(vals.length);
      for (let k = 0; k < n; k++) {
        for (let j = 0; j < vals.length; j++) tmp[j] = vals[j]![k]!;
        v[k] = f(...tmp);
      }
    }
    this.hasNull = combineValidity(this.args, n, this.valid);
  }
}

// ---------------------------------------------------------------- comparisons

/** Next double up / down (for turning strict comparisons into inclusive intervals). */
const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
function nextUp(x: number): number {
  if (Number.isNaN(x) || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  u64[0] = x > 0 ? u64[0]! + 1n : u64[0]! - 1n;
  return f64[0]!;
}
function nextDown(x: number): number {
  return -nextUp(-x);
}

const MIRROR: Record<CompareOp, CompareOp> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '==': '==', '!=': '!=' };

/**
 * `x op c` as an inclusive interval test `lo <= x <= hi` (negated for `!=`).
 * Exact for every double x (NaN fails every interval).
 */
export function doubleInterval(op: CompareOp, c: number): { lo: number; hi: number; negate: boolean } {
  if (Number.isNaN(c) || (op === '<' && c === -Infinity) || (op === '>' && c === Infinity)) {
    return { lo: Infinity, hi: -Infinity, negate: op === '!=' }; // empty
  }
  switch (op) {
    case '<':
      return { lo: -Infinity, hi: nextDown(c), negate: false };
    case '<=':
      return { lo: -Infinity, hi: c, negate: false };
    case '>':
      return { lo: nextUp(c), hi: Infinity, negate: false };
    case '>=':
      return { lo: c, hi: Infinity, negate: false };
    case '==':
      return { lo: c, hi: c, negate: false };
    case '!=':
      return { lo: c, hi: c, negate: true };
  }
}

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

/** A number constant of a checked expression. */
type NumberConst = Extract<CheckedExpr, { kind: 'const'; type: 'number' }>;

/**
 * A comparison of a column with a number constant, the column first (`5 < X`
 * is `X > 5`); null for any other comparison. The CPU and WGSL compilers both
 * turn these into exact interval tests on the stored values.
 */
export function columnVsNumber(left: CheckedExpr, right: CheckedExpr, op: CompareOp): { column: CheckedColumn; constant: NumberConst; op: CompareOp } | null {
  const [c, k, o] = left.kind === 'const' && right.kind === 'column' ? [right, left, MIRROR[op]] : [left, right, op];
  return c.kind === 'column' && k.kind === 'const' && k.type === 'number' ? { column: c, constant: k, op: o } : null;
}

/** integerInterval over the value range of a 64-bit integer column (int64, or uint64 stored with an offset). */
export function int64Interval(column: CheckedColumn, op: CompareOp, constant: NumberConst): { lo: bigint; hi: bigint; negate: boolean } | null {
  const signed = column.dtype === 'int64';
  return integerInterval(op, constant.value, constant.exact, signed ? I64_MIN : 0n, signed ? I64_MAX : U64_MAX);
}

/**
 * `x op c` for an integer x as an exact inclusive bigint interval (null: empty),
 * where c is a double, or an exact integer when `exact` is given.
 */
export function integerInterval(op: CompareOp, c: number, exact: bigint | undefined, min: bigint, max: bigint): { lo: bigint; hi: bigint; negate: boolean } | null {
  const negate = op === '!=';
  if (exact === undefined) {
    if (Number.isNaN(c)) return negate ? { lo: 1n, hi: 0n, negate } : null;
    if (c === Infinity || c === -Infinity) {
      const below = c === Infinity; // every x is below +Inf
      if (op === '<' || op === '<=') return below ? { lo: min, hi: max, negate: false } : null;
      if (op === '>' || op === '>=') return below ? null : { lo: min, hi: max, negate: false };
      return negate ? { lo: 1n, hi: 0n, negate } : null;
    }
    if (!Number.isInteger(c)) {
      const f = BigInt(Math.floor(c));
      if (op === '<' || op === '<=') return clampInterval(min, f, min, max, false);
      if (op === '>' || op === '>=') return clampInterval(f + 1n, max, min, max, false);
      return negate ? { lo: 1n, hi: 0n, negate } : null;
    }
    exact = BigInt(c);
  }
  switch (op) {
    case '<':
      return clampInterval(min, exact - 1n, min, max, false);
    case '<=':
      return clampInterval(min, exact, min, max, false);
    case '>':
      return clampInterval(exact + 1n, max, min, max, false);
    case '>=':
      return clampInterval(exact, max, min, max, false);
    case '==':
      return clampInterval(exact, exact, min, max, false);
    case '!=':
      return clampInterval(exact, exact, min, max, true) ?? { lo: 1n, hi: 0n, negate: true };
  }
}

function clampInterval(lo: bigint, hi: bigint, min: bigint, max: bigint, negate: boolean) {
  if (lo < min) lo = min;
  if (hi > max) hi = max;
  return lo > hi ? null : { lo, hi, negate };
}

/** `column[element] op constant` for non-64-bit numeric columns: an interval test on the raw values. */
class RangePred implements Pred {
  private readonly data: Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
  constructor(
    private readonly col: Column,
    private readonly element: number,
    private readonly stride: number,
    private readonly lo: number,
    private readonly hi: number,
    private readonly negate: boolean,
  ) {
    this.data = col.data as RangePred['data'];
  }
  select(want: boolean, start: number, sel: Sel, n: number, out: Uint32Array): number {
    const inside = want !== this.negate;
    const { lo, hi, data, stride, element } = this;
    const validity = this.col.validity;
    if (!sel && stride === 1 && !validity) return rangeKernel(data, lo, hi, inside, start, n, out);
    // General path: selection vector, array cells, nulls.
    const flip = inside ? 0 : 1;
    let m = 0;
    for (let k = 0; k < n; k++) {
      const r = sel ? sel[k]! : start + k;
      const i = r * stride + element;
      const x = data[i]!;
      const ok = validity ? (validity[i >>> 3]! >>> (i & 7)) & 1 : 1;
      out[m] = r;
      m += ok & ((+(x >= lo) & +(x <= hi)) ^ flip);
    }
    return m;
  }
}

/** The hot loop: contiguous scalar column, no nulls. Branch-free; one-sided tests when possible. */
function rangeKernel(data: RangePred['data'], lo: number, hi: number, inside: boolean, start: number, n: number, out: Uint32Array): number {
  let m = 0;
  const end = start + n;
  if (lo === -Infinity) {
    if (inside) for (let i = start; i < end; i++) { out[m] = i; m += +(data[i]! <= hi); }
    else for (let i = start; i < end; i++) { out[m] = i; m += +!(data[i]! <= hi); }
  } else if (hi === Infinity) {
    if (inside) for (let i = start; i < end; i++) { out[m] = i; m += +(data[i]! >= lo); }
    else for (let i = start; i < end; i++) { out[m] = i; m += +!(data[i]! >= lo); }
  } else if (inside) {
    for (let i = start; i < end; i++) { const x = data[i]!; out[m] = i; m += +(x >= lo) & +(x <= hi); }
  } else {
    for (let i = start; i < end; i++) { const x = data[i]!; out[m] = i; m += (+(x >= lo) & +(x <= hi)) ^ 1; }
  }
  return m;
}

/** `column[element] op constant` for 64-bit integer columns, exact, on the 32-bit halves. */
class Range64Pred implements Pred {
  private readonly w: Uint32Array;
  private readonly bias: number;
  private readonly loH: number;
  private readonly loL: number;
  private readonly hiH: number;
  private readonly hiL: number;
  private readonly empty: boolean;
  constructor(
    private readonly col: Column,
    private readonly element: number,
    private readonly stride: number,
    interval: { lo: bigint; hi: bigint; negate: boolean } | null,
    private readonly negate: boolean,
  ) {
    this.w = words64(col.data as BigInt64Array);
    const signed = col.data instanceof BigInt64Array;
    // Compare as unsigned 64-bit after biasing signed values by 2^63 (flip the sign bit).
    this.bias = signed ? 0x80000000 : 0;
    this.empty = interval === null || interval.lo > interval.hi;
    const off = signed ? 2n ** 63n : 0n;
    const lo = interval && !this.empty ? interval.lo + off : 0n;
    const hi = interval && !this.empty ? interval.hi + off : 0n;
    this.loH = Number(lo >> 32n);
    this.loL = Number(lo & 0xffffffffn);
    this.hiH = Number(hi >> 32n);
    this.hiL = Number(hi & 0xffffffffn);
  }
  select(want: boolean, start: number, sel: Sel, n: number, out: Uint32Array): number {
    const inside = want !== this.negate;
    const { w, bias, loH, loL, hiH, hiL, stride, element, empty } = this;
    const validity = this.col.validity;
    const flip = inside ? 0 : 1;
    let m = 0;
    for (let k = 0; k < n; k++) {
      const r = sel ? sel[k]! : start + k;
      const i = r * stride + element;
      const h = (w[2 * i + 1]! ^ bias) >>> 0;
      const l = w[2 * i]!;
      const t = empty ? 0 : +(h > loH || (h === loH && l >= loL)) & +(h < hiH || (h === hiH && l <= hiL));
      const ok = validity ? (validity[i >>> 3]! >>> (i & 7)) & 1 : 1;
      out[m] = r;
      m += ok & (t ^ flip);
    }
    return m;
  }
}

function compareLoop(op: CompareOp, x: Float64Array, y: Float64Array, n: number, t: Uint8Array): void {
  switch (op) {
    case '<':
      for (let k = 0; k < n; k++) t[k] = +(x[k]! < y[k]!);
      break;
    case '<=':
      for (let k = 0; k < n; k++) t[k] = +(x[k]! <= y[k]!);
      break;
    case '>':
      for (let k = 0; k < n; k++) t[k] = +(x[k]! > y[k]!);
      break;
    case '>=':
      for (let k = 0; k < n; k++) t[k] = +(x[k]! >= y[k]!);
      break;
    case '==':
      for (let k = 0; k < n; k++) t[k] = +(x[k]! === y[k]!);
      break;
    case '!=':
      for (let k = 0; k < n; k++) t[k] = +(x[k]! !== y[k]!);
      break;
  }
}

/** Select candidates by a 0/1 truth array and an optional validity array. */
function selectByTruth(want: boolean, t: Uint8Array, valid: Uint8Array | null, start: number, sel: Sel, n: number, out: Uint32Array): number {
  const flip = want ? 0 : 1;
  let m = 0;
  if (valid) {
    for (let k = 0; k < n; k++) {
      out[m] = sel ? sel[k]! : start + k;
      m += valid[k]! & (t[k]! ^ flip);
    }
  } else {
    for (let k = 0; k < n; k++) {
      out[m] = sel ? sel[k]! : start + k;
      m += t[k]! ^ flip;
    }
  }
  return m;
}

/** Any numeric comparison, on float64 values. */
class CompareNumPred implements Pred {
  private readonly t = new Uint8Array(CHUNK);
  private readonly valid = new Uint8Array(CHUNK);
  constructor(
    private readonly op: CompareOp,
    private readonly a: NumEval,
    private readonly b: NumEval,
  ) {}
  select(want: boolean, start: number, sel: Sel, n: number, out: Uint32Array): number {
    this.a.run(start, sel, n);
    this.b.run(start, sel, n);
    compareLoop(this.op, this.a.v, this.b.v, n, this.t);
    const anyNull = combineValidity([this.a, this.b], n, this.valid);
    return selectByTruth(want, this.t, anyNull ? this.valid : null, start, sel, n, out);
  }
}

/** Exact comparison of integer columns when at least one is 64-bit (slow path: BigInt per row). */
class CompareBigPred implements Pred {
  constructor(
    private readonly op: CompareOp,
    private readonly a: { col: Column; element: number; stride: number },
    private readonly b: { col: Column; element: number; stride: number },
  ) {}
  select(want: boolean, start: number, sel: Sel, n: number, out: Uint32Array): number {
    const { op, a, b } = this;
    const da = a.col.data as ArrayLike<number | bigint>;
    const db = b.col.data as ArrayLike<number | bigint>;
    let m = 0;
    for (let k = 0; k < n; k++) {
      const r = sel ? sel[k]! : start + k;
      const ia = r * a.stride + a.element;
      const ib = r * b.stride + b.element;
      if ((a.col.validity && !bit(a.col.validity, ia)) || (b.col.validity && !bit(b.col.validity, ib))) continue;
      const x = BigInt(da[ia]!);
      const y = BigInt(db[ib]!);
      const t = op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : op === '>=' ? x >= y : op === '==' ? x === y : x !== y;
      if (t === want) out[m++] = r;
    }
    return m;
  }
}

/** String comparison (column vs constant or column vs column). */
class CompareStrPred implements Pred {
  constructor(
    private readonly op: CompareOp,
    private readonly a: CheckedColumn | string,
    private readonly b: CheckedColumn | string,
    private readonly columns: readonly Column[],
  ) {}
  select(want: boolean, start: number, sel: Sel, n: number, out: Uint32Array): number {
    if (typeof this.b === 'string' && typeof this.a !== 'string' && (this.op === '==' || this.op === '!=')) {
      const col = this.columns[this.a.column]!;
      if (col.strings && !col.validity) return packedEquals(col.strings, this.a.stride, this.a.element, this.b, want === (this.op === '=='), start, sel, n, out);
    }
    const side = (s: CheckedColumn | string) =>
      typeof s === 'string'
        ? { data: null, validity: undefined, stride: 0, element: 0, c: s }
        : { data: this.columns[s.column]!.data as string[], validity: this.columns[s.column]!.validity, stride: s.stride, element: s.element, c: '' };
    const A = side(this.a);
    const B = side(this.b);
    const op = this.op;
    let m = 0;
    if (B.data === null && A.data && !A.validity && (op === '==' || op === '!=')) {
      // The common case: column == 'literal'.
      const d = A.data;
      const c = B.c;
      const eq = want === (op === '==');
      for (let k = 0; k < n; k++) {
        const r = sel ? sel[k]! : start + k;
        out[m] = r;
        m += +((d[r * A.stride + A.element] === c) === eq);
      }
      return m;
    }
    for (let k = 0; k < n; k++) {
      const r = sel ? sel[k]! : start + k;
      const ia = r * A.stride + A.element;
      const ib = r * B.stride + B.element;
      if ((A.validity && !bit(A.validity, ia)) || (B.validity && !bit(B.validity, ib))) continue;
      const x = A.data ? A.data[ia]! : A.c;
      const y = B.data ? B.data[ib]! : B.c;
      const t = op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : op === '>=' ? x >= y : op === '==' ? x === y : x !== y;
      if (t === want) out[m++] = r;
    }
    return m;
  }
}

/**
 * `column == 'literal'` over packed fixed-width cells (column.ts), without
 * decoding: a cell equals the literal when its first bytes are the literal's
 * and the rest is padding (spaces, NULs). A literal ending in a space or NUL,
 * longer than the cells, or beyond Latin-1 equals no (trimmed) cell.
 */
function packedEquals(p: PackedStrings, stride: number, element: number, literal: string, eq: boolean, start: number, sel: Sel, n: number, out: Uint32Array): number {
  const { bytes, width } = p;
  const L = literal.length;
  const last = L ? literal.charCodeAt(L - 1) : -1;
  let possible = L <= width && last !== 0x20 && last !== 0;
  const lit = new Uint8Array(L);
  for (let j = 0; j < L && possible; j++) {
    const ch = literal.charCodeAt(j);
    if (ch > 0xff) possible = false;
    lit[j] = ch;
  }
  let m = 0;
  for (let k = 0; k < n; k++) {
    const r = sel ? sel[k]! : start + k;
    let same = possible;
    if (same) {
      const at = (r * stride + element) * width;
      for (let j = 0; j < L; j++) if (bytes[at + j] !== lit[j]) { same = false; break; }
      if (same) for (let j = at + L; j < at + width; j++) if (bytes[j] !== 0x20 && bytes[j] !== 0) { same = false; break; }
    }
    out[m] = r;
    m += +(same === eq);
  }
  return m;
}

/** A logical (bool) column element. */
class BoolColumnPred implements Pred {
  constructor(
    private readonly col: Column,
    private readonly element: number,
    private readonly stride: number,
  ) {}
  select(want: boolean, start: number, sel: Sel, n: number, out: Uint32Array): number {
    const d = this.col.data as Uint8Array;
    const validity = this.col.validity;
    const w = want ? 1 : 0;
    const { stride, element } = this;
    let m = 0;
    for (let k = 0; k < n; k++) {
      const r = sel ? sel[k]! : start + k;
      const i = r * stride + element;
      const ok = validity ? (validity[i >>> 3]! >>> (i & 7)) & 1 : 1;
      out[m] = r;
      m += ok & +((d[i]! !== 0 ? 1 : 0) === w);
    }
    return m;
  }
}

/** isnan / isfinite / isinf of a numeric expression. */
class NumTestPred implements Pred {
  private readonly t = new Uint8Array(CHUNK);
  constructor(
    private readonly name: 'isnan' | 'isfinite' | 'isinf',
    private readonly a: NumEval,
  ) {}
  select(want: boolean, start: number, sel: Sel, n: number, out: Uint32Array): number {
    this.a.run(start, sel, n);
    const x = this.a.v;
    const t = this.t;
    if (this.name === 'isnan') for (let k = 0; k < n; k++) t[k] = +(x[k] !== x[k]);
    else if (this.name === 'isfinite') for (let k = 0; k < n; k++) t[k] = +(x[k]! - x[k]! === 0);
    else for (let k = 0; k < n; k++) t[k] = +(x[k] === Infinity || x[k] === -Infinity);
    return selectByTruth(want, t, this.a.hasNull ? this.a.valid : null, start, sel, n, out);
  }
}

/** isnull of a column element (numbers, strings) or of a numeric expression. */
class IsNullPred implements Pred {
  private readonly t = new Uint8Array(CHUNK);
  constructor(
    private readonly src: { col: Column; element: number; stride: number } | NumEval,
  ) {}
  select(want: boolean, start: number, sel: Sel, n: number, out: Uint32Array): number {
    const t = this.t;
    if ('col' in this.src) {
      const { col, element, stride } = this.src;
      if (!col.validity) return want ? 0 : materialize(start, sel, n, out);
      for (let k = 0; k < n; k++) t[k] = bit(col.validity, (sel ? sel[k]! : start + k) * stride + element) ^ 1;
    } else {
      this.src.run(start, sel, n);
      if (!this.src.hasNull) return want ? 0 : materialize(start, sel, n, out);
      const v = this.src.valid;
      for (let k = 0; k < n; k++) t[k] = v[k]! ^ 1;
    }
    return selectByTruth(want, t, null, start, sel, n, out);
  }
}

// ---------------------------------------------------------------- compiler

const is64 = (c: CheckedExpr) => c.kind === 'column' && (c.dtype === 'int64' || c.dtype === 'uint64');
const isIntColumn = (c: CheckedExpr) => c.kind === 'column' && c.type === 'number' && c.dtype !== 'float32' && c.dtype !== 'float64';

/** Compile a checked boolean expression over `columns`. */
export function compilePredicate(e: CheckedExpr, columns: readonly Column[]): Pred {
  const col = (c: CheckedColumn) => ({ col: columns[c.column]!, element: c.element, stride: c.stride });
  switch (e.kind) {
    case 'const':
      return new ConstPred(e.value === true);
    case 'column':
      return new BoolColumnPred(columns[e.column]!, e.element, e.stride);
    case 'not':
      return new NotPred(compilePredicate(e.arg, columns));
    case 'logic':
      return new LogicPred(compilePredicate(e.left, columns), compilePredicate(e.right, columns), e.op === 'and');
    case 'call': {
      const a = e.args[0]!;
      if (e.name === 'isnull') {
        if (a.type === 'bool') return new BoolIsNullPred(compilePredicate(a, columns));
        if (a.kind === 'column') return new IsNullPred(col(a));
        if (a.type === 'number') return new IsNullPred(compileNumber(a, columns));
        throw new FitsError('BAD_ARGUMENT', 'isnull() of this expression is not supported.');
      }
      return new NumTestPred(e.name as 'isnan', compileNumber(a, columns));
    }
    case 'compare': {
      const { left, right, op } = e;
      if (e.operand === 'bool') {
        // a == b  →  (a && b) || (!a && !b);  a != b  →  (a && !b) || (!a && b)
        const A = () => compilePredicate(left, columns);
        const B = () => compilePredicate(right, columns);
        const eq = op === '==';
        return new LogicPred(
          new LogicPred(A(), eq ? B() : new NotPred(B()), true),
          new LogicPred(new NotPred(A()), eq ? new NotPred(B()) : B(), true),
          false,
        );
      }
      if (e.operand === 'string') {
        const side = (s: CheckedExpr): CheckedColumn | string => {
          if (s.kind === 'const') return String(s.value).replace(/ +$/, '');
          if (s.kind === 'column') return s;
          throw new FitsError('BAD_ARGUMENT', 'Unsupported string expression.');
        };
        return new CompareStrPred(op, side(left), side(right), columns);
      }
      // Numbers: column vs constant → exact interval tests on the raw values.
      const cmp = columnVsNumber(left, right, op);
      if (cmp) {
        const c = cmp.column;
        const column = columns[c.column]!;
        if (is64(c)) return new Range64Pred(column, c.element, c.stride, int64Interval(c, cmp.op, cmp.constant), cmp.op === '!=');
        const iv = doubleInterval(cmp.op, cmp.constant.value);
        return new RangePred(column, c.element, c.stride, iv.lo, iv.hi, iv.negate);
      }
      if ((is64(left) && isIntColumn(right)) || (is64(right) && isIntColumn(left))) {
        return new CompareBigPred(op, col(left as CheckedColumn), col(right as CheckedColumn));
      }
      return new CompareNumPred(op, compileNumber(left, columns), compileNumber(right, columns));
    }
    default:
      throw new FitsError('BAD_ARGUMENT', `Expected a condition, found a ${e.type} expression.`);
  }
}

/** Compile a checked numeric expression over `columns` (chunked evaluation; analytics/with-column.ts uses it). */
export function compileNumber(e: CheckedExpr, columns: readonly Column[]): NumEval {
  switch (e.kind) {
    case 'const':
      return new ConstEval(e.value as number);
    case 'column':
      return new ColumnEval(columns[e.column]!, e.element, e.stride);
    case 'neg':
      return new NegEval(compileNumber(e.arg, columns));
    case 'arith':
      return new ArithEval(e.op, compileNumber(e.left, columns), compileNumber(e.right, columns));
    case 'call':
      return new CallEval(e.name, e.args.map((a) => compileNumber(a, columns)));
    default:
      throw new FitsError('BAD_ARGUMENT', `Expected a number, found a ${e.type} expression.`);
  }
}

/**
 * Row indices (ascending) where the checked boolean expression is true.
 * @param columns the table's columns (indices as in the checked expression).
 */
export function filterRows(e: CheckedExpr, columns: readonly Column[], numRows: number): Uint32Array {
  if (e.kind === 'const') {
    if (e.value !== true) return new Uint32Array(0);
    const all = new Uint32Array(numRows);
    for (let i = 0; i < numRows; i++) all[i] = i;
    return all;
  }
  const pred = compilePredicate(e, columns);
  // Matches go straight into a pooled buffer big enough for every row; the
  // result is one exact-size copy (see sort/scratch.ts for why pooling matters).
  const all = borrowU32(numRows);
  let total = 0;
  for (let start = 0; start < numRows; start += CHUNK) {
    const n = Math.min(CHUNK, numRows - start);
    total += pred.select(true, start, null, n, all.subarray(total, total + n));
  }
  const out = all.slice(0, total);
  releaseU32(all);
  return out;
}
