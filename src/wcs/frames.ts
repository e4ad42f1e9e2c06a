/**
 * Celestial frame conversions as astropy.coordinates does them: ICRS, FK5 at
 * any equinox (IAU 2006 precession, ERFA bp06), FK4 with and without the
 * E-terms of aberration (Newcomb precession, the B1950→J2000 matrix with its
 * time-dependent correction), and Galactic; plus angular separation (Vincenty).
 * Equinoxes are years: Julian (J) for FK5, Besselian (B) for FK4.
 */
import { FitsError } from '../core/errors.js';

/** A celestial frame. */
export type SkyFrame =
  | { system: 'icrs' }
  | { system: 'fk5'; equinox?: number }
  | { system: 'fk4'; equinox?: number; obstime?: number }
  | { system: 'fk4-no-e'; equinox?: number; obstime?: number }
  | { system: 'galactic' };

type M3 = number[][];

// biome-ignore lint/correctness/noPrecisionLoss: ERFA's literal, as astropy compiles it.
const DAS2R = 4.84813681109535994e-6;
const DJ00 = 2451545.0;
const DJC = 36525.0;
const DJM0 = 2400000.5;
const DJM00 = 51544.5;
const D2R = Math.PI / 180;

function mul(a: M3, b: M3): M3 {
  const r: M3 = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) r[i]![j] = a[i]![0]! * b[0]![j]! + a[i]![1]! * b[1]![j]! + a[i]![2]! * b[2]![j]!;
  return r;
}
function transpose(a: M3): M3 {
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => a[j]![i]!));
}
const IDENTITY: M3 = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

/** astropy rotation_matrix(angle in degrees, axis). */
function rotation(angleDeg: number, axis: 'x' | 'y' | 'z'): M3 {
  const a = angleDeg * D2R;
  const s = Math.sin(a);
  const c = Math.cos(a);
  const i = 'xyz'.indexOf(axis);
  const a1 = (i + 1) % 3;
  const a2 = (i + 2) % 3;
  const r: M3 = [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ];
  r[i]![i] = 1.0;
  r[a1]![a1] = c;
  r[a1]![a2] = s;
  r[a2]![a1] = -s;
  r[a2]![a2] = c;
  return r;
}

// ERFA rotations applied to a matrix (eraRx, eraRz): r ← R(φ)·r.
function erfaRx(phi: number, r: M3): M3 {
  const s = Math.sin(phi);
  const c = Math.cos(phi);
  return mul(
    [
      [1, 0, 0],
      [0, c, s],
      [0, -s, c],
    ],
    r,
  );
}
function erfaRz(psi: number, r: M3): M3 {
  const s = Math.sin(psi);
  const c = Math.cos(psi);
  return mul(
    [
      [c, s, 0],
      [-s, c, 0],
      [0, 0, 1],
    ],
    r,
  );
}

function obl06(date1: number, date2: number): number {
  const t = (date1 - DJ00 + date2) / DJC;
  return (84381.406 + (-46.836769 + (-0.0001831 + (0.0020034 + (-0.000000576 + -0.0000000434 * t) * t) * t) * t) * t) * DAS2R;
}

function obl80(date1: number, date2: number): number {
  const t = (date1 - DJ00 + date2) / DJC;
  return DAS2R * (84381.448 + (-46.815 + (-0.00059 + 0.001813 * t) * t) * t);
}

/** ERFA pfw06 + fw2m: the bias-precession matrix for a TT date. */
function fw06(date1: number, date2: number): M3 {
  const t = (date1 - DJ00 + date2) / DJC;
  const gamb = (-0.052928 + (10.556378 + (0.4932044 + (-0.00031238 + (-0.000002788 + 0.000000026 * t) * t) * t) * t) * t) * DAS2R;
  const phib = (84381.412819 + (-46.811016 + (0.0511268 + (0.00053289 + (-0.00000044 + -0.0000000176 * t) * t) * t) * t) * t) * DAS2R;
  const psib = (-0.041775 + (5038.481484 + (1.5584175 + (-0.00018522 + (-0.000026452 + -0.0000000148 * t) * t) * t) * t) * t) * DAS2R;
  const epsa = obl06(date1, date2);
  let r = IDENTITY;
  r = erfaRz(gamb, r);
  r = erfaRx(phib, r);
  r = erfaRz(-psib, r);
  r = erfaRx(-epsa, r);
  return r;
}

