/**
 * The public World Coordinate System object: wcslib's transformation plus the
 * distortions astropy applies around it (D2IM, SIP, CPDIS lookup tables), in
 * astropy's all_pix2world / all_world2pix order. Pixel coordinates are 0-based
 * (astropy origin=0) and in FITS axis order; world coordinates are in the
 * units wcslib reports (degrees for celestial axes, SI for spectral axes).
 */
import { FitsError } from '../core/errors.js';
import type { Header } from '../header/header.js';
import { readWcsKeywords, WcsKeywordError, type WcsKeywords, emptyKeywords } from './keywords.js';
import type { LookupTable } from './lookup-table.js';
import { type Sip, SipError, isSipKeyword, readSip } from './sip.js';
import { UNDEFINED } from './trig.js';
import { WcsCore, WcsSetupError } from './wcs-core.js';
import { translateUnitAliases } from './units.js';
import { DistortionParameterError } from './polynomial-distortion.js';
import type { TabularArray } from './tabular.js';
import { wcsHeaderCards, type WcsCard } from './to-header.js';

/** Lookup-table distortions (each entry for image axis 1 and 2, or null). */
export interface LookupDistortions {
  /** CPDISj = 'LOOKUP' tables (WCSDVARR), applied with SIP. */
  cpdis?: readonly [LookupTable | null, LookupTable | null];
  /** D2IMDISj tables (D2IMARR), applied first. */
  det2im?: readonly [LookupTable | null, LookupTable | null];
}

/** Options for {@link Wcs.fromHeader}. */
export interface WcsFromHeaderOptions {
  /** ' ' (default) for the primary representation, or 'A'…'Z'. */
  key?: string;
  /** Lookup tables read from the file (see hduWcs). */
  distortions?: LookupDistortions;
  /** Keywords to ignore (those consumed by lookup-table distortions). */
  skipKeyword?: (keyword: string) => boolean;
  /** HDU index, for error messages. */
  hdu?: number;
  /** -TAB arrays read from the file (see hduWcs), keyed by tabularKey. */
  tabArrays?: ReadonlyMap<string, TabularArray>;
}

/** A celestial reference frame as the WCS declares it. */
export interface WcsFrame {
  /** 'icrs' | 'fk5' | 'fk4' | 'fk4-no-e' | 'galactic' | 'ecliptic' | 'supergalactic' | 'helioecliptic' | 'gappt' | other lower-case code. */
  system: string;
  /** Equinox (Julian for FK5, Besselian for FK4) or undefined. */
  equinox?: number;
}

/** Per-axis description. */
export interface WcsAxis {
  ctype: string;
  cunit: string;
  /** 'celestial-longitude' | 'celestial-latitude' | 'spectral' | 'stokes' | 'time' | 'cubeface' | 'linear'. */
  kind: string;
}

const BAD_WCS = 'BAD_WCS' as const;

/** Convert the errors of the layers below into one FitsError naming the keyword. */
function wcsError(e: unknown, hdu?: number, key = ' '): FitsError {
  const alt = key === ' ' ? '' : ` (WCS key ${key})`;
  if (e instanceof FitsError) return e;
  if (e instanceof WcsKeywordError) return new FitsError(BAD_WCS, `${e.message}${alt}`, { hdu, card: e.cardIndex + 1 });
  if (e instanceof WcsSetupError) {
    const kw = e.keyword ? ` [${e.keyword}]` : '';
    return new FitsError(BAD_WCS, `Invalid WCS${kw}: ${e.message}${alt}.`.replace(/\.\.$/, '.'), { hdu });
  }
  if (e instanceof SipError) return new FitsError(BAD_WCS, `Invalid SIP distortion [${e.keyword}]: ${e.message}.`, { hdu });
  if (e instanceof DistortionParameterError) return new FitsError(BAD_WCS, `Invalid WCS distortion: ${e.message}.`, { hdu });
  return new FitsError(BAD_WCS, `Invalid WCS: ${(e as Error).message ?? String(e)}`, { hdu, cause: e });
}

/**
 * A world coordinate system read from a header: pixel ↔ world in batches (`pixelToWorld`, `worldToPixel`), as wcslib and astropy compute them.
 * Get one with `await hdu.wcs()` or {@link Wcs.fromHeader}.
 */
