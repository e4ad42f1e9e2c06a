/**
 * Render pixels that are already on the GPU (an image decoded with
 * readImageToGpuBuffer or readImage({ gpu: true }), in any of the readers'
 * element types, 64-bit ones included) straight into a texture or a canvas:
 * interval, stretch and colour map in one fragment shader, no read-back.
 *
 * Two ways to evaluate the map (`mode`):
 * - `'exact'` (default): the CPU turns its own value → index map (limits,
 *   stretch — histeq included —, grey rounding or colour map entry) into
 *   thresholds over the element type's order keys (thresholds.ts); the
 *   shader builds each element's key from its bits and counts thresholds ≤
 *   key by binary search. Integer comparisons only, so the picture is the
 *   CPU's (renderImage on the same values) bit for bit on every GPU, while
 *   WGSL's f32 arithmetic is not reproducible.
 * - `'direct'`: the stretch is evaluated in WGSL f32 arithmetic (log, asinh,
 *   sinh, pow, sqrt). Within one level of the CPU's float64 result, except
 *   where f32 cannot hold the values' or limits' precision; histeq always uses
 *   the thresholds.
 *
 * The output may have any size: each fragment takes the source pixel under
 * its centre (nearest, as the CPU's nearest resampling), or, with a `view`,
 * the pixel under it after pan and zoom. Row 0 of the image goes to the
 * bottom (`origin: 'lower'`) by default. Limits are the caller's (compute them
 * on the CPU, e.g. computeLimits on a reduced read): zscale and percentiles
 * need the CPU.
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
import { keyThresholds, PIXEL_TYPE_CODE, type GpuPixelType } from './thresholds.js';

export type { GpuPixelType } from './thresholds.js';

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
  offset: u32, allNan: u32, dtype: u32, hasView: u32,
  lo: f32, range: f32, a: f32, b: f32,
  c: f32, viewX: f32, viewY: f32, viewZoom: f32,
  pad0: f32, pad1: f32, pad2: f32, pad3: f32,
  validLow: vec2<u32>, validHigh: vec2<u32>,
  nanColor: vec4<f32>,
  background: vec4<f32>,
};
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> pixels: array<u32>;
@group(0) @binding(2) var<storage, read> thresholds: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read> lut: array<u32>;

@vertex
fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {
  let x = f32((i << 1u) & 2u);
  let y = f32(i & 2u);
  return vec4<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
}

// One element, read from the packed words (8- and 16-bit elements share words, 64-bit ones take two).
struct Element {
  // Order key (high, low): keys sort as the values do (see thresholds.ts).
  key: vec2<u32>,
  nan: bool,
  // The value in f32 (direct mode only).
  value: f32,
};

fn f64ToF32(hi: u32, lo: u32) -> f32 {
  let e = (hi >> 20u) & 0x7ffu;
  let s = select(1.0, -1.0, (hi >> 31u) == 1u);
  if (e == 0u) { return 0.0 * s; }
  // Infinity as the largest f32 (WGSL rejects constant infinities): the same end of the clip.
  if (e == 0x7ffu) { return s * 3.4028234663852886e38; }
  let m = 1.0 + f32(hi & 0xfffffu) / 1048576.0 + f32(lo) / 4503599627370496.0;
  let ex = i32(e) - 1023;
  if (ex > 127) { return s * 3.4028234663852886e38; }
  if (ex < -149) { return 0.0 * s; }
  return s * ldexp(m, ex);
}

fn element(e: u32) -> Element {
  var r: Element;
  r.nan = false;
  r.key = vec2<u32>(0u, 0u);
  switch P.dtype {
    case 0u, 1u: {
      let b = (pixels[e >> 2u] >> ((e & 3u) * 8u)) & 0xffu;
      if (P.dtype == 1u) { r.key.x = b ^ 0x80u; r.value = f32(i32(b << 24u) >> 24u); } else { r.key.x = b; r.value = f32(b); }
    }
    case 2u, 3u: {
      let h = (pixels[e >> 1u] >> ((e & 1u) * 16u)) & 0xffffu;
      if (P.dtype == 2u) { r.key.x = h ^ 0x8000u; r.value = f32(i32(h << 16u) >> 16u); } else { r.key.x = h; r.value = f32(h); }
    }
    case 4u: { let w = pixels[e]; r.key.x = w ^ 0x80000000u; r.value = f32(bitcast<i32>(w)); }
    case 5u: { let w = pixels[e]; r.key.x = w; r.value = f32(w); }
    case 6u: {
      let w = pixels[e];
      // NaN by the bits: WGSL lets implementations assume floats are never NaN.
      r.nan = (w & 0x7fffffffu) > 0x7f800000u;
      r.key.x = select(w | 0x80000000u, ~w, (w >> 31u) == 1u);
      r.value = bitcast<f32>(w);
    }
    case 7u, 8u: {
      let lo = pixels[2u * e];
      let hi = pixels[2u * e + 1u];
      if (P.dtype == 7u) {
        r.key = vec2<u32>(hi ^ 0x80000000u, lo);
        r.value = f32(bitcast<i32>(hi)) * 4294967296.0 + f32(lo);
      } else {
        r.key = vec2<u32>(hi, lo);
        r.value = f32(hi) * 4294967296.0 + f32(lo);
      }
    }
    default: {
      let lo = pixels[2u * e];
      let hi = pixels[2u * e + 1u];
      r.nan = (hi & 0x7ff00000u) == 0x7ff00000u && ((hi & 0xfffffu) != 0u || lo != 0u);
      if ((hi >> 31u) == 1u) { r.key = vec2<u32>(~hi, ~lo); } else { r.key = vec2<u32>(hi | 0x80000000u, lo); }
      r.value = f64ToF32(hi, lo);
    }
  }
  return r;
}

fn keyLessEqual(a: vec2<u32>, b: vec2<u32>) -> bool {
  return a.x < b.x || (a.x == b.x && a.y <= b.y);
}

// The index, or levels for a key outside the valid range (the NaN colour).
fn thresholdIndex(key0: vec2<u32>) -> u32 {
  var key = key0;
  if (P.negate == 1u) { key = ~key0; }
  if (!keyLessEqual(P.validLow, key) || !keyLessEqual(key, P.validHigh)) { return P.levels; }
  var lo = 0u;
  var hi = P.nThresholds;
  loop {
    if (lo >= hi) { break; }
    let mid = (lo + hi) / 2u;
    if (keyLessEqual(thresholds[mid], key)) { lo = mid + 1u; } else { hi = mid; }
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
  var sx: u32;
  var sy: u32;
  if (P.hasView == 1u) {
    // pos.xy is the fragment's centre; the view puts image point (viewX, viewY) at the target's centre.
    let fx = P.viewX + (pos.x - 0.5 * f32(P.outWidth)) / P.viewZoom;
    let dy = (pos.y - 0.5 * f32(P.outHeight)) / P.viewZoom;
    let fy = select(P.viewY + dy, P.viewY - dy, P.flip == 1u);
    if (!(fx >= 0.0 && fy >= 0.0 && fx < f32(P.width) && fy < f32(P.height))) { return P.background; }
    sx = min(P.width - 1u, u32(floor(fx)));
    sy = min(P.height - 1u, u32(floor(fy)));
  } else {
    let ox = u32(pos.x);
    let oy = u32(pos.y);
    // The source pixel under the fragment's centre: floor((i + 0.5)·n/m).
    sx = min(P.width - 1u, ((2u * ox + 1u) * P.width) / (2u * P.outWidth));
    sy = min(P.height - 1u, ((2u * oy + 1u) * P.height) / (2u * P.outHeight));
    if (P.flip == 1u) { sy = P.height - 1u - sy; }
  }
  let el = element(P.offset + sy * P.width + sx);
  if (el.nan || P.allNan == 1u) { return P.nanColor; }
  var idx: u32;
  if (P.mode == 0u) { idx = thresholdIndex(el.key); } else { idx = directIndex(el.value); }
  if (idx == P.levels) { return P.nanColor; }
  idx = min(idx, P.levels - 1u);
  if (P.invert == 1u) { idx = P.levels - 1u - idx; }
  return unpack4x8unorm(lut[idx]);
}
`;

/**
 * Pixels on the device: `width × height` elements of `dtype` (default
 * float32), row-major, from element `offset` (default 0). The layout is what
 * fitsflow's GPU readers leave (`readImageToGpuBuffer`, `readImage({ gpu })`):
 * native little-endian values, 8- and 16-bit ones packed into 32-bit words.
 */
