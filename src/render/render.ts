/**
 * Quick-look rendering of an image array: interval → stretch → grey levels or
 * a colour map, at any size, as a picture (rows top to bottom).
 *
 * For each value v (float64): t = clip((v − min)/(max − min), 0, 1) (astropy's
 * BaseInterval.__call__, which skips the division when max = min), then
 * s = stretch(t), then
 * - grey: level = round(255·s) (or 65535·s at 16 bits), rounding half to even
 *   as numpy's np.round; NaN → the NaN level (0 by default);
 * - colour: entry ⌊s·N⌋ of the map (matplotlib's rule); NaN → the NaN colour
 *   (transparent black by default, matplotlib's "bad" colour).
 *
 * Orientation: `origin: 'lower'` (the default, as ds9 and astropy's imshow
 * origin='lower') puts the image's row 0 at the bottom of the picture.
 *
 * Cubes and beyond (NAXIS > 2): one plane is rendered; `plane` counts planes
 * in C order over all axes but the last two (plane k of a [n3, n2, ny, nx]
 * array is data.reshape(-1, ny, nx)[k]); the default is the first plane. A
 * 1-D image is rendered as one row.
 */
import { FitsError } from '../core/errors.js';
import { colormapIndex, getColormap, type Colormap } from './colormap.js';
import { computeLimits, type IntervalSpec, type Limits } from './interval.js';
import { asNumberArray, type NumberArray, type PixelArray } from './pixels.js';
import { checkOutputSize, resample, type Resampling } from './resample.js';
import { histEqCurve, makeStretch, type HistEqCurve, type StretchSpec } from './stretch.js';
import { encodePng, type PngOptions } from './png.js';

/** Options of {@link renderImage}. */
export interface RenderOptions {
  /** Plane of an image with more than 2 axes (C order over the leading axes; default 0). */
  plane?: number;
  /** How to pick the limits (default minmax). Ignored when `limits` is given. */
  interval?: IntervalSpec;
  /** Limits to use as they are (e.g. computed once for several planes). */
  limits?: Limits;
  /** The stretch (default linear). */
  stretch?: StretchSpec;
  /** A colour map (name or table): the output is RGBA. Without one it is grey. */
  colormap?: string | Colormap;
  /** Reverse the grey scale or the colour map. */
  invert?: boolean;
  /** Colour of NaN pixels, RGBA bytes (default [0, 0, 0, 0]). Grey output uses its first component (default 0). */
  nanColor?: readonly number[];
  /** Output width in pixels (default: the image width, or from `height` keeping the aspect ratio). */
  width?: number;
  /** Output height in pixels (default: the image height, or from `width` keeping the aspect ratio). */
  height?: number;
  /** Resampling when the size changes (default: area when shrinking, nearest when enlarging). */
  resample?: Resampling;
  /** Where the image's row 0 goes (default 'lower': at the bottom, as ds9). */
  origin?: 'lower' | 'upper';
  /** Bits per grey level, 8 (default) or 16. Colour output is always 8. */
  bitDepth?: 8 | 16;
}

/** A rendered picture, rows top to bottom. */
export interface RenderedImage {
  width: number;
  height: number;
  /** 1 (grey) or 4 (RGBA). */
  channels: 1 | 4;
  bitDepth: 8 | 16;
  /** `width × height × channels` samples. */
  pixels: Uint8Array | Uint16Array;
  /** The limits used. */
  limits: Limits;
}

/** The 2-D geometry of an array shape: rows, columns, number of planes. */
export function planeGeometry(shape: readonly number[]): { ny: number; nx: number; planes: number } {
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new FitsError('BAD_ARGUMENT', `An image shape must be a non-empty list of whole numbers (got ${JSON.stringify(shape)}).`);
  }
  const nx = shape[shape.length - 1]!;
  const ny = shape.length >= 2 ? shape[shape.length - 2]! : 1;
  const planes = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return { ny, nx, planes };
}

/** Check `plane` against the number of planes; returns it (default 0). */
export function checkPlane(plane: number | undefined, planes: number, shape: readonly number[]): number {
  const p = plane ?? 0;
  if (!Number.isInteger(p) || p < 0 || p >= planes) {
    throw new FitsError('BAD_ARGUMENT', `Plane ${p} does not exist: the image ${JSON.stringify(shape)} has ${planes} plane(s), numbered from 0.`);
  }
  return p;
}