export class Wcs {
  /** The wcslib-level transformation. */
  readonly core: WcsCore;
  readonly sip: Sip | null;
  readonly cpdis: readonly [LookupTable | null, LookupTable | null];
  readonly det2im: readonly [LookupTable | null, LookupTable | null];
  /** The keywords the WCS was built from (after astropy's fixes). */
  readonly keywords: WcsKeywords;
  /** MJD-OBS (or undefined). */
  readonly mjdObs: number | undefined;
  /** DATE-OBS ('' when absent). */
  readonly dateObs: string;
  /** WCSNAMEa ('' when absent). */
  readonly name: string;
  /** The -TAB arrays the WCS was built with (kept for sections). */
  private readonly tabArrays: ReadonlyMap<string, TabularArray> | undefined;

  private constructor(kw: WcsKeywords, sip: Sip | null, distortions: LookupDistortions, tabArrays?: ReadonlyMap<string, TabularArray>) {
    this.keywords = kw;
    this.tabArrays = tabArrays;
    this.core = new WcsCore(kw, tabArrays);
    this.sip = sip;
    this.cpdis = distortions.cpdis ?? [null, null];
    this.det2im = distortions.det2im ?? [null, null];
    this.mjdObs = kw.mjdobs === UNDEFINED ? undefined : kw.mjdobs;
    this.dateObs = kw.dateobs;
    this.name = kw.wcsname.replace(/ +$/, '');
    if ((sip || this.hasLookup) && this.core.naxis !== 2) {
      throw new WcsSetupError(
        `SIP and lookup-table distortions only work in 2 dimensions, but the core WCS has ${this.core.naxis} axes`,
        'WCSAXES',
      );
    }
  }

  /**
   * Build the WCS of a header. Returns null when the header has no WCS keywords
   * for the key; throws a FitsError (code BAD_WCS) naming the keyword when the
   * WCS is invalid — where astropy.wcs raises.
   */
  static fromHeader(header: Header, opts: WcsFromHeaderOptions = {}): Wcs | null {
    const key = normaliseKey(opts.key);
    try {
      const sip = readSip(header, key);
      const skip = (kw: string): boolean => isSipKeyword(kw) || (opts.skipKeyword?.(kw) ?? false);
      const kw = readWcsKeywords(header, key, { skip });
      if (!kw) {
        if (!sip && !opts.distortions?.cpdis && !opts.distortions?.det2im) return null;
        // Distortions without core keywords: astropy uses a default (identity) core.
        return new Wcs(applyFixes(emptyKeywords(key, 2)), sip, opts.distortions ?? {});
      }
      return new Wcs(applyFixes(kw, sip !== null), sip, opts.distortions ?? {}, opts.tabArrays);
    } catch (e) {
      throw wcsError(e, opts.hdu, key);
    }
  }

  /** A linear WCS with defaults on `naxis` axes (what astropy builds for a header without WCS keywords). */
  static defaultLinear(naxis: number): Wcs {
    return new Wcs(emptyKeywords(' ', naxis), null, {});
  }

  /** Build from explicit keywords (no SIP or lookup tables unless given). */
  static fromKeywords(kw: WcsKeywords, sip: Sip | null = null, distortions: LookupDistortions = {}): Wcs {
    try {
      return new Wcs(applyFixes(kw, sip !== null), sip, distortions);
    } catch (e) {
      throw wcsError(e, undefined, kw.key);
    }
  }

  /** Number of WCS axes. */
  get naxis(): number {
    return this.core.naxis;
  }

  /** ' ' or 'A'…'Z'. */
  get key(): string {
    return this.core.key;
  }

  /** True when SIP or lookup-table distortions apply (world → pixel then iterates). */
  get hasDistortion(): boolean {
    return this.sip !== null || this.hasLookup;
  }

  private get hasLookup(): boolean {
    return this.cpdis[0] !== null || this.cpdis[1] !== null || this.det2im[0] !== null || this.det2im[1] !== null;
  }