export interface GpuPixels {
  buffer: GPUBuffer;
  width: number;
  height: number;
  offset?: number;
  dtype?: GpuPixelType;
}

/** What to show: image point (x, y) (0-based pixel coordinates, pixel i covers [i, i + 1)) at the target's centre, `zoom` target pixels per image pixel. */
export interface GpuView {
  x: number;
  y: number;
  zoom: number;
  /** Colour outside the image, RGBA bytes (default transparent [0, 0, 0, 0]). */
  background?: readonly number[];
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
  /**
   * Pan and zoom: without a view the image fills the target (nearest
   * resampling, as the CPU's); with one, each target pixel shows the image
   * pixel under its centre (nearest), and the background outside the image.
   */
  view?: GpuView;
}

/** An image (or a GPU read's result) with a shape: one plane of it as {@link GpuPixels}. */
export interface GpuImageLike {
  buffer: GPUBuffer;
  /** C order, as fitsflow's readers report it (…, ny, nx). */
  shape: readonly number[];
  dtype: GpuPixelType;
}

/**
 * Plane `plane` (C order over the axes beyond the last two, default 0) of an
 * image on the device, e.g. what `readImageToGpuBuffer` returns.
 * @example
 * const img = await readImageToGpuBuffer(hdu);
 * renderer.render(gpuPlane(img), canvas.getContext('webgpu'), { limits });
 */
