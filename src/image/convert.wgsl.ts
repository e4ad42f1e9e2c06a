/**
 * The GPU twin of convert.ts: big-endian FITS pixels → native values (byte
 * swap, sign-bit offsets, BSCALE/BZERO/BLANK), bit for bit as the CPU.
 *
 * All arithmetic goes through the integer binary64 emulation of
 * src/gpu/softfloat.wgsl.ts, in the CPU's order and with the CPU's roundings
 * (convert.ts `scalePixels`: float32 outputs are `fround` after every step,
 * float64 outputs are plain double arithmetic). That covers float64 scaling and
 * int64 → float64 as well: nothing about scaling has to stay on the CPU.
 *
 * The WGSL is generated per variant (stored type, output type, mode) so that a
 * pipeline contains only the code it runs: the soft-float routines are large
 * once inlined, and compile time (seconds per pipeline on software adapters)
 * grows with every call site. BSCALE/BZERO/BLANK are run-time values.
 *
 * Scaling words (`scal`, u32): [bscale lo, hi, bzero lo, hi, blank lo, hi,
 * flags] with flags bit 0 = apply BSCALE, 1 = apply BZERO, 2 = apply BLANK.
 * For float32 outputs bscale/bzero are the doubles of `Math.fround(BSCALE)` etc.
 *
 * Kernels using {@link pixelWgsl} declare `raw_bytes: array<u32>` (the raw
 * bytes as little-endian words, padded by at least 8 bytes) and
 * `scal: array<u32>`.
 */
import { LINEAR_INDEX, WORKGROUP } from '../wgsl/grid.js';
import { SOFTFLOAT_WGSL } from '../wgsl/softfloat.js';
import { BE32_AT_WGSL, BSWAP_WGSL } from '../wgsl/bytes.js';
import { BYTES_PER, type DType, type PixelScaling } from './pixel-type.js';

/** One compiled variant of the conversion. */
export interface PixelVariant {
  /** Stored type (uint8, int16, int32, int64, float32, float64). */
  raw: DType;
  /** Output dtype. */
  out: DType;
  mode: PixelScaling['mode'];
}

/** Helpers every pixel kernel shares: byte access and result packing. */
export const PIXEL_COMMON_WGSL = /* wgsl */ `
${SOFTFLOAT_WGSL}
${BSWAP_WGSL}
fn byte_at(a: u32) -> u32 { return (raw_bytes[a >> 2u] >> ((a & 3u) * 8u)) & 0xFFu; }
${BE32_AT_WGSL}
fn scal_f64(i: u32) -> vec2u { return vec2u(scal[i], scal[i + 1u]); }
fn do_scale() -> bool { return (scal[6] & 1u) != 0u; }
fn do_zero() -> bool { return (scal[6] & 2u) != 0u; }
fn use_blank() -> bool { return (scal[6] & 4u) != 0u; }
// JavaScript's Math.fround on a double.
fn fround(x: vec2u) -> vec2u { return f64_from_f32(f64_to_f32(x)); }
`;

/** Whether the output is float32 (results rounded to single). */
const isSingle = (out: DType) => out === 'float32';

/** `fn finish(x) -> vec2u`: a double result as the output's bits; `fn nan_out()`: the output's NaN. Every pixel kernel includes it once. */
export function finishWgsl(out: DType): string {
  return isSingle(out)
    ? `fn finish(x: vec2u) -> vec2u { return vec2u(f64_to_f32(x), 0u); }
fn nan_out() -> vec2u { return vec2u(0x7FC00000u, 0u); }`
    : `fn finish(x: vec2u) -> vec2u { return x; }
fn nan_out() -> vec2u { return F64_QNAN_NAN; }`;
}

/**
 * `fn load_raw(addr) -> vec2u`: the raw value of type `raw` stored big-endian
 * at byte address `addr` (≤ 4 bytes in .x; 8 bytes as (low word, high word));
 * `fn load_shuffled(base, k, n) -> vec2u`: the same for element k of n stored
 * byte-plane by byte-plane (GZIP_2's shuffle: all most significant bytes
 * first). Needs `raw_bytes`.
 */