  /** Celestial longitude and latitude axis indices (0-based), or -1. */
  get celestialAxes(): [number, number] {
    return this.core.cel ? [this.core.lng, this.core.lat] : [-1, -1];
  }

  /** The spectral axis (0-based) or -1. */
  get spectralAxis(): number {
    return this.core.spec;
  }

  /** The projection code (e.g. 'TAN'), '' without celestial axes. */
  get projection(): string {
    return this.core.projection;
  }

  /** Axis descriptions. */
  get axes(): WcsAxis[] {
    const c = this.core;
    return c.ctype.map((ctype, i) => {
      const t = c.types[i]!;
      let kind = 'linear';
      if (t === 1100) kind = 'stokes';
      else if (t === 2102) kind = 'cubeface';
      else if (Math.trunc(t / 1000) === 2) kind = i === c.lng || t % 10 === 0 ? 'celestial-longitude' : 'celestial-latitude';
      else if (Math.trunc(t / 1000) === 3) kind = 'spectral';
      else if (Math.trunc(t / 1000) === 4) kind = 'time';
      return { ctype, cunit: c.cunit[i]!, kind };
    });
  }

  /** The celestial frame, or null without celestial axes. */
  get frame(): WcsFrame | null {
    const c = this.core;
    if (c.lng < 0) return null;
    const t = c.lngtyp;
    if (t === 'RA') {
      const sys = (c.radesys || 'ICRS').toLowerCase();
      return c.equinox === UNDEFINED ? { system: sys } : { system: sys, equinox: c.equinox };
    }
    const map: Record<string, string> = { GLON: 'galactic', ELON: 'ecliptic', SLON: 'supergalactic', HLON: 'helioecliptic' };
    const system = map[t] ?? t.toLowerCase();
    return c.equinox === UNDEFINED ? { system } : { system, equinox: c.equinox };
  }

  /**
   * Pixel → world for every point, with all distortions (astropy's
   * all_pix2world with origin=0). `pixels[i]` holds axis i+1 of every point.
   */
  pixelToWorld(pixels: readonly ArrayLike<number>[]): Float64Array[] {
    const n = this.checkInput(pixels, 'pixelToWorld');
    const world = this.alloc(n);
    const input = this.hasDistortion ? this.pixelToFocal(pixels, n) : pixels;
    applyNaN(world, this.coreP2s(n, input, world), n);
    return world;
  }

  /**
   * World → pixel for every point (astropy's all_world2pix with origin=0):
   * exact through wcslib, then SIP/lookup distortions inverted iteratively to
   * 1e-10 pixel. NaN where a point has no pixel position.
   */
  worldToPixel(world: readonly ArrayLike<number>[]): Float64Array[] {
    const n = this.checkInput(world, 'worldToPixel');
    const pix0 = this.worldToFocal(world, n);
    if (!this.hasDistortion) return pix0;
    return this.invertDistortions(pix0, n);
  }

  /** wcsp2s on 0-based pixels; a setup error found only now (as wcslib does, e.g. a -LOG axis with CRVAL ≤ 0) is a FitsError. */
  private coreP2s(n: number, pix: readonly ArrayLike<number>[], world: Float64Array[]): ReturnType<WcsCore['p2s']> {
    try {
      return this.core.p2s(n, pix, world, 0);
    } catch (e) {
      throw wcsError(e, undefined, this.core.key);
    }
  }

  /** wcss2p to 0-based pixels, with setup errors as FitsErrors. */
  private coreS2p(n: number, world: readonly ArrayLike<number>[], pix: Float64Array[]): ReturnType<WcsCore['s2p']> {
    try {
      return this.core.s2p(n, world, pix, 0);
    } catch (e) {
      throw wcsError(e, undefined, this.core.key);
    }
  }

  /** Pixel → world for one point. */
  pixelToWorldScalar(...pixel: number[]): number[] {
    return this.pixelToWorld(pixel.map((v) => [v])).map((a) => a[0]!);
  }

  /** World → pixel for one point. */
  worldToPixelScalar(...world: number[]): number[] {
    return this.worldToPixel(world.map((v) => [v])).map((a) => a[0]!);
  }

