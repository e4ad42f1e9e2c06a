/**
 * IEEE 754 binary64 arithmetic in WGSL, on integers only.
 *
 * WGSL has no f64, and its f32 arithmetic is not bit-reproducible across GPUs
 * (subnormals may be flushed, NaN and infinity results are "indeterminate",
 * and drivers may contract a*b+c into an fma). So every floating-point value
 * fitsflow computes on the GPU is computed here, on u32 words, with the exact
 * rounding the CPU path gets from JavaScript: round to nearest, ties to even,
 * gradual underflow, overflow to infinity. The result is the same bits as the
 * CPU's double arithmetic, on any GPU.
 *
 * A float64 is a `vec2<u32>` (low word, high word), which is also how a
 * Float64Array's bytes look as two little-endian u32s. A float32 is its u32 bits.
 *
 * The algorithms are those of Berkeley SoftFloat 3 (John R. Hauser):
 * `f64_add`/`softfloat_addMagsF64`/`softfloat_subMagsF64`, `f64_mul`,
 * `softfloat_roundPackToF64`, `softfloat_normRoundPackToF64`, `f32_to_f64`,
 * `f64_to_f32`, `i32_to_f64`, `i64_to_f64`, with 64-bit integers emulated on
 * pairs of u32.
 *
 * NaNs: a NaN operand is returned quieted (the first NaN operand, as x86 and
 * ARM do; conversions keep the payload's top bits like cvtss2sd / cvtsd2ss);
 * an invalid operation (∞·0, ∞−∞) gives x86's default NaN (sign bit set).
 * JavaScript does not promise NaN payloads, so callers compare NaNs as NaNs.
 */
import { INT64_WGSL } from './int64.js';

