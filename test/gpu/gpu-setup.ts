/**
 * GPU tests run on whatever adapter exists; on CI and dev machines without a
 * GPU that is SwiftShader (Vulkan on the CPU) through Dawn (`webgpu` package).
 * Tests skip, saying why, only when no adapter can be created at all.
 */
process.env.VK_ICD_FILENAMES ??= '/usr/lib/chromium/vk_swiftshader_icd.json';

import { requireGpu, describeAdapter, onGpuEvent, type GpuContext, type GpuEvent } from '../../src/gpu/device.js';

let ctx: GpuContext | null = null;
let reason = '';
try {
  ctx = await requireGpu();
  console.log(`GPU tests on: ${describeAdapter(ctx.info)}`);
} catch (e) {
  reason = e instanceof Error ? e.message : String(e);
  console.warn(`GPU tests skipped: no WebGPU adapter could be created (${reason})`);
}

export const gpuCtx = ctx;
export const haveGpu = ctx !== null;
export const noGpuReason = reason;

/** Collect fallback events during a test (a GPU test must not silently run on the CPU). */
export function watchFallbacks(): { events: GpuEvent[]; stop: () => void } {
  const events: GpuEvent[] = [];
  const stop = onGpuEvent((e) => {
    if (e.type === 'fallback' || e.type === 'device-lost') events.push(e);
  });
  return { events, stop };
}