/** Output size from the options and the image size (aspect ratio kept when only one is given). */
export function outputSize(nx: number, ny: number, opts: { width?: number; height?: number }): { width: number; height: number } {
  let { width, height } = opts;
  if (width !== undefined && height === undefined) height = Math.max(1, Math.round((width * ny) / nx));
  else if (height !== undefined && width === undefined) width = Math.max(1, Math.round((height * nx) / ny));
  width ??= nx;
  height ??= ny;
  checkOutputSize(width, height);
  return { width, height };
}

/** Default resampling: area when shrinking on either axis, nearest otherwise. */
export function defaultResampling(nx: number, ny: number, width: number, height: number): Resampling {
  return width < nx || height < ny ? 'area' : 'nearest';
}

/**
 * Render an image (or one plane of a cube) to grey levels or RGBA.
 * @example
 * const { data, shape } = await hdu.readImage();
 * const pic = renderImage(data, shape, { interval: { type: 'zscale' }, stretch: { type: 'asinh' }, colormap: 'viridis' });
 * const png = toPng(pic);
 */
export function renderImage(data: PixelArray, shape: readonly number[], opts: RenderOptions = {}): RenderedImage {
  const { ny, nx, planes } = planeGeometry(shape);
  const total = planes * ny * nx;
  if (data.length < total) throw new FitsError('BAD_ARGUMENT', `The array has ${data.length} values but the shape ${JSON.stringify(shape)} needs ${total}.`);
  if (nx === 0 || ny === 0 || planes === 0) throw new FitsError('BAD_ARGUMENT', `The image ${JSON.stringify(shape)} has no pixels to render.`);
  const plane = checkPlane(opts.plane, planes, shape);
  const planeData = subarrayOf(data, plane * nx * ny, nx * ny);
  const values = asNumberArray(planeData);
  const limits = opts.limits ?? computeLimits(values, opts.interval ?? { type: 'minmax' });
  const hist = opts.stretch?.type === 'histeq' ? histEqCurve(values) : undefined;
  const { width, height } = outputSize(nx, ny, opts);
  const resized = width === nx && height === ny ? values : resample(values, nx, ny, width, height, opts.resample ?? defaultResampling(nx, ny, width, height));
  return mapValues(resized, width, height, limits, { ...opts, histEq: hist });
}

function subarrayOf(data: PixelArray, start: number, count: number): PixelArray {
  if (start === 0 && data.length === count) return data;
  if (ArrayBuffer.isView(data)) return (data as NumberArray).subarray(start, start + count);
  return Array.prototype.slice.call(data, start, start + count) as number[];
}

/** Round half to even, for x ≥ 0 (numpy's np.round / rint). */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Map values already at the output size (`width × height`, image row order)
 * through limits, stretch and grey levels or a colour map. Exposed for
 * renderers that produce the values themselves (e.g. streamed binning).
 */
