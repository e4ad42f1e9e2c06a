/**
 * Seeded random WCS headers for the astropy comparison and the property tests:
 * every projection with parameters in (and sometimes out of) their valid
 * ranges, PC/CD/CROTA forms, frames, swapped axes, alternates, unit aliases,
 * cubes with spectral/linear/Stokes axes, SIP and TPV distortions, and
 * headers astropy refuses.
 */
import { xorshift32 } from '../helpers/xorshift.js';

export interface RandomCase {
  name: string;
  cards: string[];
  key: string;
  naxis: number;
  /** 0-based pixel points, one array per point. */
  pix: number[][];
  /** Axes (0-based) that are celestial longitude/latitude, or -1. */
  lng: number;
  lat: number;
  /** A projection whose inverse is exact where defined (round-trip property applies). */
  invertible: boolean;
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = xorshift32(seed);
  }
  /** Uniform in [0, 1). */
  u(): number {
    return this.next() / 4294967296;
  }
  range(a: number, b: number): number {
    return a + (b - a) * this.u();
  }
  int(a: number, b: number): number {
    return Math.floor(this.range(a, b + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.u() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.u() < p;
  }
}

/** A FITS number that parses back to the same double. */
export function fitsNumber(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return `${v}.0`;
  return String(v).replace('e', 'E');
}

export function kvCard(key: string, value: string | number, comment?: string): string {
  const integer = /^(WCSAXES.?|NAXIS\d*|BITPIX|[AB]P?_ORDER|VELREF)$/.test(key);
  const v = typeof value === 'number' ? (integer ? String(value) : fitsNumber(value)).padStart(20) : `'${value.replace(/'/g, "''").padEnd(8)}'`.padEnd(20);
  const text = `${key.padEnd(8)}= ${v}${comment ? ` / ${comment}` : ''}`;
  if (text.length > 80) throw new Error(`card too long: ${text}`);
  return text.padEnd(80);
}

const PROJECTIONS = [
  'AZP', 'SZP', 'TAN', 'STG', 'SIN', 'ARC', 'ZPN', 'ZEA', 'AIR', 'CYP', 'CEA', 'CAR', 'MER', 'SFL', 'PAR', 'MOL',
  'AIT', 'COP', 'COE', 'COD', 'COO', 'BON', 'PCO', 'TSC', 'CSC', 'QSC', 'HPX', 'XPH',
];
export { PROJECTIONS };

/** Projection parameters PV2_m in their valid range (by code). */
function projectionPv(rng: Rng, code: string): [number, number][] {
  switch (code) {
    case 'AZP':
      return [
        [1, rng.range(0, 3)],
        [2, rng.range(-30, 30)],
      ];
    case 'SZP':
      return [
        [1, rng.range(0, 3)],
        [2, rng.range(0, 360)],
        [3, rng.range(45, 90)],
      ];
    case 'SIN':
      return rng.chance(0.5) ? [] : [
        [1, rng.range(-0.3, 0.3)],
        [2, rng.range(-0.3, 0.3)],
      ];
    case 'ZPN': {
      const out: [number, number][] = [
        [0, rng.range(-0.01, 0.01)],
        [1, 1.0],
      ];
      const deg = rng.int(2, 6);
      for (let m = 2; m <= deg; m++) out.push([m, rng.range(-0.05, 0.05) / m]);
      return out;
    }
    case 'AIR':
      return [[1, rng.range(-30, 80)]];
    case 'CYP':
      return [
        [1, rng.range(0.2, 2)],
        [2, rng.range(0.5, 1.5)],
      ];
    case 'CEA':
      return [[1, rng.range(0.2, 1)]];
    case 'COP':
    case 'COE':
    case 'COD':
    case 'COO':
      return [
        [1, rng.pick([-1, 1]) * rng.range(10, 70)],
        [2, rng.range(0, 15)],
      ];
    case 'BON':
      return [[1, rng.chance(0.1) ? 0 : rng.pick([-1, 1]) * rng.range(10, 70)]];
    case 'HPX':
      return rng.chance(0.5) ? [] : [
        [1, rng.pick([4, 3, 6])],
        [2, rng.pick([3, 2, 4])],
      ];
    default:
      return [];
  }
}

/** Pixel sample points around the reference pixel, some far out (outside domains). */
function samplePoints(rng: Rng, naxis: number, crpix: number[], spread: number, count = 40): number[][] {
  const pts: number[][] = [];
  for (let k = 0; k < count; k++) {
    const far = rng.chance(0.25) ? 4 : 1;
    pts.push(crpix.map((c) => c - 1 + rng.range(-spread, spread) * far));
  }
  pts.push(crpix.map((c) => c - 1));
  return pts;
}

/** A random linear part for the celestial pair: PC, CD or CROTA cards. */
function linearCards(rng: Rng, naxis: number, i: number, j: number, scale: number, alt: string): string[] {
  const cards: string[] = [];
  const form = rng.pick(['pc', 'cd', 'crota', 'plain']);
  const sx = -scale * rng.range(0.8, 1.2);
  const sy = scale * rng.range(0.8, 1.2);
  const rot = rng.range(-180, 180);
  const c = Math.cos((rot * Math.PI) / 180);
  const s = Math.sin((rot * Math.PI) / 180);
  const skew = rng.range(-0.05, 0.05);
  if (form === 'pc') {
    cards.push(kvCard(`CDELT${i + 1}${alt}`, sx), kvCard(`CDELT${j + 1}${alt}`, sy));
    cards.push(kvCard(`PC${i + 1}_${i + 1}${alt}`, c), kvCard(`PC${i + 1}_${j + 1}${alt}`, -s + skew));
    cards.push(kvCard(`PC${j + 1}_${i + 1}${alt}`, s), kvCard(`PC${j + 1}_${j + 1}${alt}`, c));
  } else if (form === 'cd') {
    cards.push(kvCard(`CD${i + 1}_${i + 1}${alt}`, sx * c), kvCard(`CD${i + 1}_${j + 1}${alt}`, -sx * s + skew * scale));
    cards.push(kvCard(`CD${j + 1}_${i + 1}${alt}`, sy * s), kvCard(`CD${j + 1}_${j + 1}${alt}`, sy * c));
  } else if (form === 'crota') {
    cards.push(kvCard(`CDELT${i + 1}${alt}`, sx), kvCard(`CDELT${j + 1}${alt}`, sy));
    cards.push(kvCard(`CROTA${j + 1}${alt}`, rot));
  } else {
    cards.push(kvCard(`CDELT${i + 1}${alt}`, sx), kvCard(`CDELT${j + 1}${alt}`, sy));
  }
  return cards;
}

const SPECTRAL: { ctype: string; crval: number; cdelt: number; units: string[]; rest?: 'frq' | 'wav' }[] = [
  { ctype: 'FREQ', crval: 1.4e9, cdelt: 1e5, units: ['Hz', 'GHz', 'MHz', 'kHz', 'HZ'] },
  { ctype: 'FREQ-W2F', crval: 1.4e9, cdelt: 1e5, units: ['Hz', 'GHz'] },
  { ctype: 'FREQ-V2F', crval: 1.4e9, cdelt: 1e5, units: ['Hz'], rest: 'frq' },
  { ctype: 'FREQ-LOG', crval: 1.4e9, cdelt: 1e6, units: ['Hz', 'MHz'] },
  { ctype: 'ENER', crval: 1e-24, cdelt: 1e-28, units: ['J'] },
  { ctype: 'ENER-W2F', crval: 2.0, cdelt: 0.001, units: ['eV', 'keV'] },
  { ctype: 'WAVN', crval: 30, cdelt: 0.001, units: ['/m'] },
  { ctype: 'AFRQ', crval: 8e9, cdelt: 1e5, units: ['rad/s'] },
  { ctype: 'VRAD', crval: 3e4, cdelt: 500, units: ['m/s', 'km/s'], rest: 'frq' },
  { ctype: 'VRAD-W2F', crval: 3e4, cdelt: 500, units: ['m/s'], rest: 'frq' },
  { ctype: 'VRAD-F2W', crval: 3e4, cdelt: 500, units: ['m/s'], rest: 'frq' },
  { ctype: 'VOPT', crval: 3e5, cdelt: 1000, units: ['m/s', 'km/s'], rest: 'wav' },
  { ctype: 'VOPT-F2W', crval: 3e5, cdelt: 1000, units: ['m/s'], rest: 'frq' },
  { ctype: 'ZOPT-F2W', crval: 0.01, cdelt: 1e-5, units: [''], rest: 'frq' },
  { ctype: 'WAVE', crval: 5e-7, cdelt: 1e-10, units: ['m', 'nm', 'Angstrom', 'um'] },
  { ctype: 'WAVE-F2W', crval: 0.21, cdelt: 1e-6, units: ['m', 'cm'] },
  { ctype: 'WAVE-A2W', crval: 5e-7, cdelt: 1e-10, units: ['m'] },
  { ctype: 'WAVE-V2W', crval: 0.0029, cdelt: 1e-8, units: ['m'], rest: 'wav' },
  { ctype: 'AWAV', crval: 6.5e-7, cdelt: 1e-10, units: ['m', 'Angstrom', 'nm'] },
  { ctype: 'AWAV-W2A', crval: 6.5e-7, cdelt: 1e-10, units: ['m'] },
  { ctype: 'AWAV-F2A', crval: 6.5e-7, cdelt: 1e-10, units: ['m'] },
  { ctype: 'VELO', crval: 2e7, cdelt: 700, units: ['m/s'] },
  { ctype: 'VELO-F2V', crval: 2e7, cdelt: 700, units: ['m/s', 'km/s'], rest: 'frq' },
  { ctype: 'VELO-W2V', crval: 2e7, cdelt: 700, units: ['m/s'], rest: 'wav' },
  { ctype: 'BETA-F2V', crval: 0.07, cdelt: 2e-6, units: [''], rest: 'frq' },
  { ctype: 'WAVE-GRI', crval: 5e-7, cdelt: 1e-10, units: ['m'] },
];

/** A random celestial (optionally cube) case for one projection code. */
export function celestialCase(rng: Rng, code: string, index: number): RandomCase {
  const alt = rng.chance(0.2) ? rng.pick(['A', 'B', 'Q']) : ' ';
  const a = alt === ' ' ? '' : alt;
  const frames = [
    ['RA--', 'DEC-'],
    ['GLON', 'GLAT'],
    ['ELON', 'ELAT'],
  ] as const;
  const frame = rng.pick(frames);
  const cube = rng.chance(0.3);
  const naxis = cube ? 3 : 2;
  // Axis order: the celestial pair may be swapped or split by the third axis.
  const order = [0, 1, 2].slice(0, naxis);
  for (let k = naxis - 1; k > 0; k--) {
    const r = rng.int(0, k);
    [order[k], order[r]] = [order[r]!, order[k]!];
  }
  const lngAxis = order[0]!;
  const latAxis = order[1]!;
  const other = naxis === 3 ? order[2]! : -1;
  const cards: string[] = ['SIMPLE  =                    T'.padEnd(80)];
  cards.push(kvCard('BITPIX', 8), kvCard('NAXIS', 0), kvCard(`WCSAXES${a}`, naxis));
  const dash = (s: string, c: string): string => `${s}${'-'.repeat(Math.max(0, 5 - s.length))}${c}`.slice(0, 8);
  const lngCtype = dash(frame[0].replace(/-+$/, ''), code).padEnd(8, '-');
  const latCtype = dash(frame[1].replace(/-+$/, ''), code).padEnd(8, '-');
  cards.push(kvCard(`CTYPE${lngAxis + 1}${a}`, lngCtype));
  cards.push(kvCard(`CTYPE${latAxis + 1}${a}`, latCtype));
  const crpix = new Array(naxis).fill(0).map(() => rng.range(-50, 150));
  for (let i = 0; i < naxis; i++) cards.push(kvCard(`CRPIX${i + 1}${a}`, crpix[i]!));
  const crvalLng = rng.range(0, 360);
  const crvalLat = rng.range(-89, 89);
  cards.push(kvCard(`CRVAL${lngAxis + 1}${a}`, crvalLng), kvCard(`CRVAL${latAxis + 1}${a}`, crvalLat));
  const unit = rng.pick(['deg', 'deg', 'DEG', 'arcsec', 'rad', '']);
  const unitScale = unit === 'arcsec' ? 3600 : unit === 'rad' ? Math.PI / 180 : 1;
  if (unit) {
    cards.push(kvCard(`CUNIT${lngAxis + 1}${a}`, unit), kvCard(`CUNIT${latAxis + 1}${a}`, unit));
    // CRVAL stays in degrees only for deg units; rewrite for others.
    if (unitScale !== 1) {
      cards.push(kvCard(`CRVAL${lngAxis + 1}${a}`, crvalLng * unitScale), kvCard(`CRVAL${latAxis + 1}${a}`, crvalLat * unitScale));
    }
  }
  const scale = rng.pick([0.001, 0.01, 0.1, 0.5, 1.0]) * unitScale;
  cards.push(...linearCards(rng, naxis, lngAxis, latAxis, scale, a));
  for (const [m, v] of projectionPv(rng, code)) cards.push(kvCard(`PV${latAxis + 1}_${m}${a}`, v));
  if (rng.chance(0.15)) {
    cards.push(kvCard(`PV${lngAxis + 1}_0${a}`, 1), kvCard(`PV${lngAxis + 1}_1${a}`, rng.range(-20, 20)), kvCard(`PV${lngAxis + 1}_2${a}`, rng.range(-10, 10)));
  }
  if (rng.chance(0.2)) cards.push(kvCard(`LONPOLE${a}`, rng.pick([0, 180, rng.range(-180, 180)])));
  if (rng.chance(0.15)) cards.push(kvCard(`LATPOLE${a}`, rng.range(-90, 90)));
  if (frame[0] === 'RA--' && rng.chance(0.5)) {
    const sys = rng.pick(['ICRS', 'FK5', 'FK4']);
    cards.push(kvCard(`RADESYS${a}`, sys));
    if (sys !== 'ICRS') cards.push(kvCard(`EQUINOX${a}`, sys === 'FK5' ? 2000 : 1950));
  }
  if (other >= 0) {
    const kind = rng.pick(['spec', 'spec', 'linear', 'stokes']);
    if (kind === 'spec') {
      const s = rng.pick(SPECTRAL);
      const u = rng.pick(s.units);
      const f = u === 'GHz' ? 1e-9 : u === 'MHz' ? 1e-6 : u === 'kHz' ? 1e-3 : u === 'km/s' ? 1e-3 : u === 'nm' ? 1e9 : u === 'Angstrom' ? 1e10 : u === 'um' ? 1e6 : u === 'cm' ? 100 : u === 'keV' ? 1e-3 : 1;
      cards.push(kvCard(`CTYPE${other + 1}${a}`, s.ctype), kvCard(`CRVAL${other + 1}${a}`, s.crval * f), kvCard(`CDELT${other + 1}${a}`, s.cdelt * f * rng.range(0.5, 2)));
      if (u) cards.push(kvCard(`CUNIT${other + 1}${a}`, u));
      if (s.rest === 'frq') cards.push(kvCard(`RESTFRQ${a}`, 1.420405752e9));
      if (s.rest === 'wav') cards.push(kvCard(`RESTWAV${a}`, 6.5628e-7));
      if (s.ctype.endsWith('GRI')) {
        cards.push(kvCard(`PV${other + 1}_0${a}`, 3e5), kvCard(`PV${other + 1}_1${a}`, 1), kvCard(`PV${other + 1}_2${a}`, 10));
      }
    } else if (kind === 'stokes') {
      cards.push(kvCard(`CTYPE${other + 1}${a}`, 'STOKES'), kvCard(`CRVAL${other + 1}${a}`, 1), kvCard(`CDELT${other + 1}${a}`, 1));
    } else {
      cards.push(kvCard(`CTYPE${other + 1}${a}`, rng.pick(['LINEAR', 'TIME', ''])), kvCard(`CRVAL${other + 1}${a}`, rng.range(-10, 10)), kvCard(`CDELT${other + 1}${a}`, rng.range(0.1, 3)));
    }
  }
  if (alt !== ' ' && rng.chance(0.5)) {
    // A decoy primary representation the alternate must not be confused with.
    cards.push(kvCard('CTYPE1', 'RA---TAN'), kvCard('CTYPE2', 'DEC--TAN'), kvCard('CRVAL1', 10), kvCard('CRVAL2', 20), kvCard('CDELT1', -0.01), kvCard('CDELT2', 0.01));
  }
  const spread = 60 / scale * unitScale;
  const pix = samplePoints(rng, naxis, crpix, Math.min(spread, 400));
  const invertible = !['CSC'].includes(code);
  return { name: `${code}-${index}${alt === ' ' ? '' : `-key${alt}`}${cube ? '-cube' : ''}`, cards, key: alt, naxis, pix, lng: lngAxis, lat: latAxis, invertible };
}

/** A TAN-SIP header (order 2–5, with AP/BP half the time). */
export function sipCase(rng: Rng, index: number): RandomCase {
  const order = rng.int(2, 5);
  const cards = baseTan(rng, 'RA---TAN-SIP', 'DEC--TAN-SIP');
  const crpix = [rng.range(200, 1800), rng.range(200, 1800)];
  cards.push(kvCard('CRPIX1', crpix[0]!), kvCard('CRPIX2', crpix[1]!));
  cards.push(kvCard('A_ORDER', order), kvCard('B_ORDER', order));
  for (const p of ['A', 'B']) {
    for (let i = 0; i <= order; i++) {
      for (let j = 0; j <= order - i; j++) {
        if (i + j < 2) continue;
        cards.push(kvCard(`${p}_${i}_${j}`, rng.range(-1, 1) * 1e-6 / Math.pow(2000, i + j - 2)));
      }
    }
  }
  if (rng.chance(0.5)) {
    cards.push(kvCard('AP_ORDER', order), kvCard('BP_ORDER', order));
    for (const p of ['AP', 'BP']) {
      for (let i = 0; i <= order; i++) {
        for (let j = 0; j <= order - i; j++) {
          if (i + j < 1) continue;
          cards.push(kvCard(`${p}_${i}_${j}`, rng.range(-1, 1) * 1e-6 / Math.pow(2000, Math.max(0, i + j - 2))));
        }
      }
    }
  }
  const pix = samplePoints(rng, 2, crpix, 1500);
  return { name: `SIP-${index}`, cards, key: ' ', naxis: 2, pix, lng: 0, lat: 1, invertible: true };
}

/** A TPV header (17–40 terms per axis). */
export function tpvCase(rng: Rng, index: number): RandomCase {
  const cards = baseTan(rng, 'RA---TPV', 'DEC--TPV');
  const crpix = [rng.range(0, 2000), rng.range(0, 2000)];
  cards.push(kvCard('CRPIX1', crpix[0]!), kvCard('CRPIX2', crpix[1]!));
  const nterm = rng.pick([17, 24, 31, 40]);
  for (const ax of [1, 2]) {
    for (let m = 0; m < nterm; m++) {
      const v = m === 1 ? 1 + rng.range(-1e-4, 1e-4) : m === 0 ? rng.range(-1e-5, 1e-5) : rng.range(-1, 1) * 1e-3 * Math.pow(0.3, Math.floor(Math.sqrt(m)));
      if ([3, 11, 23, 39].includes(m) && rng.chance(0.5)) continue;
      cards.push(kvCard(`PV${ax}_${m}`, v));
    }
  }
  const pix = samplePoints(rng, 2, crpix, 2000);
  return { name: `TPV-${index}`, cards, key: ' ', naxis: 2, pix, lng: 0, lat: 1, invertible: true };
}

function baseTan(rng: Rng, c1: string, c2: string): string[] {
  const scale = rng.range(5e-5, 3e-4);
  const rot = rng.range(-Math.PI, Math.PI);
  return [
    'SIMPLE  =                    T'.padEnd(80),
    kvCard('BITPIX', 8),
    kvCard('NAXIS', 0),
    kvCard('WCSAXES', 2),
    kvCard('CTYPE1', c1),
    kvCard('CTYPE2', c2),
    kvCard('CRVAL1', rng.range(0, 360)),
    kvCard('CRVAL2', rng.range(-85, 85)),
    kvCard('CD1_1', -scale * Math.cos(rot)),
    kvCard('CD1_2', scale * Math.sin(rot)),
    kvCard('CD2_1', scale * Math.sin(rot)),
    kvCard('CD2_2', scale * Math.cos(rot)),
  ];
}

/** Headers astropy refuses (each with the keyword our error must name). */
export function invalidCases(): { name: string; cards: string[]; keyword: string }[] {
  const base = (extra: string[]): string[] => ['SIMPLE  =                    T'.padEnd(80), kvCard('BITPIX', 8), kvCard('NAXIS', 0), kvCard('WCSAXES', 2), ...extra];
  const tan = [kvCard('CTYPE1', 'RA---TAN'), kvCard('CTYPE2', 'DEC--TAN'), kvCard('CRVAL1', 10), kvCard('CRVAL2', 20)];
  return [
    { name: 'unknown projection', cards: base([kvCard('CTYPE1', 'RA---XYZ'), kvCard('CTYPE2', 'DEC--XYZ')]), keyword: 'CTYPE1' },
    { name: 'inconsistent pair', cards: base([kvCard('CTYPE1', 'RA---TAN'), kvCard('CTYPE2', 'DEC--SIN')]), keyword: 'CTYPE2' },
    { name: 'unmatched celestial axis', cards: base([kvCard('CTYPE1', 'RA---TAN'), kvCard('CTYPE2', 'FREQ')]), keyword: 'CTYPE' },
    { name: 'zero CDELT', cards: base([...tan, kvCard('CDELT1', 0), kvCard('CDELT2', 0.01)]), keyword: 'CDELT' },
    { name: 'zero CD row', cards: base([...tan, kvCard('CD1_1', 0), kvCard('CD1_2', 0), kvCard('CD2_1', 1), kvCard('CD2_2', 1)]), keyword: 'CD' },
    { name: 'TPV index out of range', cards: base([kvCard('CTYPE1', 'RA---TPV'), kvCard('CTYPE2', 'DEC--TPV'), kvCard('PV1_1', 1), kvCard('PV1_45', 0.1)]), keyword: 'PV1_' },
    { name: 'COP without PV2_1', cards: base([kvCard('CTYPE1', 'RA---COP'), kvCard('CTYPE2', 'DEC--COP')]), keyword: 'PV2_' },
    { name: 'CEA lambda > 1', cards: base([kvCard('CTYPE1', 'RA---CEA'), kvCard('CTYPE2', 'DEC--CEA'), kvCard('PV2_1', 1.5)]), keyword: 'PV2_' },
    { name: 'ZPN all zero', cards: base([kvCard('CTYPE1', 'RA---ZPN'), kvCard('CTYPE2', 'DEC--ZPN'), kvCard('PV2_0', 0), kvCard('PV2_1', 0)]), keyword: 'PV2_' },
    { name: 'bad PV on longitude', cards: base([...tan, kvCard('PV1_7', 1)]), keyword: 'PV1_7' },
    { name: 'celestial unit not an angle', cards: base([...tan, kvCard('CUNIT1', 'm'), kvCard('CUNIT2', 'deg')]), keyword: 'CUNIT1' },
    { name: 'missing rest frequency', cards: base([kvCard('CTYPE1', 'VOPT-F2W'), kvCard('CRVAL1', 1000), kvCard('CTYPE2', 'STOKES')]), keyword: 'RESTFRQ' },
    { name: 'two spectral axes', cards: base([kvCard('CTYPE1', 'FREQ-W2F'), kvCard('CTYPE2', 'WAVE-F2W'), kvCard('CRVAL1', 1e9), kvCard('CRVAL2', 0.2)]), keyword: 'CTYPE2' },
    { name: 'NCP on the equator', cards: base([kvCard('CTYPE1', 'RA---NCP'), kvCard('CTYPE2', 'DEC--NCP'), kvCard('CRVAL1', 10), kvCard('CRVAL2', 0)]), keyword: 'CRVAL2' },
    { name: 'A_ORDER without B_ORDER', cards: base([kvCard('CTYPE1', 'RA---TAN-SIP'), kvCard('CTYPE2', 'DEC--TAN-SIP'), kvCard('CRPIX1', 1), kvCard('CRPIX2', 1), kvCard('A_ORDER', 2), kvCard('A_2_0', 1e-6)]), keyword: 'B_ORDER' },
    { name: 'bad spectral unit', cards: base([kvCard('CTYPE1', 'FREQ'), kvCard('CUNIT1', 'km/s'), kvCard('CRVAL1', 1)]), keyword: 'CUNIT1' },
  ];
}
