/**
 * Image sections that carry their WCS, and sky cutouts like astropy's
 * Cutout2D (mode 'trim'): a centre on the sky and a size in angle (or
 * pixels) → the pixel box, read through hdu.readImage({ start, shape }) so
 * only the rows (or, for tile-compressed images, the tiles) that hold the box
 * are read — locally or remotely. The section's WCS has CRPIX shifted and the
 * distortion reference points kept, and its header cards (the source's
 * keywords, every WCS representation shifted, lookup-table extensions) are
 * ready for the writer, so a written cutout reads in astropy to the same sky.
 */
import { FitsError } from '../core/errors.js';
import type { Card, Header } from '../header/header.js';
import type { CardInput } from '../header/format.js';
import type { Hdu } from './hdu.js';
import { convertFrame, skyFrameOf, type SkyFrame } from '../wcs/frames.js';
import { isWcsKeyword, wcsKeysOf } from '../wcs/keywords.js';
import { isSipKeyword } from '../wcs/sip.js';
import { lookupCards, type LookupExtension } from '../wcs/to-header.js';
import { hduWcs, type HduLookup } from './hdu-wcs.js';
import type { Wcs } from '../wcs/wcs.js';

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
  /** The HDUs of the file, for lookup-table distortions (default: the HDU's own file). */
  file?: HduLookup;
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

/** Options of {@link imageSection}. */
export interface ImageSectionOptions {
  /** 0-based start, C order (as readImage). */
  start: readonly number[];
  /** Shape, C order (as readImage). */
  shape: readonly number[];
  /** WCS key of the primary representation (default ' '). */
  key?: string;
  /** The HDUs of the file, for lookup-table distortions (default: the HDU's own file). */
  file?: HduLookup;
}

/** A section of an image with its WCS and the header to write it with. */
export interface ImageSection extends ImageData {
  /** The section's WCS (0-based pixels of the section), or null when the image has none. */
  wcs: Wcs | null;
  /**
   * Cards for the writer (`writer.addImage(s.data, { shape: s.shape, header: s.header })`):
   * the source's keywords (structure and old WCS left out), every WCS
   * representation shifted to the section, lookup-table records, a HISTORY line.
   */
  header: CardInput[];
  /** Lookup-table extensions (WCSDVARR, D2IMARR) to write after the image, each with `addImage(e.data, { shape: e.shape, extname: e.extname, header: e.header })`. */
  extensions: LookupExtension[];
}

/** A sky cutout: an image section, where it lies, and the image's WCS. */
export interface SkyCutout extends ImageSection {
  box: CutoutBox;
  /** The cutout's WCS (0-based pixels of the cutout). */
  wcs: Wcs;
  /** The image's WCS. */
  original: Wcs;
}

/** Keywords the writer makes, or that describe the old pixels (structure, compression, WCS, distortions). */
const STRUCTURAL = /^(SIMPLE|BITPIX|NAXIS[0-9]*|EXTEND|XTENSION|PCOUNT|GCOUNT|BSCALE|BZERO|BLANK|CHECKSUM|DATASUM|EXTNAME|EXTVER|EXTLEVEL|INHERIT|END|TFIELDS|THEAP|Z[A-Z0-9_]*|WCSAXES[A-Z]?|CPDIS[0-9]+|D2IMDIS[0-9]+|DP[0-9]+|D2IM[0-9]+|CPERR[0-9]+|D2IMERR[0-9]+|AXISCORR|[AB]P?_ORDER|[AB]_DMAX)$/;

/** The source header's cards to carry over (everything but structure and WCS, which is rewritten). */
function keptCards(header: Header): CardInput[] {
  const out: CardInput[] = [];
  for (const c of header.cards as readonly Card[]) {
    if (c.invalid || c.hierarch) continue;
    if (c.commentary) {
      if (c.keyword === 'COMMENT' || c.keyword === 'HISTORY') out.push({ keyword: c.keyword, comment: c.comment, commentary: true });
      continue;
    }
    if (STRUCTURAL.test(c.keyword) || isWcsKeyword(c.keyword) || isSipKeyword(c.keyword)) continue;
    const v = c.value;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
      out.push({ keyword: c.keyword, value: v, comment: c.comment, isReal: c.isReal });
    }
  }
  return out;
}

