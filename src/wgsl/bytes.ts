/**
 * Big-endian byte access in WGSL, shared by the kernels that read FITS bytes
 * staged as little-endian u32 words.
 */

/** `bswap(x)`: the bytes of a u32 reversed. */
export const BSWAP_WGSL = /* wgsl */ `
fn bswap(x: u32) -> u32 {
  return (x << 24u) | ((x & 0xFF00u) << 8u) | ((x >> 8u) & 0xFF00u) | (x >> 24u);
}
`;

/** `be32_at(addr)`: the 4 bytes at byte address addr of the module's `raw_bytes` binding, read big-endian (needs {@link BSWAP_WGSL}). */
export const BE32_AT_WGSL = /* wgsl */ `
fn be32_at(addr: u32) -> u32 {
  let k = addr >> 2u;
  let s = (addr & 3u) * 8u;
  let w0 = bswap(raw_bytes[k]);
  if (s == 0u) { return w0; }
  return (w0 << s) | (bswap(raw_bytes[k + 1u]) >> (32u - s));
}
`;
