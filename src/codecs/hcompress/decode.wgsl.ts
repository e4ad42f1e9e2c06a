/**
 * HCOMPRESS_1 in WGSL: the GPU twin of hcompress.ts (CFITSIO's
 * fits_hdecompress64), one invocation per tile: header checks, the quadtree /
 * direct bit planes of the four quadrants, sign bits, undigitizing, the
 * inverse H-transform and SMOOTH, with hcompress.ts's checks and results.
 *
 * Bindings: `raw_bytes` (the staged tiles as little-endian u32 words, padded
 * by at least 8 bytes), `ints` (decoded pixels, i32), `jobs`
 * ({@link HCOMPRESS_JOB_WORDS} words per tile: byte offset, byte length,
 * output index, pixel count, row length (the tile's ZTILE1 extent), scratch
 * word index), `status` per job ({@link HC_OK}, {@link HC_CORRUPT},
 * {@link HC_USE_CPU}), `params` [first job, job count, SMOOTH], `scratch`
 * (per tile {@link hcompressScratchWords} u32 words).
 *
 * Memory per tile: the coefficient array (64-bit, 2 words per pixel) and the
 * odd levels of the inverse transform (2 words per coefficient of a level,
 * largest at level 1: ⌈rows/2⌉·⌈cols/2⌉) in `scratch`; the quadtree levels
 * (one word per code, at most ⌈rows/4⌉·⌈cols/4⌉) and the even levels ≥ 2
 * (at most 2·⌈rows/4⌉·⌈cols/4⌉ words) in the tile's own `ints` area, which
 * the last level then overwrites with the pixels. Both fit in the tile's
 * rows·cols words: 2·⌈r/4⌉·⌈c/4⌉ ≤ r·c whenever max(r, c) ≥ 3, the only case
 * with a level ≥ 2.
 *
 * Arithmetic. hcompress.ts computes every coefficient in float64; the kernel
 * computes the same integers exactly in 64-bit two's complement (vec2u
 * lo, hi). The two agree whenever every float64 operation of hcompress.ts is
 * exact, and this kernel only vouches for a tile when that is proven:
 *  - every value the decoder stores (coefficients after undigitizing and after
 *    smoothing, and every level of the inverse transform but the last) is
 *    checked to lie in [-2^48, 2^48); rounding terms are below 2^30 (tile
 *    sides ≤ 2^29), so a level's inputs stay below B = 2^48 + 2^32;
 *  - inverse transform: each output is a sum of four terms below B, so every
 *    partial sum is below 2^51, exact in a double; ×1/2, ×1/4 and floor are
 *    exact; `&`, `^` see the low 32 bits in both;
 *  - smoothing hx, hy: differences of two level values < 2^50, their sum
 *    < 2^51, ×4 is exact, and diff/8 − hx has a numerator diff − 8·hx below
 *    2^52, so the double holds it exactly before trunc (checked anyway, as
 *    for hc);
 *  - smoothing hc: the slopes (pos(d) ± 2hx ± 2hy < 2^51), ×16 and the
 *    four-term target (< 2^52) are exact; diff/64 − hc is exact when its
 *    numerator diff − 64·hc is below 2^53, which the kernel checks.
 * A check that fails makes the tile {@link HC_USE_CPU}: the driver decodes it
 * with hcompress.ts (only crafted or corrupt streams, or int32 tiles with
 * sides beyond 2^15 at full range, get there; CFITSIO-written int16 / int32
 * tiles of any usual size stay far below 2^48).
 *
 * Corrupt input: a stream is read only within its tile (bits past the end
 * read as zero, as in hcompress.ts); every loop is bounded by the tile's
 * declared (and checked) shape and plane counts; consuming a bit past the end
 * fails at once — hcompress.ts fails at the end of that bit plane, and its
 * position only grows — so both reject exactly the same streams. A rejected
 * tile gets {@link HC_CORRUPT}; the driver then re-runs the CPU decoder for
 * its exact error.
 */
import { LINEAR_INDEX, WORKGROUP } from '../../wgsl/grid.js';
import { BSWAP_WGSL } from '../../wgsl/bytes.js';
import { INT64_WGSL } from '../../wgsl/int64.js';

