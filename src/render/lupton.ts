/**
 * Lupton et al. (2004) asinh colour composites from three images, as
 * astropy.visualization.make_lupton_rgb (AsinhMapping) computes them, in
 * float64 and with its order of operations:
 *
 *   c ← image_c − minimum_c;  I = (r + g + b)/3
 *   f = asinh(I·Q/stretch) · (0.1·255/asinh(0.1·Q)) / I   (0 where I ≤ 0)
 *   c ← max(c·f, 0); where the largest channel m ≥ 255: c ← c·255/m
 *   byte = trunc(c)   (numpy's astype(uint8))
 *
 * A NaN channel gives 0 (what astype(uint8) yields for NaN on x86).
 */
import { FitsError } from '../core/errors.js';
import { asNumberArray, type PixelArray } from './pixels.js';
import { planeGeometry, type RenderedImage } from './render.js';

/** Options of {@link makeLuptonRgb} (astropy's names and defaults). */
export interface LuptonOptions {
  /** Value mapped to black, one for all or one per channel (default 0). */
  minimum?: number | readonly [number, number, number];
  /** Linear stretch of the image (default 5). */
  stretch?: number;
  /** Asinh softening parameter (default 8). */
  Q?: number;
  /** Where row 0 goes (default 'lower': the bottom of the picture). */
  origin?: 'lower' | 'upper';
}

/**
 * An RGBA picture (alpha 255) from red, green and blue images of one shape
 * (2-D, or the first plane of each).
 * @example
 * const pic = makeLuptonRgb(i.data, r.data, g.data, i.shape, { stretch: 0.5, Q: 10 });
 * const png = toPng(pic); // RGB
 */
export function makeLuptonRgb(red: PixelArray, green: PixelArray, blue: PixelArray, shape: readonly number[], opts: LuptonOptions = {}): RenderedImage {
  const { ny, nx } = planeGeometry(shape);
  const n = nx * ny;
  if (n === 0) throw new FitsError('BAD_ARGUMENT', `The image ${JSON.stringify(shape)} has no pixels to render.`);
  for (const [name, a] of [['red', red], ['green', green], ['blue', blue]] as const) {
    if (a.length < n) throw new FitsError('BAD_ARGUMENT', `The ${name} image has ${a.length} values, fewer than the shape ${JSON.stringify(shape)} needs.`);
  }
  const min = typeof opts.minimum === 'number' || opts.minimum === undefined ? [opts.minimum ?? 0, opts.minimum ?? 0, opts.minimum ?? 0] : [...opts.minimum];
  if (min.length !== 3 || min.some((m) => !Number.isFinite(m))) throw new FitsError('BAD_ARGUMENT', 'minimum must be one finite number or three.');
  const stretch = opts.stretch ?? 5;
  let Q = opts.Q ?? 8;
  if (!Number.isFinite(stretch) || stretch === 0 || !Number.isFinite(Q)) throw new FitsError('BAD_ARGUMENT', 'stretch must be a non-zero finite number and Q a finite number.');
  // AsinhMapping: tiny Q becomes 0.1, huge Q is capped.
  if (Math.abs(Q) < 1 / 2 ** 23) Q = 0.1;
  else if (Q > 1e10) Q = 1e10;
  const slope = (0.1 * 255) / Math.asinh(0.1 * Q);
  const soften = Q / stretch;
  const r = asNumberArray(red), g = asNumberArray(green), b = asNumberArray(blue);
  const out = new Uint8Array(n * 4);
  const flip = (opts.origin ?? 'lower') === 'lower';
  const toByte = (c: number): number => (Number.isNaN(c) ? 0 : Math.trunc(c));
  for (let y = 0; y < ny; y++) {
    const dstRow = (flip ? ny - 1 - y : y) * nx;
    for (let x = 0; x < nx; x++) {
      const i = y * nx + x;
      let cr = r[i]! - min[0]!, cg = g[i]! - min[1]!, cb = b[i]! - min[2]!;
      const I = (cr + cg + cb) / 3;
      const fac = I <= 0 ? 0 : (Math.asinh(I * soften) * slope) / I;
      cr *= fac; cg *= fac; cb *= fac;
      if (cr < 0) cr = 0;
      if (cg < 0) cg = 0;
      if (cb < 0) cb = 0;
      // The largest channel as astropy's nested np.where picks it (ties go to the later test).
      const m = cr > cg ? (cr > cb ? cr : cb) : cg > cb ? cg : cb;
      if (m >= 255) {
        cr = (cr * 255) / m;
        cg = (cg * 255) / m;
        cb = (cb * 255) / m;
      }
      const o = (dstRow + x) * 4;
      out[o] = toByte(cr);
      out[o + 1] = toByte(cg);
      out[o + 2] = toByte(cb);
      out[o + 3] = 255;
    }
  }
  return { width: nx, height: ny, channels: 4, bitDepth: 8, pixels: out, limits: { min: min[0]!, max: min[0]! + stretch } };
}
