/**
 * The WGSL renderer against the CPU renderer (on whatever adapter exists; on
 * machines without a GPU, SwiftShader through Dawn, see test/gpu/gpu-setup.ts):
 * - 'exact' mode: the picture equals renderImage's bit for bit for float32
 *   pixels (every stretch including histeq, grey and colour maps, inversion,
 *   reversed limits, NaN, other output sizes);
 * - 'direct' mode (stretch in WGSL f32): grey levels within one of the CPU's;
 *   how many differ is printed.
 * Skipped with a warning without an adapter; fails in CI.
 */
import { describe, expect, it } from 'vitest';
import { haveGpu, gpuCtx, noGpuReason } from '../gpu/gpu-setup.js';
import { open } from '../helpers/fitsflow.js';
import { GpuImageRenderer, type GpuRenderOptions } from '../../src/render/render.wgsl.js';
import { indexFunction, renderImage, type RenderOptions } from '../../src/render/render.js';
import { computeLimits, type IntervalSpec } from '../../src/render/interval.js';
import { histEqCurve, makeStretch, type StretchSpec } from '../../src/render/stretch.js';
import { indexThresholds } from '../../src/render/thresholds.js';
import { corpusPath, loadManifest } from '../helpers/corpus.js';

const gpuIt = haveGpu
  ? it
  : process.env.CI
    ? (name: string) => it(name, () => { throw new Error(`no WebGPU adapter in CI: ${noGpuReason}`); })
    : it.skip;

async function renderOnGpu(r: GpuImageRenderer, pixels: Float32Array<ArrayBuffer>, width: number, height: number, outW: number, outH: number, opts: GpuRenderOptions): Promise<Uint8Array> {
  const d = r.device;
  const buffer = d.createBuffer({ size: pixels.byteLength, usage: 0x80 | 0x8 /* STORAGE | COPY_DST */ });
  d.queue.writeBuffer(buffer, 0, pixels);
  const texture = d.createTexture({ size: [outW, outH], format: 'rgba8unorm', usage: 0x10 | 0x1 /* RENDER_ATTACHMENT | COPY_SRC */ });
  r.render({ buffer, width, height }, texture, opts);
  const bytesPerRow = Math.ceil((outW * 4) / 256) * 256;
  const read = d.createBuffer({ size: bytesPerRow * outH, usage: 0x8 | 0x1 /* COPY_DST | MAP_READ */ });
  const enc = d.createCommandEncoder();
  enc.copyTextureToBuffer({ texture }, { buffer: read, bytesPerRow }, [outW, outH]);
  d.queue.submit([enc.finish()]);
  await read.mapAsync(1 /* GPUMapMode.READ */);
  const mapped = new Uint8Array(read.getMappedRange());
  const out = new Uint8Array(outW * outH * 4);
  for (let y = 0; y < outH; y++) out.set(mapped.subarray(y * bytesPerRow, y * bytesPerRow + outW * 4), y * outW * 4);
  read.unmap();
  read.destroy();
  buffer.destroy();
  texture.destroy();
  return out;
}

/** The CPU picture as RGBA (grey level k → k, k, k, 255). */
function cpuRgba(data: Float32Array<ArrayBuffer>, ny: number, nx: number, opts: RenderOptions): Uint8Array {
  const pic = renderImage(data, [ny, nx], opts);
  if (pic.channels === 4) return pic.pixels as Uint8Array;
  const out = new Uint8Array(pic.width * pic.height * 4);
  pic.pixels.forEach((k, i) => out.set([k, k, k, 255], i * 4));
  return out;
}

interface HduInfo { index: number; kind: string; shape?: number[] }
function planes2d(): { path: string; hdu: number }[] {
  const out: { path: string; hdu: number }[] = [];
  for (const f of loadManifest().files) {
    const d = f.digest as { hdus: HduInfo[] } | null;
    for (const h of d?.hdus ?? []) {
      if ((h.kind === 'image' || h.kind === 'compressed-image') && (h.shape?.length ?? 0) >= 2 && !h.shape!.includes(0)) out.push({ path: f.path, hdu: h.index });
    }
  }
  return out;
}

const CASES: { interval: IntervalSpec; stretch: StretchSpec; colormap?: string; invert?: boolean }[] = [
  { interval: { type: 'zscale' }, stretch: { type: 'linear' } },
  { interval: { type: 'minmax' }, stretch: { type: 'log' } },
  { interval: { type: 'percentile', percent: 99.5 }, stretch: { type: 'asinh' } },
  { interval: { type: 'percentile', percent: 90 }, stretch: { type: 'sqrt' }, colormap: 'viridis' },
  { interval: { type: 'zscale' }, stretch: { type: 'histeq' }, colormap: 'ds9:heat', invert: true },
  { interval: { type: 'minmax' }, stretch: { type: 'sinh' }, colormap: 'twilight' },
];