/** Bindings: raw_bytes, ints, jobs, status, params, scratch. */
export const HCOMPRESS_BINDINGS = ['r', 'w', 'r', 'w', 'r', 'w'] as const;

/** Words per job: byte offset, byte length, output index, pixel count, row length, scratch word index. */
export const HCOMPRESS_JOB_WORDS = 6;

/** Status: decoded, bit for bit hcompress.ts's result. */
export const HC_OK = 0;
/** Status: hcompress.ts rejects the stream (re-run it for the exact error). */
export const HC_CORRUPT = 1;
/** Status: values too large to prove float64 exactness; decode the tile with hcompress.ts. */
export const HC_USE_CPU = 2;

/**
 * Scratch words (u32) one tile of `pixels` pixels with rows of `nx` pixels
 * needs: 2 per coefficient, plus 2 per coefficient of inverse-transform level 1.
 */
export function hcompressScratchWords(pixels: number, nx: number): number {
  const rows = Math.ceil(pixels / nx);
  return 2 * pixels + 2 * Math.ceil(rows / 2) * Math.ceil(nx / 2);
}

// The quadtree symbols' fixed Huffman code (hcompress.ts HUFFMAN_CODES / LENGTHS),
// as a table indexed by the next 6 stream bits: symbol | (code length << 4).
function huffmanTable(): number[] {
  const codes = [0x3e, 0x00, 0x01, 0x08, 0x02, 0x09, 0x1a, 0x1b, 0x03, 0x1c, 0x0a, 0x1d, 0x0b, 0x1e, 0x3f, 0x0c];
  const lengths = [6, 3, 3, 4, 3, 4, 5, 5, 3, 5, 4, 5, 4, 5, 6, 4];
  const table = new Array<number>(64).fill(0);
  for (let symbol = 0; symbol < 16; symbol++) {
    const length = lengths[symbol]!;
    const first = codes[symbol]! << (6 - length);
    for (let i = 0; i < 1 << (6 - length); i++) table[first + i] = symbol | (length << 4);
  }
  return table;
}

export const HCOMPRESS_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> raw_bytes: array<u32>;
@group(0) @binding(1) var<storage, read_write> ints: array<i32>;
@group(0) @binding(2) var<storage, read> jobs: array<u32>;
@group(0) @binding(3) var<storage, read_write> status: array<u32>;
@group(0) @binding(4) var<storage, read> params: array<u32>;
@group(0) @binding(5) var<storage, read_write> scratch: array<u32>;

const HUFFMAN = array<u32, 64>(${huffmanTable().map((v) => `${v}u`).join(', ')});

// Per-invocation state.
var<private> t_off: u32;     // the tile's first byte in raw_bytes
var<private> t_bits: u32;    // the tile's length in bits
var<private> bitpos: u32;    // stream bits consumed
var<private> failed: bool;   // the stream is corrupt
var<private> inexact: bool;  // a value left the range where float64 is provably exact
var<private> a0: u32;        // scratch word of coefficient 0
var<private> x0: u32;        // scratch word of the odd-level buffer
var<private> o0: u32;        // ints index of the tile's first pixel

// ---------------------------------------------------------------- 64-bit integers: vec2u(lo, hi), two's complement
// (u64_add, u64_sub, u64_isz and mul32x32 from int64.wgsl.ts serve signed values as they are)
${INT64_WGSL}

fn i64_of(v: i32) -> vec2u { return vec2u(bitcast<u32>(v), select(0u, 0xFFFFFFFFu, v < 0)); }
fn i64_neg(a: vec2u) -> vec2u { return u64_sub(vec2u(0u, 0u), a); }
fn i64_isneg(a: vec2u) -> bool { return (a.y >> 31u) != 0u; }
fn i64_gt0(a: vec2u) -> bool { return !i64_isneg(a) && !u64_isz(a); }
fn i64_lt(a: vec2u, b: vec2u) -> bool {
  let ah = bitcast<i32>(a.y);
  let bh = bitcast<i32>(b.y);
  return ah < bh || (ah == bh && a.x < b.x);
}
fn i64_min(a: vec2u, b: vec2u) -> vec2u { return select(b, a, i64_lt(a, b)); }
fn i64_max(a: vec2u, b: vec2u) -> vec2u { return select(b, a, i64_lt(b, a)); }
// Shift left by 1…31 (multiplication by a power of two, any sign).
fn i64_shl(a: vec2u, n: u32) -> vec2u { return vec2u(a.x << n, (a.y << n) | (a.x >> (32u - n))); }
// Arithmetic shift right by 1…31: floor(a / 2^n).
fn i64_sar(a: vec2u, n: u32) -> vec2u {
  return vec2u((a.x >> n) | (a.y << (32u - n)), bitcast<u32>(bitcast<i32>(a.y) >> n));
}
// a in [-2^48, 2^48): the range this kernel keeps stored values in (see the module notes).
fn in_range(a: vec2u) -> bool { return a.y + 0x10000u < 0x20000u; }

