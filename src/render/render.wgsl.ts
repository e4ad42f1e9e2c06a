/**
 * Render float32 pixels that are already on the GPU (e.g. an image decoded
 * with readImage({ gpu: true }) or readImageToGpuBuffer, as f32) straight
 * into a texture or a canvas: interval, stretch and colour map in one
 * fragment shader, no read-back.
 *
 * Two ways to evaluate the map (`mode`):
 * - `'exact'` (default): the CPU turns its own value → index map (limits,
 *   stretch — histeq included —, grey rounding or colour map entry) into
 *   float32 thresholds (thresholds.ts); the shader counts thresholds ≤ v by
 *   binary search. For float32 pixels the picture is the CPU's
 *   (renderImage) bit for bit: comparisons of float32 values are exact on
 *   every GPU, while WGSL's f32 arithmetic is not reproducible.
 * - `'direct'`: the stretch is evaluated in WGSL f32 arithmetic (log, asinh,
 *   sinh, pow, sqrt). Within one level of the CPU's float64 result, except
 *   where f32 cannot hold the limits' precision; histeq always uses the
 *   thresholds.
 *
 * The output may have any size: each fragment takes the source pixel under
 * its centre (nearest, as the CPU's nearest resampling). Row 0 of the image
 * goes to the bottom (`origin: 'lower'`) by default. Limits are the caller's
 * (compute them on the CPU, e.g. computeLimits on a reduced read): zscale and
 * percentiles need the CPU.
 *
 * The device comes from src/gpu/device.ts (requireGpu); this module holds
 * its pipelines in a {@link GpuImageRenderer} the caller owns.
 */
/// <reference types="@webgpu/types" preserve="true" />
import { FitsError } from '../core/errors.js';
import { requireGpu } from '../gpu/device.js';
import { getColormap, type Colormap } from './colormap.js';
import type { Limits } from './interval.js';
import { indexFunction } from './render.js';
import { makeStretch, type HistEqCurve, type StretchSpec } from './stretch.js';
import { indexThresholds } from './thresholds.js';

/** The stretch codes of the shader's direct mode. */
const STRETCH_CODE: Record<StretchSpec['type'], number> = {
  linear: 0, sqrt: 1, squared: 2, power: 3, powerdist: 4, log: 5, asinh: 6, sinh: 7, contrastbias: 8, histeq: 9,
};

