/**
 * WCS → header cards: the keywords a WCS was read from (in their original
 * form: CTYPE, CUNIT, PC/CD/CROTA, PV, …, so a reader sees the same
 * transformation), plus SIP polynomials. Lookup-table distortions need
 * extensions and are written by the cutout writer, not here.
 */
import type { WcsKeywords } from './keywords.js';
import type { LookupTable } from './lookup-table.js';
import type { Sip, SipPolynomial } from './sip.js';
import { UNDEFINED } from './trig.js';
import { watCards } from './wat.js';

/** One header card (structurally a CardInput of the writer). */
export interface WcsCard {
  keyword: string;
  value: string | number;
  comment?: string;
  /** Write a whole number as a real (1.0). */
  isReal?: boolean;
}

/** Header cards for a representation's keywords and optional SIP distortion. */
export function wcsHeaderCards(kw: WcsKeywords, sip: Sip | null): WcsCard[] {
  const a = kw.key === ' ' ? '' : kw.key;
  const n = kw.naxis;
  const out: WcsCard[] = [];
  const real = (keyword: string, value: number, comment?: string): void => {
    out.push(comment ? { keyword, value, isReal: true, comment } : { keyword, value, isReal: true });
  };
  const str = (keyword: string, value: string, comment?: string): void => {
    out.push(comment ? { keyword, value, comment } : { keyword, value });
  };
  out.push({ keyword: `WCSAXES${a}`, value: n, comment: 'Number of coordinate axes' });
  for (let i = 0; i < n; i++) real(`CRPIX${i + 1}${a}`, kw.crpix[i]!, 'Pixel coordinate of reference point');
  const altlin = kw.altlin;
  const usePc = (altlin & 1) !== 0 || (altlin & 6) === 0;
  const useCd = !usePc && (altlin & 2) !== 0;
  if (useCd) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const v = kw.cd[i * n + j]!;
      if (v !== 0 || i === j) real(`CD${i + 1}_${j + 1}${a}`, v, 'Coordinate transformation matrix element');
    }
  } else {
    if (usePc) {
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        const v = kw.pc[i * n + j]!;
        if (v !== (i === j ? 1 : 0)) real(`PC${i + 1}_${j + 1}${a}`, v, 'Coordinate transformation matrix element');
      }
    }
    for (let i = 0; i < n; i++) real(`CDELT${i + 1}${a}`, kw.cdelt[i]!, 'Coordinate increment at reference point');
    if (!usePc) for (let i = 0; i < n; i++) if (kw.crota[i] !== 0) real(`CROTA${i + 1}${a}`, kw.crota[i]!, 'Rotation angle');
  }
  for (let i = 0; i < n; i++) if (kw.cunit[i]) str(`CUNIT${i + 1}${a}`, kw.cunit[i]!, 'Units of coordinate increment and value');
  for (let i = 0; i < n; i++) {
    let t = kw.ctype[i]!;
    if (sip && i < 2 && t.length === 8 && t[4] === '-' && !t.endsWith('-SIP')) t = `${t}-SIP`;
    if (t) str(`CTYPE${i + 1}${a}`, t, sip && i < 2 ? 'TAN (gnomonic) projection + SIP distortions' : undefined);
  }
  for (let i = 0; i < n; i++) real(`CRVAL${i + 1}${a}`, kw.crval[i]!, 'Coordinate value at reference point');
  for (const p of kw.pv) real(p.i === 0 ? `PROJP${p.m}` : `PV${p.i}_${p.m}${a}`, p.value);
  for (const p of kw.ps) str(`PS${p.i}_${p.m}${a}`, p.value);
  if (kw.lonpole !== UNDEFINED) real(`LONPOLE${a}`, kw.lonpole, '[deg] Native longitude of celestial pole');
  if (kw.seen.has(`LATPOLE${a}`)) real(`LATPOLE${a}`, kw.latpole, '[deg] Native latitude of celestial pole');
  if (kw.restfrq !== 0) real(`RESTFRQ${a}`, kw.restfrq, '[Hz] Line rest frequency');
  if (kw.restwav !== 0) real(`RESTWAV${a}`, kw.restwav, '[m] Line rest wavelength');
  if (kw.radesys) str(`RADESYS${a}`, kw.radesys, 'Equatorial coordinate system');
  if (kw.equinox !== UNDEFINED) real(`EQUINOX${a}`, kw.equinox, '[yr] Equinox of equatorial coordinates');
  if (kw.specsys) str(`SPECSYS${a}`, kw.specsys, 'Reference frame of spectral coordinates');
  if (kw.ssysobs) str(`SSYSOBS${a}`, kw.ssysobs);
  if (kw.velosys !== UNDEFINED) real(`VELOSYS${a}`, kw.velosys);
  if (kw.zsource !== UNDEFINED) real(`ZSOURCE${a}`, kw.zsource);
  if (kw.ssyssrc) str(`SSYSSRC${a}`, kw.ssyssrc);
  if (kw.wcsname) str(`WCSNAME${a}`, kw.wcsname, 'Coordinate system title');
  if (!a) {
    if (kw.mjdobs !== UNDEFINED) real('MJD-OBS', kw.mjdobs, '[d] MJD of observation');
    if (kw.dateobs) str('DATE-OBS', kw.dateobs, 'Date of observation');
  }
  if (sip) out.push(...sipCards(sip));
  if (kw.dss && !a) out.push(...dssCards(kw));
  if (kw.wat && !a) for (const axis of [1, 2] as const) out.push(...watCards(axis, kw.wat.text[axis - 1]!));
  return out;
}

