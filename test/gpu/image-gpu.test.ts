/**
 * Plain images through the GPU equal the CPU path bit for bit: every image HDU
 * of the corpus (whole and as sections), and synthetic images of every BITPIX
 * with every scaling convention (BSCALE/BZERO/BLANK, unsigned offsets, int64
 * and float64 scaling), NaN payloads and subnormals included.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { haveGpu, noGpuReason, watchFallbacks } from './gpu-setup.js';
import { open, MemorySource } from '../helpers/fitsflow.js';
import { readImageGpu, readImageToGpuBuffer } from '../../src/image/read-gpu.js';
import { readBack } from '../../src/gpu/dispatch.js';
import { requireGpu } from '../../src/gpu/device.js';
import { corpusPath, loadManifest } from '../helpers/corpus.js';
import { imageHdu, kv } from '../helpers/make-fits.js';
import { bitDiffs } from './compare.js';
import type { Hdu } from '../../src/file/hdu.js';

const manifest = loadManifest();
const imageFiles = manifest.files.filter((f) => (f.digest as { hdus: { kind: string; shape?: unknown }[] } | null)?.hdus.some((h) => h.kind === 'image' && Array.isArray(h.shape) && h.shape.length > 0));

async function compareHdu(hdu: Hdu, section?: { start: number[]; shape: number[]; step?: number[] }) {
  const cpu = await hdu.readImage(section ?? {});
  const gpu = await readImageGpu(hdu, { ...(section ?? {}), gpu: true });
  expect(gpu.dtype).toBe(cpu.dtype);
  expect(gpu.shape).toEqual(cpu.shape);
  expect(bitDiffs(gpu.data, cpu.data)).toEqual([]);
}

describe.runIf(haveGpu)('plain images on the GPU = CPU', () => {
  for (const f of imageFiles) {
    it(f.path, async () => {
      const w = watchFallbacks();
      const file = await open(corpusPath(f.path));
      try {
        for (const hdu of await file.hdus()) {
          if (hdu.kind !== 'image' || !hdu.shape || hdu.shape.some((n) => n === 0)) continue;
          await compareHdu(hdu);
          // A section with steps on every axis.
          const shape = hdu.shape;
          const start = shape.map((n) => Math.floor(n / 3));
          const step = shape.map((_, i) => 1 + (i % 2));
          const sshape = shape.map((n, i) => Math.max(1, Math.floor((n - start[i]! - 1) / step[i]!) + 1));
          await compareHdu(hdu, { start, shape: sshape, step });
        }
      } finally {
        w.stop();
        await file.close();
      }
      expect(w.events).toEqual([]);
    });
  }

  const BITPIX = [8, 16, 32, 64, -32, -64] as const;
  const valueArb = (bitpix: number): fc.Arbitrary<number | bigint> => {
    switch (bitpix) {
      case 8: return fc.integer({ min: 0, max: 255 });
      case 16: return fc.integer({ min: -32768, max: 32767 });
      case 32: return fc.integer();
      case 64: return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
      case -32: return fc.float({ noDefaultInfinity: false });
      default: return fc.double();
    }
  };
  const headerArb = (bitpix: number) =>
    fc.record({
      bscale: fc.option(fc.oneof(fc.constant(1), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), fc.constantFrom(0.05, 0.001, 20, 3.3e-7)), { nil: undefined }),
      bzero: fc.option(fc.oneof(fc.constant(0), fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 }), fc.constantFrom(32768, 2147483648, -128, 2 ** 63)), { nil: undefined }),
      blank: bitpix > 0 ? fc.option(fc.integer({ min: -200, max: 300 }), { nil: undefined }) : fc.constant(undefined),
    });

  for (const bitpix of BITPIX) {
    it(`fast-check: BITPIX ${bitpix}, any BSCALE/BZERO/BLANK, sections`, async () => {
      const w = watchFallbacks();
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 40 }),
          fc.integer({ min: 1, max: 9 }),
          headerArb(bitpix),
          fc.array(valueArb(bitpix), { minLength: 360, maxLength: 360 }),
          fc.nat(),
          async (nx, ny, h, pool, seed) => {
            const n = nx * ny;
            const values = Array.from({ length: n }, (_, i) => pool[(i * 7 + seed) % pool.length]!);
            if (h.blank !== undefined && n > 3) values[seed % n] = bitpix === 64 ? BigInt(h.blank) : h.blank;
            const extra: string[] = [];
            if (h.bscale !== undefined) extra.push(kv('BSCALE', h.bscale));
            if (h.bzero !== undefined) extra.push(kv('BZERO', h.bzero));
            if (h.blank !== undefined) extra.push(kv('BLANK', h.blank));
            const bytes = imageHdu(bitpix, [nx, ny], values, extra);
            const file = await open(new MemorySource(bytes));
            try {
              const hdu = await file.hdu(0);
              await compareHdu(hdu);
              if (ny > 1 && nx > 2) await compareHdu(hdu, { start: [ny - 2, 1], shape: [2, nx - 2], step: [1, 1] });
              if (nx > 3) await compareHdu(hdu, { start: [0, 1], shape: [ny, Math.floor((nx - 2) / 2) + 1], step: [1, 2] });
            } finally {
              await file.close();
            }
          },
        ),
        { numRuns: 40 },
      );
      w.stop();
      expect(w.events).toEqual([]);
    });
  }

  it('NaN payloads and subnormals of float images survive the raw path exactly', async () => {
    const u = new Uint32Array([0x7fc00001, 0xffbfffff, 0x7f800001, 0x00000001, 0x80000001, 0x007fffff, 0, 0x80000000]);
    const values = Array.from(new Float32Array(u.buffer));
    const bytes = imageHdu(-32, [8], values);
    // imageHdu goes through DataView.setFloat32, which may quiet NaNs: patch the exact bits.
    const dv = new DataView(bytes.buffer);
    u.forEach((x, i) => dv.setUint32(2880 + 4 * i, x));
    const file = await open(new MemorySource(bytes));
    const hdu = await file.hdu(0);
    const gpu = await readImageGpu(hdu, { gpu: true });
    expect(Array.from(new Uint32Array(gpu.data.buffer, gpu.data.byteOffset, 8))).toEqual(Array.from(u));
    await file.close();
  });

  it('readImageToGpuBuffer leaves the converted image on the device', async () => {
    const file = await open(corpusPath('images/scaled_int16_bscale0p05.fits'));
    const hdu = await file.hdu(0);
    const cpu = await hdu.readImage();
    const img = await readImageToGpuBuffer(hdu, { gpu: true });
    expect(img.dtype).toBe('float32');
    const ctx = await requireGpu();
    const bytes = await readBack(ctx, img.buffer, img.byteLength);
    expect(bitDiffs(new Float32Array(bytes.buffer, 0, cpu.data.length), cpu.data)).toEqual([]);
    img.buffer.destroy();
    await file.close();
  });
});

describe.skipIf(haveGpu)('plain images on the GPU', () => {
  it(`skipped: ${noGpuReason}`, () => {});
});