describe('GPU rendering', () => {
  gpuIt('exact mode = renderImage bit for bit on every 2-D+ corpus image (first plane, as float32)', async () => {
    const r = new GpuImageRenderer(gpuCtx!.device);
    let pictures = 0, directOnes = 0, directPixels = 0, worstDirect = 0;
    const directFar: string[] = [];
    for (const { path, hdu: index } of planes2d()) {
      const file = await open(corpusPath(path));
      try {
        const hdu = await file.hdu(index);
        const shape = hdu.shape!;
        const [ny, nx] = shape.slice(-2) as [number, number];
        const { data } = await hdu.readImage({ start: shape.map(() => 0), shape: [...shape.slice(0, -2).map(() => 1), ny, nx] });
        const f32 = Float32Array.from(data as ArrayLike<number>, Number);
        for (const c of CASES) {
          const limits = computeLimits(f32, c.interval);
          const histEq = c.stretch.type === 'histeq' ? histEqCurve(f32) : undefined;
          const opts = { limits, stretch: c.stretch, colormap: c.colormap, invert: c.invert };
          const cpu = cpuRgba(f32, ny, nx, opts);
          const gpu = await renderOnGpu(r, f32, nx, ny, nx, ny, { ...opts, histEq });
          let diff = 0;
          for (let i = 0; i < cpu.length; i++) if (cpu[i] !== gpu[i]) diff++;
          expect(diff, `${path}[${index}] ${JSON.stringify(c)}: bytes differing`).toBe(0);
          pictures++;
          if (!c.colormap && c.stretch.type !== 'histeq') {
            const direct = await renderOnGpu(r, f32, nx, ny, nx, ny, { ...opts, mode: 'direct' });
            let worst = 0;
            for (let i = 0; i < cpu.length; i += 4) {
              const dlt = Math.abs(cpu[i]! - direct[i]!);
              if (dlt === 1) directOnes++;
              worst = Math.max(worst, dlt);
            }
            // Beyond one level only where the range itself overflows f32 (hi − lo > 3.4e38).
            if (worst > 1) expect(Math.abs(limits.max - limits.min), path).toBeGreaterThan(3.4028234663852886e38);
            if (worst > 1) directFar.push(`${path}[${index}] ${c.interval.type} ${c.stretch.type} (limits ${limits.min}, ${limits.max}): ${worst} levels`);
            worstDirect = Math.max(worstDirect, worst);
            directPixels += nx * ny;
          }
        }
      } finally {
        await file.close();
      }
    }
    console.log(`GPU exact: ${pictures} pictures equal to the CPU's; GPU direct (WGSL f32): ${directOnes} of ${directPixels} grey pixels differ by one level, worst ${worstDirect}${directFar.length ? `; more than one level where f32 cannot hold the limits: ${directFar.join('; ')}` : ''}`);
    expect(pictures).toBeGreaterThan(300);
  });

  gpuIt('other output sizes (nearest), reversed limits, NaN colours', async () => {
    const r = new GpuImageRenderer(gpuCtx!.device);
    const nx = 37, ny = 23;
    const data = Float32Array.from({ length: nx * ny }, (_, i) => (i % 11 === 0 ? NaN : Math.sin(i / 7) * 50 + (i % 5)));
    const cases: RenderOptions[] = [
      { limits: { min: -40, max: 40 }, stretch: { type: 'asinh', a: 0.3 } },
      { limits: { min: 40, max: -40 }, stretch: { type: 'log' } },
      { limits: { min: 0, max: 0 }, stretch: { type: 'linear' } },
      { limits: { min: -40, max: 40 }, colormap: 'ds9:sls', nanColor: [9, 8, 7, 6], origin: 'upper' },
      { limits: { min: -40, max: 40 }, nanColor: [77] },
    ];
    for (const c of cases) {
      for (const [w, h] of [[nx, ny], [3 * nx, 2 * ny], [11, 5]] as const) {
        const cpu = cpuRgba(data, ny, nx, { ...c, width: w, height: h, resample: 'nearest' });
        const gpu = await renderOnGpu(r, data, nx, ny, w, h, { ...(c as GpuRenderOptions), colormap: c.colormap as string | undefined });
        expect(Array.from(gpu), `${JSON.stringify(c)} ${w}×${h}`).toEqual(Array.from(cpu));
      }
    }
  });
});

describe('thresholds', () => {
  it('T_k is the smallest float32 whose CPU index is at least k, for grey and colour maps, rising and falling limits', () => {
    const below = (x: number) => {
      // The float32 just below x.
      const f = new Float32Array([x]), u = new Int32Array(f.buffer);
      if (x === 0) return -1.401298464324817e-45;
      u[0] += x > 0 ? -1 : 1;
      return f[0]!;
    };
    for (const [limits, stretch, levels, kind] of [
      [{ min: -3, max: 7 }, { type: 'log' }, 256, 'colormap'],
      [{ min: -3, max: 7 }, { type: 'asinh', a: 0.02 }, 256, 'grey'],
      [{ min: 5, max: -5 }, { type: 'sqrt' }, 256, 'grey'],
      [{ min: 100, max: 100 }, { type: 'linear' }, 256, 'grey'],
      [{ min: 0, max: 1 }, { type: 'power', a: 3 }, 510, 'colormap'],
    ] as const) {
      const f = makeStretch(stretch as StretchSpec).apply;
      const index = indexFunction(limits, f, levels, kind);
      const { thresholds, count, negate } = indexThresholds(index, levels, limits);
      const g = (v: number) => index(negate ? -v : v);
      for (let k = 1; k <= count; k++) {
        const t = thresholds[k - 1]!;
        expect(g(t), `${JSON.stringify(stretch)} k=${k}`).toBeGreaterThanOrEqual(k);
        if (t !== -Infinity) expect(g(below(t))).toBeLessThan(k);
      }
      if (count < levels - 1) expect(g(Infinity)).toBe(count);
    }
  });
});