/** ERFA bp06's precession part (bias removed) for a TT Julian date. */
function bp06Precession(jd: number): M3 {
  const rb = fw06(DJM0, DJM00);
  const rbp = fw06(jd, 0);
  return mul(rbp, transpose(rb));
}

/** TT Julian date of a Julian epoch (erfa epj2jd). */
function julianEpochToJd(epoch: number): number {
  return DJ00 + (epoch - 2000.0) * 365.25;
}
/** TT Julian date of a Besselian epoch (erfa epb2jd). */
function besselianEpochToJd(epoch: number): number {
  return DJM0 + 15019.81352 + (epoch - 1900.0) * 365.242198781;
}
/** Besselian epoch of a Julian date (erfa epb). */
function jdToBesselian(jd: number): number {
  return 1900.0 + (jd - DJ00 + 36524.68648) / 365.242198781;
}
/** Julian epoch of a Julian date (erfa epj). */
function jdToJulian(jd: number): number {
  return 2000.0 + (jd - DJ00) / 365.25;
}

/** FK5 precession between Julian equinoxes (astropy precession_matrix_Capitaine). */
function fk5Precession(from: number, to: number): M3 {
  if (from === to) return IDENTITY;
  return mul(bp06Precession(julianEpochToJd(to)), transpose(bp06Precession(julianEpochToJd(from))));
}

/** FK4 precession between Besselian equinoxes (Newcomb, astropy _precession_matrix_besselian). */
function fk4Precession(epoch1: number, epoch2: number): M3 {
  const t1 = (epoch1 - 1850.0) / 1000.0;
  const t2 = (epoch2 - 1850.0) / 1000.0;
  const dt = t2 - t1;
  const poly = (p: number[], x: number): number => p.reduce((acc, c) => acc * x + c, 0);
  const zeta1 = 23035.545 + t1 * 139.72 + 0.06 * t1 * t1;
  const zeta = poly([17.995, 30.24 - 0.27 * t1, zeta1, 0], dt) / 3600;
  const z = poly([18.325, 109.48 + 0.39 * t1, zeta1, 0], dt) / 3600;
  const theta = poly([-41.8, -42.65 - 0.37 * t1, 20051.12 - 85.29 * t1 - 0.37 * t1 * t1, 0], dt) / 3600;
  return mul(mul(rotation(-z, 'z'), rotation(theta, 'y')), rotation(-zeta, 'z'));
}

/** USNO circular 179 frame bias, ICRS → FK5 J2000. */
const ICRS_TO_FK5: M3 = mul(mul(rotation(19.9 / 3600000.0, 'x'), rotation(9.1 / 3600000.0, 'y')), rotation(-22.9 / 3600000.0, 'z'));

const B1950_TO_J2000: M3 = [
  [0.9999256794956877, -0.0111814832204662, -0.0048590038153592],
  [0.0111814832391717, +0.9999374848933135, -0.0000271625947142],
  [0.0048590037723143, -0.000027170293744, +0.9999881946023742],
];
const FK4_CORR: M3 = [
  [-0.0026455262e-6, -1.1539918689e-6, +2.111134619e-6],
  [+1.1540628161e-6, -0.0129042997e-6, +0.0236021478e-6],
  [-2.1112979048e-6, -0.0056024448e-6, +0.0102587734e-6],
];
function fk4BMatrix(obstimeBesselian: number): M3 {
  const T = (jdToJulian(besselianEpochToJd(obstimeBesselian)) - 1950.0) / 100.0;
  return B1950_TO_J2000.map((row, i) => row.map((v, j) => v + FK4_CORR[i]![j]! * T));
}

