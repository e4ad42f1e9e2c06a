/**
 * The WGSL renderer on pixels as fitsflow's GPU readers leave them (native
 * element types, 8- and 16-bit packed, 64-bit in word pairs), against the CPU
 * renderer on the same values (on whatever adapter exists: SwiftShader through
 * Dawn on machines without a GPU, test/gpu/gpu-setup.ts):
 * - corpus images of every element type and codec decoded on the GPU
 *   (readImageToGpuBuffer, plain and tile-compressed), a plane rendered from
 *   that buffer with no read-back: equal to renderImage of readImage's
 *   values, bit for bit (test/render/gpu-render.test.ts covers every corpus
 *   image as float32);
 * - every element type at the edges of its range (int32 and int64 beyond
 *   float32's integers, float64 differences below float32's precision,
 *   NaN, ±Infinity), rising and falling limits;
 * - pan and zoom (`view`): each target pixel shows the image pixel under its
 *   centre, the background outside, as computed here in float64.
 * Skipped with a warning without an adapter; fails in CI.
 */
import { describe, expect, it } from 'vitest';
import { gpuCtx, haveGpu, noGpuReason } from '../gpu/gpu-setup.js';
import { open, readImageToGpuBuffer } from '../helpers/fitsflow.js';
import { GpuImageRenderer, gpuPlane, type GpuPixels, type GpuPixelType, type GpuRenderOptions } from '../../src/render/render.wgsl.js';
import { renderImage, type RenderOptions } from '../../src/render/render.js';
import { computeLimits } from '../../src/render/interval.js';
import { corpusPath, loadManifest } from '../helpers/corpus.js';

const gpuIt = haveGpu
  ? it
  : process.env.CI
    ? (name: string) => it(name, () => { throw new Error(`no WebGPU adapter in CI: ${noGpuReason}`); })
    : it.skip;

/** Render on the GPU into an rgba8unorm texture and read the texture back (the test's read-back, not the renderer's). */
async function renderToBytes(r: GpuImageRenderer, src: GpuPixels, outW: number, outH: number, opts: GpuRenderOptions): Promise<Uint8Array> {
  const d = r.device;
  const texture = d.createTexture({ size: [outW, outH], format: 'rgba8unorm', usage: 0x10 | 0x1 /* RENDER_ATTACHMENT | COPY_SRC */ });
  r.render(src, texture, opts);
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
  texture.destroy();
  return out;
}

/** The CPU picture as RGBA (grey level k → k, k, k, 255). */
function cpuRgba(data: ArrayLike<number> | BigInt64Array | BigUint64Array, ny: number, nx: number, opts: RenderOptions): Uint8Array {
  const pic = renderImage(data as Float64Array, [ny, nx], opts);
  if (pic.channels === 4) return pic.pixels as Uint8Array;
  const out = new Uint8Array(pic.width * pic.height * 4);
  pic.pixels.forEach((k, i) => out.set([k, k, k, 255], i * 4));
  return out;
}

function differing(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n + Math.abs(a.length - b.length);
}

/** Upload a typed array's bytes (padded to 4) as a storage buffer. */
function upload(device: GPUDevice, a: ArrayBufferView): GPUBuffer {
  const size = Math.max(4, Math.ceil(a.byteLength / 4) * 4);
  const buffer = device.createBuffer({ size, usage: 0x80 | 0x8 /* STORAGE | COPY_DST */ });
  const bytes = new Uint8Array(size);
  bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  device.queue.writeBuffer(buffer, 0, bytes);
  return buffer;
}

/** One file per element type and codec (each runs on SwiftShader: the whole corpus would take minutes). */
const FILES = [
  'images/bitpix8_2d.fits', 'images/bitpix16_2d.fits', 'images/bitpix32_3d.fits', 'images/bitpix64_2d.fits', 'images/bitpixm32_2d.fits',
  'images/bitpixm64_2d.fits', 'images/unsigned_uint16.fits', 'images/unsigned_uint32.fits', 'images/unsigned_uint64.fits', 'images/signed_int8.fits',
  'images/scaled_int16_bscale0p05.fits', 'images/blank_int16.fits', 'compressed/astropy/rice_int16_tiles.fits', 'compressed/astropy/rice_f32_dither1.fits',
  'compressed/astropy/rice_f64_dither1.fits', 'compressed/astropy/gzip2_int32.fits', 'compressed/astropy/hcomp_int16_lossless.fits',
  'compressed/astropy/plio_mask.fits', 'compressed/astropy/cube_rice_int16.fits', 'compressed/fpack/rice_int16.fits.fz',
];

interface HduInfo { index: number; kind: string; shape?: number[] }

