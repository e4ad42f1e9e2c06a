/**
 * GPU compiler for checked expressions: the WGSL twin of compile-cpu.ts, with
 * the same semantics bit for bit (it is the filter kernel of the 'gpu' table
 * backend, src/gpu/table-backend-gpu.ts).
 *
 * Each row is evaluated by one invocation, to two bits: TRUE (bit 0) and FALSE
 * (bit 1); null is neither. That is compile-cpu.ts's three-valued logic:
 * `a && b` is TRUE when both are, FALSE when either is; `||` dually; `not`
 * swaps the bits. A row matches when its TRUE bit is set.
 *
 * Numbers are IEEE doubles, as on the CPU, computed exactly with the integer
 * binary64 emulation of src/gpu/softfloat.wgsl.ts: column values are
 * converted as the CPU converts them (int64/uint64 to the nearest double), and
 * `+ - *`, unary minus and abs() give the CPU's bits. Comparisons:
 *  - column vs constant: compile-cpu.ts's exact interval tests — the same
 *    `doubleInterval` bounds compared through order-preserving u32-pair keys,
 *    and for 64-bit integer columns the same `integerInterval` bigint bounds
 *    compared on biased u32 pairs (never through a lossy double);
 *  - two 64-bit-or-smaller integer columns (one 64-bit): exact, on 65-bit keys;
 *  - any other numeric comparison: IEEE on doubles (NaN false except `!=`).
 * isnan / isfinite / isinf / isnull, logical columns, constants: as the CPU.
 *
 * Not compiled (the backend then runs the filter on the CPU and says so):
 * strings, `/` and `%`, and the functions other than abs / isnan / isfinite /
 * isinf / isnull (sqrt, log, pow, floor, min, … would need correctly rounded
 * or libm-identical emulation).
 */
import { LINEAR_INDEX, WORKGROUP } from '../../../wgsl/grid.js';
import type { Column, ColumnDType } from '../../column.js';
import type { CompareOp } from './ast.js';
import type { CheckedColumn, CheckedExpr } from './check.js';
import { columnVsNumber, doubleInterval, int64Interval } from './compile-cpu.js';
import { SOFTFLOAT_WGSL } from '../../../wgsl/softfloat.js';

/** A compiled filter: the kernel, and the table columns it reads (slot k of `params` ↔ `columns[k]`). */
export interface WgslFilter {
  code: string;
  /** Table column indices, in slot order. */
  columns: number[];
}

/** Why an expression cannot run on the GPU. */
export class WgslUnsupported extends Error {}

const f64 = new Float64Array(1);
const w64 = new Uint32Array(f64.buffer);
function words(x: number): string {
  f64[0] = x;
  return `vec2u(${w64[0]}u, ${w64[1]}u)`;
}

const is64 = (c: CheckedExpr) => c.kind === 'column' && (c.dtype === 'int64' || c.dtype === 'uint64');
const isIntColumn = (c: CheckedExpr) => c.kind === 'column' && c.type === 'number' && c.dtype !== 'float32' && c.dtype !== 'float64';

/**
 * Compile `e` (a checked boolean expression) for `columns` (the table's, by
 * index). Throws {@link WgslUnsupported} naming the first construct the GPU
 * cannot evaluate exactly.
 */