export function gpuPlane(image: GpuImageLike, plane = 0): GpuPixels {
  const shape = image.shape;
  if (!shape.length || shape.some((d) => !Number.isInteger(d) || d < 1)) throw new FitsError('BAD_ARGUMENT', `The image ${JSON.stringify(shape)} has no pixels to render.`);
  const width = shape[shape.length - 1]!;
  const height = shape.length >= 2 ? shape[shape.length - 2]! : 1;
  const planes = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  if (!Number.isInteger(plane) || plane < 0 || plane >= planes) throw new FitsError('BAD_ARGUMENT', `Plane ${plane} does not exist: the image ${JSON.stringify(shape)} has ${planes} plane(s), numbered from 0.`);
  return { buffer: image.buffer, width, height, offset: plane * width * height, dtype: image.dtype };
}

const PARAM_BYTES = 160;
const BYTES_PER: Record<GpuPixelType, number> = { uint8: 1, int8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, int64: 8, uint64: 8, float64: 8 };
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

/** The value → colour map of one set of options, on the device (built once, reused while the options stay the same). */
interface Mapping {
  key: string;
  histEq: HistEqCurve | undefined;
  colormap: Colormap | string | undefined;
  thresholds: GPUBuffer;
  table: GPUBuffer;
  /** Params words 5–13 and the floats that depend on the mapping. */
  mode: number;
  levels: number;
  count: number;
  negate: boolean;
  stretchCode: number;
  grey: boolean;
  allNan: boolean;
  direct: { a: number; b: number; c: number };
  nanRgba: number[];
  valid: Uint32Array;
}

/**
 * Renders GPU buffers of pixels into textures or canvases. Create one per
 * device with {@link GpuImageRenderer.create} (or the constructor, with your
 * own device) and keep it: it holds the compiled pipelines and the last
 * colour mapping, so redrawing after a pan or zoom only writes the view.
 * @example
 * const r = await GpuImageRenderer.create();
 * r.render({ buffer, width, height }, canvas.getContext('webgpu'), { limits, stretch: { type: 'asinh' }, colormap: 'viridis' });
 */
export class GpuImageRenderer {
  private readonly module: GPUShaderModule;
  private readonly pipelines = new Map<GPUTextureFormat, GPURenderPipeline>();
  private readonly layout: GPUBindGroupLayout;
  private readonly params: GPUBuffer;
  private mapping: Mapping | null = null;

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
    // Written before each draw: queue writes and draws run in submission order.
    this.params = device.createBuffer({ size: PARAM_BYTES, usage: BUFFER_UNIFORM | BUFFER_COPY_DST });
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

  /** The mapping of these options: the last one when they are the same, else built (and the old one released). */
  private mappingFor(opts: GpuRenderOptions, dtype: GpuPixelType): Mapping {
    const { limits } = opts;
    const spec = opts.stretch ?? { type: 'linear' };
    const key = JSON.stringify([limits.min, limits.max, spec, opts.invert === true, opts.nanColor ?? null, opts.mode ?? 'exact', dtype, typeof opts.colormap === 'string' ? opts.colormap : null]);
    const last = this.mapping;
    if (last && last.key === key && last.histEq === opts.histEq && last.colormap === opts.colormap) return last;
    if (spec.type === 'histeq' && !opts.histEq) throw new FitsError('BAD_ARGUMENT', 'The histeq stretch needs histEq (histEqCurve of the data).');
    const stretch = makeStretch(spec, opts.histEq); // also checks the parameters
    const cmap = opts.colormap === undefined ? undefined : typeof opts.colormap === 'string' ? getColormap(opts.colormap) : opts.colormap;
    const levels = cmap ? cmap.size : 256;
    const lut = cmap ? packedTable(cmap) : greyTable();
    const nan = opts.nanColor ?? (cmap ? [0, 0, 0, 0] : [0, 0, 0, 255]);
    const nanRgba = cmap || opts.nanColor === undefined ? [0, 1, 2, 3].map((k) => nan[k] ?? (k === 3 ? 255 : 0)) : [nan[0] ?? 0, nan[0] ?? 0, nan[0] ?? 0, 255];
    const mode = opts.mode === 'direct' && spec.type !== 'histeq' ? 1 : 0;
    const index = indexFunction(limits, stretch.apply, levels, cmap ? 'colormap' : 'grey');
    const th = mode === 0 ? keyThresholds(index, levels, limits, dtype) : { words: new Uint32Array(2), count: 0, negate: false, valid: new Uint32Array([0, 0, 0xffffffff, 0xffffffff]) };
    // histeq of constant data is NaN for every value (0/0 in its normalisation): the NaN colour, as the CPU.
    const allNan = [-Infinity, limits.min, limits.max, Infinity].every((v) => index(v) < 0);
    const d = this.device;
    const thresholds = d.createBuffer({ size: Math.max(8, th.words.byteLength), usage: BUFFER_STORAGE | BUFFER_COPY_DST });
    d.queue.writeBuffer(thresholds, 0, th.words);
    const table = d.createBuffer({ size: lut.byteLength, usage: BUFFER_STORAGE | BUFFER_COPY_DST });
    d.queue.writeBuffer(table, 0, lut);
    if (last) {
      // Released once the queue has run the draws that use them.
      void d.queue.onSubmittedWorkDone().then(() => {
        last.thresholds.destroy();
        last.table.destroy();
      });
    }
    this.mapping = {
      key, histEq: opts.histEq, colormap: opts.colormap, thresholds, table, mode, levels, count: th.count, negate: th.negate,
      stretchCode: STRETCH_CODE[spec.type], grey: !cmap, allNan, direct: directParams(spec), nanRgba, valid: th.valid,
    };
    return this.mapping;
  }