export const SOFTFLOAT_WGSL = /* wgsl */ `
// ---------------------------------------------------------------- 64-bit integers: vec2u(lo, hi)
${INT64_WGSL}

fn u64_lt(a: vec2u, b: vec2u) -> bool {
  return a.y < b.y || (a.y == b.y && a.x < b.x);
}
fn u64_shl(a: vec2u, n: u32) -> vec2u {
  if (n == 0u) { return a; }
  if (n >= 64u) { return vec2u(0u, 0u); }
  if (n >= 32u) { return vec2u(0u, a.x << (n - 32u)); }
  return vec2u(a.x << n, (a.y << n) | (a.x >> (32u - n)));
}
fn u64_shr(a: vec2u, n: u32) -> vec2u {
  if (n == 0u) { return a; }
  if (n >= 64u) { return vec2u(0u, 0u); }
  if (n >= 32u) { return vec2u(a.y >> (n - 32u), 0u); }
  return vec2u((a.x >> n) | (a.y << (32u - n)), a.y >> n);
}
// Shift right, OR-ing every bit shifted out into the lowest bit (sticky).
fn u64_shrJam(a: vec2u, n: u32) -> vec2u {
  if (n == 0u) { return a; }
  if (n >= 64u) { return vec2u(select(0u, 1u, !u64_isz(a)), 0u); }
  let r = u64_shr(a, n);
  let back = u64_shl(r, n);
  return vec2u(r.x | select(0u, 1u, back.x != a.x || back.y != a.y), r.y);
}
fn u64_clz(a: vec2u) -> u32 {
  if (a.y != 0u) { return countLeadingZeros(a.y); }
  return 32u + countLeadingZeros(a.x);
}
// The high 64 bits of a 64 x 64 product, with the low 64 bits jammed into bit 0.
fn u64_mulHiJam(a: vec2u, b: vec2u) -> vec2u {
  let p00 = mul32x32(a.x, b.x);
  let p01 = mul32x32(a.x, b.y);
  let p10 = mul32x32(a.y, b.x);
  let p11 = mul32x32(a.y, b.y);
  var w1 = p00.y + p01.x;
  var c1 = select(0u, 1u, w1 < p01.x);
  w1 = w1 + p10.x;
  c1 = c1 + select(0u, 1u, w1 < p10.x);
  var w2 = p01.y + c1;
  var c2 = select(0u, 1u, w2 < c1);
  w2 = w2 + p10.y;
  c2 = c2 + select(0u, 1u, w2 < p10.y);
  w2 = w2 + p11.x;
  c2 = c2 + select(0u, 1u, w2 < p11.x);
  let w3 = p11.y + c2;
  let sticky = (p00.x | w1) != 0u;
  return vec2u(w2 | select(0u, 1u, sticky), w3);
}

// ---------------------------------------------------------------- binary64

const F64_DEFAULT_NAN = vec2u(0u, 0xFFF80000u);
const F64_QNAN_NAN = vec2u(0u, 0x7FF80000u);

fn f64_sign(a: vec2u) -> u32 { return a.y >> 31u; }
fn f64_exp(a: vec2u) -> i32 { return i32((a.y >> 20u) & 0x7FFu); }
fn f64_frac(a: vec2u) -> vec2u { return vec2u(a.x, a.y & 0x000FFFFFu); }
fn f64_isNaN(a: vec2u) -> bool {
  let h = a.y & 0x7FFFFFFFu;
  return h > 0x7FF00000u || (h == 0x7FF00000u && a.x != 0u);
}
// (sign << 63) + (exp << 52) + sig: the significand may carry into the exponent.
fn f64_pack(sign: u32, exp: i32, sig: vec2u) -> vec2u {
  return u64_add(vec2u(0u, (sign << 31u) + (bitcast<u32>(exp) << 20u)), sig);
}
fn f64_propagateNaN(a: vec2u, b: vec2u) -> vec2u {
  if (f64_isNaN(a)) { return vec2u(a.x, a.y | 0x00080000u); }
  return vec2u(b.x, b.y | 0x00080000u);
}

fn f64_roundPack(sign: u32, expIn: i32, sigIn: vec2u) -> vec2u {
  var exp = expIn;
  var sig = sigIn;
  var roundBits = sig.x & 0x3FFu;
  if (bitcast<u32>(exp) >= 0x7FDu) {
    if (exp < 0) {
      sig = u64_shrJam(sig, u32(-exp));
      exp = 0;
      roundBits = sig.x & 0x3FFu;
    } else if (exp > 0x7FD || !u64_lt(u64_add(sig, vec2u(0x200u, 0u)), vec2u(0u, 0x80000000u))) {
      return vec2u(0u, (sign << 31u) | 0x7FF00000u);
    }
  }
  sig = u64_shr(u64_add(sig, vec2u(0x200u, 0u)), 10u);
  if (roundBits == 0x200u) { sig.x = sig.x & 0xFFFFFFFEu; }
  if (u64_isz(sig)) { exp = 0; }
  return f64_pack(sign, exp, sig);
}

fn f64_normRoundPack(sign: u32, expIn: i32, sig: vec2u) -> vec2u {
  let shiftDist = i32(u64_clz(sig)) - 1;
  let exp = expIn - shiftDist;
  if (shiftDist >= 10 && bitcast<u32>(exp) < 0x7FDu) {
    return f64_pack(sign, select(0, exp, !u64_isz(sig)), u64_shl(sig, u32(shiftDist - 10)));
  }
  return f64_roundPack(sign, exp, u64_shl(sig, u32(shiftDist)));
}

fn f64_addMags(a: vec2u, b: vec2u, signZ: u32) -> vec2u {
  let expA = f64_exp(a);
  var sigA = u64_shl(f64_frac(a), 9u);
  let expB = f64_exp(b);
  var sigB = u64_shl(f64_frac(b), 9u);
  let expDiff = expA - expB;
  var expZ: i32;
  var sigZ: vec2u;
  if (expDiff == 0) {
    if (expA == 0x7FF) {
      if (!u64_isz(sigA) || !u64_isz(sigB)) { return f64_propagateNaN(a, b); }
      return a;
    }
    if (expA == 0) {
      let s = u64_add(a, b);
      return f64_pack(signZ, 0, vec2u(s.x, s.y & 0x7FFFFFFFu));
    }
    expZ = expA;
    sigZ = u64_add(vec2u(0u, 0x40000000u), u64_add(sigA, sigB));
  } else {
    if (expDiff < 0) {
      if (expB == 0x7FF) {
        if (!u64_isz(sigB)) { return f64_propagateNaN(a, b); }
        return vec2u(0u, (signZ << 31u) | 0x7FF00000u);
      }
      expZ = expB;
      if (expA != 0) { sigA = u64_add(sigA, vec2u(0u, 0x20000000u)); } else { sigA = u64_add(sigA, sigA); }
      sigA = u64_shrJam(sigA, u32(-expDiff));
    } else {
      if (expA == 0x7FF) {
        if (!u64_isz(sigA)) { return f64_propagateNaN(a, b); }
        return a;
      }
      expZ = expA;
      if (expB != 0) { sigB = u64_add(sigB, vec2u(0u, 0x20000000u)); } else { sigB = u64_add(sigB, sigB); }
      sigB = u64_shrJam(sigB, u32(expDiff));
    }
    sigZ = u64_add(vec2u(0u, 0x20000000u), u64_add(sigA, sigB));
    if (u64_lt(sigZ, vec2u(0u, 0x40000000u))) {
      expZ = expZ - 1;
      sigZ = u64_shl(sigZ, 1u);
    }
  }
  return f64_roundPack(signZ, expZ, sigZ);
}

fn f64_subMags(a: vec2u, b: vec2u, signIn: u32) -> vec2u {
  var signZ = signIn;
  var expA = f64_exp(a);
  var sigA = u64_shl(f64_frac(a), 10u);
  var expB = f64_exp(b);
  var sigB = u64_shl(f64_frac(b), 10u);
  let expDiff = expA - expB;
  var expZ: i32;
  var sigZ: vec2u;
  if (expDiff > 0) {
    if (expA == 0x7FF) {
      if (!u64_isz(sigA)) { return f64_propagateNaN(a, b); }
      return a;
    }
    if (expB != 0) { sigB = u64_add(sigB, vec2u(0u, 0x40000000u)); } else { sigB = u64_add(sigB, sigB); }
    sigB = u64_shrJam(sigB, u32(expDiff));
    sigA = vec2u(sigA.x, sigA.y | 0x40000000u);
    expZ = expA;
    sigZ = u64_sub(sigA, sigB);
  } else if (expDiff < 0) {
    if (expB == 0x7FF) {
      if (!u64_isz(sigB)) { return f64_propagateNaN(a, b); }
      return vec2u(0u, ((signZ ^ 1u) << 31u) | 0x7FF00000u);
    }
    if (expA != 0) { sigA = u64_add(sigA, vec2u(0u, 0x40000000u)); } else { sigA = u64_add(sigA, sigA); }
    sigA = u64_shrJam(sigA, u32(-expDiff));
    sigB = vec2u(sigB.x, sigB.y | 0x40000000u);
    signZ = signZ ^ 1u;
    expZ = expB;
    sigZ = u64_sub(sigB, sigA);
  } else {
    if (expA == 0x7FF) {
      if (!u64_isz(sigA) || !u64_isz(sigB)) { return f64_propagateNaN(a, b); }
      return F64_DEFAULT_NAN;
    }
    if (expA == 0) {
      expA = 1;
      expB = 1;
    }
    if (u64_lt(sigB, sigA)) {
      expZ = expA;
      sigZ = u64_sub(sigA, sigB);
    } else if (u64_lt(sigA, sigB)) {
      signZ = signZ ^ 1u;
      expZ = expB;
      sigZ = u64_sub(sigB, sigA);
    } else {
      return vec2u(0u, 0u);
    }
  }
  return f64_normRoundPack(signZ, expZ - 1, sigZ);
}

fn f64_add(a: vec2u, b: vec2u) -> vec2u {
  let signA = f64_sign(a);
  if (signA == f64_sign(b)) { return f64_addMags(a, b, signA); }
  return f64_subMags(a, b, signA);
}
fn f64_neg(a: vec2u) -> vec2u { return vec2u(a.x, a.y ^ 0x80000000u); }
fn f64_sub(a: vec2u, b: vec2u) -> vec2u { return f64_add(a, f64_neg(b)); }

fn f64_mul(a: vec2u, b: vec2u) -> vec2u {
  let signZ = f64_sign(a) ^ f64_sign(b);
  var expA = f64_exp(a);
  var sigA = f64_frac(a);
  var expB = f64_exp(b);
  var sigB = f64_frac(b);
  if (expA == 0x7FF) {
    if (!u64_isz(sigA) || (expB == 0x7FF && !u64_isz(sigB))) { return f64_propagateNaN(a, b); }
    if (expB == 0 && u64_isz(sigB)) { return F64_DEFAULT_NAN; }
    return vec2u(0u, (signZ << 31u) | 0x7FF00000u);
  }
  if (expB == 0x7FF) {
    if (!u64_isz(sigB)) { return f64_propagateNaN(a, b); }
    if (expA == 0 && u64_isz(sigA)) { return F64_DEFAULT_NAN; }
    return vec2u(0u, (signZ << 31u) | 0x7FF00000u);
  }
  if (expA == 0) {
    if (u64_isz(sigA)) { return vec2u(0u, signZ << 31u); }
    let sh = i32(u64_clz(sigA)) - 11;
    expA = 1 - sh;
    sigA = u64_shl(sigA, u32(sh));
  }
  if (expB == 0) {
    if (u64_isz(sigB)) { return vec2u(0u, signZ << 31u); }
    let sh = i32(u64_clz(sigB)) - 11;
    expB = 1 - sh;
    sigB = u64_shl(sigB, u32(sh));
  }
  var expZ = expA + expB - 0x3FF;
  sigA = u64_shl(vec2u(sigA.x, sigA.y | 0x00100000u), 10u);
  sigB = u64_shl(vec2u(sigB.x, sigB.y | 0x00100000u), 11u);
  var sigZ = u64_mulHiJam(sigA, sigB);
  if (u64_lt(sigZ, vec2u(0u, 0x40000000u))) {
    expZ = expZ - 1;
    sigZ = u64_shl(sigZ, 1u);
  }
  return f64_roundPack(signZ, expZ, sigZ);
}

// ---------------------------------------------------------------- conversions

fn f64_from_i32(v: i32) -> vec2u {
  if (v == 0) { return vec2u(0u, 0u); }
  let sign = select(0u, 1u, v < 0);
  let absA = select(bitcast<u32>(v), 0u - bitcast<u32>(v), v < 0);
  let shiftDist = countLeadingZeros(absA) + 21u;
  return f64_pack(sign, 0x432 - i32(shiftDist), u64_shl(vec2u(absA, 0u), shiftDist));
}

fn f64_from_u32(v: u32) -> vec2u {
  if (v == 0u) { return vec2u(0u, 0u); }
  let shiftDist = countLeadingZeros(v) + 21u;
  return f64_pack(0u, 0x432 - i32(shiftDist), u64_shl(vec2u(v, 0u), shiftDist));
}

// A two's complement int64 (lo, hi) to the nearest double (ties to even).
fn f64_from_i64(a: vec2u) -> vec2u {
  let sign = a.y >> 31u;
  if (a.x == 0u && (a.y & 0x7FFFFFFFu) == 0u) {
    if (sign == 1u) { return vec2u(0u, 0xC3E00000u); }
    return vec2u(0u, 0u);
  }
  var absA = a;
  if (sign == 1u) { absA = u64_sub(vec2u(0u, 0u), a); }
  return f64_normRoundPack(sign, 0x43C, absA);
}

// A uint64 (lo, hi) to the nearest double (ties to even).
fn f64_from_u64(a: vec2u) -> vec2u {
  if ((a.y & 0x80000000u) != 0u) {
    let j = vec2u((a.x >> 1u) | (a.y << 31u) | (a.x & 1u), a.y >> 1u);
    return f64_roundPack(0u, 0x43D, j);
  }
  if (u64_isz(a)) { return vec2u(0u, 0u); }
  return f64_normRoundPack(0u, 0x43C, a);
}

// An order-preserving key of a non-NaN double: compare (hi, lo) as unsigned; -0 and +0 get the same key.
fn f64_key(a: vec2u) -> vec2u {
  var h = a.y;
  if (h == 0x80000000u && a.x == 0u) { h = 0u; }
  let m = select(0u, 0xFFFFFFFFu, (h >> 31u) != 0u);
  return vec2u(a.x ^ m, h ^ (m | 0x80000000u));
}
fn key_lt(a: vec2u, b: vec2u) -> bool { return a.y < b.y || (a.y == b.y && a.x < b.x); }
fn key_eq(a: vec2u, b: vec2u) -> bool { return a.x == b.x && a.y == b.y; }

fn f64_from_f32(a: u32) -> vec2u {
  let sign = a >> 31u;
  var exp = i32((a >> 23u) & 0xFFu);
  var frac = a & 0x007FFFFFu;
  if (exp == 0xFF) {
    if (frac != 0u) { return vec2u(frac << 29u, (sign << 31u) | 0x7FF80000u | (frac >> 3u)); }
    return vec2u(0u, (sign << 31u) | 0x7FF00000u);
  }
  if (exp == 0) {
    if (frac == 0u) { return vec2u(0u, sign << 31u); }
    let sh = countLeadingZeros(frac) - 8u;
    exp = 1 - i32(sh) - 1;
    frac = frac << sh;
  }
  return f64_pack(sign, exp + 0x380, u64_shl(vec2u(frac, 0u), 29u));
}

fn f32_shrJam(a: u32, dist: u32) -> u32 {
  if (dist < 31u) { return (a >> dist) | select(0u, 1u, (a << ((32u - dist) & 31u)) != 0u && dist != 0u); }
  return select(0u, 1u, a != 0u);
}

fn f32_roundPack(sign: u32, expIn: i32, sigIn: u32) -> u32 {
  var exp = expIn;
  var sig = sigIn;
  var roundBits = sig & 0x7Fu;
  if (bitcast<u32>(exp) >= 0xFDu) {
    if (exp < 0) {
      sig = f32_shrJam(sig, u32(-exp));
      exp = 0;
      roundBits = sig & 0x7Fu;
    } else if (exp > 0xFD || sig + 0x40u >= 0x80000000u) {
      return (sign << 31u) | 0x7F800000u;
    }
  }
  sig = (sig + 0x40u) >> 7u;
  if (roundBits == 0x40u) { sig = sig & 0xFFFFFFFEu; }
  if (sig == 0u) { exp = 0; }
  return (sign << 31u) + (bitcast<u32>(exp) << 23u) + sig;
}

fn f64_to_f32(a: vec2u) -> u32 {
  let sign = f64_sign(a);
  let exp = f64_exp(a);
  let frac = f64_frac(a);
  if (exp == 0x7FF) {
    if (!u64_isz(frac)) { return (sign << 31u) | 0x7FC00000u | (frac.y << 3u) | (frac.x >> 29u); }
    return (sign << 31u) | 0x7F800000u;
  }
  let f = u64_shrJam(frac, 22u);
  let frac32 = f.x;
  if (exp == 0 && frac32 == 0u) { return sign << 31u; }
  return f32_roundPack(sign, exp - 0x381, frac32 | 0x40000000u);
}
`;
