/**
 * HEALPix (NESTED scheme) for fitsflow: angles ⇄ pixels to order 29 (the
 * HATS `_healpix_29` index), pixel centres, neighbours, and disc covers for
 * cone searches. Runtime-neutral, no dependencies.
 * @packageDocumentation
 */
export {
  MAX_ORDER, MAX_NUMBER_ORDER, nside, npix, checkOrder, angToFaceXY, xyfToNest, nestToXYF, ang2pixNest, ang2pixNestBig, healpix29,
  ang2pixNestInto, pix2angNest, pixelVector, xyfVector, lonLatVector, vectorAngle, maxPixelRadius, neighboursNest,
  type FaceXY, type LonLat,
} from './nested.js';
export { queryDisc, queryDiscRanges, pixelMayIntersectDisc, angularDistance, type Disc } from './disc.js';