// ---------------------------------------------------------------- the stream

${BSWAP_WGSL}
// Byte i of the tile (i < its length).
fn tile_byte(i: u32) -> u32 {
  let p = t_off + i;
  return (raw_bytes[p >> 2u] >> ((p & 3u) * 8u)) & 0xFFu;
}
fn tile_be32(i: u32) -> u32 {
  return (tile_byte(i) << 24u) | (tile_byte(i + 1u) << 16u) | (tile_byte(i + 2u) << 8u) | tile_byte(i + 3u);
}
// The 32 stream bits at bitpos, most significant first; bits past the tile's end are 0.
fn peek() -> u32 {
  if (bitpos >= t_bits) { return 0u; }
  let p = t_off * 8u + bitpos;
  let k = p >> 5u;
  let s = p & 31u;
  var w = (bswap(raw_bytes[k]) << s) | ((bswap(raw_bytes[k + 1u]) >> 1u) >> (31u - s));
  let valid = t_bits - bitpos;
  if (valid < 32u) { w = w & ~(0xFFFFFFFFu >> valid); }
  return w;
}
// Consuming a bit past the end is corrupt (hcompress.ts: checkOverrun at the end of the plane).
fn consume(n: u32) {
  bitpos += n;
  if (bitpos > t_bits) { failed = true; }
}
fn nybble() -> u32 {
  let v = peek() >> 28u;
  consume(4u);
  return v;
}
fn huffman() -> u32 {
  let e = HUFFMAN[peek() >> 26u];
  consume(e >> 4u);
  return e & 15u;
}

// ---------------------------------------------------------------- storage

fn coef(i: u32) -> vec2u { return vec2u(scratch[a0 + 2u * i], scratch[a0 + 2u * i + 1u]); }
fn set_coef(i: u32, v: vec2u) {
  scratch[a0 + 2u * i] = v.x;
  scratch[a0 + 2u * i + 1u] = v.y;
}
// A level of the inverse transform: odd levels in scratch, even ones in the tile's ints.
fn level_get(odd: bool, i: u32) -> vec2u {
  if (odd) { return vec2u(scratch[x0 + 2u * i], scratch[x0 + 2u * i + 1u]); }
  return vec2u(bitcast<u32>(ints[o0 + 2u * i]), bitcast<u32>(ints[o0 + 2u * i + 1u]));
}
fn level_set(odd: bool, i: u32, v: vec2u) {
  if (!in_range(v)) { inexact = true; }
  if (odd) {
    scratch[x0 + 2u * i] = v.x;
    scratch[x0 + 2u * i + 1u] = v.y;
  } else {
    ints[o0 + 2u * i] = bitcast<i32>(v.x);
    ints[o0 + 2u * i + 1u] = bitcast<i32>(v.y);
  }
}

// ceil(log2(n)) for n <= 2^29, 0 for n <= 1.
fn ceil_log2(n: u32) -> u32 {
  var k = 0u;
  while (k < 30u && (1u << k) < n) { k++; }
  return k;
}

// ---------------------------------------------------------------- bit planes (qtree_decode)

// Magnitude bit 'bit' of coefficient i.
fn or_bit(i: u32, bit: u32) {
  if (bit < 32u) {
    scratch[a0 + 2u * i] = scratch[a0 + 2u * i] | (1u << bit);
  } else {
    scratch[a0 + 2u * i + 1u] = scratch[a0 + 2u * i + 1u] | (1u << (bit - 32u));
  }
}

