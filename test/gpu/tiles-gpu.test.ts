/**
 * Compressed images decoded on the GPU equal the CPU decode bit for bit:
 * every compressed HDU of the corpus (whole images and sections), through
 * `hdu.readImage({ gpu: true })`. RICE_1 and PLIO_1 tiles run in WGSL;
 * the other codecs decode on the CPU and are placed / dequantized on the GPU.
 */
import { describe, expect, it } from 'vitest';
import { haveGpu, noGpuReason, watchFallbacks } from './gpu-setup.js';
import { open, digestHdu } from '../helpers/fitsflow.js';
import type { Hdu } from '../../src/file/hdu.js';
import { onGpuEvent, type GpuEvent } from '../../src/gpu/device.js';
import { corpusPath, loadManifest } from '../helpers/corpus.js';
import { compareDigest } from '../helpers/compare-digest.js';
import { bitDiffs } from './compare.js';


const manifest = loadManifest();
const files = manifest.files.filter((f) => (f.digest as { hdus: { kind: string }[] } | null)?.hdus.some((h) => h.kind === 'compressed-image'));

async function compare(hdu: Hdu, section?: { start: number[]; shape: number[]; step?: number[] }) {
  const cpu = await hdu.readImage({ ...(section ?? {}), workers: false });
  const gpu = await hdu.readImage({ ...(section ?? {}), gpu: true } as never);
  expect(gpu.dtype).toBe(cpu.dtype);
  expect(gpu.shape).toEqual(cpu.shape);
  expect(bitDiffs(gpu.data, cpu.data)).toEqual([]);
}

describe.runIf(haveGpu)('compressed corpus on the GPU = CPU', () => {
  for (const f of files) {
    it(f.path, async () => {
      const w = watchFallbacks();
      const plans: GpuEvent[] = [];
      const stop = onGpuEvent((e) => e.type === 'plan' && plans.push(e));
      const file = await open(corpusPath(f.path));
      try {
        const want = (f.digest as { hdus: Record<string, unknown>[] }).hdus;
        for (const hdu of await file.hdus()) {
          if (hdu.kind !== 'compressed-image') continue;
          // The digest through the GPU equals the reference digest.
          const d = await digestHdu(hdu, { readOptions: { gpu: true } });
          expect(compareDigest(JSON.parse(JSON.stringify(d)), want[hdu.index] as never), `HDU ${hdu.index}`).toEqual([]);
          const shape = hdu.shape;
          if (!shape || shape.some((n) => n === 0)) continue;
          await compare(hdu);
          const start = shape.map((n) => Math.floor(n / 4));
          const step = shape.map((_, i) => 1 + ((i + 1) % 3));
          const sshape = shape.map((n, i) => Math.max(1, Math.floor((n - start[i]! - 1) / step[i]!) + 1));
          await compare(hdu, { start, shape: sshape, step });
        }
      } finally {
        w.stop();
        stop();
        await file.close();
      }
      expect(w.events).toEqual([]);
      const ran = plans.filter((p) => p.type === 'plan' && p.target === 'gpu' && /tiles/.test(p.reason)) as { reason: string }[];
      expect(ran.length).toBeGreaterThan(0);
      // Codecs with a WGSL decoder decode every tile on the GPU.
      for (const r of ran) if (/(RICE_1|PLIO_1|GZIP_1|GZIP_2) GPU kernel/.test(r.reason)) expect(r.reason).not.toMatch(/on the CPU/);
    });
  }
});

describe.skipIf(haveGpu)('compressed corpus on the GPU', () => {
  it(`skipped: ${noGpuReason}`, () => {});
});