/**
 * The DSS plate keywords: wcspih rebuilds CRPIX, PC, CDELT, CRVAL and the
 * plate distortion from them, so the corner pixel CNPIXj is written to match
 * the (possibly section-shifted) reference pixel.
 */
function dssCards(kw: WcsKeywords): WcsCard[] {
  const d = kw.dss!;
  const t = d.plate;
  const [A1, A2, A3] = [d.amdx[1] ?? 0, d.amdx[2] ?? 0, d.amdx[3] ?? 0];
  const [B1, B2, B3] = [d.amdy[1] ?? 0, d.amdy[2] ?? 0, d.amdy[3] ?? 0];
  const X0 = (A2 * B3 - A3 * B1) / (A1 * B1 - A2 * B2);
  const Y0 = (A3 * B2 - A1 * B3) / (A1 * B1 - A2 * B2);
  const corner = (v: number): number => (Math.abs(v - Math.round(v)) < 1e-9 ? Math.round(v) : v);
  const out: WcsCard[] = [
    { keyword: 'CNPIX1', value: corner((t[2]! / 1000.0 - X0) / (t[4]! / 1000.0) - kw.crpix[0]! + 0.5), comment: 'X corner (pixels)' },
    { keyword: 'CNPIX2', value: corner((t[3]! / 1000.0 + Y0) / (t[5]! / 1000.0) - kw.crpix[1]! + 0.5), comment: 'Y corner (pixels)' },
    { keyword: 'PPO3', value: t[2]!, isReal: true },
    { keyword: 'PPO6', value: t[3]!, isReal: true },
    { keyword: 'XPIXELSZ', value: t[4]!, isReal: true, comment: 'X pixel size microns' },
    { keyword: 'YPIXELSZ', value: t[5]!, isReal: true, comment: 'Y pixel size microns' },
    { keyword: 'PLTRAH', value: t[6]!, comment: 'Plate center RA' },
    { keyword: 'PLTRAM', value: t[7]! },
    { keyword: 'PLTRAS', value: t[8]!, isReal: true },
    { keyword: 'PLTDECSN', value: t[9] === -1 ? '-' : '+', comment: 'Plate center Dec' },
    { keyword: 'PLTDECD', value: t[10]! },
    { keyword: 'PLTDECM', value: t[11]! },
    { keyword: 'PLTDECS', value: t[12]!, isReal: true },
  ];
  if (d.plateid) out.push({ keyword: 'PLATEID', value: d.plateid, comment: 'GSSS Plate ID' });
  d.amdx.forEach((v, m) => out.push({ keyword: `AMDX${m}`, value: v, isReal: true }));
  d.amdy.forEach((v, m) => out.push({ keyword: `AMDY${m}`, value: v, isReal: true }));
  return out;
}