// qtree_bitins for one 2×2 block (i, j) of the quadrant at 'offset'; flags beyond an odd edge are ignored.
fn block_bits(offset: u32, stride: u32, nqx: u32, nqy: u32, i: u32, j: u32, code: u32, bit: u32) {
  let r = 2u * i;
  let c = 2u * j;
  let top = offset + r * stride + c;
  let right = c + 1u < nqy;
  if ((code & 8u) != 0u) { or_bit(top, bit); }
  if ((code & 4u) != 0u && right) { or_bit(top + 1u, bit); }
  if (r + 1u < nqx) {
    if ((code & 2u) != 0u) { or_bit(top + stride, bit); }
    if ((code & 1u) != 0u && right) { or_bit(top + stride + 1u, bit); }
  }
}

// The 'planes' bit planes of one quadrant (nqx rows of nqy coefficients at 'offset', row
// stride 'stride'), most significant first, ORed into the coefficient magnitudes. The
// quadtree levels are expanded in place in the tile's ints area, as CFITSIO's qtree_expand:
// walking each level backwards, every flagged child reads its code, in CFITSIO's order.
fn decode_quadrant(offset: u32, stride: u32, nqx: u32, nqy: u32, planes: u32) {
  let brows = (nqx + 1u) >> 1u;
  let bcols = (nqy + 1u) >> 1u;
  let blocks = brows * bcols;
  let log2n = ceil_log2(max(nqx, nqy));
  var bit = planes;
  while (bit > 0u) {
    bit -= 1u;
    let format = nybble();
    if (failed) { return; }
    if (format == 0u) {
      // Written directly: one code per block, row-major.
      for (var k = 0u; k < blocks; k++) {
        let code = nybble();
        if (failed) { return; }
        if (code != 0u) { block_bits(offset, stride, nqx, nqy, k / bcols, k % bcols, code, bit); }
      }
    } else if (format != 15u) {
      failed = true;
      return;
    } else {
      let first = huffman();
      if (failed) { return; }
      ints[o0] = i32(first);
      var live = first != 0u;
      // Level sizes: n[k-1] = ceil(n[k] / 2), n[log2n] = nqx, nqy (an empty quadrant keeps 1).
      var nx = 1u;
      var ny = 1u;
      var nfx = nqx;
      var nfy = nqy;
      var c = 1u << log2n;
      for (var k = 1u; k < log2n && live; k++) {
        let pny = ny;
        c = c >> 1u;
        nx = nx << 1u;
        ny = ny << 1u;
        if (nfx <= c) { nx -= 1u; } else { nfx -= c; }
        if (nfy <= c) { ny -= 1u; } else { nfy -= c; }
        live = false;
        // Child (r, cc) is flagged by bit 3 - 2·(r&1) - (cc&1) of parent (r/2, cc/2). Going
        // backwards, every write lands at or after the parents still to be read.
        var r = nx;
        while (r > 0u) {
          r -= 1u;
          var cc = ny;
          while (cc > 0u) {
            cc -= 1u;
            let parent = u32(ints[o0 + (r >> 1u) * pny + (cc >> 1u)]);
            var v = 0u;
            if (((parent >> (3u - 2u * (r & 1u) - (cc & 1u))) & 1u) != 0u) {
              v = huffman();
              if (failed) { return; }
              live = live || v != 0u;
            }
            ints[o0 + r * ny + cc] = i32(v);
          }
        }
      }
      // The last level holds one code per block (brows × bcols when log2n >= 2, else 1×1).
      if (live) {
        for (var i = 0u; i < brows; i++) {
          for (var j = 0u; j < bcols; j++) {
            let code = u32(ints[o0 + i * bcols + j]);
            if (code != 0u) { block_bits(offset, stride, nqx, nqy, i, j, code, bit); }
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------- undigitize

// v · scale (scale >= 2), or 'inexact' when the product leaves [-2^48, 2^48).
fn times_scale(v: vec2u, scale: u32) -> vec2u {
  if (!in_range(v)) {
    inexact = true;
    return v;
  }
  let neg = i64_isneg(v);
  let m = select(v, i64_neg(v), neg); // |v| <= 2^48
  let lo = mul32x32(m.x, scale);
  let hi = mul32x32(m.y, scale);
  let top = lo.y + hi.x;
  if (hi.y != 0u || top < lo.y) {
    inexact = true;
    return v;
  }
  let p = vec2u(lo.x, top);
  return select(p, i64_neg(p), neg);
}

// ---------------------------------------------------------------- SMOOTH (hsmooth)

fn pos_part(x: vec2u) -> vec2u { return select(vec2u(0u, 0u), x, i64_gt0(x)); }
fn neg_part(x: vec2u) -> vec2u { return select(vec2u(0u, 0u), x, i64_isneg(x)); }

// hcompress.ts monotoneDiff: the slope target from the steps d1, d2, or 0 for "skip".
fn monotone_diff(d1: vec2u, d2: vec2u) -> vec2u {
  let sum = u64_add(d1, d2);
  if (i64_gt0(d1) && i64_gt0(d2)) {
    let limit = i64_shl(i64_min(d1, d2), 2u);
    return select(limit, sum, i64_lt(sum, limit));
  }
  if (i64_isneg(d1) && i64_isneg(d2)) {
    let limit = i64_shl(i64_max(d1, d2), 2u);
    return select(limit, sum, i64_lt(limit, sum));
  }
  return vec2u(0u, 0u);
}

// a[i] += clamp(trunc(diff / 2^b - a[i]), -smax, smax), computed from the numerator diff - 2^b·a[i].
fn nudge(i: u32, diff: vec2u, b: u32, smax: u32) {
  let a = coef(i);
  let m = u64_sub(diff, i64_shl(a, b));
  // Numerators in [-2^53, 2^53): the CPU's diff / 2^b - a is then exact (see the module notes).
  if (m.y + 0x200000u >= 0x400000u) {
    inexact = true;
    return;
  }
  let neg = i64_isneg(m);
  let t = i64_sar(select(m, i64_neg(m), neg), b); // |m| >> b: trunc toward zero
  let s = select(smax, t.x, t.y == 0u && t.x < smax);
  let r = u64_add(a, i64_of(select(i32(s), -i32(s), neg)));
  if (!in_range(r)) { inexact = true; }
  set_coef(i, r);
}

// hcompress.ts smoothLevel: nudges hx, hy, hc toward values interpolated from the level's h0.
fn smooth_level(odd: bool, nxtop: u32, nytop: u32, stride: u32, smax: u32) {
  let nxh = (nxtop + 1u) >> 1u;
  let nyh = (nytop + 1u) >> 1u;
  // hx: rows 2p with 2 <= 2p < nxtop - 2, every column
  for (var p = 1u; 2u * p + 2u < nxtop; p++) {
    let hxRow = (p + nxh) * stride;
    for (var q = 0u; q < nyh; q++) {
      let h0 = level_get(odd, p * nyh + q);
      let diff = monotone_diff(u64_sub(level_get(odd, (p + 1u) * nyh + q), h0), u64_sub(h0, level_get(odd, (p - 1u) * nyh + q)));
      if (!u64_isz(diff)) { nudge(hxRow + q, diff, 3u, smax); }
    }
  }
  // hy: every row, columns 2q with 2 <= 2q < nytop - 2
  for (var p = 0u; p < nxh; p++) {
    let h0Row = p * nyh;
    let hyRow = p * stride + nyh;
    for (var q = 1u; 2u * q + 2u < nytop; q++) {
      let h0 = level_get(odd, h0Row + q);
      let diff = monotone_diff(u64_sub(level_get(odd, h0Row + q + 1u), h0), u64_sub(h0, level_get(odd, h0Row + q - 1u)));
      if (!u64_isz(diff)) { nudge(hyRow + q, diff, 3u, smax); }
    }
  }
  // hc: interior only, from the hx, hy adjusted above
  for (var p = 1u; 2u * p + 2u < nxtop; p++) {
    let hxRow = (p + nxh) * stride;
    let hyRow = p * stride + nyh;
    let hcRow = hxRow + nyh;
    for (var q = 1u; 2u * q + 2u < nytop; q++) {
      let h0 = level_get(odd, p * nyh + q);
      let dpp = u64_sub(level_get(odd, (p + 1u) * nyh + q + 1u), h0);
      let dpm = u64_sub(h0, level_get(odd, (p + 1u) * nyh + q - 1u));
      let dmp = u64_sub(h0, level_get(odd, (p - 1u) * nyh + q + 1u));
      let dmm = u64_sub(level_get(odd, (p - 1u) * nyh + q - 1u), h0);
      let hx2 = i64_shl(coef(hxRow + q), 1u);
      let hy2 = i64_shl(coef(hyRow + q), 1u);
      let t1 = u64_sub(i64_neg(hx2), hy2);
      let t2 = u64_sub(hx2, hy2);
      let dmax = i64_shl(i64_min(i64_min(u64_add(pos_part(dpp), t1), u64_add(pos_part(dpm), t2)),
                                 i64_min(u64_sub(pos_part(dmp), t2), u64_sub(pos_part(dmm), t1))), 4u);
      let dmin = i64_shl(i64_max(i64_max(u64_add(neg_part(dpp), t1), u64_add(neg_part(dpm), t2)),
                                 i64_max(u64_sub(neg_part(dmp), t2), u64_sub(neg_part(dmm), t1))), 4u);
      if (i64_lt(dmin, dmax)) {
        let goal = u64_add(u64_add(dpp, dmm), u64_add(dmp, dpm));
        var diff = goal;
        if (i64_lt(goal, dmin)) { diff = dmin; } else if (i64_lt(dmax, goal)) { diff = dmax; }
        nudge(hcRow + q, diff, 6u, smax);
      }
    }
  }
}

// ---------------------------------------------------------------- inverse H-transform (hinv)

// Output v at index i of level k: the pixel's low 32 bits on the last level (the CPU's
// Int32Array store), else a stored 64-bit level value.
fn put(k: u32, i: u32, v: vec2u) {
  if (k == 0u) {
    ints[o0 + i] = bitcast<i32>(v.x);
  } else {
    level_set((k & 1u) == 1u, i, v);
  }
}

// hx or hy += prnd1 (x >= 0) or prnd1 - 1 (x < 0), then rounded down to a multiple of bit1.
fn round1(x: vec2u, prnd1: u32, mask1: u32) -> vec2u {
  var r = u64_add(x, i64_of(i32(prnd1) - select(0, 1, i64_isneg(x))));
  r.x = r.x & ~mask1;
  return r;
}

// hcompress.ts inverseLevel for level k (bit0 = 2^k): h0 from level k + 1, hx, hy, hc from the
// coefficient quadrants (row stride 'stride'), the nxtop × nytop result to level k.
fn inverse_level(k: u32, nxtop: u32, nytop: u32, stride: u32) {
  let odd = ((k + 1u) & 1u) == 1u; // where level k + 1 is
  let bit0 = 1u << k;
  let bit1 = bit0 << 1u;
  let prnd0 = bit0 >> 1u;
  let prnd1 = bit0;
  let drnd0 = select(1, 0, k == 0u); // prnd0 - nrnd0: CFITSIO sets nrnd0 = 0 on the last level
  let mask0 = bit0 - 1u;
  let mask1 = bit1 - 1u;
  let sh = select(1u, 2u, k == 0u);
  let nxh = (nxtop + 1u) >> 1u;
  let nyh = (nytop + 1u) >> 1u;
  let pairRows = nxtop >> 1u;
  let pairCols = nytop >> 1u;
  for (var p = 0u; p < nxh; p++) {
    let h0Row = p * nyh;
    let hyRow = p * stride + nyh;
    let out0 = 2u * p * nytop;
    if (p < pairRows) {
      let hxRow = (p + nxh) * stride;
      let hcRow = hxRow + nyh;
      let out1 = out0 + nytop;
      for (var q = 0u; q < pairCols; q++) {
        var h0 = level_get(odd, h0Row + q);
        var hx = round1(coef(hxRow + q), prnd1, mask1);
        var hy = round1(coef(hyRow + q), prnd1, mask1);
        var hc = coef(hcRow + q);
        hc = u64_add(hc, i64_of(i32(prnd0) - drnd0 * select(0, 1, i64_isneg(hc))));
        hc.x = hc.x & ~mask0;
        // Propagate bit0 of hc to hx, hy: x >= 0 ? x - lowbit0 : x + lowbit0.
        let lowbit0 = hc.x & bit0;
        let lb0 = vec2u(lowbit0, 0u);
        hx = select(u64_sub(hx, lb0), u64_add(hx, lb0), i64_isneg(hx));
        hy = select(u64_sub(hy, lb0), u64_add(hy, lb0), i64_isneg(hy));
        // Propagate bits 0 and 1 of hc, hx, hy to h0.
        let lowbit1 = (hc.x ^ hx.x ^ hy.x) & bit1;
        var d = i32(lowbit0) - i32(lowbit1);
        if (i64_isneg(h0) && lowbit0 == 0u) { d += 2 * i32(lowbit1); }
        h0 = u64_add(h0, i64_of(d));
        let sp = u64_add(h0, hc);
        let sm = u64_sub(h0, hc);
        let tp = u64_add(hx, hy);
        let tm = u64_sub(hx, hy);
        let o = 2u * q;
        put(k, out0 + o, i64_sar(u64_sub(sp, tp), sh));
        put(k, out0 + o + 1u, i64_sar(u64_sub(sm, tm), sh));
        put(k, out1 + o, i64_sar(u64_add(sm, tm), sh));
        put(k, out1 + o + 1u, i64_sar(u64_add(sp, tp), sh));
      }
      if (pairCols < nyh) {
        // Odd row length: the last column has no hy, hc.
        var h0 = level_get(odd, h0Row + pairCols);
        let hx = round1(coef(hxRow + pairCols), prnd1, mask1);
        let lb1 = vec2u(hx.x & bit1, 0u);
        h0 = select(u64_sub(h0, lb1), u64_add(h0, lb1), i64_isneg(h0));
        put(k, out0 + 2u * pairCols, i64_sar(u64_sub(h0, hx), sh));
        put(k, out1 + 2u * pairCols, i64_sar(u64_add(h0, hx), sh));
      }
    } else {
      // Odd number of rows: the last row has no hx, hc.
      for (var q = 0u; q < pairCols; q++) {
        var h0 = level_get(odd, h0Row + q);
        let hy = round1(coef(hyRow + q), prnd1, mask1);
        let lb1 = vec2u(hy.x & bit1, 0u);
        h0 = select(u64_sub(h0, lb1), u64_add(h0, lb1), i64_isneg(h0));
        put(k, out0 + 2u * q, i64_sar(u64_sub(h0, hy), sh));
        put(k, out0 + 2u * q + 1u, i64_sar(u64_add(h0, hy), sh));
      }
      if (pairCols < nyh) { put(k, out0 + 2u * pairCols, i64_sar(level_get(odd, h0Row + pairCols), sh)); }
    }
  }
}

fn inverse(rows: u32, cols: u32, smax: u32) {
  let log2n = ceil_log2(max(rows, cols));
  if (log2n == 0u) {
    // 1×1 tile: 0, as hcompress.ts (and CFITSIO on x86).
    ints[o0] = 0;
    return;
  }
  // h0 rounded to a multiple of bit2 = 2^(log2n+1), as "level log2n".
  let bit2 = 1u << (log2n + 1u);
  let prnd2 = bit2 >> 1u;
  var h = coef(0u);
  h = u64_add(h, i64_of(i32(prnd2) - select(0, 1, i64_isneg(h))));
  h.x = h.x & ~(bit2 - 1u);
  level_set((log2n & 1u) == 1u, 0u, h);
  var nxtop = 1u;
  var nytop = 1u;
  var nxf = rows;
  var nyf = cols;
  var c = 1u << log2n;
  var k = log2n;
  while (k > 0u && !inexact) {
    k -= 1u;
    c = c >> 1u;
    nxtop = nxtop << 1u;
    nytop = nytop << 1u;
    if (nxf <= c) { nxtop -= 1u; } else { nxf -= c; }
    if (nyf <= c) { nytop -= 1u; } else { nyf -= c; }
    if (smax > 0u) {
      smooth_level(((k + 1u) & 1u) == 1u, nxtop, nytop, cols, smax);
      if (inexact) { return; }
    }
    inverse_level(k, nxtop, nytop, cols);
  }
}

// ---------------------------------------------------------------- one tile

fn decode(j: u32, smoothing: bool) -> u32 {
  let b = ${HCOMPRESS_JOB_WORDS}u * j;
  t_off = jobs[b];
  let len = jobs[b + 1u];
  o0 = jobs[b + 2u];
  let npix = jobs[b + 3u];
  let tnx = jobs[b + 4u];
  a0 = jobs[b + 5u];
  t_bits = len * 8u;
  failed = false;
  inexact = false;
  if (len < 25u) { return ${HC_CORRUPT}u; }
  if (tile_byte(0u) != 0xDDu || tile_byte(1u) != 0x99u) { return ${HC_CORRUPT}u; }
  // rows, cols >= 1, rows·cols = the tile's pixels, sides <= 2^29, and (codec-registry.ts)
  // cols = the tile's row length. Negative int32 values are huge u32s here.
  let rows = tile_be32(2u);
  let cols = tile_be32(6u);
  let scale = bitcast<i32>(tile_be32(10u));
  if (tnx == 0u || cols != tnx || rows * tnx != npix || rows != npix / tnx || rows > (1u << 29u) || cols > (1u << 29u)) {
    return ${HC_CORRUPT}u;
  }
  // h0, a signed 64-bit integer that hcompress.ts keeps only below 2^53.
  let h0 = vec2u(tile_be32(18u), tile_be32(14u));
  let h0High = bitcast<i32>(h0.y);
  if (h0High >= (1 << 21u) || h0High < -(1 << 21u)) { return ${HC_CORRUPT}u; }
  let planes0 = tile_byte(22u);
  let planes1 = tile_byte(23u);
  let planes2 = tile_byte(24u);
  if (max(planes0, max(planes1, planes2)) > 52u) { return ${HC_CORRUPT}u; }

  x0 = a0 + 2u * npix;
  for (var i = 0u; i < 2u * npix; i++) { scratch[a0 + i] = 0u; }
  bitpos = 25u * 8u;
  let rows2 = (rows + 1u) >> 1u;
  let cols2 = (cols + 1u) >> 1u;
  decode_quadrant(0u, cols, rows2, cols2, planes0);
  if (failed) { return ${HC_CORRUPT}u; }
  decode_quadrant(cols2, cols, rows2, cols >> 1u, planes1);
  if (failed) { return ${HC_CORRUPT}u; }
  decode_quadrant(cols * rows2, cols, rows >> 1u, cols2, planes1);
  if (failed) { return ${HC_CORRUPT}u; }
  decode_quadrant(cols * rows2 + cols2, cols, rows >> 1u, cols >> 1u, planes2);
  if (failed) { return ${HC_CORRUPT}u; }
  if (nybble() != 0u || failed) { return ${HC_CORRUPT}u; }

  // Sign bits from the next byte, one per non-zero coefficient (coefficient 0 too, before
  // h0 replaces it); then undigitize and check the range, in the same pass.
  var sp = (bitpos + 7u) >> 3u;
  var signs = 0u;
  var left = 0u;
  let mult = scale > 1;
  for (var i = 0u; i < npix; i++) {
    var v = coef(i);
    if (!u64_isz(v)) {
      if (left == 0u) {
        if (sp >= len) { return ${HC_CORRUPT}u; }
        signs = tile_byte(sp);
        sp += 1u;
        left = 8u;
      }
      left -= 1u;
      if (((signs >> left) & 1u) != 0u) { v = i64_neg(v); }
    }
    if (i == 0u) { v = h0; }
    if (mult) { v = times_scale(v, u32(scale)); }
    if (!in_range(v)) { inexact = true; }
    set_coef(i, v);
  }
  if (inexact) { return ${HC_USE_CPU}u; }
  var smax = 0u;
  if (smoothing && scale > 1) { smax = u32(scale >> 1u); }
  inverse(rows, cols, smax);
  if (inexact) { return ${HC_USE_CPU}u; }
  return ${HC_OK}u;
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = ${LINEAR_INDEX};
  if (i >= params[1]) { return; }
  let j = params[0] + i;
  status[j] = decode(j, params[2] != 0u);
}
`;
