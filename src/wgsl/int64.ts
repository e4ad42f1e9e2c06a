/**
 * 64-bit integer primitives in WGSL on `vec2u(lo, hi)` words, shared by the
 * modules that emulate 64-bit arithmetic (softfloat.wgsl.ts, and
 * decompress/hcompress.wgsl.ts). Addition, subtraction and the zero test are
 * the same for unsigned and two's-complement signed values, so the signed
 * code uses them as they are.
 */
export const INT64_WGSL = /* wgsl */ `
fn u64_add(a: vec2u, b: vec2u) -> vec2u {
  let lo = a.x + b.x;
  return vec2u(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}
fn u64_sub(a: vec2u, b: vec2u) -> vec2u {
  return vec2u(a.x - b.x, a.y - b.y - select(0u, 1u, a.x < b.x));
}
fn u64_isz(a: vec2u) -> bool {
  return (a.x | a.y) == 0u;
}
// 32 x 32 -> 64 bits, unsigned.
fn mul32x32(a: u32, b: u32) -> vec2u {
  let a0 = a & 0xFFFFu;
  let a1 = a >> 16u;
  let b0 = b & 0xFFFFu;
  let b1 = b >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xFFFFu) + (p10 & 0xFFFFu);
  let lo = (p00 & 0xFFFFu) | (mid << 16u);
  let hi = p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
  return vec2u(lo, hi);
}
`;