  private alloc(n: number): Float64Array[] {
    const out: Float64Array[] = [];
    for (let i = 0; i < this.naxis; i++) out.push(new Float64Array(n));
    return out;
  }

  /** The distortions shifted once for 0-based pixels (astropy applies them to 1-based ones). */
  private get zeroBased(): { sip: Sip | null; cpdis: (LookupTable | null)[]; det2im: (LookupTable | null)[] } {
    if (!this.zb) {
      const one: [number, number] = [1, 1];
      this.zb = {
        sip: this.sip ? this.sip.withCrpix([this.sip.crpix[0] - 1, this.sip.crpix[1] - 1]) : null,
        cpdis: this.cpdis.map((t) => (t ? t.shifted(one) : null)),
        det2im: this.det2im.map((t) => (t ? t.shifted(one) : null)),
      };
    }
    return this.zb;
  }
  private zb: { sip: Sip | null; cpdis: (LookupTable | null)[]; det2im: (LookupTable | null)[] } | null = null;

  /** Pixel → focal plane (0-based): D2IM, SIP and CPDIS, as astropy's pix2foc. */
  pixelToFocal(pixels: readonly ArrayLike<number>[], n = pixels[0]?.length ?? 0): Float64Array[] {
    const out = this.alloc(n);
    for (let i = 0; i < this.naxis; i++) {
      const a = out[i]!;
      const src = pixels[i]!;
      for (let k = 0; k < n; k++) a[k] = src[k]!;
    }
    if (this.hasDistortion) this.applyPix2Foc(out[0]!, out[1]!, n);
    return out;
  }

  /** astropy pipeline_pix2foc on 0-based coordinates, in place. */
  private applyPix2Foc(x: Float64Array, y: Float64Array, n: number): void {
    const { sip, cpdis, det2im } = this.zeroBased;
    const [t0, t1] = det2im;
    if (t0 || t1) {
      for (let k = 0; k < n; k++) {
        const dx = t0 ? t0.offset(x[k]!, y[k]!) : 0;
        const dy = t1 ? t1.offset(x[k]!, y[k]!) : 0;
        x[k] = x[k]! + dx;
        y[k] = y[k]! + dy;
      }
    }
    const [c0, c1] = cpdis;
    if (!sip && !c0 && !c1) return;
    // SIP and CPDIS deltas are both evaluated at the (D2IM-corrected) input.
    const inX = c0 || c1 ? Float64Array.from(x.subarray(0, n)) : x;
    const inY = c0 || c1 ? Float64Array.from(y.subarray(0, n)) : y;
    if (sip) sip.addForward(n, inX, inY, x, y);
    if (c0 || c1) {
      for (let k = 0; k < n; k++) {
        if (c0) x[k] = x[k]! + c0.offset(inX[k]!, inY[k]!);
        if (c1) y[k] = y[k]! + c1.offset(inX[k]!, inY[k]!);
      }
    }
  }

  /** Focal plane (0-based) → world through wcslib, NaN where undefined. */
  focalToWorld(foc: readonly ArrayLike<number>[], n = foc[0]?.length ?? 0): Float64Array[] {
    const world = this.alloc(n);
    applyNaN(world, this.coreP2s(n, foc, world), n);
    return world;
  }

  /** World → focal plane (0-based) through wcslib only (astropy's wcs_world2pix). */
  worldToFocal(world: readonly ArrayLike<number>[], n = world[0]?.length ?? 0): Float64Array[] {
    const pix = this.alloc(n);
    applyNaN(pix, this.coreS2p(n, world, pix), n);
    return pix;
  }

