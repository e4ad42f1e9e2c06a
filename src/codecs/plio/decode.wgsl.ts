/**
 * PLIO_1 in WGSL: the GPU twin of plio.ts (CFITSIO's pl_l2pi), one invocation
 * per tile, with the same quirks (opcode = word / 4096 truncated, negative
 * words ≤ -4096 ignored, pv wrapping as a 32-bit int).
 *
 * Inputs as for rice.wgsl.ts: `raw_bytes` (tile bytes as little-endian words),
 * `jobs` [byte offset, byte length, output index, pixel count], `params`
 * [number of jobs]. Output: i32 pixels at `ints[output index …]`, and
 * `status[job]` (0 ok; otherwise the driver re-decodes on the CPU to raise
 * plio.ts's exact error).
 */
import { LINEAR_INDEX, WORKGROUP } from '../../wgsl/grid.js';
import { BE32_AT_WGSL, BSWAP_WGSL } from '../../wgsl/bytes.js';

/** Bindings: raw_bytes, ints, jobs, status, params. */
export const PLIO_BINDINGS = ['r', 'w', 'r', 'w', 'r'] as const;

export const PLIO_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> raw_bytes: array<u32>;
@group(0) @binding(1) var<storage, read_write> ints: array<i32>;
@group(0) @binding(2) var<storage, read> jobs: array<u32>;
@group(0) @binding(3) var<storage, read_write> status: array<u32>;
@group(0) @binding(4) var<storage, read> params: array<u32>;

${BSWAP_WGSL}${BE32_AT_WGSL}
// Signed 16-bit big-endian word k of the list at byte offset off.
fn word_at(off: u32, k: i32) -> i32 {
  return bitcast<i32>(be32_at(off + 2u * u32(k))) >> 16u;
}
fn fill(lo: u32, hi: u32, v: i32) {
  for (var o = lo; o < hi; o++) { ints[o] = v; }
}

// 0: ok; 1: odd length; 2: header cut short; 3: bad length; 4: negative header length; 5: set-value cut short.
fn decode(off: u32, len: u32, out0: u32, npix: u32) -> u32 {
  if (npix == 0u) { return 0u; }
  if ((len & 1u) != 0u) { return 1u; }
  let nwords = i32(len >> 1u);
  if (nwords < 3) { return 2u; }
  var length: i32;
  var first: i32;
  let w2 = word_at(off, 2);
  if (w2 > 0) {
    length = w2;
    first = 3;
  } else {
    if (nwords < 5) { return 2u; }
    length = word_at(off, 4) * 32768 + word_at(off, 3);
    first = word_at(off, 1);
  }
  if (length <= 0 || length > nwords) { return 3u; }
  if (first < 0) { return 4u; }
  var pv: i32 = 1;
  var op: u32 = 0u;
  var ip = first;
  loop {
    if (ip >= length || op >= npix) { break; }
    let w = word_at(off, ip);
    let opcode = w / 4096;
    let data = w & 4095;
    switch (opcode) {
      case 0, 4, 5: {
        let runEnd = op + u32(data);
        let stop = min(runEnd, npix);
        if (opcode == 4) {
          fill(out0 + op, out0 + stop, pv);
        } else {
          fill(out0 + op, out0 + stop, 0);
          if (opcode == 5 && data > 0 && runEnd <= npix) { ints[out0 + runEnd - 1u] = pv; }
        }
        op = runEnd;
      }
      case 1: {
        if (ip + 1 >= nwords) { return 5u; }
        pv = bitcast<i32>((bitcast<u32>(word_at(off, ip + 1)) << 12u) + u32(data));
        ip = ip + 1;
      }
      case 2: { pv = bitcast<i32>(bitcast<u32>(pv) + u32(data)); }
      case 3: { pv = bitcast<i32>(bitcast<u32>(pv) - u32(data)); }
      case 6, 7: {
        if (opcode == 6) { pv = bitcast<i32>(bitcast<u32>(pv) + u32(data)); } else { pv = bitcast<i32>(bitcast<u32>(pv) - u32(data)); }
        ints[out0 + op] = pv;
        op = op + 1u;
      }
      default: {}
    }
    ip = ip + 1;
  }
  if (op < npix) { fill(out0 + op, out0 + npix, 0); }
  return 0u;
}

@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let j = ${LINEAR_INDEX};
  if (j >= params[0]) { return; }
  status[j] = decode(jobs[4u * j], jobs[4u * j + 1u], jobs[4u * j + 2u], jobs[4u * j + 3u]);
}
`;