export function mapValues(
  values: NumberArray,
  width: number,
  height: number,
  limits: Limits,
  opts: Omit<RenderOptions, 'width' | 'height' | 'plane' | 'interval' | 'limits' | 'resample'> & { histEq?: HistEqCurve },
): RenderedImage {
  checkOutputSize(width, height);
  if (!Number.isFinite(limits.min) || !Number.isFinite(limits.max)) {
    throw new FitsError('BAD_ARGUMENT', `The limits must be finite numbers (got ${limits.min}, ${limits.max}).`);
  }
  const stretchSpec = opts.stretch ?? { type: 'linear' };
  if (stretchSpec.type === 'histeq' && !opts.histEq) throw new FitsError('BAD_ARGUMENT', 'The histeq stretch needs the data to equalise (renderImage builds it).');
  const f = makeStretch(stretchSpec, opts.histEq).apply;
  const flip = (opts.origin ?? 'lower') === 'lower';
  const invert = opts.invert === true;
  const nan = opts.nanColor ?? [0, 0, 0, 0];
  const n = width * height;
  const cmap = opts.colormap === undefined ? undefined : typeof opts.colormap === 'string' ? getColormap(opts.colormap) : opts.colormap;
  if (cmap) {
    if (opts.bitDepth === 16) throw new FitsError('BAD_ARGUMENT', 'Colour maps give 8-bit output; leave bitDepth at 8.');
    const lut = cmap.rgba;
    const size = cmap.size;
    const indexer = new ValueIndexer(limits, f, size, 'colormap', n >= BINNED_FROM && nonDecreasing(stretchSpec));
    const out = new Uint8Array(n * 4);
    const nanRgba = [0, 1, 2, 3].map((k) => byteOf(nan[k] ?? (k === 3 ? 255 : 0), 'nanColor'));
    const row = new Int32Array(width);
    for (let y = 0; y < height; y++) {
      indexer.fill(values, y * width, width, row);
      const dst = (flip ? height - 1 - y : y) * width * 4;
      for (let x = 0; x < width; x++) {
        const i = row[x]!;
        const o = dst + x * 4;
        if (i < 0) {
          out[o] = nanRgba[0]!;
          out[o + 1] = nanRgba[1]!;
          out[o + 2] = nanRgba[2]!;
          out[o + 3] = nanRgba[3]!;
        } else {
          const j = (invert ? size - 1 - i : i) * 4;
          out[o] = lut[j]!;
          out[o + 1] = lut[j + 1]!;
          out[o + 2] = lut[j + 2]!;
          out[o + 3] = lut[j + 3]!;
        }
      }
    }
    return { width, height, channels: 4, bitDepth: 8, pixels: out, limits };
  }
  const depth = opts.bitDepth ?? 8;
  if (depth !== 8 && depth !== 16) throw new FitsError('BAD_ARGUMENT', 'bitDepth must be 8 or 16.');
  const top = depth === 8 ? 255 : 65535;
  const indexer = new ValueIndexer(limits, f, top + 1, 'grey', n >= BINNED_FROM && top < 4096 && nonDecreasing(stretchSpec));
  const nanLevel = depth === 8 ? byteOf(nan[0] ?? 0, 'nanColor') : Math.round((byteOf(nan[0] ?? 0, 'nanColor') * 65535) / 255);
  const out = depth === 8 ? new Uint8Array(n) : new Uint16Array(n);
  const row = new Int32Array(width);
  for (let y = 0; y < height; y++) {
    indexer.fill(values, y * width, width, row);
    const dst = (flip ? height - 1 - y : y) * width;
    for (let x = 0; x < width; x++) {
      const level = row[x]!;
      out[dst + x] = level < 0 ? nanLevel : invert ? top - level : level;
    }
  }
  return { width, height, channels: 1, bitDepth: depth, pixels: out, limits };
}

/** Stretches that never decrease (so the value → index map is monotonic and can be tabulated). */
export function nonDecreasing(spec: StretchSpec): boolean {
  if (spec.type === 'linear') return (spec.slope ?? 1) >= 0;
  if (spec.type === 'contrastbias') return spec.contrast >= 0;
  return true;
}

/** Bins of t in {@link binnedIndex}'s table. */
const T_BINS = 1 << 14;

/** Use the binned table from this many pixels on (its build costs 2·T_BINS stretch evaluations). */
const BINNED_FROM = 1 << 16;

/**
 * Index of an already normalised and clipped t (or NaN): grey level
 * (round half to even of (levels−1)·s) or colour map entry ⌊s·levels⌋;
 * −1 where the stretch gives NaN.
 */
export function tIndexFunction(stretch: (t: number) => number, levels: number, kind: 'grey' | 'colormap'): (t: number) => number {
  const top = levels - 1;
  if (kind === 'colormap') return (t) => colormapIndex(stretch(t), levels);
  return (t) => {
    const s = stretch(t);
    if (Number.isNaN(s)) return -1;
    return roundHalfEven(top * (s < 0 ? 0 : s > 1 ? 1 : s));
  };
}

/**
 * The index of one value — grey level 0…levels−1 or colour map entry —
 * before inversion; −1 for NaN. t = (v − min)/(max − min) (no division when
 * max = min), clipped to [0, 1], then the stretch: the CPU renderer's
 * arithmetic, shared with the GPU thresholds.
 */
export function indexFunction(limits: Limits, stretch: (t: number) => number, levels: number, kind: 'grey' | 'colormap'): (v: number) => number {
  const lo = limits.min;
  const range = limits.max - limits.min;
  const divide = range !== 0;
  const f = tIndexFunction(stretch, levels, kind);
  return (v) => {
    let t = v - lo;
    if (divide) t = t / range;
    return f(t < 0 ? 0 : t > 1 ? 1 : t);
  };
}