  /**
   * Solve pixelToFocal(p) = foc for p: astropy's fixed-point iteration
   * p ← p − (pix2foc(p) − foc), with Newton steps for points where it stalls,
   * to 1e-10 pixel. Points that do not converge get NaN (astropy raises).
   */
  private invertDistortions(foc: Float64Array[], n: number): Float64Array[] {
    const fx = foc[0]!;
    const fy = foc[1]!;
    const px = Float64Array.from(fx);
    const py = Float64Array.from(fy);
    // With an inverse SIP polynomial (AP, BP), start from it: a step or two then suffice.
    const zsip = this.zeroBased.sip;
    if (zsip && zsip.ap && zsip.bp && !this.hasLookup) zsip.addInverse(n, fx, fy, px, py);
    const tol2 = 1e-20;
    const maxiter = 60;
    const idx = new Int32Array(n);
    let m = 0;
    for (let k = 0; k < n; k++) if (Number.isFinite(fx[k]!) && Number.isFinite(fy[k]!)) idx[m++] = k;
    const prev = new Float64Array(n).fill(Infinity);
    const newton = new Uint8Array(n);
    const ax = new Float64Array(m);
    const ay = new Float64Array(m);
    // Newton candidates: point index and residual at the current position.
    const nk = new Int32Array(m);
    const nrx = new Float64Array(m);
    const nry = new Float64Array(m);
    for (let iter = 0; iter < maxiter && m > 0; iter++) {
      for (let j = 0; j < m; j++) {
        ax[j] = px[idx[j]!]!;
        ay[j] = py[idx[j]!]!;
      }
      this.applyPix2Foc(ax, ay, m);
      let kept = 0;
      let nn = 0;
      for (let j = 0; j < m; j++) {
        const k = idx[j]!;
        const dx = ax[j]! - fx[k]!;
        const dy = ay[j]! - fy[k]!;
        const dn = dx * dx + dy * dy;
        if (!(dn >= tol2)) {
          if (!(dn < tol2)) {
            px[k] = NaN;
            py[k] = NaN;
          }
          continue;
        }
        if (dn >= prev[k]! || newton[k]) {
          newton[k] = 1;
          nk[nn] = k;
          nrx[nn] = dx;
          nry[nn] = dy;
          nn++;
        } else {
          px[k] = px[k]! - dx;
          py[k] = py[k]! - dy;
        }
        prev[k] = dn;
        idx[kept++] = k;
      }
      if (nn) this.newtonSteps(nn, nk, nrx, nry, px, py, fx, fy);
      m = kept;
    }
    // Points still moving after maxiter did not converge: astropy raises; we give NaN.
    for (let j = 0; j < m; j++) {
      px[idx[j]!] = NaN;
      py[idx[j]!] = NaN;
    }
    return [px, py];
  }

  /**
   * One Newton step (finite-difference Jacobian of pix2foc) for `count`
   * points whose pix2foc is off the target by (rx, ry).
   */
  private newtonSteps(count: number, ks: Int32Array, rx: Float64Array, ry: Float64Array, px: Float64Array, py: Float64Array, fx: Float64Array, fy: Float64Array): void {
    const h = 1e-4;
    const xs = new Float64Array(2 * count);
    const ys = new Float64Array(2 * count);
    for (let j = 0; j < count; j++) {
      const k = ks[j]!;
      xs[2 * j] = px[k]! + h;
      ys[2 * j] = py[k]!;
      xs[2 * j + 1] = px[k]!;
      ys[2 * j + 1] = py[k]! + h;
    }
    this.applyPix2Foc(xs, ys, 2 * count);
    for (let j = 0; j < count; j++) {
      const k = ks[j]!;
      // pix2foc at the current position is the target plus the residual.
      const bx = fx[k]! + rx[j]!;
      const by = fy[k]! + ry[j]!;
      const a11 = (xs[2 * j]! - bx) / h;
      const a21 = (ys[2 * j]! - by) / h;
      const a12 = (xs[2 * j + 1]! - bx) / h;
      const a22 = (ys[2 * j + 1]! - by) / h;
      const det = a11 * a22 - a12 * a21;
      if (det === 0 || !Number.isFinite(det)) {
        px[k] = px[k]! - rx[j]!;
        py[k] = py[k]! - ry[j]!;
        continue;
      }
      px[k] = px[k]! - (a22 * rx[j]! - a12 * ry[j]!) / det;
      py[k] = py[k]! - (-a21 * rx[j]! + a11 * ry[j]!) / det;
    }
  }

  /**
   * Header cards describing this WCS (the keywords it was read from, in their
   * original form, plus SIP), to write with an image. Lookup-table distortions
   * need their own extensions (see writeCutout).
   */
  toHeader(): WcsCard[] {
    return wcsHeaderCards(this.keywords, this.sip);
  }