/** The shader: a full-screen triangle and a fragment stage that maps one pixel. */
export const RENDER_WGSL = /* wgsl */ `
struct Params {
  width: u32, height: u32, outWidth: u32, outHeight: u32,
  flip: u32, mode: u32, levels: u32, nThresholds: u32,
  invert: u32, negate: u32, stretch: u32, grey: u32,
  offset: u32, allNan: u32, pad1: u32, pad2: u32,
  lo: f32, range: f32, a: f32, b: f32,
  c: f32, d: f32, pad3: f32, pad4: f32,
  nanColor: vec4<f32>,
};
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> pixels: array<f32>;
@group(0) @binding(2) var<storage, read> thresholds: array<f32>;
@group(0) @binding(3) var<storage, read> lut: array<u32>;

@vertex
fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {
  let x = f32((i << 1u) & 2u);
  let y = f32(i & 2u);
  return vec4<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
}

fn isNan(v: f32) -> bool {
  // By the bits: WGSL lets implementations assume floats are never NaN.
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn thresholdIndex(v: f32) -> u32 {
  var p = v;
  if (P.negate == 1u) { p = -v; }
  var lo = 0u;
  var hi = P.nThresholds;
  loop {
    if (lo >= hi) { break; }
    let mid = (lo + hi) / 2u;
    if (thresholds[mid] <= p) { lo = mid + 1u; } else { hi = mid; }
  }
  return lo;
}

fn stretched(t: f32) -> f32 {
  switch P.stretch {
    case 0u: { return t * P.a + P.b; }
    case 1u: { return sqrt(t); }
    case 2u: { return t * t; }
    case 3u: { if (t <= 0.0) { return 0.0; } return pow(t, P.a); }
    case 4u: { return (pow(P.a, t) - 1.0) / (P.a - 1.0); }
    case 5u: { return log(t * P.a + 1.0) / P.c; }
    case 6u: { return asinh(t / P.a) / P.c; }
    case 7u: { return sinh(t / P.a) / P.c; }
    case 8u: { return clamp((t - P.b) * P.a + 0.5, 0.0, 1.0); }
    default: { return t; }
  }
}

fn directIndex(v: f32) -> u32 {
  var t = v - P.lo;
  if (P.range != 0.0) { t = t / P.range; }
  let s = stretched(clamp(t, 0.0, 1.0));
  let top = f32(P.levels - 1u);
  if (P.grey == 1u) { return u32(round(top * clamp(s, 0.0, 1.0))); }
  return u32(clamp(floor(s * f32(P.levels)), 0.0, top));
}

@fragment
fn fs(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
  let ox = u32(pos.x);
  let oy = u32(pos.y);
  // The source pixel under the fragment's centre: floor((i + 0.5)·n/m).
  let sx = min(P.width - 1u, ((2u * ox + 1u) * P.width) / (2u * P.outWidth));
  var sy = min(P.height - 1u, ((2u * oy + 1u) * P.height) / (2u * P.outHeight));
  if (P.flip == 1u) { sy = P.height - 1u - sy; }
  let v = pixels[P.offset + sy * P.width + sx];
  if (isNan(v) || P.allNan == 1u) { return P.nanColor; }
  var idx: u32;
  if (P.mode == 0u) { idx = thresholdIndex(v); } else { idx = directIndex(v); }
  idx = min(idx, P.levels - 1u);
  if (P.invert == 1u) { idx = P.levels - 1u - idx; }
  return unpack4x8unorm(lut[idx]);
}
`;

/** f32 pixels on the device: `width × height` values, row-major, from element `offset` (default 0). */
export interface GpuPixels {
  buffer: GPUBuffer;
  width: number;
  height: number;
  offset?: number;
}

/** Options of {@link GpuImageRenderer.render}. */
export interface GpuRenderOptions {
  /** The limits (computed on the CPU). */
  limits: Limits;
  /** The stretch (default linear). */
  stretch?: StretchSpec;
  /** histeq's curve (histEqCurve of the data), needed for histeq. */
  histEq?: HistEqCurve;
  /** A colour map; without one, grey. */
  colormap?: string | Colormap;
  invert?: boolean;
  /** Colour of NaN pixels, RGBA bytes (default: [0,0,0,0] with a colour map, the grey level 0 without, as the CPU). */
  nanColor?: readonly number[];
  origin?: 'lower' | 'upper';
  /** 'exact' (thresholds, the default) or 'direct' (WGSL f32 arithmetic). */
  mode?: 'exact' | 'direct';
}

const PARAM_BYTES = 112;
// WebGPU's flag values (the GPUShaderStage/GPUBufferUsage globals are absent in some runtimes, e.g. Node's Dawn).
const FRAGMENT = 0x2;
const BUFFER_COPY_DST = 0x8, BUFFER_UNIFORM = 0x40, BUFFER_STORAGE = 0x80;

/** RGBA bytes as u32 words (R in the low byte, as unpack4x8unorm reads them). */
function packedTable(cmap: Colormap): Uint32Array<ArrayBuffer> {
  const t = new Uint32Array(cmap.size);
  new Uint8Array(t.buffer).set(cmap.rgba.subarray(0, cmap.size * 4));
  return t;
}

function greyTable(): Uint32Array<ArrayBuffer> {
  const t = new Uint32Array(256);
  for (let k = 0; k < 256; k++) t[k] = (k | (k << 8) | (k << 16) | (255 << 24)) >>> 0;
  return t;
}