const GAL_FROM_FK5_J2000: M3 = mul(mul(rotation(180 - 122.9319185680026, 'z'), rotation(90 - 27.12825118085622, 'y')), rotation(192.8594812065348, 'z'));
const GAL_FROM_FK4_B1950: M3 = mul(mul(rotation(180 - 123, 'z'), rotation(90 - 27.4, 'y')), rotation(192.25, 'z'));

const JD_B1950 = besselianEpochToJd(1950.0);
/** astropy fk4_e_terms: the E-terms of aberration vector at a Besselian equinox. */
function eTerms(equinox: number): [number, number, number] {
  const jd = besselianEpochToJd(equinox);
  const T = (jd - JD_B1950) / 36525.0;
  const e = (-0.000000126 * T - 0.00004193) * T + 0.01673011;
  const g = ((((0.012 * T + 1.65) * T + 6190.67) * T + 1015489.951) / 3600.0) * D2R;
  const o = obl80(jd, 0);
  const k = 0.0056932 * D2R;
  return [e * k * Math.sin(g), -e * k * Math.cos(g) * Math.cos(o), -e * k * Math.cos(g) * Math.sin(o)];
}

/** A frame reduced to the nodes of astropy's transform graph. */
interface Node {
  kind: 'icrs' | 'fk5' | 'fk4noe' | 'galactic';
  equinox: number;
  obstime: number;
  eterms: boolean;
}

function node(f: SkyFrame): Node {
  switch (f.system) {
    case 'icrs':
      return { kind: 'icrs', equinox: 2000, obstime: 2000, eterms: false };
    case 'fk5':
      return { kind: 'fk5', equinox: f.equinox ?? 2000, obstime: 2000, eterms: false };
    case 'fk4':
    case 'fk4-no-e': {
      const eq = f.equinox ?? 1950;
      return { kind: 'fk4noe', equinox: eq, obstime: f.obstime ?? eq, eterms: f.system === 'fk4' };
    }
    case 'galactic':
      return { kind: 'galactic', equinox: 2000, obstime: 2000, eterms: false };
    default:
      throw new FitsError('BAD_ARGUMENT', `Unknown celestial frame '${(f as { system: string }).system}'; use icrs, fk5, fk4, fk4-no-e or galactic.`);
  }
}

/** Matrix from a node to FK5 J2000 (all linear steps of astropy's graph meet there). */
function toFk5J2000(n: Node): M3 {
  switch (n.kind) {
    case 'icrs':
      return ICRS_TO_FK5;
    case 'fk5':
      return fk5Precession(n.equinox, 2000);
    case 'fk4noe':
      return mul(fk4BMatrix(n.obstime), fk4Precession(n.equinox, 1950));
    case 'galactic':
      return transpose(GAL_FROM_FK5_J2000);
  }
}

function applyMatrix(m: M3, v: [number, number, number]): [number, number, number] {
  return [
    m[0]![0]! * v[0] + m[0]![1]! * v[1] + m[0]![2]! * v[2],
    m[1]![0]! * v[0] + m[1]![1]! * v[1] + m[1]![2]! * v[2],
    m[2]![0]! * v[0] + m[2]![1]! * v[1] + m[2]![2]! * v[2],
  ];
}

function removeETerms(v: [number, number, number], a: [number, number, number]): [number, number, number] {
  const d = a[0] * v[0] + a[1] * v[1] + a[2] * v[2];
  const r: [number, number, number] = [v[0] - a[0] + d * v[0], v[1] - a[1] + d * v[1], v[2] - a[2] + d * v[2]];
  const n = Math.hypot(r[0], r[1], r[2]);
  return [r[0] / n, r[1] / n, r[2] / n];
}

function addETerms(v0: [number, number, number], a: [number, number, number]): [number, number, number] {
  let r = v0;
  for (let k = 0; k < 10; k++) {
    const d = 1.0 + a[0] * r[0] + a[1] * r[1] + a[2] * r[2];
    r = [(a[0] + v0[0]) / d, (a[1] + v0[1]) / d, (a[2] + v0[2]) / d];
  }
  const n = Math.hypot(r[0], r[1], r[2]);
  return [r[0] / n, r[1] / n, r[2] / n];
}

