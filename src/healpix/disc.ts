/**
 * Discs (cones) on the sky as sets of nested HEALPix pixels.
 *
 * The cover is conservative, like `healpy.query_disc(..., inclusive=True,
 * nest=True)`: every pixel that intersects the disc is in it, and some pixels
 * near the edge that do not may be too. A pixel is kept when the distance from
 * the disc's centre to the pixel's centre is at most the disc radius plus the
 * largest centre-to-corner distance of pixels at that order (HEALPix's
 * max_pixrad); pixels entirely inside are taken whole without visiting their
 * children, so the work grows with the disc's perimeter, not its area.
 */
import { FitsError } from '../core/errors.js';
import { checkOrder, lonLatVector, maxPixelRadius, MAX_NUMBER_ORDER, vectorAngle, xyfVector, nestToXYF } from './nested.js';

const DEG = Math.PI / 180;
/** Relative and absolute slack on the bounds: rounding must never drop a pixel. */
const SLACK_REL = 1e-9;
const SLACK_ABS = 1e-12;

/** A disc: centre (degrees) and radius (degrees). */
export interface Disc {
  lon: number;
  lat: number;
  radius: number;
}

function checkDisc(d: Disc): void {
  if (!(d.lat >= -90 && d.lat <= 90) || !Number.isFinite(d.lon)) throw new FitsError('BAD_ARGUMENT', `Disc centre (${d.lon}, ${d.lat}) is not a position on the sky.`);
  if (!(d.radius >= 0) || !Number.isFinite(d.radius)) throw new FitsError('BAD_ARGUMENT', `Disc radius ${d.radius} must be a finite number of degrees ≥ 0.`);
}

/** Bound on the centre-to-any-point distance of pixels at each order, with slack. */
const pixelBound: number[] = [];
function boundAt(order: number): number {
  return (pixelBound[order] ??= maxPixelRadius(order) * (1 + SLACK_REL) + SLACK_ABS);
}

/**
 * Whether the pixel (order, pix) may intersect the disc: false only when it
 * certainly does not (the test used to pick HATS partitions).
 */
export function pixelMayIntersectDisc(order: number, pix: number | bigint, disc: Disc): boolean {
  checkDisc(disc);
  const f = nestToXYF(order, pix);
  const d = vectorAngle(lonLatVector(disc.lon, disc.lat), xyfVector(order, f.x, f.y, f.face));
  return d <= disc.radius * DEG * (1 + SLACK_REL) + boundAt(order);
}

/**
 * The nested pixels at `order` (≤ 24) covering a disc, as sorted, disjoint,
 * non-adjacent half-open ranges [start, end).
 * @param maxPixels refuse (FitsError BAD_ARGUMENT) when the cover would hold more pixels.
 */
export function queryDiscRanges(order: number, disc: Disc, maxPixels = 1e8): [number, number][] {
  checkOrder(order, MAX_NUMBER_ORDER);
  checkDisc(disc);
  const centre = lonLatVector(disc.lon, disc.lat);
  const r = disc.radius * DEG * (1 + SLACK_REL);
  const out: [number, number][] = [];
  let total = 0;
  const add = (a: number, b: number) => {
    total += b - a;
    if (total > maxPixels) throw new FitsError('BAD_ARGUMENT', `The disc covers more than ${maxPixels} pixels at order ${order}; use a lower order.`);
    const last = out[out.length - 1];
    if (last && last[1] === a) last[1] = b;
    else out.push([a, b]);
  };
  // Depth-first over (order, pixel), children in ascending order, so the output is sorted.
  const visit = (o: number, pix: number): void => {
    const f = nestToXYF(o, pix);
    const d = vectorAngle(centre, xyfVector(o, f.x, f.y, f.face));
    const bound = boundAt(o);
    if (d > r + bound) return;
    if (o === order) {
      add(pix, pix + 1);
      return;
    }
    if (d + bound <= r) {
      const per = 4 ** (order - o);
      add(pix * per, (pix + 1) * per);
      return;
    }
    for (let c = 0; c < 4; c++) visit(o + 1, pix * 4 + c);
  };
  for (let face = 0; face < 12; face++) visit(0, face);
  return out;
}

/** The nested pixels at `order` covering a disc, ascending (see {@link queryDiscRanges}). */
export function queryDisc(order: number, disc: Disc, maxPixels = 1e7): number[] {
  const pixels: number[] = [];
  for (const [a, b] of queryDiscRanges(order, disc, maxPixels)) for (let p = a; p < b; p++) pixels.push(p);
  return pixels;
}

/** Angular distance in degrees between two sky positions (degrees). */
export function angularDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  return vectorAngle(lonLatVector(lon1, lat1), lonLatVector(lon2, lat2)) / DEG;
}