export function rawLoadWgsl(raw: DType): string {
  const w = BYTES_PER[raw];
  const contig =
    w === 1 ? 'vec2u(be32_at(addr) >> 24u, 0u)' : w === 2 ? 'vec2u(be32_at(addr) >> 16u, 0u)' : w === 4 ? 'vec2u(be32_at(addr), 0u)' : 'vec2u(be32_at(addr + 4u), be32_at(addr))';
  const planes = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, j) => `(byte_at(base + ${from + j}u * n + k) << ${8 * (to - from - 1 - j)}u)`).join(' | ');
  const shuffled = w <= 4 ? `vec2u(${planes(0, w)}, 0u)` : `vec2u(${planes(4, 8)}, ${planes(0, 4)})`;
  return `fn load_raw(addr: u32) -> vec2u { return ${contig}; }
fn load_shuffled(base: u32, k: u32, n: u32) -> vec2u { return ${shuffled}; }`;
}

/**
 * `fn convert_bits(r: vec2u) -> vec2u`: convert.ts convertPixels for one raw
 * value (as {@link rawLoadWgsl} loads it): result bits, narrow results in the
 * low bits of .x.
 */
export function pixelWgsl(v: PixelVariant): string {
  const flip = v.mode === 'offset';
  if (v.mode !== 'scale') {
    let body: string;
    switch (v.raw) {
      case 'uint8': body = `return vec2u(r.x${flip ? ' ^ 0x80u' : ''}, 0u);`; break;
      case 'int16': body = `return vec2u(r.x${flip ? ' ^ 0x8000u' : ''}, 0u);`; break;
      case 'int32':
      case 'float32': body = `return vec2u(r.x${flip ? ' ^ 0x80000000u' : ''}, 0u);`; break;
      default: body = `return vec2u(r.x, r.y${flip ? ' ^ 0x80000000u' : ''});`;
    }
    return `fn convert_bits(r: vec2u) -> vec2u { ${body} }`;
  }
  let load: string;
  switch (v.raw) {
    case 'uint8': load = `var x = f64_from_u32(r.x); let blank = use_blank() && r.x == scal[4];`; break;
    case 'int16': load = `let v = bitcast<i32>(r.x << 16u) >> 16u; var x = f64_from_i32(v); let blank = use_blank() && bitcast<u32>(v) == scal[4];`; break;
    case 'int32': load = `var x = f64_from_i32(bitcast<i32>(r.x)); let blank = use_blank() && r.x == scal[4];`; break;
    case 'int64': load = `var x = f64_from_i64(r); let blank = use_blank() && r.x == scal[4] && r.y == scal[5];`; break;
    case 'float32': load = `var x = f64_from_f32(r.x); let blank = false;`; break;
    default: load = `var x = r; let blank = false;`;
  }
  const single = isSingle(v.out);
  // convert.ts: v = f(raw) (exact for uint8/int16/float32, the only raw types with float32 output).
  const first = single && !['uint8', 'int16', 'float32'].includes(v.raw) ? 'x = fround(x);' : '';
  return `fn convert_bits(r: vec2u) -> vec2u {
  ${load}
  if (blank) { return nan_out(); }
  ${first}
  if (do_scale()) {
    x = f64_mul(x, scal_f64(0u));
    ${single ? 'x = fround(x);' : ''}
  }
  if (do_zero()) { x = f64_add(x, scal_f64(2u)); }
  return finish(x);
}`;
}

/**
 * Write the converted value(s) of one invocation: one element for 4- and
 * 8-byte outputs, a whole word of 4 / 2 packed elements for narrow ones.
 * `elem(e)` must be defined by the kernel.
 */
export function storeWgsl(out: DType): string {
  const w = BYTES_PER[out];
  if (w === 8) {
    return `fn store(i: u32, count: u32, base: u32) {
  if (i >= count) { return; }
  let r = elem(i);
  dst[2u * (base + i)] = r.x;
  dst[2u * (base + i) + 1u] = r.y;
}`;
  }
  if (w === 4) {
    return `fn store(i: u32, count: u32, base: u32) {
  if (i >= count) { return; }
  dst[base + i] = elem(i).x;
}`;
  }
  const per = 4 / w;
  const mask = w === 1 ? '0xFFu' : '0xFFFFu';
  return `fn store(i: u32, count: u32, base: u32) {
  let e0 = i * ${per}u;
  if (e0 >= count) { return; }
  var word = 0u;
  for (var k = 0u; k < ${per}u; k++) {
    if (e0 + k < count) { word = word | ((elem(e0 + k).x & ${mask}) << (${8 * w}u * k)); }
  }
  dst[base / ${per}u + i] = word;
}`;
}

