/**
 * PLIO_1 tiles of unsigned 16-bit data read through the GPU path equal the
 * CPU read (their tiles decode on the CPU, where the offset CFITSIO applies is
 * undone; placement runs on the GPU) and funpack's output.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { haveGpu, noGpuReason } from '../gpu/gpu-setup.js';
import { open } from '../helpers/fitsflow.js';

const dir = join(__dirname, 'plio');

describe.runIf(haveGpu)('unsigned PLIO_1 on the GPU path', () => {
  it('equals the CPU read and funpack', async () => {
    const f = await open(join(dir, 'u16_fpack.fits.fz'));
    const ref = await open(join(dir, 'u16_funpack.fits'));
    try {
      const hdu = await f.hdu(1);
      const gpu = await hdu.readImage({ gpu: true });
      const cpu = await hdu.readImage();
      const want = await (await ref.hdu(0)).readImage();
      expect(gpu.data.constructor).toBe(Uint16Array);
      expect(Array.from(gpu.data as Uint16Array)).toEqual(Array.from(cpu.data as Uint16Array));
      expect(Array.from(gpu.data as Uint16Array)).toEqual(Array.from(want.data as Uint16Array));
    } finally {
      await f.close();
      await ref.close();
    }
  });
});

describe.skipIf(haveGpu)('unsigned PLIO_1 on the GPU path', () => {
  it(`skipped: ${noGpuReason}`, () => {});
});