  /**
   * The WCS of an image section starting at 0-based pixel `start` (FITS axis
   * order): CRPIX and the SIP reference pixel shift by −start; lookup tables
   * keep applying to the same detector pixels. With `step` (a pixel stride per
   * axis), the pixel scale grows accordingly (no distortions then).
   */
  section(start: readonly number[], step?: readonly number[]): Wcs {
    const n = this.naxis;
    if (start.length !== n) throw new FitsError('BAD_ARGUMENT', `section needs ${n} start offsets (FITS axis order), got ${start.length}.`);
    const kw: WcsKeywords = {
      ...this.keywords,
      crpix: Float64Array.from(this.keywords.crpix),
      pc: Float64Array.from(this.keywords.pc),
      cd: Float64Array.from(this.keywords.cd),
      cdelt: Float64Array.from(this.keywords.cdelt),
      seen: new Set(this.keywords.seen),
    };
    const stride = step ?? new Array<number>(n).fill(1);
    const strided = stride.some((s) => s !== 1);
    if (strided) {
      if (this.hasDistortion || this.core.lin.disseq) {
        throw new FitsError('UNSUPPORTED', 'A strided section of an image with SIP, TPV, DSS, TNX/ZPX or lookup-table distortions has no exact WCS; read it without step.');
      }
      // Fold CROTA/CDELT into PC so the column scaling below applies to any form.
      if (!(kw.altlin & 3)) {
        kw.pc.set(this.core.lin.pc);
        kw.cdelt.set(this.core.lin.cdelt);
        kw.altlin = 1;
      }
    }
    for (let j = 0; j < n; j++) {
      const s = stride[j]!;
      if (!(Number.isInteger(s) && s >= 1)) throw new FitsError('BAD_ARGUMENT', `Section step ${s} is not a positive integer.`);
      kw.crpix[j] = (kw.crpix[j]! - 1 - start[j]!) / s + 1;
      if (s !== 1) {
        for (let i = 0; i < n; i++) {
          kw.pc[i * n + j] = kw.pc[i * n + j]! * s;
          kw.cd[i * n + j] = kw.cd[i * n + j]! * s;
        }
      }
    }
    const off: [number, number] = [start[0] ?? 0, start[1] ?? 0];
    const sip = this.sip ? this.sip.withCrpix([this.sip.crpix[0] - off[0], this.sip.crpix[1] - off[1]]) : null;
    const shift = (t: LookupTable | null): LookupTable | null => (t ? t.shifted(off) : null);
    return new Wcs(
      kw,
      sip,
      {
        cpdis: [shift(this.cpdis[0]), shift(this.cpdis[1])],
        det2im: [shift(this.det2im[0]), shift(this.det2im[1])],
      },
      this.tabArrays,
    );
  }