  /**
   * Draw `src` into `target` (a texture with RENDER_ATTACHMENT usage, or a
   * configured canvas context), filling it. Returns once the work is submitted.
   */
  render(src: GpuPixels, target: GPUTexture | GPUCanvasContext, opts: GpuRenderOptions): void {
    const { width, height } = src;
    const offset = src.offset ?? 0;
    const dtype = src.dtype ?? 'float32';
    if (!(dtype in PIXEL_TYPE_CODE)) throw new FitsError('BAD_ARGUMENT', `The GPU renderer cannot read elements of type "${String(dtype)}".`);
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || !Number.isInteger(offset) || offset < 0) {
      throw new FitsError('BAD_ARGUMENT', 'The GPU pixels need a whole width and height of at least 1 and a non-negative offset.');
    }
    const bytes = BYTES_PER[dtype];
    if ((offset + width * height) * bytes > src.buffer.size) {
      throw new FitsError('BAD_ARGUMENT', `The buffer holds ${Math.floor(src.buffer.size / bytes)} ${dtype} values, fewer than offset + width × height = ${offset + width * height}.`);
    }
    const { limits, view } = opts;
    if (!limits || !Number.isFinite(limits.min) || !Number.isFinite(limits.max)) throw new FitsError('BAD_ARGUMENT', 'GPU rendering needs finite limits (compute them on the CPU).');
    if (view && !(Number.isFinite(view.x) && Number.isFinite(view.y) && Number.isFinite(view.zoom) && view.zoom > 0)) {
      throw new FitsError('BAD_ARGUMENT', 'A view needs finite x and y and a zoom above 0.');
    }
    const texture = 'getCurrentTexture' in target ? target.getCurrentTexture() : target;
    const m = this.mappingFor(opts, dtype);

    const u = new Uint32Array(PARAM_BYTES / 4);
    const f = new Float32Array(u.buffer);
    u.set([width, height, texture.width, texture.height, (opts.origin ?? 'lower') === 'lower' ? 1 : 0, m.mode, m.levels, m.count,
      opts.invert ? 1 : 0, m.negate ? 1 : 0, m.stretchCode, m.grey ? 1 : 0, offset, m.allNan ? 1 : 0, PIXEL_TYPE_CODE[dtype], view ? 1 : 0]);
    f.set([limits.min, limits.max - limits.min, m.direct.a, m.direct.b, m.direct.c, view?.x ?? 0, view?.y ?? 0, view?.zoom ?? 1, 0, 0, 0, 0], 16);
    u.set(m.valid, 28);
    f.set(m.nanRgba.map((c) => c / 255), 32);
    const bg = view?.background ?? [0, 0, 0, 0];
    f.set([0, 1, 2, 3].map((k) => (bg[k] ?? 0) / 255), 36);

    const d = this.device;
    d.queue.writeBuffer(this.params, 0, u);
    const bind = d.createBindGroup({
      layout: this.layout,
      entries: [
        { binding: 0, resource: { buffer: this.params } },
        { binding: 1, resource: { buffer: src.buffer } },
        { binding: 2, resource: { buffer: m.thresholds } },
        { binding: 3, resource: { buffer: m.table } },
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
  }

  /** Release the renderer's buffers (the pipelines go with the device). */
  destroy(): void {
    this.params.destroy();
    this.mapping?.thresholds.destroy();
    this.mapping?.table.destroy();
    this.mapping = null;
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
