/**
 * `fitsflow/wcs`: world coordinates — every FITS WCS (all of wcslib's
 * projections, SIP, TPV, DSS, TNX/ZPX, lookup tables, spectral and -TAB
 * axes), pixel ↔ world in batches as exact as wcslib; sky frames (ICRS, FK5,
 * FK4, Galactic); sexagesimal angles; image sections and sky cutouts that
 * carry their WCS. `hdu.wcs()` in `fitsflow` loads the same code on demand.
 * @example
 * import { open } from 'fitsflow';
 * import { skyCutout } from 'fitsflow/wcs';
 * const file = await open('https://example.org/field.fits.fz');
 * const cut = await skyCutout(await file.hdu(1), { lon: 150.1, lat: 2.2, size: { degrees: 2 / 60 } });
 * @packageDocumentation
 * @module fitsflow/wcs
 */
export { Wcs, type WcsFrame, type WcsAxis, type WcsFromHeaderOptions, type LookupDistortions } from '../wcs/wcs.js';
export { convertFrame, angularSeparation, skyFrameOf, type SkyFrame } from '../wcs/frames.js';
export { formatHours, formatDegrees, parseAngle, type SexagesimalOptions } from '../wcs/sexagesimal.js';
export { PROJECTION_CODES } from '../wcs/projections/index.js';
export { hduWcs, wcsSummary, type HduWcsOptions, type HduLookup } from '../file/hdu-wcs.js';
export {
  imageSection, skyCutout, cutoutBox, skyToPixel,
  type ImageSection, type ImageSectionOptions, type SkyCutout, type SkyCutoutOptions, type CutoutBox, type CutoutSide,
} from '../file/sky-cutout.js';