/** A lookup-table extension to write with an image (WCSDVARR or D2IMARR). */
export interface LookupExtension {
  extname: 'WCSDVARR' | 'D2IMARR';
  extver: number;
  /** Table values, C order [ny, nx]. */
  data: Float32Array;
  shape: [number, number];
  header: WcsCard[];
}

/**
 * Cards and extensions for lookup-table distortions (CPDISj/DPj with
 * WCSDVARR, D2IMDISj/D2IMj with D2IMARR), as astropy's to_fits writes them.
 */
export function lookupCards(
  cpdis: readonly [LookupTable | null, LookupTable | null],
  det2im: readonly [LookupTable | null, LookupTable | null],
): { cards: WcsCard[]; extensions: LookupExtension[] } {
  const cards: WcsCard[] = [];
  const extensions: LookupExtension[] = [];
  const family = (tables: readonly [LookupTable | null, LookupTable | null], dis: string, rec: string, extname: 'WCSDVARR' | 'D2IMARR'): void => {
    tables.forEach((t, idx) => {
      if (!t) return;
      const j = idx + 1;
      cards.push({ keyword: `${dis}${j}`, value: 'LOOKUP', comment: 'Distortion function type' });
      cards.push({ keyword: `${rec}${j}`, value: `EXTVER: ${j}`, comment: `Version number of ${extname} extension` });
      cards.push({ keyword: `${rec}${j}`, value: 'NAXES: 2', comment: 'Number of independent variables' });
      cards.push({ keyword: `${rec}${j}`, value: 'AXIS.1: 1', comment: 'Axis number of the 1st variable' });
      cards.push({ keyword: `${rec}${j}`, value: 'AXIS.2: 2', comment: 'Axis number of the 2nd variable' });
      extensions.push({
        extname,
        extver: j,
        data: t.data,
        shape: [t.naxis[1], t.naxis[0]],
        header: [
          { keyword: 'EXTVER', value: j },
          { keyword: 'CRPIX1', value: t.crpix[0], isReal: true },
          { keyword: 'CRPIX2', value: t.crpix[1], isReal: true },
          { keyword: 'CRVAL1', value: t.crval[0], isReal: true },
          { keyword: 'CRVAL2', value: t.crval[1], isReal: true },
          { keyword: 'CDELT1', value: t.cdelt[0], isReal: true },
          { keyword: 'CDELT2', value: t.cdelt[1], isReal: true },
        ],
      });
    });
  };
  family(det2im, 'D2IMDIS', 'D2IM', 'D2IMARR');
  family(cpdis, 'CPDIS', 'DP', 'WCSDVARR');
  return { cards, extensions };
}

function polyCards(prefix: string, p: SipPolynomial): WcsCard[] {
  const out: WcsCard[] = [{ keyword: `${prefix}_ORDER`, value: p.order, comment: 'SIP polynomial order, axis ' + (prefix.startsWith('A') ? '1' : '2') }];
  const m = p.order;
  for (let i = 0; i <= m; i++) {
    for (let j = 0; j <= m - i; j++) {
      const v = p.coeff[i * (m + 1) + j]!;
      if (v !== 0) out.push({ keyword: `${prefix}_${i}_${j}`, value: v, isReal: true });
    }
  }
  return out;
}

/** SIP cards (A_ORDER, A_p_q, …), as astropy writes them. */
export function sipCards(sip: Sip): WcsCard[] {
  const out: WcsCard[] = [];
  if (sip.a && sip.b) out.push(...polyCards('A', sip.a), ...polyCards('B', sip.b));
  if (sip.ap && sip.bp) out.push(...polyCards('AP', sip.ap), ...polyCards('BP', sip.bp));
  return out;
}