/**
 * The largest double below x, for normal x > 0: x − x·2⁻⁵³ lies between half
 * and one spacing below x (exactly one where x is a power of two), so it
 * rounds to the neighbour.
 */
function below(x: number): number {
  return x - x * 2 ** -53;
}

/**
 * The value → index map of a picture, applied a row at a time. With
 * `tabulate` (monotonic stretches, large pictures), t's range [0, 1] is cut
 * into 2^14 bins; a bin whose first and last double give the same index holds
 * it — the map is monotonic in t, so every t of the bin does — and the others
 * (at most one per index step) evaluate the stretch. Same results as
 * {@link indexFunction}, at a table load per pixel instead of the stretch's math.
 */
export class ValueIndexer {
  private readonly lo: number;
  private readonly range: number;
  private readonly divide: boolean;
  private readonly f: (t: number) => number;
  private readonly table: Int32Array | null;

  constructor(limits: Limits, stretch: (t: number) => number, levels: number, kind: 'grey' | 'colormap', tabulate: boolean) {
    this.lo = limits.min;
    this.range = limits.max - limits.min;
    this.divide = this.range !== 0;
    const f = (this.f = tIndexFunction(stretch, levels, kind));
    this.table = null;
    if (tabulate) {
      const table = new Int32Array(T_BINS + 1);
      for (let j = 0; j < T_BINS; j++) {
        const a = f(j / T_BINS);
        table[j] = a === f(below((j + 1) / T_BINS)) ? a : AMBIGUOUS;
      }
      table[T_BINS] = f(1);
      this.table = table;
    }
  }

  /** Indices of values[start … start + count) into `out` (−1 for NaN). */
  fill(values: ArrayLike<number>, start: number, count: number, out: Int32Array): void {
    const { lo, range, divide, f, table } = this;
    for (let i = 0; i < count; i++) {
      let t = values[start + i]! - lo;
      if (divide) t = t / range;
      if (!(t >= 0)) {
        if (t !== t) {
          out[i] = f(t); // NaN
          continue;
        }
        t = 0;
      } else if (t > 1) t = 1;
      if (table) {
        const e = table[(t * T_BINS) | 0]!;
        out[i] = e === AMBIGUOUS ? f(t) : e;
      } else out[i] = f(t);
    }
  }
}

const AMBIGUOUS = -2;

/** The tabulated value → index map as a function of one value (for tests and callers with single values). */
export function binnedIndex(limits: Limits, stretch: (t: number) => number, levels: number, kind: 'grey' | 'colormap'): (v: number) => number {
  const indexer = new ValueIndexer(limits, stretch, levels, kind, true);
  const v1 = new Float64Array(1), o1 = new Int32Array(1);
  return (v) => {
    v1[0] = v;
    indexer.fill(v1, 0, 1, o1);
    return o1[0]!;
  };
}

function byteOf(v: number, what: string): number {
  if (!(Number.isInteger(v) && v >= 0 && v <= 255)) throw new FitsError('BAD_ARGUMENT', `${what} components must be whole numbers from 0 to 255.`);
  return v;
}

/** Options of {@link toPng}. */
export interface ToPngOptions extends PngOptions {
  /** Keep the alpha channel even when every pixel is opaque (default: drop it, writing RGB). */
  keepAlpha?: boolean;
}

/**
 * Encode a rendered picture as PNG bytes: grey (8 or 16 bits), or RGB(A) for
 * colour maps (RGB when every pixel is opaque, unless `keepAlpha`).
 * @example
 * const png = toPng(renderImage(data, shape, { interval: { type: 'zscale' } }));
 */
export function toPng(img: RenderedImage, opts: ToPngOptions = {}): Uint8Array {
  if (img.channels === 1) return encodePng({ width: img.width, height: img.height, channels: 1, bitDepth: img.bitDepth, pixels: img.pixels }, opts);
  const rgba = img.pixels as Uint8Array;
  let opaque = !opts.keepAlpha;
  for (let i = 3; opaque && i < rgba.length; i += 4) if (rgba[i] !== 255) opaque = false;
  if (!opaque) return encodePng({ width: img.width, height: img.height, channels: 4, bitDepth: 8, pixels: rgba }, opts);
  const rgb = new Uint8Array(img.width * img.height * 3);
  for (let i = 0, j = 0; j < rgb.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  return encodePng({ width: img.width, height: img.height, channels: 3, bitDepth: 8, pixels: rgb }, opts);
}
