/**
 * The device manager: explicit devices, software-adapter detection and the
 * 'auto' planner, limit checks, the pipeline cache, and device loss (the read
 * in flight falls back to the CPU with events, and gives the CPU's bits).
 */
import { describe, expect, it } from 'vitest';
import { gpuCtx, haveGpu, noGpuReason } from './gpu-setup.js';
import { open } from '../helpers/fitsflow.js';
import { detectSoftware, onGpuEvent, releaseGpu, requireGpu, useGpu, type GpuEvent } from '../../src/gpu/device.js';
import { readImageGpu } from '../../src/image/read-gpu.js';
import { corpusPath } from '../helpers/corpus.js';
import { bitDiffs } from './compare.js';


function events(): { list: GpuEvent[]; stop: () => void } {
  const list: GpuEvent[] = [];
  const stop = onGpuEvent((e) => list.push(e));
  return { list, stop };
}

describe('software adapter detection', () => {
  it('recognises SwiftShader, lavapipe/llvmpipe, WARP and the fallback adapter', () => {
    expect(detectSoftware({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader driver 5.0.0' })).toBe('SwiftShader');
    expect(detectSoftware({ vendor: '65541', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe('lavapipe (llvmpipe)');
    expect(detectSoftware({ description: 'Microsoft Basic Render Driver' })).toBe('WARP');
    expect(detectSoftware({ vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3080' })).toBeUndefined();
    expect(detectSoftware({ vendor: 'apple' }, true)).toBe('fallback adapter');
  });
});

describe.runIf(haveGpu)('device manager', () => {
  it('reports the adapter, and marks this one as software', () => {
    expect(gpuCtx!.info.description.length + gpuCtx!.info.vendor.length).toBeGreaterThan(0);
    if (/swiftshader|llvmpipe/i.test(gpuCtx!.info.description)) expect(gpuCtx!.info.software).toBe(true);
  });

  it.runIf(haveGpu && gpuCtx!.info.software)("'auto' keeps work on the CPU on a software adapter, and says why", async () => {
    const ev = events();
    const file = await open(corpusPath('compressed/fpack/rice_int16.fits.fz'));
    const hdu = await file.hdu(1);
    await hdu.readImage({ gpu: 'auto' } as never);
    ev.stop();
    await file.close();
    const plan = ev.list.find((e) => e.type === 'plan' && e.operation === 'compressed-image');
    expect(plan).toMatchObject({ target: 'cpu' });
    expect((plan as { reason: string }).reason).toMatch(/software adapter/);
  });

  it('caches pipelines: a second identical read compiles nothing', async () => {
    const file = await open(corpusPath('compressed/fpack/rice_int32_tiles.fits.fz'));
    const hdu = (await file.hdus()).find((h) => h.kind === 'compressed-image')!;
    await hdu.readImage({ gpu: true } as never);
    const ctx = await requireGpu();
    const before = ctx.pipelines.size;
    await hdu.readImage({ gpu: true } as never);
    expect(ctx.pipelines.size).toBe(before);
    await file.close();
  });

  it('refuses a device whose limits are too small', async () => {
    const fake = { createBuffer() {}, limits: { maxStorageBuffersPerShaderStage: 4, maxComputeWorkgroupSizeX: 256, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupStorageSize: 16384 }, lost: new Promise(() => {}) };
    useGpu(fake as unknown as GPUDevice);
    try {
      await expect(requireGpu()).rejects.toMatchObject({ code: 'GPU', message: expect.stringMatching(/maxStorageBuffersPerShaderStage/) });
    } finally {
      useGpu(undefined);
    }
  });

  it('a device lost during a read: the read falls back to the CPU (same bits), events report it, the next read gets a new device', async () => {
    // Our own device, so that we can lose it on purpose.
    const adapter = await (gpuCtx!.gpu ?? navigator.gpu).requestAdapter();
    const device = await adapter!.requestDevice({ requiredLimits: { maxStorageBuffersPerShaderStage: Math.min(10, adapter!.limits.maxStorageBuffersPerShaderStage) } });
    useGpu(device);
    const ev = events();
    const file = await open(corpusPath('compressed/astropy/rice_f32_dither1.fits'));
    try {
      const hdu = (await file.hdus()).find((h) => h.kind === 'compressed-image')!;
      const cpu = await hdu.readImage({ workers: false });
      // Lose the device at its first submission.
      const submit = device.queue.submit.bind(device.queue);
      let lost = false;
      device.queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
        submit(buffers);
        if (!lost) {
          lost = true;
          device.destroy();
        }
      };
      const gpu = await hdu.readImage({ gpu: true } as never);
      expect(bitDiffs(gpu.data, cpu.data)).toEqual([]);
      await new Promise((r) => setTimeout(r, 50));
      expect(ev.list.some((e) => e.type === 'fallback')).toBe(true);
      expect(ev.list.some((e) => e.type === 'device-lost')).toBe(true);
      // The caller's device is gone: gpu: true now has no device.
      await expect(hdu.readImage({ gpu: true } as never)).rejects.toMatchObject({ code: 'GPU' });
      // Back to automatic discovery: a fresh device, and the GPU path works again.
      useGpu(undefined);
      const again = await hdu.readImage({ gpu: true } as never);
      expect(bitDiffs(again.data, cpu.data)).toEqual([]);
    } finally {
      ev.stop();
      useGpu(undefined);
      await file.close();
    }
  });

  it('plain images: the GPU path falls back too when the device is lost', async () => {
    const ctx = await requireGpu();
    const file = await open(corpusPath('images/scaled_int32_bscale0p001.fits'));
    const hdu = await file.hdu(0);
    const cpu = await hdu.readImage();
    const ev = events();
    ctx.device.destroy();
    const gpu = await readImageGpu(hdu, { gpu: true });
    ev.stop();
    expect(bitDiffs(gpu.data, cpu.data)).toEqual([]);
    releaseGpu();
    await file.close();
  });
});

describe.skipIf(haveGpu)('device manager', () => {
  it(`skipped: ${noGpuReason}`, () => {});
});
