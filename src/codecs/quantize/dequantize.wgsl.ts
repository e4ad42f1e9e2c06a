/**
 * Dequantization in WGSL: the GPU twin of quantize.ts `dequantize`, bit for
 * bit as CFITSIO (unquantize_i4r4 / unquantize_i4r8 / fffi4r4 / fffi4r8).
 *
 * CFITSIO computes in double precision and rounds once to float; WGSL has no
 * f64 and its f32 is not reproducible, so the formula runs in the integer
 * binary64 emulation of src/gpu/softfloat.wgsl.ts, in CFITSIO's order:
 *   ((i − r) + 0.5) · ZSCALE + ZZERO     (subtractive dither)
 *   i · ZSCALE + ZZERO                   (NO_DITHER)
 * giving exactly the double quantize.ts computes — float64 outputs included.
 * ZBLANK → NaN; SUBTRACTIVE_DITHER_2's −2147483646 → 0.0.
 *
 * Dither values: the CPU (tile-decode driver) cuts each tile into runs of
 * consecutive random-table entries (quantize.ts's walk: a run ends when the
 * table index reaches 10000 and restarts at the next seed), `segments` of
 * [first pixel, table index]; a pixel finds its run by binary search. The
 * table itself (`rnd`, the float32 bits of quantize.ts's cfitsioRandoms) is
 * uploaded once per device.
 *
 * The kernel using {@link dequantWgsl} declares `tm: array<u32>` and
 * `rnd: array<u32>`; a tile record at `rec` holds, from word 2:
 * [zscale lo, hi, zzero lo, hi, has ZBLANK, ZBLANK, first segment, segments].
 */
import type { QuantizeMethod } from './dequantize.js';

export function dequantWgsl(method: QuantizeMethod): string {
  const common = `
fn rec_f64(i: u32) -> vec2u { return vec2u(tm[i], tm[i + 1u]); }
fn is_blank(v: i32, rec: u32) -> bool { return tm[rec + 6u] != 0u && bitcast<u32>(v) == tm[rec + 7u]; }`;
  if (method === 'NO_DITHER') {
    return `${common}
// The double CFITSIO computes for quantized value v of the tile at rec (NaN for ZBLANK).
fn dequant(v: i32, rec: u32, k: u32) -> vec2u {
  if (is_blank(v, rec)) { return F64_QNAN_NAN; }
  return f64_add(f64_mul(f64_from_i32(v), rec_f64(rec + 2u)), rec_f64(rec + 4u));
}`;
  }
  const zeroKept = method === 'SUBTRACTIVE_DITHER_2';
  return `${common}
// Table index of the dither value of pixel k of the tile at rec.
fn dither_index(rec: u32, k: u32) -> u32 {
  let segOff = tm[3] + 2u * tm[rec + 8u];
  var lo = 0u;
  var hi = tm[rec + 9u] - 1u;
  while (lo < hi) {
    let mid = (lo + hi + 1u) >> 1u;
    if (tm[segOff + 2u * mid] <= k) { lo = mid; } else { hi = mid - 1u; }
  }
  return tm[segOff + 2u * lo + 1u] + (k - tm[segOff + 2u * lo]);
}
fn dequant(v: i32, rec: u32, k: u32) -> vec2u {
  if (is_blank(v, rec)) { return F64_QNAN_NAN; }
  ${zeroKept ? 'if (v == -2147483646) { return vec2u(0u, 0u); }' : ''}
  let r = f64_from_f32(rnd[dither_index(rec, k)]);
  let zscale = rec_f64(rec + 2u);
  let zzero = rec_f64(rec + 4u);
  // ((v - r) + 0.5) * zscale + zzero, with one f64_add and one f64_mul call site
  // (each inlined copy of the soft-float code costs compile time).
  var x = f64_from_i32(v);
  for (var s = 0u; s < 3u; s++) {
    let operand = select(select(zzero, vec2u(0u, 0x3FE00000u), s == 1u), f64_neg(r), s == 0u);
    x = f64_add(x, operand);
    if (s == 1u) { x = f64_mul(x, zscale); }
  }
  return x;
}`;
}
