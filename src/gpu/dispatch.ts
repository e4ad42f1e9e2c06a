/**
 * Running kernels: bind groups, dispatch grids, error scopes and readback.
 *
 * Every submission is wrapped in validation / out-of-memory / internal error
 * scopes; an error, or a device lost before the results are read, becomes
 * FitsError('GPU') with `cause` {@link GPU_LOST} when the device is gone, so
 * callers can fall back to the CPU and never use a partial result.
 */
/// <reference types="@webgpu/types" preserve="true" />
import { FitsError } from '../core/errors.js';
import { MAP_READ, U } from './constants.js';
import { WORKGROUP } from '../wgsl/grid.js';
import type { GpuContext } from './device.js';

/** Marker cause of FitsError('GPU') when the device was lost during an operation. */
export const GPU_LOST = Symbol('fitsflow GPU device lost');

/** One kernel launch. */
export interface KernelPass {
  pipeline: GPUComputePipeline;
  /** Buffers for @group(0) @binding(0…n-1), in order (null: skip the binding index). */
  buffers: (GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number } | null)[];
  /** Number of invocations wanted (the grid covers at least that many, in workgroups of `workgroupSize`). */
  invocations: number;
  /** The kernel's @workgroup_size (default {@link WORKGROUP}). */
  workgroupSize?: number;
}

/** Largest number of workgroups along one dispatch dimension. */
const MAX_GROUPS = 65535;

/**
 * Workgroup counts covering `n` invocations with x ≤ 65535; kernels compute
 * their linear index with `LINEAR_INDEX` (wgsl/grid.ts) (or, per workgroup, `wid.x + wid.y * nwg.x`).
 */
export function grid(n: number, workgroupSize: number = WORKGROUP): [number, number] {
  const groups = Math.max(1, Math.ceil(n / workgroupSize));
  if (groups <= MAX_GROUPS) return [groups, 1];
  return [MAX_GROUPS, Math.ceil(groups / MAX_GROUPS)];
}

function entry(binding: number, b: GPUBuffer | { buffer: GPUBuffer; offset?: number; size?: number }): GPUBindGroupEntry {
  if (typeof (b as GPUBuffer).mapAsync !== 'function') {
    const w = b as { buffer: GPUBuffer; offset?: number; size?: number };
    return { binding, resource: { buffer: w.buffer, offset: w.offset ?? 0, ...(w.size !== undefined ? { size: w.size } : {}) } };
  }
  return { binding, resource: { buffer: b as GPUBuffer } };
}

function lostError(cause?: unknown): FitsError {
  const e = new FitsError('GPU', 'The GPU device was lost during the operation.', { cause: cause ?? GPU_LOST });
  (e as FitsError & { lost?: boolean }).lost = true;
  return e;
}

/** True when `e` reports a lost device. */
export function isGpuLost(e: unknown): boolean {
  return e instanceof FitsError && e.code === 'GPU' && (e as FitsError & { lost?: boolean }).lost === true;
}

/**
 * Encode the passes (in order, each seeing the previous ones' writes), then the
 * copies, and submit; resolves when the errors scopes report success.
 */
export async function runPasses(
  ctx: GpuContext,
  passes: KernelPass[],
  copies: { from: GPUBuffer; fromOffset?: number; to: GPUBuffer; toOffset?: number; size: number }[] = [],
): Promise<void> {
  if (ctx.lost) throw lostError();
  const device = ctx.device;
  device.pushErrorScope('internal');
  device.pushErrorScope('out-of-memory');
  device.pushErrorScope('validation');
  const enc = device.createCommandEncoder();
  for (const p of passes) {
    if (p.invocations <= 0) continue;
    const layout = p.pipeline.getBindGroupLayout(0);
    const entries: GPUBindGroupEntry[] = [];
    p.buffers.forEach((b, i) => {
        if (b) entries.push(entry(i, b));
    });
    const group = device.createBindGroup({ layout, entries });
    const pass = enc.beginComputePass();
    pass.setPipeline(p.pipeline);
    pass.setBindGroup(0, group);
    const [x, y] = grid(p.invocations, p.workgroupSize);
    pass.dispatchWorkgroups(x, y);
    pass.end();
  }
  for (const c of copies) enc.copyBufferToBuffer(c.from, c.fromOffset ?? 0, c.to, c.toOffset ?? 0, c.size);
  device.queue.submit([enc.finish()]);
  const [validation, oom, internal] = await Promise.all([device.popErrorScope(), device.popErrorScope(), device.popErrorScope()]);
  if (ctx.lost) throw lostError();
  const err = validation ?? oom ?? internal;
  if (err) {
    const kind = validation ? 'validation' : oom ? 'out-of-memory' : 'internal';
    throw new FitsError('GPU', `GPU ${kind} error: ${err.message}`);
  }
}

/**
 * Copy `bytes` bytes of `src` (from `offset`) to the CPU. `into`, when given,
 * receives them (it must be at least that long); else a new ArrayBuffer is returned.
 */
export async function readBack(ctx: GpuContext, src: GPUBuffer, bytes: number, offset = 0, into?: Uint8Array): Promise<Uint8Array> {
  if (ctx.lost) throw lostError();
  const size = Math.max(4, Math.ceil(bytes / 4) * 4);
  const staging = ctx.pool.acquire(size, U.MAP_READ | U.COPY_DST, 'fitsflow readback');
  try {
    await runPasses(ctx, [], [{ from: src, fromOffset: offset, to: staging, size }]);
    try {
      await staging.mapAsync(MAP_READ, 0, size);
    } catch (e) {
      if (ctx.lost) throw lostError(e);
      throw new FitsError('GPU', `Reading GPU results failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (ctx.lost) throw lostError();
    const view = new Uint8Array(staging.getMappedRange(0, size), 0, bytes);
    const out = into ?? new Uint8Array(bytes);
    out.set(view);
    staging.unmap();
    return out;
  } finally {
    ctx.pool.release(staging);
  }
}

/** A small uniform-like storage buffer of u32 words (kernels take parameters as storage, so there is one layout rule). */
export function wordsBuffer(ctx: GpuContext, words: Uint32Array | number[]): GPUBuffer {
  const w = words instanceof Uint32Array ? words : Uint32Array.from(words);
  return ctx.pool.upload(w.length ? w : new Uint32Array(4));
}