/**
 * The rotation between two E-terms-free nodes, following astropy's shortest
 * path (FK4 ↔ Galactic goes through the B1950 galactic pole, not FK5).
 */
function nodeMatrix(from: Node, to: Node): M3 {
  if (from.kind === 'fk4noe' && to.kind === 'galactic') return mul(GAL_FROM_FK4_B1950, fk4Precession(from.equinox, 1950));
  if (from.kind === 'galactic' && to.kind === 'fk4noe') return transpose(mul(GAL_FROM_FK4_B1950, fk4Precession(to.equinox, 1950)));
  if (from.kind === 'fk4noe' && to.kind === 'fk4noe') return fk4Precession(from.equinox, to.equinox);
  return mul(transpose(toFk5J2000(to)), toFk5J2000(from));
}

/**
 * Convert celestial coordinates (degrees) between frames, as
 * SkyCoord(lon, lat, frame=from).transform_to(to) does.
 */
export function convertFrame(lon: ArrayLike<number>, lat: ArrayLike<number>, from: SkyFrame, to: SkyFrame): [Float64Array, Float64Array] {
  const a = node(from);
  const b = node(to);
  const n = lon.length;
  const outLon = new Float64Array(n);
  const outLat = new Float64Array(n);
  // FK4 with E-terms: astropy removes them at the FK4 equinox, then precesses without.
  const src: Node = { ...a, eterms: false };
  const dst: Node = { ...b, eterms: false };
  const m = nodeMatrix(src, dst);
  const ea = a.eterms ? eTerms(a.equinox) : null;
  const eb = b.eterms ? eTerms(b.equinox) : null;
  for (let k = 0; k < n; k++) {
    const l = lon[k]! * D2R;
    const t = lat[k]! * D2R;
    let v: [number, number, number] = [Math.cos(t) * Math.cos(l), Math.cos(t) * Math.sin(l), Math.sin(t)];
    if (ea) v = removeETerms(v, ea);
    v = applyMatrix(m, v);
    if (eb) v = addETerms(v, eb);
    let ol = Math.atan2(v[1], v[0]) / D2R;
    if (ol < 0) ol += 360;
    if (ol >= 360) ol -= 360;
    outLon[k] = ol;
    outLat[k] = Math.atan2(v[2], Math.hypot(v[0], v[1])) / D2R;
  }
  return [outLon, outLat];
}

/** Angular separation in degrees (Vincenty's formula, as astropy's angular_separation). */
export function angularSeparation(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dl = (lon2 - lon1) * D2R;
  const sdlon = Math.sin(dl);
  const cdlon = Math.cos(dl);
  const slat1 = Math.sin(lat1 * D2R);
  const slat2 = Math.sin(lat2 * D2R);
  const clat1 = Math.cos(lat1 * D2R);
  const clat2 = Math.cos(lat2 * D2R);
  const num1 = clat2 * sdlon;
  const num2 = clat1 * slat2 - slat1 * clat2 * cdlon;
  const denominator = slat1 * slat2 + clat1 * clat2 * cdlon;
  return Math.atan2(Math.hypot(num1, num2), denominator) / D2R;
}

/** The frame a WCS declares (RADESYS/EQUINOX, or galactic axes) as a SkyFrame, or null (ecliptic and others). */
export function skyFrameOf(system: string, equinox?: number): SkyFrame | null {
  switch (system) {
    case 'icrs':
      return { system: 'icrs' };
    case 'fk5':
      return { system: 'fk5', equinox: equinox ?? 2000 };
    case 'fk4':
      return { system: 'fk4', equinox: equinox ?? 1950 };
    case 'fk4-no-e':
      return { system: 'fk4-no-e', equinox: equinox ?? 1950 };
    case 'galactic':
      return { system: 'galactic' };
    default:
      return null;
  }
}

export { jdToBesselian };