/** Bindings of {@link convertKernelWgsl}: raw_bytes, dst, runs, params, scal. */
export const CONVERT_BINDINGS = ['r', 'w', 'r', 'r', 'r'] as const;

/**
 * The plain-image kernel. Parameters (`params`): [count, nruns, outBase];
 * `runs`: [outStart, srcByte, strideBytes] per run, sorted by outStart. Output
 * element e of the dispatch is written at element outBase + e of dst (outBase
 * a multiple of 4).
 */
export function convertKernelWgsl(v: PixelVariant): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> raw_bytes: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> runs: array<u32>;
@group(0) @binding(3) var<storage, read> params: array<u32>;
@group(0) @binding(4) var<storage, read> scal: array<u32>;
${PIXEL_COMMON_WGSL}
${finishWgsl(v.out)}
${rawLoadWgsl(v.raw)}
${pixelWgsl(v)}

// Byte address of output element e (binary search of the run holding it).
fn src_addr(e: u32) -> u32 {
  var lo = 0u;
  var hi = params[1] - 1u;
  while (lo < hi) {
    let mid = (lo + hi + 1u) >> 1u;
    if (runs[3u * mid] <= e) { lo = mid; } else { hi = mid - 1u; }
  }
  return runs[3u * lo + 1u] + (e - runs[3u * lo]) * runs[3u * lo + 2u];
}
fn elem(e: u32) -> vec2u { return convert_bits(load_raw(src_addr(e))); }
${storeWgsl(v.out)}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  store(${LINEAR_INDEX}, params[0], params[2]);
}
`;
}

/** Invocations a conversion of `count` elements needs (one per output word, or per element for 8-byte outputs). */
export function convertInvocations(count: number, outWidth: number): number {
  return outWidth >= 4 ? count : Math.ceil((count * outWidth) / 4);
}

const f64 = new Float64Array(1);
const w64 = new Uint32Array(f64.buffer);

/** A double's two words (low, high). */
export function f64Words(x: number): [number, number] {
  f64[0] = x;
  return [w64[0]!, w64[1]!];
}

/**
 * The scaling words (see the module notes) for convertPixels' rules: BLANK is
 * compared with the raw value of type `raw`.
 */
export function scalingWords(s: PixelScaling, raw: DType): number[] {
  const single = s.dtype === 'float32';
  const f = single ? Math.fround : (x: number) => x;
  let useBlank = false;
  let blank: [number, number] = [0, 0];
  if (s.mode === 'scale' && s.blank !== undefined && Number(s.blank) !== 0) {
    // The CPU compares raw === Number(BLANK) (int64: BigInt equality): only an
    // integer in the raw type's range can ever match.
    const big = typeof s.blank === 'bigint' ? s.blank : Number.isInteger(s.blank) ? BigInt(s.blank) : undefined;
    const range: Record<string, [bigint, bigint]> = {
      uint8: [0n, 255n], int16: [-32768n, 32767n], int32: [-(2n ** 31n), 2n ** 31n - 1n], int64: [-(2n ** 63n), 2n ** 63n - 1n],
    };
    const r = range[raw];
    if (big !== undefined && r && big >= r[0] && big <= r[1]) {
      // int64 compares exactly; the others compare with the double Number(BLANK), equal for these integers.
      useBlank = raw === 'int64' || Number(s.blank) === Number(big);
      const u = BigInt.asUintN(64, big);
      blank = [Number(u & 0xffffffffn), Number(u >> 32n)];
    }
  }
  const flags = (s.mode === 'scale' && s.bscale !== 1 ? 1 : 0) | (s.mode === 'scale' && s.bzero !== 0 ? 2 : 0) | (useBlank ? 4 : 0);
  return [...f64Words(f(s.bscale)), ...f64Words(f(s.bzero)), ...blank, flags];
}
