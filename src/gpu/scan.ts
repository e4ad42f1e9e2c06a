/**
 * Exclusive prefix sums of u32 arrays on the GPU (work-efficient per
 * workgroup, recursive over the block sums), and stream compaction built on
 * them: the indices (ascending) of the non-zero entries of a mask.
 */
/// <reference types="@webgpu/types" preserve="true" />
import { U } from './constants.js';
import type { GpuContext } from './device.js';
import { runPasses, wordsBuffer, type KernelPass } from './dispatch.js';

/** Threads per scan workgroup, elements per thread, elements per block. */
const SCAN_THREADS = 256;
const SCAN_ITEMS = 16;
export const SCAN_BLOCK = SCAN_THREADS * SCAN_ITEMS;

const SCAN_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> data: array<u32>;
@group(0) @binding(1) var<storage, read_write> sums: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;
var<workgroup> tmp: array<u32, ${SCAN_THREADS}>;

// In place: data[i] becomes the exclusive prefix sum within its block of
// ${SCAN_BLOCK}; sums[block] the block's total. Each thread scans ${SCAN_ITEMS}
// consecutive elements; the threads' totals are scanned in workgroup memory.
@compute @workgroup_size(${SCAN_THREADS})
fn scan_blocks(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n = params[0];
  let block = wid.x + wid.y * nwg.x;
  let first = block * ${SCAN_BLOCK}u + lid.x * ${SCAN_ITEMS}u;
  var own = 0u;
  for (var k = 0u; k < ${SCAN_ITEMS}u; k++) {
    let i = first + k;
    if (i < n) { own += data[i]; }
  }
  tmp[lid.x] = own;
  workgroupBarrier();
  for (var d = 1u; d < ${SCAN_THREADS}u; d = d << 1u) {
    var add = 0u;
    if (lid.x >= d) { add = tmp[lid.x - d]; }
    workgroupBarrier();
    tmp[lid.x] = tmp[lid.x] + add;
    workgroupBarrier();
  }
  var run = tmp[lid.x] - own;
  for (var k = 0u; k < ${SCAN_ITEMS}u; k++) {
    let i = first + k;
    if (i < n) {
      let x = data[i];
      data[i] = run;
      run += x;
    }
  }
  if (lid.x == ${SCAN_THREADS - 1}u) { sums[block] = tmp[lid.x]; }
}

// data[i] += sums[block of i] (the scanned block totals).
@compute @workgroup_size(${SCAN_THREADS})
fn add_sums(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n = params[0];
  let block = wid.x + wid.y * nwg.x;
  let first = block * ${SCAN_BLOCK}u + lid.x * ${SCAN_ITEMS}u;
  let add = sums[block];
  for (var k = 0u; k < ${SCAN_ITEMS}u; k++) {
    let i = first + k;
    if (i < n) { data[i] = data[i] + add; }
  }
}
`;

const COMPACT_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> mask: array<u32>;
@group(0) @binding(1) var<storage, read> prefix: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> params: array<u32>;

@compute @workgroup_size(${SCAN_THREADS})
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = (wid.x + wid.y * nwg.x) * ${SCAN_THREADS}u + lid.x;
  if (i < params[0] && mask[i] != 0u) { out[prefix[i]] = i; }
}
`;

/**
 * Passes that turn `data` (n u32) into its exclusive prefix sum in place and
 * leave the grand total in `total[0]`. Temporary buffers are returned for release.
 */
export async function scanPasses(ctx: GpuContext, data: GPUBuffer, n: number, total: GPUBuffer): Promise<{ passes: KernelPass[]; temps: GPUBuffer[] }> {
  const blocks = await ctx.pipelines.get(SCAN_WGSL, 'scan_blocks', {}, ['w', 'w', 'r']);
  const add = await ctx.pipelines.get(SCAN_WGSL, 'add_sums', {}, ['w', 'w', 'r']);
  const passes: KernelPass[] = [];
  const temps: GPUBuffer[] = [];
  const level = (buf: GPUBuffer, len: number, out: GPUBuffer): void => {
    const nb = Math.ceil(len / SCAN_BLOCK);
    const params = wordsBuffer(ctx, [len]);
    temps.push(params);
    const groups = nb * SCAN_THREADS;
    if (nb === 1) {
      passes.push({ pipeline: blocks, buffers: [buf, out, params], invocations: groups, workgroupSize: SCAN_THREADS });
      return;
    }
    const sums = ctx.pool.acquire(nb * 4, U.STORAGE);
    temps.push(sums);
    passes.push({ pipeline: blocks, buffers: [buf, sums, params], invocations: groups, workgroupSize: SCAN_THREADS });
    level(sums, nb, out);
    passes.push({ pipeline: add, buffers: [buf, sums, params], invocations: groups, workgroupSize: SCAN_THREADS });
  };
  level(data, Math.max(1, n), total);
  return { passes, temps };
}

/** Run the scan of `data` now. */
export async function scan(ctx: GpuContext, data: GPUBuffer, n: number, total: GPUBuffer): Promise<void> {
  const { passes, temps } = await scanPasses(ctx, data, n, total);
  try {
    await runPasses(ctx, passes);
  } finally {
    for (const t of temps) ctx.pool.release(t);
  }
}

/** The compaction pass: out[prefix[i]] = i where mask[i] != 0. */
export async function compactPass(ctx: GpuContext, mask: GPUBuffer, prefix: GPUBuffer, out: GPUBuffer, n: number): Promise<{ pass: KernelPass; params: GPUBuffer }> {
  const pipeline = await ctx.pipelines.get(COMPACT_WGSL, 'main', {}, ['r', 'r', 'w', 'r']);
  const params = wordsBuffer(ctx, [n]);
  return { pass: { pipeline, buffers: [mask, prefix, out, params], invocations: n, workgroupSize: SCAN_THREADS }, params };
}