/**
 * Renders f32 GPU buffers into textures. Create one per device with
 * {@link GpuImageRenderer.create} (or the constructor, with your own device)
 * and keep it: it holds the compiled pipelines.
 * @example
 * const r = await GpuImageRenderer.create();
 * r.render({ buffer, width, height }, canvas.getContext('webgpu'), { limits, stretch: { type: 'asinh' }, colormap: 'viridis' });
 */
export class GpuImageRenderer {
  private readonly module: GPUShaderModule;
  private readonly pipelines = new Map<GPUTextureFormat, GPURenderPipeline>();
  private readonly layout: GPUBindGroupLayout;

  constructor(readonly device: GPUDevice) {
    this.module = device.createShaderModule({ code: RENDER_WGSL });
    this.layout = device.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: FRAGMENT, buffer: { type: 'uniform' } },
        { binding: 1, visibility: FRAGMENT, buffer: { type: 'read-only-storage' } },
        { binding: 2, visibility: FRAGMENT, buffer: { type: 'read-only-storage' } },
        { binding: 3, visibility: FRAGMENT, buffer: { type: 'read-only-storage' } },
      ],
    });
  }

  /** A renderer on fitsflow's device (src/gpu/device.ts); FitsError('GPU') when there is none. */
  static async create(): Promise<GpuImageRenderer> {
    const ctx = await requireGpu();
    return new GpuImageRenderer(ctx.device);
  }

  private pipeline(format: GPUTextureFormat): GPURenderPipeline {
    let p = this.pipelines.get(format);
    if (!p) {
      p = this.device.createRenderPipeline({
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [this.layout] }),
        vertex: { module: this.module, entryPoint: 'vs' },
        fragment: { module: this.module, entryPoint: 'fs', targets: [{ format }] },
        primitive: { topology: 'triangle-list' },
      });
      this.pipelines.set(format, p);
    }
    return p;
  }

  /**
   * Draw `src` into `target` (a texture with RENDER_ATTACHMENT usage, or a
   * configured canvas context), filling it. Returns once the work is submitted.
   */
  render(src: GpuPixels, target: GPUTexture | GPUCanvasContext, opts: GpuRenderOptions): void {
    const { width, height } = src;
    const offset = src.offset ?? 0;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || !Number.isInteger(offset) || offset < 0) {
      throw new FitsError('BAD_ARGUMENT', 'The GPU pixels need a whole width and height of at least 1 and a non-negative offset.');
    }
    if ((offset + width * height) * 4 > src.buffer.size) {
      throw new FitsError('BAD_ARGUMENT', `The buffer holds ${src.buffer.size / 4} f32 values, fewer than offset + width × height = ${offset + width * height}.`);
    }
    const { limits } = opts;
    if (!limits || !Number.isFinite(limits.min) || !Number.isFinite(limits.max)) throw new FitsError('BAD_ARGUMENT', 'GPU rendering needs finite limits (compute them on the CPU).');
    const texture = 'getCurrentTexture' in target ? target.getCurrentTexture() : target;
    const spec = opts.stretch ?? { type: 'linear' };
    if (spec.type === 'histeq' && !opts.histEq) throw new FitsError('BAD_ARGUMENT', 'The histeq stretch needs histEq (histEqCurve of the data).');
    const stretch = makeStretch(spec, opts.histEq); // also checks the parameters
    const cmap = opts.colormap === undefined ? undefined : typeof opts.colormap === 'string' ? getColormap(opts.colormap) : opts.colormap;
    const levels = cmap ? cmap.size : 256;
    const lut = cmap ? packedTable(cmap) : greyTable();
    const nan = opts.nanColor ?? (cmap ? [0, 0, 0, 0] : [0, 0, 0, 255]);
    const nanRgba = cmap || opts.nanColor === undefined ? [0, 1, 2, 3].map((k) => nan[k] ?? (k === 3 ? 255 : 0)) : [nan[0] ?? 0, nan[0] ?? 0, nan[0] ?? 0, 255];
    const mode = opts.mode === 'direct' && spec.type !== 'histeq' ? 1 : 0;
    const index = indexFunction(limits, stretch.apply, levels, cmap ? 'colormap' : 'grey');
    const th = mode === 0 ? indexThresholds(index, levels, limits) : { thresholds: new Float32Array(1), count: 0, negate: false };
    // histeq of constant data is NaN for every value (0/0 in its normalisation): the NaN colour, as the CPU.
    const allNan = [-Infinity, limits.min, limits.max, Infinity].every((v) => index(v) < 0);

    const u = new Uint32Array(PARAM_BYTES / 4);
    const f = new Float32Array(u.buffer);
    u.set([width, height, texture.width, texture.height, (opts.origin ?? 'lower') === 'lower' ? 1 : 0, mode, levels, th.count,
      opts.invert ? 1 : 0, th.negate ? 1 : 0, STRETCH_CODE[spec.type], cmap ? 0 : 1, offset, allNan ? 1 : 0, 0, 0]);
    const p = directParams(spec);
    f.set([limits.min, limits.max - limits.min, p.a, p.b, p.c, 0, 0, 0], 16);
    f.set(nanRgba.map((c) => c / 255), 24);

    const d = this.device;
    const params = d.createBuffer({ size: PARAM_BYTES, usage: BUFFER_UNIFORM | BUFFER_COPY_DST });
    d.queue.writeBuffer(params, 0, u);
    const thresholds = d.createBuffer({ size: Math.max(4, th.thresholds.byteLength), usage: BUFFER_STORAGE | BUFFER_COPY_DST });
    d.queue.writeBuffer(thresholds, 0, th.thresholds);
    const table = d.createBuffer({ size: lut.byteLength, usage: BUFFER_STORAGE | BUFFER_COPY_DST });
    d.queue.writeBuffer(table, 0, lut);
    const bind = d.createBindGroup({
      layout: this.layout,
      entries: [
        { binding: 0, resource: { buffer: params } },
        { binding: 1, resource: { buffer: src.buffer } },
        { binding: 2, resource: { buffer: thresholds } },
        { binding: 3, resource: { buffer: table } },
      ],
    });
    const encoder = d.createCommandEncoder();
    const pass = encoder.beginRenderPass({
      colorAttachments: [{ view: texture.createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 0 } }],
    });
    pass.setPipeline(this.pipeline(texture.format));
    pass.setBindGroup(0, bind);
    pass.draw(3);
    pass.end();
    d.queue.submit([encoder.finish()]);
    // Small per-draw buffers: released once the queue has run this draw.
    void d.queue.onSubmittedWorkDone().then(() => {
      params.destroy();
      thresholds.destroy();
      table.destroy();
    });
  }
}

/** Shader parameters of the direct mode: a, b and the precomputed denominator c, in the shader's f32. */
function directParams(spec: StretchSpec): { a: number; b: number; c: number } {
  switch (spec.type) {
    case 'linear': return { a: spec.slope ?? 1, b: spec.intercept ?? 0, c: 0 };
    case 'power': return { a: spec.a, b: 0, c: 0 };
    case 'powerdist': return { a: spec.a ?? 1000, b: 0, c: 0 };
    case 'log': { const a = spec.a ?? 1000; return { a, b: 0, c: Math.log(a + 1) }; }
    case 'asinh': { const a = spec.a ?? 0.1; return { a, b: 0, c: Math.asinh(1 / a) }; }
    case 'sinh': { const a = spec.a ?? 1 / 3; return { a, b: 0, c: Math.sinh(1 / a) }; }
    case 'contrastbias': return { a: spec.contrast, b: spec.bias, c: 0 };
    default: return { a: 1, b: 0, c: 0 };
  }
}