export function compileFilterWgsl(e: CheckedExpr, columns: readonly Pick<Column, 'dtype' | 'validity'>[]): WgslFilter {
  const lines: string[] = [];
  const slots = new Map<number, number>();
  let tmp = 0;
  const fresh = (p: string) => `${p}${tmp++}`;

  const slot = (column: number): number => {
    let k = slots.get(column);
    if (k === undefined) {
      k = slots.size;
      slots.set(column, k);
    }
    return k;
  };
  /** WGSL expressions: element index, validity (bool). */
  const access = (c: CheckedColumn): { i: string; ok: string; off: string } => {
    const k = slot(c.column);
    const i = fresh('i');
    lines.push(`let ${i} = r * ${c.stride}u + ${c.element}u;`);
    const off = `params[${1 + 2 * k}]`;
    const ok = columns[c.column]!.validity ? `valid_bit(params[${2 + 2 * k}], ${i})` : 'true';
    return { i, ok, off };
  };
  const raw32 = (dtype: ColumnDType, off: string, i: string): string => {
    switch (dtype) {
      case 'bool':
      case 'uint8':
        return `load_u8(${off}, ${i})`;
      case 'int8':
        return `bitcast<u32>(i32(load_u8(${off}, ${i}) << 24u) >> 24u)`;
      case 'uint16':
        return `load_u16(${off}, ${i})`;
      case 'int16':
        return `bitcast<u32>(i32(load_u16(${off}, ${i}) << 16u) >> 16u)`;
      default:
        return `cols[${off} + ${i}]`;
    }
  };
  const pair = (off: string, i: string) => `vec2u(cols[${off} + 2u * ${i}], cols[${off} + 2u * ${i} + 1u])`;

  /** A column value as a double, as compile-cpu.ts's ColumnEval converts it. */
  const columnDouble = (c: CheckedColumn): { v: string; ok: string } => {
    const { i, ok, off } = access(c);
    const v = fresh('v');
    let conv: string;
    switch (c.dtype) {
      case 'uint8':
      case 'uint16':
      case 'uint32':
        conv = `f64_from_u32(${raw32(c.dtype, off, i)})`;
        break;
      case 'int8':
      case 'int16':
      case 'int32':
        conv = `f64_from_i32(bitcast<i32>(${raw32(c.dtype, off, i)}))`;
        break;
      case 'float32':
        conv = `f64_from_f32(cols[${off} + ${i}])`;
        break;
      case 'float64':
        conv = pair(off, i);
        break;
      case 'int64':
        conv = `f64_from_i64(${pair(off, i)})`;
        break;
      case 'uint64':
        conv = `f64_from_u64(${pair(off, i)})`;
        break;
      default:
        throw new WgslUnsupported(`a ${c.dtype} column used as a number`);
    }
    lines.push(`let ${v} = ${conv};`);
    return { v, ok };
  };

  /** A numeric expression: (double bits, validity). */
  function num(e: CheckedExpr): { v: string; ok: string } {
    switch (e.kind) {
      case 'const':
        if (e.type !== 'number') throw new WgslUnsupported(`a ${e.type} constant used as a number`);
        return { v: words(e.value as number), ok: 'true' };
      case 'column':
        return columnDouble(e);
      case 'neg': {
        const a = num(e.arg);
        const v = fresh('v');
        lines.push(`let ${v} = f64_neg(${a.v});`);
        return { v, ok: a.ok };
      }
      case 'arith': {
        if (e.op === '/' || e.op === '%') throw new WgslUnsupported(`'${e.op}' (no exact GPU division yet)`);
        const a = num(e.left);
        const b = num(e.right);
        const v = fresh('v');
        const f = e.op === '+' ? 'f64_add' : e.op === '-' ? 'f64_sub' : 'f64_mul';
        lines.push(`let ${v} = ${f}(${a.v}, ${b.v});`);
        return { v, ok: and(a.ok, b.ok) };
      }
      case 'call': {
        if (e.name !== 'abs') throw new WgslUnsupported(`${e.name}() (not evaluated exactly on the GPU)`);
        const a = num(e.args[0]!);
        const v = fresh('v');
        lines.push(`let ${v} = vec2u(${a.v}.x, ${a.v}.y & 0x7FFFFFFFu);`);
        return { v, ok: a.ok };
      }
      default:
        throw new WgslUnsupported(`a ${e.type} expression used as a number`);
    }
  }

  const and = (a: string, b: string) => (a === 'true' ? b : b === 'true' ? a : `(${a} && ${b})`);
  /** TRUE/FALSE bits from a truth value and a validity. */
  const tf = (t: string, ok: string): string => {
    const x = fresh('b');
    lines.push(`let ${x} = select(0u, select(2u, 1u, ${t}), ${ok});`);
    return x;
  };

  /** IEEE comparison of two doubles. */
  const compareDoubles = (op: CompareOp, a: string, b: string): string => {
    const t = fresh('t');
    const nan = `(f64_isNaN(${a}) || f64_isNaN(${b}))`;
    const ka = `f64_key(${a})`;
    const kb = `f64_key(${b})`;
    let rel: string;
    switch (op) {
      case '<': rel = `key_lt(${ka}, ${kb})`; break;
      case '<=': rel = `!key_lt(${kb}, ${ka})`; break;
      case '>': rel = `key_lt(${kb}, ${ka})`; break;
      case '>=': rel = `!key_lt(${ka}, ${kb})`; break;
      case '==': rel = `key_eq(${ka}, ${kb})`; break;
      case '!=': rel = `!key_eq(${ka}, ${kb})`; break;
    }
    lines.push(`let ${t} = ${op === '!=' ? `${nan} || ${rel}` : `!${nan} && ${rel}`};`);
    return t;
  };

  /** A 65-bit order key (top, hi, lo) of an integer column element, for exact mixed comparisons. */
  const intKey = (c: CheckedColumn): { k: string; ok: string } => {
    const { i, ok, off } = access(c);
    const k = fresh('k');
    let expr: string;
    switch (c.dtype) {
      case 'int64':
        expr = `vec3u(0u, cols[${off} + 2u * ${i} + 1u] ^ 0x80000000u, cols[${off} + 2u * ${i}])`;
        break;
      case 'uint64': {
        const h = `cols[${off} + 2u * ${i} + 1u]`;
        expr = `vec3u(${h} >> 31u, ${h} ^ 0x80000000u, cols[${off} + 2u * ${i}])`;
        break;
      }
      case 'uint8':
      case 'uint16':
      case 'uint32':
        expr = `vec3u(0u, 0x80000000u, ${raw32(c.dtype, off, i)})`;
        break;
      default: {
        const v = `bitcast<i32>(${raw32(c.dtype, off, i)})`;
        expr = `vec3u(0u, select(0x80000000u, 0x7FFFFFFFu, ${v} < 0), bitcast<u32>(${v}))`;
      }
    }
    lines.push(`let ${k} = ${expr};`);
    return { k, ok };
  };

  function bool(e: CheckedExpr): string {
    switch (e.kind) {
      case 'const':
        return e.value === true ? '1u' : '2u';
      case 'column': {
        if (e.dtype !== 'bool') throw new WgslUnsupported(`a ${e.dtype} column used as a condition`);
        const { i, ok, off } = access(e);
        return tf(`${raw32('bool', off, i)} != 0u`, ok);
      }
      case 'not': {
        const a = bool(e.arg);
        const x = fresh('b');
        lines.push(`let ${x} = ((${a} & 1u) << 1u) | ((${a} >> 1u) & 1u);`);
        return x;
      }
      case 'logic': {
        const a = bool(e.left);
        const b = bool(e.right);
        const x = fresh('b');
        if (e.op === 'and') lines.push(`let ${x} = (${a} & ${b} & 1u) | ((${a} | ${b}) & 2u);`);
        else lines.push(`let ${x} = ((${a} | ${b}) & 1u) | (${a} & ${b} & 2u);`);
        return x;
      }
      case 'call': {
        const a = e.args[0]!;
        if (e.name === 'isnull') {
          if (a.type === 'bool') {
            const b = bool(a);
            const x = fresh('b');
            lines.push(`let ${x} = select(1u, 2u, ${b} != 0u);`);
            return x;
          }
          if (a.type !== 'number') throw new WgslUnsupported('isnull() of a string');
          if (a.kind === 'column') {
            const { ok } = access(a);
            return tf(`!(${ok})`, 'true');
          }
          const n = num(a);
          return tf(`!(${n.ok})`, 'true');
        }
        if (e.name !== 'isnan' && e.name !== 'isfinite' && e.name !== 'isinf') throw new WgslUnsupported(`${e.name}() as a condition`);
        const n = num(a);
        const h = `(${n.v}.y & 0x7FFFFFFFu)`;
        const t =
          e.name === 'isnan' ? `f64_isNaN(${n.v})` : e.name === 'isfinite' ? `${h} < 0x7FF00000u` : `(${h} == 0x7FF00000u && ${n.v}.x == 0u)`;
        return tf(t, n.ok);
      }
      case 'compare': {
        const { left, right, op } = e;
        if (e.operand === 'bool') {
          // a == b  →  (a && b) || (!a && !b);  a != b  →  (a && !b) || (!a && b)
          const a = bool(left);
          const b = bool(right);
          const x = fresh('b');
          const nb = `(((${b} & 1u) << 1u) | ((${b} >> 1u) & 1u))`;
          const bb = op === '==' ? b : nb;
          const na = `(((${a} & 1u) << 1u) | ((${a} >> 1u) & 1u))`;
          const bb2 = op === '==' ? nb : b;
          const and1 = `((${a} & ${bb} & 1u) | ((${a} | ${bb}) & 2u))`;
          const and2 = `((${na} & ${bb2} & 1u) | ((${na} | ${bb2}) & 2u))`;
          lines.push(`let ${x} = ((${and1} | ${and2}) & 1u) | (${and1} & ${and2} & 2u);`);
          return x;
        }
        if (e.operand === 'string') throw new WgslUnsupported('string comparisons');
        const cmp = columnVsNumber(left, right, op);
        if (cmp) {
          const { column: c, op: o } = cmp;
          if (is64(c)) {
            const signed = c.dtype === 'int64';
            const iv = int64Interval(c, o, cmp.constant);
            const { i, ok, off } = access(c);
            const empty = iv === null || iv.lo > iv.hi;
            const bias = signed ? 2n ** 63n : 0n;
            const lo = empty ? 0n : iv!.lo + bias;
            const hi = empty ? 0n : iv!.hi + bias;
            const x = fresh('x');
            lines.push(`let ${x} = vec2u(cols[${off} + 2u * ${i}], cols[${off} + 2u * ${i} + 1u] ^ ${signed ? '0x80000000u' : '0u'});`);
            const w = (b: bigint) => `vec2u(${Number(b & 0xffffffffn)}u, ${Number(b >> 32n)}u)`;
            const inside = empty ? 'false' : `!key_lt(${x}, ${w(lo)}) && !key_lt(${w(hi)}, ${x})`;
            const t = fresh('t');
            lines.push(`let ${t} = ${o === '!=' ? `!(${inside})` : inside};`);
            return tf(t, ok);
          }
          const iv = doubleInterval(o, cmp.constant.value);
          const n = columnDouble(c);
          const t = fresh('t');
          const inside =
            iv.lo > iv.hi ? 'false' : `!f64_isNaN(${n.v}) && !key_lt(f64_key(${n.v}), f64_key(${words(iv.lo)})) && !key_lt(f64_key(${words(iv.hi)}), f64_key(${n.v}))`;
          lines.push(`let ${t} = ${iv.negate ? `!(${inside})` : inside};`);
          return tf(t, n.ok);
        }
        if ((is64(left) && isIntColumn(right)) || (is64(right) && isIntColumn(left))) {
          const a = intKey(left as CheckedColumn);
          const b = intKey(right as CheckedColumn);
          const lt = (x: string, y: string) => `(${x}.x < ${y}.x || (${x}.x == ${y}.x && (${x}.y < ${y}.y || (${x}.y == ${y}.y && ${x}.z < ${y}.z))))`;
          const eq = `all(${a.k} == ${b.k})`;
          const rel =
            op === '<' ? lt(a.k, b.k) : op === '<=' ? `!${lt(b.k, a.k)}` : op === '>' ? lt(b.k, a.k) : op === '>=' ? `!${lt(a.k, b.k)}` : op === '==' ? eq : `!${eq}`;
          return tf(rel, and(a.ok, b.ok));
        }
        const a = num(left);
        const b = num(right);
        return tf(compareDoubles(op, a.v, b.v), and(a.ok, b.ok));
      }
      default:
        throw new WgslUnsupported(`a ${e.type} expression used as a condition`);
    }
  }

  const result = bool(e);
  const code = /* wgsl */ `
@group(0) @binding(0) var<storage, read> cols: array<u32>;
@group(0) @binding(1) var<storage, read_write> mask: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;
${SOFTFLOAT_WGSL}
fn load_u8(off: u32, i: u32) -> u32 { return (cols[off + (i >> 2u)] >> ((i & 3u) * 8u)) & 0xFFu; }
fn load_u16(off: u32, i: u32) -> u32 { return (cols[off + (i >> 1u)] >> ((i & 1u) * 16u)) & 0xFFFFu; }
fn valid_bit(off: u32, i: u32) -> bool { return ((cols[off + (i >> 5u)] >> (i & 31u)) & 1u) != 0u; }

fn eval_row(r: u32) -> u32 {
  ${lines.join('\n  ')}
  return ${result};
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let r = ${LINEAR_INDEX};
  if (r >= params[0]) { return; }
  mask[r] = eval_row(r) & 1u;
}
`;
  const cols = new Array<number>(slots.size);
  for (const [column, k] of slots) cols[k] = column;
  return { code, columns: cols };
}
