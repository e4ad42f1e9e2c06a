/**
 * RICE_1 in WGSL: the GPU twin of rice.ts, one invocation per tile (tiles are
 * independent bit streams; within a tile every block's position depends on
 * the previous one).
 *
 * Inputs: `raw_bytes`, the compressed bytes of many tiles as little-endian u32
 * words (padded by at least 8 bytes); `jobs`, per tile [byte offset, byte
 * length, output index, pixel count]; `params` [number of jobs, BLOCKSIZE].
 * Output: the tile's pixels as i32 at `ints[output index …]`, with the values
 * rice.ts gives its typed array (BYTEPIX 1: 0…255, 2: sign-extended 16-bit,
 * 4: 32-bit), and `status[job]`: 0 ok, otherwise the stream is corrupt (the
 * driver then re-decodes on the CPU to raise rice.ts's exact error).
 *
 * The stream is read as big-endian bits of the whole buffer at absolute bit
 * positions (byte offset × 8 + position), so tiles need no alignment; bits past
 * a tile's end belong to the next tile, but — as in rice.ts, which pads with
 * zeros — a decode that consumes any of them fails the end-of-stream check,
 * so they never change a result. Bit positions are u32: the driver keeps the
 * buffer below 512 MiB.
 */
import { LINEAR_INDEX, WORKGROUP } from '../../wgsl/grid.js';
import { BSWAP_WGSL } from '../../wgsl/bytes.js';

/** Bindings: raw_bytes, ints, jobs, status, params. */
export const RICE_BINDINGS = ['r', 'w', 'r', 'w', 'r'] as const;

const WIDTHS = { 1: { fsbits: 3, fsmax: 6, bbits: 8 }, 2: { fsbits: 4, fsmax: 14, bbits: 16 }, 4: { fsbits: 5, fsmax: 25, bbits: 32 } } as const;

/** The kernel for one BYTEPIX. */
export function riceKernelWgsl(bytepix: 1 | 2 | 4): string {
  const { fsbits, fsmax, bbits } = WIDTHS[bytepix];
  const store =
    bytepix === 1 ? 'i32(v & 0xFFu)' : bytepix === 2 ? 'bitcast<i32>(v << 16u) >> 16u' : 'bitcast<i32>(v)';
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read> raw_bytes: array<u32>;
@group(0) @binding(1) var<storage, read_write> ints: array<i32>;
@group(0) @binding(2) var<storage, read> jobs: array<u32>;
@group(0) @binding(3) var<storage, read_write> status: array<u32>;
@group(0) @binding(4) var<storage, read> params: array<u32>;

const BYTEPIX: u32 = ${bytepix}u;
const FSBITS: u32 = ${fsbits}u;
const FSMAX: u32 = ${fsmax}u;
const BBITS: u32 = ${bbits}u;

${BSWAP_WGSL}
// The 32 bits starting at absolute bit p (most significant bit first).
fn window(p: u32) -> u32 {
  let k = p >> 5u;
  let s = p & 31u;
  return (bswap(raw_bytes[k]) << s) | ((bswap(raw_bytes[k + 1u]) >> 1u) >> (31u - s));
}
fn put(o: u32, v: u32) { ints[o] = ${store}; }

// 0: ok; 1: too short; 2: ends early; 3: bad block code.
fn decode(off: u32, len: u32, out0: u32, npix: u32, blockSize: u32) -> u32 {
  if (npix == 0u) { return 0u; }
  if (len <= BYTEPIX) { return 1u; }
  let base = off * 8u;
  var last = window(base) >> (32u - BBITS);
  let start = base + BYTEPIX * 8u;
  let endBits = (len - BYTEPIX) * 8u;
  var pos = 0u;
  var i = 0u;
  loop {
    if (i >= npix) { break; }
    let code = window(start + pos) >> (32u - FSBITS);
    pos += FSBITS;
    if (pos > endBits) { return 2u; }
    let end = select(npix, i + blockSize, blockSize < npix - i);
    if (code == 0u) {
      for (; i < end; i++) { put(out0 + i, last); }
    } else if (code - 1u == FSMAX) {
      for (; i < end; i++) {
        let m = window(start + pos) >> (32u - BBITS);
        pos += BBITS;
        if (pos > endBits) { return 2u; }
        last = last + ((m >> 1u) ^ (0u - (m & 1u)));
        put(out0 + i, last);
      }
    } else if (code - 1u < FSMAX) {
      let fs = code - 1u;
      let lowShift = 31u - fs;
      for (; i < end; i++) {
        var w = window(start + pos);
        var nzero = 0u;
        while (w == 0u) {
          nzero += 32u;
          pos += 32u;
          if (pos > endBits) { return 2u; }
          w = window(start + pos);
        }
        let lz = countLeadingZeros(w);
        nzero += lz;
        let used = lz + 1u;
        var low: u32;
        if (used + fs <= 32u) {
          low = (((w << lz) << 1u) >> 1u) >> lowShift;
          pos += used + fs;
        } else {
          pos += used;
          w = window(start + pos);
          low = (w >> 1u) >> lowShift;
          pos += fs;
        }
        if (pos > endBits) { return 2u; }
        let m = (nzero << fs) | low;
        last = last + ((m >> 1u) ^ (0u - (m & 1u)));
        put(out0 + i, last);
      }
    } else {
      return 3u;
    }
  }
  return 0u;
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = ${LINEAR_INDEX};
  if (j >= params[0]) { return; }
  status[j] = decode(jobs[4u * j], jobs[4u * j + 1u], jobs[4u * j + 2u], jobs[4u * j + 3u], params[1]);
}
`;
}
