/**
 * Render an image HDU (plain or tile-compressed) with memory bounded by the
 * output size, whatever the image size.
 *
 * - Output at least as large as the plane: the plane is read whole and
 *   rendered by {@link renderImage} (memory: the plane, plus the output).
 * - Smaller output, `area` resampling (the default): the plane is read in
 *   chunks of rows (whole tiles of a compressed image) and binned as it
 *   streams (memory: one chunk plus four float64 arrays of the output size).
 * - Smaller output, `nearest`/`bilinear`: the plane is read decimated by a
 *   whole step k = ⌊image/output⌋ (`readImage({ step })`, which reads only
 *   those rows of a plain image and decodes only the tiles holding them),
 *   then resampled to the exact size (memory: under 4× the output).
 *
 * At reduced resolution the interval (and histeq's curve) is computed on the
 * reduced image, as ds9 computes its zscale on a sample; at full resolution
 * on the plane, as astropy.
 */
import { FitsError } from '../core/errors.js';
import { computeLimits } from './interval.js';
import { asNumberArray, type PixelArray } from './pixels.js';
import { checkPlane, mapValues, outputSize, planeGeometry, renderImage, type RenderedImage, type RenderOptions } from './render.js';
import { AreaAccumulator } from './resample.js';
import { histEqCurve } from './stretch.js';

/** The parts of an HDU the renderer uses (fitsflow's `Hdu` has them). */
export interface RenderableHdu {
  readonly index: number;
  readonly kind: string;
  readonly shape: number[] | null;
  /** Its header (only keyword look-ups are used). */
  readonly header: {
    /** A keyword's value. */
    get(key: string): unknown;
  };
  /** Read a section of the image (C order). */
  readImage(opts: { start?: readonly number[]; shape?: readonly number[]; step?: readonly number[] }): Promise<{ data: PixelArray; shape: number[] }>;
}

/** Options of {@link renderHdu}. */
export interface RenderHduOptions extends RenderOptions {
  /** Most pixels read in one request when streaming (default 4 Mi). */
  chunkPixels?: number;
}

/**
 * Render plane `opts.plane` (default 0) of an image HDU.
 * @example
 * const file = await open('big.fits.fz');
 * const pic = await renderHdu(await file.hdu(1), { width: 1024, interval: { type: 'zscale' } });
 */
export async function renderHdu(hdu: RenderableHdu, opts: RenderHduOptions = {}): Promise<RenderedImage> {
  if (hdu.kind !== 'image' && hdu.kind !== 'compressed-image') {
    throw new FitsError('BAD_ARGUMENT', `HDU ${hdu.index} is a ${hdu.kind}, not an image: choose an image HDU.`, { hdu: hdu.index });
  }
  const shape = hdu.shape;
  if (!shape || shape.length === 0 || shape.some((d) => d === 0)) {
    throw new FitsError('BAD_ARGUMENT', `HDU ${hdu.index} has no pixels to render (shape ${JSON.stringify(shape ?? [])}): choose another HDU.`, { hdu: hdu.index });
  }
  const { ny, nx, planes } = planeGeometry(shape);
  const plane = checkPlane(opts.plane, planes, shape);
  const { width, height } = outputSize(nx, ny, opts);
  const lead = unravel(plane, shape.slice(0, -2));
  const sectionOf = (r0: number, rows: number, step = 1, c0 = 0, cols = nx) => {
    if (shape.length === 1) return { start: [c0], shape: [cols], step: [step] };
    return {
      start: [...lead, r0, c0],
      shape: [...lead.map(() => 1), rows, cols],
      step: [...lead.map(() => 1), step, step],
    };
  };
  const rest: RenderOptions = { ...opts, plane: 0, width, height };
  if (width >= nx && height >= ny) {
    const { data } = await hdu.readImage(sectionOf(0, ny));
    return renderImage(data, [ny, nx], rest);
  }
  const method = opts.resample ?? 'area';
  if (method === 'area') {
    const chunk = opts.chunkPixels ?? 1 << 22;
    if (!Number.isInteger(chunk) || chunk < 1) throw new FitsError('BAD_ARGUMENT', 'chunkPixels must be a positive integer.');
    let rows = Math.max(1, Math.floor(chunk / nx));
    const tileRows = hdu.kind === 'compressed-image' && shape.length >= 2 ? Number(hdu.header.get('ZTILE2') ?? 1) : 1;
    // Whole tiles per request, so no tile is decoded twice.
    if (Number.isInteger(tileRows) && tileRows > 1) rows = Math.max(tileRows, Math.floor(rows / tileRows) * tileRows);
    const acc = new AreaAccumulator(nx, ny, width, height);
    for (let r0 = 0; r0 < ny; r0 += rows) {
      const n = Math.min(rows, ny - r0);
      const { data } = await hdu.readImage(sectionOf(r0, n));
      acc.addRows(r0, asNumberArray(data), n);
    }
    const binned = acc.result();
    const limits = opts.limits ?? computeLimits(binned, opts.interval ?? { type: 'minmax' });
    const histEq = opts.stretch?.type === 'histeq' ? histEqCurve(binned) : undefined;
    return mapValues(binned, width, height, limits, { ...opts, histEq });
  }
  // nearest / bilinear: decimate by a whole step at read time, then resample exactly.
  const k = Math.max(1, Math.min(Math.floor(nx / width), Math.floor(ny / height)));
  const o = Math.floor((k - 1) / 2); // sample the middle of each k×k block
  const dny = shape.length === 1 ? 1 : Math.floor((ny - 1 - o) / k) + 1;
  const dnx = Math.floor((nx - 1 - o) / k) + 1;
  const { data } = await hdu.readImage(sectionOf(shape.length === 1 ? 0 : o, dny, k, o, dnx));
  return renderImage(data, [dny, dnx], { ...rest, resample: method });
}

/** C-order indices of plane `p` over the leading axes `dims`. */
function unravel(p: number, dims: readonly number[]): number[] {
  const out = new Array<number>(dims.length).fill(0);
  for (let i = dims.length - 1; i >= 0; i--) {
    out[i] = p % dims[i]!;
    p = Math.floor(p / dims[i]!);
  }
  return out;
}
