/**
 * Where work runs: the planner behind `gpu: 'auto' | true | false`.
 *
 * - `false` (or absent): the CPU.
 * - `true`: the GPU; FitsError('GPU') when there is no adapter. Parts with no
 *   GPU kernel (see {@link GPU_CODECS}) still run on the CPU, and say so in a
 *   `plan` event.
 * - `'auto'`: the GPU only when it is expected to win: never on a software
 *   adapter (SwiftShader, lavapipe, WARP: a CPU pretending to be a GPU is
 *   always slower than fitsflow's own CPU code), and on hardware only above
 *   the thresholds below.
 *
 * The thresholds are NOT measured on hardware: the machines this was written
 * on had no GPU (bench/gpu.ts prints the figures to calibrate them with; see
 * its header). They are deliberately conservative: a read back to the CPU must
 * be large and tile-rich before the GPU is chosen, and plain (uncompressed)
 * images read back to the CPU never go to the GPU in 'auto' mode (their CPU
 * conversion is a memory-speed byte swap; the upload and readback alone cost
 * more), only when the result should stay on the GPU.
 */
import { emitGpuEvent, gpuContext, requireGpu, describeAdapter, type GpuChoice, type GpuContext } from './device.js';
import { FitsError } from '../core/errors.js';

export { AUTO_THRESHOLDS, GPU_CODECS } from './thresholds.js';

export interface Plan {
  target: 'gpu' | 'cpu';
  reason: string;
  ctx: GpuContext | null;
}

/**
 * Decide for one operation. `wins(ctx)` says whether a hardware GPU is
 * expected to beat the CPU for this job (for 'auto').
 */
export async function plan(operation: string, choice: GpuChoice | undefined, wins: (ctx: GpuContext) => string | null): Promise<Plan> {
  if (choice === undefined || choice === false) return { target: 'cpu', reason: 'gpu option off', ctx: null };
  if (choice !== true && choice !== 'auto') throw new FitsError('BAD_ARGUMENT', `The gpu option must be true, false or 'auto', not ${String(choice)}.`);
  let ctx: GpuContext | null;
  if (choice === true) ctx = await requireGpu();
  else {
    try {
      ctx = await gpuContext();
    } catch {
      ctx = null;
    }
  }
  let p: Plan;
  if (!ctx) p = { target: 'cpu', reason: 'no WebGPU adapter', ctx: null };
  else if (choice === true) p = { target: 'gpu', reason: 'gpu: true', ctx };
  else if (ctx.info.software) p = { target: 'cpu', reason: `software adapter (${describeAdapter(ctx.info)}): the CPU is faster`, ctx };
  else {
    const why = wins(ctx);
    p = why === null ? { target: 'gpu', reason: 'auto: above the GPU thresholds', ctx } : { target: 'cpu', reason: `auto: ${why}`, ctx };
  }
  emitGpuEvent({ type: 'plan', operation, target: p.target, reason: p.reason });
  return p;
}