  /**
   * Pixel scale along each axis at the reference point, in world units per
   * pixel (degrees for celestial axes): astropy's proj_plane_pixel_scales.
   */
  pixelScales(): number[] {
    const n = this.naxis;
    const lin = this.core.lin;
    const out: number[] = [];
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) {
        const m = lin.cdelt[i]! * lin.pc[i * n + j]!;
        s += m * m;
      }
      out.push(Math.sqrt(s));
    }
    return out;
  }

  /**
   * The sky footprint of an image of `shape` (FITS axis order, e.g. [NAXIS1,
   * NAXIS2]): world coordinates of the four corner pixel centres, as astropy's
   * calc_footprint — (0,0), (0,ny−1), (nx−1,ny−1), (nx−1,0).
   */
  footprint(shape: readonly number[]): [number, number][] {
    const [lng, lat] = this.celestialAxes;
    if (lng < 0) throw new FitsError('BAD_ARGUMENT', 'footprint needs a celestial WCS.');
    const nx = shape[0]!;
    const ny = shape[1]!;
    const xs = [0, 0, nx - 1, nx - 1];
    const ys = [0, ny - 1, ny - 1, 0];
    const pix = new Array(this.naxis).fill(0).map(() => [0, 0, 0, 0]);
    pix[0] = xs;
    pix[1] = ys;
    const w = this.pixelToWorld(pix);
    return [0, 1, 2, 3].map((k) => [w[lng]![k]!, w[lat]![k]!]);
  }

  /** A one-line description, e.g. "RA---TAN/DEC--TAN (TAN, ICRS) at 150.1, 2.2; 0.2\"/px; SIP". */
  summary(): string {
    const parts: string[] = [];
    const c = this.core;
    parts.push(c.ctype.map((t) => t || 'LINEAR').join(', '));
    const extra: string[] = [];
    if (this.projection) extra.push(this.projection);
    const f = this.frame;
    if (f) extra.push(f.equinox !== undefined && f.system !== 'icrs' ? `${f.system.toUpperCase()} ${f.system.startsWith('fk4') ? 'B' : 'J'}${f.equinox}` : f.system.toUpperCase());
    if (this.sip) extra.push('SIP');
    if (this.core.sequentKind) extra.push(this.core.sequentKind);
    if (this.cpdis[0] || this.cpdis[1]) extra.push('CPDIS');
    if (this.det2im[0] || this.det2im[1]) extra.push('D2IM');
    let s = `${parts[0]}${extra.length ? ` [${extra.join(', ')}]` : ''}`;
    const [lng, lat] = this.celestialAxes;
    if (lng >= 0) {
      const scales = this.pixelScales();
      const arcsec = Math.sqrt(scales[lng]! * scales[lat]!) * 3600;
      s += ` at (${fmt(c.crval[lng]!)}, ${fmt(c.crval[lat]!)}), ${fmt(arcsec)}"/px`;
    }
    if (this.key !== ' ') s = `key ${this.key}: ${s}`;
    return s;
  }

  private checkInput(coords: readonly ArrayLike<number>[], what: string): number {
    if (coords.length !== this.naxis) {
      throw new FitsError('BAD_ARGUMENT', `${what} needs ${this.naxis} coordinate arrays (one per WCS axis), got ${coords.length}.`);
    }
    const n = coords[0]?.length ?? 0;
    for (const c of coords) {
      if (c.length !== n) throw new FitsError('BAD_ARGUMENT', `${what}: all coordinate arrays must have the same length.`);
    }
    return n;
  }
}

function fmt(v: number): string {
  return Number(v.toPrecision(7)).toString();
}

function applyNaN(arrays: Float64Array[], bad: Uint32Array | null, n: number): void {
  if (!bad) return;
  for (let k = 0; k < n; k++) {
    const b = bad[k]!;
    if (!b) continue;
    for (let i = 0; i < arrays.length; i++) if (b & (1 << i)) arrays[i]![k] = NaN;
  }
}

function normaliseKey(key: string | undefined): string {
  if (key === undefined || key === '' || key === ' ') return ' ';
  const k = key.toUpperCase();
  if (!/^[A-Z]$/.test(k)) throw new FitsError('BAD_ARGUMENT', `A WCS key is ' ' or one letter A-Z, not '${key}'.`);
  return k;
}

/**
 * The fixes astropy applies on WCS(header) before wcsset: unitfix (unit
 * aliases), celfix (NCP → SIN, GLS → SFL, done inside WcsCore), spcfix (AIPS
 * spectral types, inside WcsCore), cdfix (inside WcsCore), and _fix_scamp
 * (drop SCAMP PVi_m when SIP is present).
 */
function applyFixes(kw: WcsKeywords, hasSip = false): WcsKeywords {
  const out: WcsKeywords = { ...kw, cunit: kw.cunit.map((u) => (u ? translateUnitAliases(u) : u)) };
  if (hasSip && kw.pv.length) {
    // astropy _fix_scamp: unless a radial term (3, 11, 23, 39) below the largest index is present.
    const byAxis = new Map<number, Set<number>>();
    for (const p of kw.pv) {
      if (!byAxis.has(p.i)) byAxis.set(p.i, new Set());
      byAxis.get(p.i)!.add(p.m);
    }
    let radial = false;
    for (const ms of byAxis.values()) {
      const max = Math.max(...ms);
      for (const j of [3, 11, 23, 39]) if (j < max && ms.has(j)) radial = true;
    }
    if (!radial) out.pv = [];
  }
  return out;
}
