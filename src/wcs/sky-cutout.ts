/**
 * Sky cutouts like astropy's Cutout2D (mode 'trim'): a centre on the sky and
 * a size in angle (or pixels) → the pixel box, read through
 * hdu.readImage({ start, shape }) so only the rows (or, for tile-compressed
 * images, the tiles) that hold the box are read — locally or remotely — and
 * the WCS of the cutout (CRPIX shifted, distortion references kept).
 */
import { FitsError } from '../errors.js';
import type { FitsFile } from '../fits-file.js';
import type { Hdu } from '../hdu/hdu.js';
import { convertFrame, skyFrameOf, type SkyFrame } from './frames.js';
import { hduWcs } from './hdu-wcs.js';
import type { Wcs } from './wcs.js';

/** A cutout size along one axis: an angle in degrees, or pixels. */
export type CutoutSide = { degrees: number } | { pixels: number };

/** Options for {@link skyCutout} and {@link cutoutBox}. */
export interface SkyCutoutOptions {
  /** Centre longitude (e.g. RA) and latitude in degrees, in `frame`. */
  lon: number;
  lat: number;
  /** The frame of lon/lat (default ICRS, as SkyCoord's default). */
  frame?: SkyFrame;
  /** Size: one side for a square, or [ny, nx] (astropy's order). */
  size: CutoutSide | readonly [CutoutSide, CutoutSide];
  /** WCS key (default ' '). */
  key?: string;
  /** The file (needed when the WCS has lookup-table distortions). */
  file?: FitsFile;
}

/** Where a cutout lies in the image. */
export interface CutoutBox {
  /** 0-based start, C order [y0, x0]. */
  start: [number, number];
  /** Shape, C order [ny, nx] (trimmed to the image). */
  shape: [number, number];
  /** The requested centre in 0-based pixels (x, y). */
  position: [number, number];
}

/** numpy's round (half to even). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The pixel position of a sky position in the WCS's own frame (SkyCoord → skycoord_to_pixel, mode 'all'). */
export function skyToPixel(wcs: Wcs, lon: number, lat: number, frame: SkyFrame = { system: 'icrs' }): [number, number] {
  const [lng, latAxis] = wcs.celestialAxes;
  if (lng < 0 || wcs.naxis !== 2) throw new FitsError('BAD_ARGUMENT', 'A sky cutout needs a 2-D image with a celestial WCS.');
  const wf = wcs.frame!;
  const target = skyFrameOf(wf.system, wf.equinox);
  let l = lon;
  let b = lat;
  if (!target) {
    if (frame.system !== wf.system) {
      throw new FitsError('UNSUPPORTED', `The image's celestial frame (${wf.system}) cannot be converted from ${frame.system}; give the position in ${wf.system}.`);
    }
  } else {
    const [cl, cb] = convertFrame([lon], [lat], frame, target);
    l = cl[0]!;
    b = cb[0]!;
  }
  const world: number[][] = [[], []];
  world[lng] = [l];
  world[latAxis] = [b];
  const p = wcs.worldToPixel(world);
  const x = p[0]![0]!;
  const y = p[1]![0]!;
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    throw new FitsError('BAD_ARGUMENT', `The position (${lon}, ${lat}) has no pixel position in this image's projection.`);
  }
  return [x, y];
}

/**
 * The box astropy's Cutout2D (mode 'trim') cuts for a centre and size in an
 * image of `imageShape` ([ny, nx]). Throws when the box misses the image.
 */
export function cutoutBox(wcs: Wcs, imageShape: readonly [number, number], opts: SkyCutoutOptions): CutoutBox {
  const [x, y] = skyToPixel(wcs, opts.lon, opts.lat, opts.frame);
  const sides: readonly [CutoutSide, CutoutSide] = Array.isArray(opts.size) ? (opts.size as [CutoutSide, CutoutSide]) : [opts.size as CutoutSide, opts.size as CutoutSide];
  const scales = wcs.pixelScales();
  const shape: [number, number] = [0, 0];
  for (let axis = 0; axis < 2; axis++) {
    const side = sides[axis]!;
    // As Cutout2D: size[0] (ny) is divided by the scale of WCS axis 1, size[1] by axis 2.
    const v = 'pixels' in side ? roundHalfEven(side.pixels) : roundHalfEven(side.degrees / scales[axis]!);
    if (!(v >= 1)) throw new FitsError('BAD_ARGUMENT', 'The cutout size is smaller than one pixel.');
    if (v > 1e7) throw new FitsError('BAD_ARGUMENT', `The cutout would be ${v} pixels wide; give a smaller size.`);
    shape[axis] = v;
  }
  const pos = [y, x];
  const start: [number, number] = [0, 0];
  const out: [number, number] = [0, 0];
  for (let k = 0; k < 2; k++) {
    const lo = Math.ceil(pos[k]! - shape[k]! / 2.0);
    const hi = Math.ceil(pos[k]! + shape[k]! / 2.0);
    if (hi < 0 || lo >= imageShape[k]!) throw new FitsError('BAD_ARGUMENT', 'The cutout does not overlap the image.');
    start[k] = Math.max(0, lo);
    out[k] = Math.min(imageShape[k]!, hi) - start[k];
    if (out[k] <= 0) throw new FitsError('BAD_ARGUMENT', 'The cutout does not overlap the image.');
  }
  return { start, shape: out, position: [x, y] };
}

/** The image data readImage returns. */
type ImageData = Awaited<ReturnType<Hdu['readImage']>>;

/** A cutout: pixels, where they came from, and their WCS. */
export interface SkyCutout extends ImageData {
  box: CutoutBox;
  /** The cutout's WCS (0-based pixels of the cutout). */
  wcs: Wcs;
  /** The image's WCS. */
  original: Wcs;
}

/**
 * Cut a sky region out of a 2-D image HDU (plain or tile-compressed, local or
 * remote), reading only the rows or tiles the box needs.
 */
export async function skyCutout(hdu: Hdu, opts: SkyCutoutOptions): Promise<SkyCutout> {
  if (hdu.kind !== 'image' && hdu.kind !== 'compressed-image') {
    throw new FitsError('BAD_ARGUMENT', `HDU ${hdu.index} is a ${hdu.kind}, not an image.`, { hdu: hdu.index });
  }
  const shape = hdu.shape;
  if (!shape || shape.length !== 2) throw new FitsError('BAD_ARGUMENT', `HDU ${hdu.index} is not a 2-D image; a sky cutout needs one.`, { hdu: hdu.index });
  const wcs = await hduWcs(hdu, { key: opts.key, file: opts.file });
  if (!wcs) throw new FitsError('BAD_ARGUMENT', `HDU ${hdu.index} has no WCS, so it cannot be cut by sky position.`, { hdu: hdu.index });
  const box = cutoutBox(wcs, [shape[0]!, shape[1]!], opts);
  const img = await hdu.readImage({ start: box.start, shape: box.shape });
  return { ...img, box, wcs: wcs.section([box.start[1], box.start[0]]), original: wcs };
}