describe('GPU rendering from native GPU buffers', () => {
  gpuIt('corpus images decoded on the GPU render as renderImage of their values, bit for bit', async () => {
    const r = new GpuImageRenderer(gpuCtx!.device);
    const seen = new Set<string>();
    let pictures = 0;
    for (const f of loadManifest().files.filter((m) => FILES.includes(m.path))) {
      for (const h of (f.digest as { hdus: HduInfo[] } | null)?.hdus ?? []) {
        if (!((h.kind === 'image' || h.kind === 'compressed-image') && (h.shape?.length ?? 0) >= 2 && !h.shape!.includes(0))) continue;
        const file = await open(corpusPath(f.path));
        try {
          const hdu = await file.hdu(h.index);
          const shape = hdu.shape!;
          const [ny, nx] = shape.slice(-2) as [number, number];
          const img = await readImageToGpuBuffer(hdu, { gpu: true });
          const { data } = await hdu.readImage();
          seen.add(img.dtype);
          try {
            // The last plane of a cube: the offset into the GPU buffer counts.
            const k = shape.slice(0, -2).reduce((a, b) => a * b, 1) - 1;
            const plane = (data as Float64Array).subarray(k * nx * ny, (k + 1) * nx * ny);
            for (const c of [
              { interval: { type: 'zscale' }, stretch: { type: 'asinh' } },
              { interval: { type: 'minmax' }, stretch: { type: 'sqrt' }, colormap: 'viridis', invert: true },
            ] as const) {
              const limits = computeLimits(plane, c.interval);
              const opts = { limits, stretch: c.stretch, colormap: 'colormap' in c ? c.colormap : undefined, invert: 'invert' in c };
              const cpu = cpuRgba(plane, ny, nx, opts);
              const gpu = await renderToBytes(r, gpuPlane(img as never, k), nx, ny, opts);
              expect(differing(cpu, gpu), `${f.path}[${h.index}] ${img.dtype} ${JSON.stringify(c)}: bytes differing`).toBe(0);
              pictures++;
            }
          } finally {
            img.buffer.destroy();
          }
        } finally {
          await file.close();
        }
      }
    }
    console.log(`GPU render from GPU-decoded buffers: ${pictures} pictures equal to the CPU's; element types ${[...seen].sort().join(', ')}`);
    expect(pictures).toBeGreaterThanOrEqual(2 * FILES.length);
    for (const t of ['uint8', 'int16', 'int32', 'float32', 'float64', 'int64']) expect(seen.has(t), t).toBe(true);
  });

  gpuIt('every element type at the edges of its range, rising and falling limits, grey and colour', async () => {
    const r = new GpuImageRenderer(gpuCtx!.device);
    const d = r.device;
    const nx = 29, ny = 7, n = nx * ny;
    const rand = (() => {
      let s = 12345;
      return () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
    })();
    const arrays: [GpuPixelType, ArrayBufferView & ArrayLike<number | bigint>][] = [
      ['uint8', Uint8Array.from({ length: n }, (_, i) => (i * 37) & 255)],
      ['int8', Int8Array.from({ length: n }, (_, i) => ((i * 37) & 255) - 128)],
      ['int16', Int16Array.from({ length: n }, (_, i) => Math.round((rand() - 0.5) * 65535))],
      ['uint16', Uint16Array.from({ length: n }, () => Math.floor(rand() * 65536))],
      // Beyond 2^24: float32 would merge neighbours.
      ['int32', Int32Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 2 ** 30 + i : Math.round((rand() - 0.5) * 2 ** 32)))],
      ['uint32', Uint32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 4294967295 - i : Math.floor(rand() * 2 ** 32)))],
      ['float32', Float32Array.from({ length: n }, (_, i) => (i === 3 ? NaN : i === 4 ? Infinity : i === 5 ? -Infinity : (rand() - 0.3) * 1e4))],
      // Values 1e-12 apart around 1000: one f32, many levels.
      ['float64', Float64Array.from({ length: n }, (_, i) => (i === 1 ? NaN : i === 2 ? -Infinity : 1000 + i * 1e-12 * (i % 2 ? 1 : -1)))],
      // max − min overflows: (v − min)/(max − min) is NaN where v − min overflows too (the NaN colour, as the CPU).
      ['float64', Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1.7e308 : i % 7 === 1 ? -1.7e308 : (i - 100) * 1e306))],
      ['int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(2 ** 53) + BigInt(i) * 1000003n - (i % 2 ? 9007199254740993n : 0n))],
      ['uint64', BigUint64Array.from({ length: n }, (_, i) => 2n ** 63n + BigInt(i) * 4097n * 2n ** 20n)],
    ];
    let pictures = 0;
    for (const [dtype, a] of arrays) {
      const buffer = upload(d, a);
      const values = a instanceof BigInt64Array || a instanceof BigUint64Array ? Float64Array.from(a, Number) : (a as unknown as ArrayLike<number>);
      const base = computeLimits(values, { type: 'minmax' });
      const mid = computeLimits(values, { type: 'percentile', percent: 60 });
      for (const opts of [
        { limits: base },
        { limits: { min: base.max, max: base.min }, stretch: { type: 'log' } },
        { limits: mid, stretch: { type: 'asinh', a: 0.02 }, colormap: 'ds9:heat' },
        { limits: { min: mid.max, max: mid.min }, colormap: 'inferno', invert: true },
      ] as RenderOptions[]) {
        const cpu = cpuRgba(values, ny, nx, opts);
        for (const [w, h] of [[nx, ny], [2 * nx + 3, 3 * ny]] as const) {
          const want = w === nx ? cpu : cpuRgba(values, ny, nx, { ...opts, width: w, height: h, resample: 'nearest' });
          const got = await renderToBytes(r, { buffer, width: nx, height: ny, dtype }, w, h, opts as GpuRenderOptions);
          expect(differing(want, got), `${dtype} ${JSON.stringify(opts.limits)} ${opts.stretch?.type ?? 'linear'} ${w}×${h}`).toBe(0);
          pictures++;
        }
      }
      // A plane other than the first: the offset counts elements (packed types included).
      const sub = await renderToBytes(r, { buffer, width: nx, height: 3, dtype, offset: 2 * nx }, nx, 3, { limits: base });
      const cpuSub = cpuRgba((values as Float64Array).subarray ? (values as Float64Array).subarray(2 * nx, 5 * nx) : Array.from(values).slice(2 * nx, 5 * nx), 3, nx, { limits: base });
      expect(differing(cpuSub, sub), `${dtype} offset`).toBe(0);
      buffer.destroy();
    }
    expect(pictures).toBe(arrays.length * 8);
  });

  gpuIt('pan and zoom: each target pixel shows the pixel under its centre, the background outside', async () => {
    const r = new GpuImageRenderer(gpuCtx!.device);
    const nx = 40, ny = 30;
    const values = Float32Array.from({ length: nx * ny }, (_, i) => (i * 7919) % 1000);
    const buffer = upload(r.device, values);
    const limits = { min: 0, max: 999 };
    const pic = renderImage(values, [ny, nx], { limits, origin: 'upper' }).pixels; // row y of the image = row y of pic
    const W = 64, H = 48;
    const bg = [10, 20, 30, 255];
    for (const origin of ['lower', 'upper'] as const) {
      for (const view of [{ x: 20, y: 15, zoom: 1 }, { x: 7.25, y: 3.5, zoom: 4 }, { x: 33, y: 21, zoom: 0.5 }, { x: 0, y: 0, zoom: 2 }, { x: 39.9, y: 29.9, zoom: 3 }]) {
        const got = await renderToBytes(r, { buffer, width: nx, height: ny }, W, H, { limits, origin, view: { ...view, background: bg } });
        let bad = 0;
        for (let oy = 0; oy < H; oy++) {
          for (let ox = 0; ox < W; ox++) {
            const fx = view.x + (ox + 0.5 - W / 2) / view.zoom;
            const dy = (oy + 0.5 - H / 2) / view.zoom;
            const fy = origin === 'lower' ? view.y - dy : view.y + dy;
            const inside = fx >= 0 && fy >= 0 && fx < nx && fy < ny;
            const k = inside ? pic[Math.floor(fy) * nx + Math.floor(fx)]! : -1;
            const want = inside ? [k, k, k, 255] : bg;
            const o = (oy * W + ox) * 4;
            if (want.some((v, c) => got[o + c] !== v)) bad++;
          }
        }
        expect(bad, `${origin} ${JSON.stringify(view)}`).toBe(0);
      }
    }
    buffer.destroy();
  });

  gpuIt('redrawing with the same options reuses the mapping; bad input is a FitsError', async () => {
    const r = new GpuImageRenderer(gpuCtx!.device);
    const buffer = upload(r.device, new Int16Array([1, 2, 3, 4, 5, 6]));
    const t = r.device.createTexture({ size: [3, 2], format: 'rgba8unorm', usage: 0x10 });
    const opts: GpuRenderOptions = { limits: { min: 1, max: 6 }, stretch: { type: 'log' } };
    r.render({ buffer, width: 3, height: 2, dtype: 'int16' }, t, opts);
    const first = (r as unknown as { mapping: unknown }).mapping;
    r.render({ buffer, width: 3, height: 2, dtype: 'int16' }, t, { ...opts, view: { x: 1, y: 1, zoom: 2 } });
    expect((r as unknown as { mapping: unknown }).mapping).toBe(first);
    r.render({ buffer, width: 3, height: 2, dtype: 'int16' }, t, { ...opts, limits: { min: 0, max: 6 } });
    expect((r as unknown as { mapping: unknown }).mapping).not.toBe(first);
    expect(() => r.render({ buffer, width: 4, height: 2, dtype: 'int16' }, t, opts)).toThrow(/holds 6 int16 values/);
    expect(() => r.render({ buffer, width: 3, height: 2, dtype: 'complex64' as never }, t, opts)).toThrow(/cannot read elements/);
    expect(() => r.render({ buffer, width: 3, height: 2, dtype: 'int16' }, t, { ...opts, view: { x: 0, y: 0, zoom: 0 } })).toThrow(/zoom above 0/);
    expect(() => gpuPlane({ buffer, shape: [2, 1, 3], dtype: 'int16' }, 2)).toThrow(/Plane 2 does not exist/);
    expect(gpuPlane({ buffer, shape: [2, 1, 3], dtype: 'int16' }, 1)).toMatchObject({ width: 3, height: 1, offset: 3, dtype: 'int16' });
    await r.device.queue.onSubmittedWorkDone();
    r.destroy();
    buffer.destroy();
    t.destroy();
  });
});