/**
 * A section of an image HDU (plain or tile-compressed, local or remote) with
 * its WCS and the header to write it with; reads only the rows or tiles the
 * section needs.
 */
export async function imageSection(hdu: Hdu, opts: ImageSectionOptions): Promise<ImageSection> {
  if (hdu.kind !== 'image' && hdu.kind !== 'compressed-image') {
    throw new FitsError('BAD_ARGUMENT', `HDU ${hdu.index} is a ${hdu.kind}, not an image.`, { hdu: hdu.index });
  }
  const key = opts.key ?? ' ';
  const file = opts.file ?? hdu.siblings;
  const img = await hdu.readImage({ start: opts.start, shape: opts.shape });
  // FITS axis order: the first offset is along NAXIS1 (the last C axis).
  const offset = [...opts.start].reverse();
  const source = hdu.kind === 'compressed-image' ? hdu.imageHeader : hdu.header;
  const original = await hduWcs(hdu, { key, file });
  const header = keptCards(source);
  let wcs: Wcs | null = null;
  let extensions: LookupExtension[] = [];
  if (original) {
    wcs = original.section(offset);
    header.push(...wcs.toHeader());
    // Alternate representations move with the pixels too.
    for (const k of wcsKeysOf(source)) {
      if (k === ' ' || k === key) continue;
      try {
        const alt = await hduWcs(hdu, { key: k, file });
        if (alt) header.push(...alt.section(offset).toHeader().filter((c) => !/^(MJD-OBS|DATE-OBS|[AB]P?_)/.test(c.keyword)));
      } catch {
        // An invalid alternate is left out of the section, as astropy would refuse it.
      }
    }
    const lookups = lookupCards(wcs.cpdis, wcs.det2im);
    header.push(...lookups.cards);
    extensions = lookups.extensions;
  }
  const range = offset.map((o, i) => `${['x', 'y', 'z'][i] ?? `axis ${i + 1}`} ${o}..${o + opts.shape[opts.shape.length - 1 - i]! - 1}`).join(', ');
  header.push({ keyword: 'HISTORY', comment: `fitsflow section of HDU ${hdu.index}: ${range} (0-based)`, commentary: true });
  return { ...img, wcs, header, extensions };
}

/**
 * Cut a sky region out of a 2-D image HDU (plain or tile-compressed, local or
 * remote), reading only the rows or tiles the box needs.
 * @example
 * const cut = await skyCutout(hdu, { lon: 150.1, lat: 2.2, size: { degrees: 2 / 60 } });
 * await writer.addImage(cut.data, { shape: cut.shape, header: cut.header });
 */
export async function skyCutout(hdu: Hdu, opts: SkyCutoutOptions): Promise<SkyCutout> {
  if (hdu.kind !== 'image' && hdu.kind !== 'compressed-image') {
    throw new FitsError('BAD_ARGUMENT', `HDU ${hdu.index} is a ${hdu.kind}, not an image.`, { hdu: hdu.index });
  }
  const shape = hdu.shape;
  if (!shape || shape.length !== 2) throw new FitsError('BAD_ARGUMENT', `HDU ${hdu.index} is not a 2-D image; a sky cutout needs one.`, { hdu: hdu.index });
  const file = opts.file ?? hdu.siblings;
  const wcs = await hduWcs(hdu, { key: opts.key, file });
  if (!wcs) throw new FitsError('BAD_ARGUMENT', `HDU ${hdu.index} has no WCS, so it cannot be cut by sky position.`, { hdu: hdu.index });
  const box = cutoutBox(wcs, [shape[0]!, shape[1]!], opts);
  const section = await imageSection(hdu, { start: box.start, shape: box.shape, key: opts.key, file });
  return { ...section, box, wcs: section.wcs!, original: wcs };
}
