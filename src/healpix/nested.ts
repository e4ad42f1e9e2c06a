/**
 * HEALPix in the NESTED scheme: angles ⇄ pixels, pixel geometry, neighbours.
 *
 * The arithmetic follows HEALPix C++ (T_Healpix_Base::loc2pix / pix2loc, the
 * library behind healpy) operation for operation, so that
 * `ang2pixNest(order, lon, lat)` returns what
 * `healpy.ang2pix(2**order, lon, lat, nest=True, lonlat=True)` returns.
 *
 * Orders 0‥29 are supported. Pixel numbers at order ≤ 24 are exact JS numbers
 * (12·4^24 < 2^53); beyond, they are bigints, or — in the batch function used
 * for millions of rows — written as two 32-bit words straight into a
 * BigInt64Array, so no bigint is ever allocated per row.
 *
 * Angles are in degrees: longitude (RA) any finite value, latitude (Dec) in
 * [-90, 90]. Everything here is runtime-neutral and allocation-free per call
 * (but for the bigint results).
 */
import { FitsError } from '../core/errors.js';
import { preciseCos, preciseSin } from './precise-trig.js';

/** Highest order: 12·4^29 pixels is the most a signed 64-bit integer holds. */
export const MAX_ORDER = 29;
/** Highest order whose pixel numbers are exact JS numbers. */
export const MAX_NUMBER_ORDER = 24;

const DEG = Math.PI / 180; // numpy's radians(): x * (pi / 180)
const RAD = 180 / Math.PI; // numpy's degrees(): x * (180 / pi)
// biome-ignore lint/correctness/noPrecisionLoss: HEALPix C++'s literal; the parser rounds it as a C++ compiler does.
const HALF_PI = 1.570796326794896619231321691639751442099;
// The literal of HEALPix C++ (2/π); the JS parser rounds it as a C++ compiler does.
// biome-ignore lint/correctness/noPrecisionLoss: as above.
const INV_HALF_PI = 0.6366197723675813430755350534900574;
const TWO_THIRD = 2 / 3;

// Base-face tables of HEALPix C++ (healpix_tables.cc).
const JRLL = [2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4];
const JPLL = [1, 3, 5, 7, 0, 2, 4, 6, 1, 3, 5, 7];
const NB_XOFFSET = [-1, -1, 0, 1, 1, 1, 0, -1];
const NB_YOFFSET = [0, 1, 1, 1, 0, -1, -1, -1];
const NB_FACEARRAY = [
  [8, 9, 10, 11, -1, -1, -1, -1, 10, 11, 8, 9], // S
  [5, 6, 7, 4, 8, 9, 10, 11, 9, 10, 11, 8], // SE
  [-1, -1, -1, -1, 5, 6, 7, 4, -1, -1, -1, -1], // E
  [4, 5, 6, 7, 11, 8, 9, 10, 11, 8, 9, 10], // SW
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], // center
  [1, 2, 3, 0, 0, 1, 2, 3, 5, 6, 7, 4], // NE
  [-1, -1, -1, -1, 7, 4, 5, 6, -1, -1, -1, -1], // W
  [3, 0, 1, 2, 3, 0, 1, 2, 4, 5, 6, 7], // NW
  [2, 3, 0, 1, -1, -1, -1, -1, 0, 1, 2, 3], // N
];
const NB_SWAPARRAY = [
  [0, 0, 3], [0, 0, 6], [0, 0, 0], [0, 0, 5], [0, 0, 0], [5, 0, 0], [0, 0, 0], [6, 0, 0], [3, 0, 0],
];

/** Bits of an 8-bit value spread to the even bits of a 16-bit value. */
const SPREAD8 = new Uint16Array(256);
/** The even bits of a 16-bit value gathered into 8 bits (the inverse of SPREAD8). */
const COMPRESS16 = new Uint8Array(1 << 16);
for (let v = 0; v < 256; v++) {
  let s = 0;
  for (let b = 0; b < 8; b++) s |= ((v >>> b) & 1) << (2 * b);
  SPREAD8[v] = s;
}
for (let w = 0; w < 1 << 16; w++) {
  let c = 0;
  for (let b = 0; b < 8; b++) c |= ((w >>> (2 * b)) & 1) << b;
  COMPRESS16[w] = c;
}

/** The 16 low bits of v spread to the even bits of a 32-bit unsigned value. */
function spread16(v: number): number {
  return (SPREAD8[v & 0xff]! | (SPREAD8[(v >>> 8) & 0xff]! << 16)) >>> 0;
}

/** The even bits of a 32-bit value gathered into 16 bits. */
function compress32(w: number): number {
  return COMPRESS16[w & 0x5555]! | (COMPRESS16[(w >>> 16) & 0x5555]! << 8);
}

/** HEALPix nside of an order (2^order). */
export function nside(order: number): number {
  return 2 ** order;
}

/** Number of pixels of the whole sky at an order (12·4^order; exact up to order 24). */
export function npix(order: number): number {
  return 12 * 4 ** order;
}

/** Throws unless order is an integer in 0‥max. */
export function checkOrder(order: number, max = MAX_ORDER): void {
  if (!Number.isInteger(order) || order < 0 || order > max) {
    throw new FitsError('BAD_ARGUMENT', `HEALPix order must be an integer from 0 to ${max}, not ${order}.`);
  }
}

/** A pixel as face number and integer coordinates within the face (each < nside). */
export interface FaceXY {
  face: number;
  x: number;
  y: number;
}

/**
 * Face and in-face coordinates of the point (z = cos θ, φ) at `order`, as
 * HEALPix C++ loc2pix computes them (sth = sin θ, used near the poles).
 * Writes into `out`; returns how far the point is from a decision HEALPix
 * takes (an edge between pixels, in units of pixel index, or a branch point
 * of the formulas): under EDGE_MARGIN, the last bit of z may change the pixel.
 */
function locToFaceXY(z: number, phi: number, sth: number, haveSth: boolean, ns: number, out: FaceXY): number {
  const za = z < 0 ? -z : z;
  let tt = phi * INV_HALF_PI;
  if (!(tt >= 0 && tt < 4)) tt = fmodulo(tt, 4);
  let a: number;
  let b: number;
  let margin: number;
  if (za <= TWO_THIRD) {
    const temp1 = ns * (0.5 + tt);
    const temp2 = ns * (z * 0.75);
    a = temp1 - temp2;
    b = temp1 + temp2;
    const jp = Math.floor(a); // non-negative: truncation = floor
    const jm = Math.floor(b);
    const ifp = Math.floor(jp / ns); // ns is a power of 2: exact
    const ifm = Math.floor(jm / ns);
    out.face = ifp === ifm ? ifp | 4 : ifp < ifm ? ifp : ifm + 8;
    out.x = jm - ifm * ns;
    out.y = ns - (jp - ifp * ns) - 1;
    margin = TWO_THIRD - za;
  } else {
    const ntt = tt < 3 ? Math.floor(tt) : 3;
    const tp = tt - ntt;
    const tmp = za < 0.99 || !haveSth ? ns * Math.sqrt(3 * (1 - za)) : (ns * sth) / Math.sqrt((1 + za) / 3);
    a = tp * tmp;
    b = (1 - tp) * tmp;
    let jp = Math.floor(a);
    let jm = Math.floor(b);
    if (jp > ns - 1) jp = ns - 1;
    if (jm > ns - 1) jm = ns - 1;
    if (z >= 0) {
      out.face = ntt;
      out.x = ns - jm - 1;
      out.y = ns - jp - 1;
    } else {
      out.face = ntt + 8;
      out.x = jp;
      out.y = jm;
    }
    const d = za - 0.99;
    margin = za - TWO_THIRD;
    if (d < margin && d > -margin) margin = d < 0 ? -d : d;
  }
  // Distance of a and b to the nearest integer.
  let f = a - Math.floor(a);
  if (f > 0.5) f = 1 - f;
  if (f < margin) margin = f;
  f = b - Math.floor(b);
  if (f > 0.5) f = 1 - f;
  return f < margin ? f : margin;
}

/**
 * Points closer than this to a pixel edge (in pixel-index units) are
 * recomputed with correctly rounded cos/sin: a one-ulp change of cos θ moves
 * the edge tests by at most ~1e-5 near the poles (much less elsewhere).
 */
const EDGE_MARGIN = 1e-4;

/** C++ fmodulo: v1 mod v2 in [0, v2). */
function fmodulo(v1: number, v2: number): number {
  if (v1 >= 0) return v1 < v2 ? v1 : v1 % v2;
  const tmp = (v1 % v2) + v2;
  return tmp === v2 ? 0 : tmp;
}

/** Checks lon/lat and returns θ (colatitude, radians). */
function colatitude(lon: number, lat: number): number {
  if (!(lat >= -90 && lat <= 90)) throw new FitsError('BAD_ARGUMENT', `Latitude ${lat} is not within [-90, 90] degrees.`);
  if (!Number.isFinite(lon)) throw new FitsError('BAD_ARGUMENT', `Longitude ${lon} is not a finite number of degrees.`);
  return HALF_PI - lat * DEG;
}

const scratch: FaceXY = { face: 0, x: 0, y: 0 };

/** Face and in-face coordinates of (lon, lat) in degrees at `order` (healpy's rounding). */
export function angToFaceXY(order: number, lon: number, lat: number, out: FaceXY = { face: 0, x: 0, y: 0 }): FaceXY {
  const theta = colatitude(lon, lat);
  const phi = lon * DEG;
  locToFaceXYOfTheta(theta, phi, 2 ** order, out);
  return out;
}

/** loc2pix of (θ, φ) in radians as HEALPix's ang2pix(pointing) calls it. */
function locToFaceXYOfTheta(theta: number, phi: number, ns: number, out: FaceXY): void {
  // biome-ignore lint/suspicious/noApproximativeNumericConstant: HEALPix C++'s own threshold, kept as written for equal pixels.
  const haveSth = theta < 0.01 || theta > 3.14159 - 0.01;
  const margin = locToFaceXY(Math.cos(theta), phi, haveSth ? Math.sin(theta) : 0, haveSth, ns, out);
  // Near an edge, use cos/sin rounded as the C library (that healpy calls) rounds them.
  if (margin < EDGE_MARGIN) locToFaceXY(preciseCos(theta), phi, haveSth ? preciseSin(theta) : 0, haveSth, ns, out);
}

/** Nested pixel number (a JS number, order ≤ 24) of face/x/y. */
export function xyfToNest(order: number, x: number, y: number, face: number): number {
  // x, y < 2^24: their interleaving needs 48 bits; split at 16 bits to stay in 32-bit operations.
  const lo = (spread16(x & 0xffff) | (spread16(y & 0xffff) << 1)) >>> 0;
  const hi = (spread16(x >>> 16) | (spread16(y >>> 16) << 1)) >>> 0;
  return face * 4 ** order + hi * 4294967296 + lo;
}

/** Face/x/y of a nested pixel (a number at order ≤ 24, or a bigint at any order). */
export function nestToXYF(order: number, pix: number | bigint, out: FaceXY = { face: 0, x: 0, y: 0 }): FaceXY {
  let face: number;
  let rest: number | bigint;
  if (typeof pix === 'bigint') {
    const per = 1n << BigInt(2 * order);
    face = Number(pix / per);
    rest = pix - BigInt(face) * per;
    const r = rest as bigint;
    const lo = Number(r & 0xffffffffn);
    const hi = Number(r >> 32n);
    out.face = face;
    out.x = compress32(lo) + compress32(hi) * 65536;
    out.y = compress32(lo >>> 1) + compress32(hi >>> 1) * 65536;
    return out;
  }
  const per = 4 ** order;
  face = Math.floor(pix / per);
  const r = pix - face * per;
  const hi = Math.floor(r / 4294967296);
  const lo = r - hi * 4294967296;
  out.face = face;
  out.x = compress32(lo) + compress32(hi) * 65536;
  out.y = compress32(lo >>> 1) + compress32(hi >>> 1) * 65536;
  return out;
}

function checkPixel(order: number, pix: number | bigint): void {
  if (typeof pix === 'bigint') {
    if (pix < 0n || pix >= 12n << BigInt(2 * order)) throw new FitsError('BAD_ARGUMENT', `Pixel ${pix} does not exist at order ${order}.`);
  } else if (!Number.isInteger(pix) || pix < 0 || pix >= npix(order)) {
    throw new FitsError('BAD_ARGUMENT', `Pixel ${pix} does not exist at order ${order}${order > MAX_NUMBER_ORDER ? ' (pass a bigint above order 24)' : ''}.`);
  }
}

/**
 * Nested pixel of (lon, lat) in degrees at `order` ≤ 24, as
 * `healpy.ang2pix(2**order, lon, lat, nest=True, lonlat=True)`.
 */
export function ang2pixNest(order: number, lon: number, lat: number): number {
  checkOrder(order, MAX_NUMBER_ORDER);
  const f = angToFaceXY(order, lon, lat, scratch);
  return xyfToNest(order, f.x, f.y, f.face);
}

/** Nested pixel of (lon, lat) in degrees at any order ≤ 29, as a bigint. */
export function ang2pixNestBig(order: number, lon: number, lat: number): bigint {
  checkOrder(order);
  const f = angToFaceXY(order, lon, lat, scratch);
  const lo = (spread16(f.x & 0xffff) | (spread16(f.y & 0xffff) << 1)) >>> 0;
  const hi = (spread16(f.x >>> 16) | (spread16(f.y >>> 16) << 1)) >>> 0;
  return (BigInt(f.face) << BigInt(2 * order)) + (BigInt(hi) << 32n) + BigInt(lo);
}

/** The HATS spatial index: the nested pixel at order 29 (`_healpix_29`). */
export function healpix29(lon: number, lat: number): bigint {
  return ang2pixNestBig(29, lon, lat);
}

const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Nested pixels of many points at once, written into `out` (one int64 per
 * point): the fast path of HATS imports, with no bigint per row. `order`
 * ≥ 16 (so that the face bits fall in the high word); use ang2pixNest below.
 * Throws FitsError BAD_ARGUMENT at the first invalid coordinate, naming its index.
 */
export function ang2pixNestInto(order: number, lon: ArrayLike<number>, lat: ArrayLike<number>, out: BigInt64Array, first = 0, count = lon.length - first): void {
  checkOrder(order);
  if (order < 16) throw new FitsError('BAD_ARGUMENT', 'ang2pixNestInto needs order ≥ 16; use ang2pixNest for lower orders.');
  if (out.length < count) throw new FitsError('BAD_ARGUMENT', `The output holds ${out.length} pixels; ${count} are needed.`);
  const words = new Uint32Array(out.buffer, out.byteOffset, out.length * 2);
  const loAt = hostLittleEndian ? 0 : 1;
  const hiAt = 1 - loAt;
  const faceShift = 2 * order - 32;
  const f: FaceXY = { face: 0, x: 0, y: 0 };
  const ns = 2 ** order;
  for (let i = 0; i < count; i++) {
    const a = lon[first + i]!;
    const b = lat[first + i]!;
    if (!(b >= -90 && b <= 90) || !Number.isFinite(a)) {
      throw new FitsError('BAD_ARGUMENT', `Point ${first + i} has longitude ${a} and latitude ${b}: not a position on the sky (latitude must be within [-90, 90]).`);
    }
    locToFaceXYOfTheta(HALF_PI - b * DEG, a * DEG, ns, f);
    words[2 * i + loAt] = (spread16(f.x & 0xffff) | (spread16(f.y & 0xffff) << 1)) >>> 0;
    words[2 * i + hiAt] = (spread16(f.x >>> 16) | (spread16(f.y >>> 16) << 1) | (f.face << faceShift)) >>> 0;
  }
}

/** A point as z = cos θ, φ and (near the poles) sin θ. */
interface Loc {
  z: number;
  phi: number;
  sth: number;
  haveSth: boolean;
}

/** Centre of a pixel given by face/x/y (HEALPix C++ pix2loc, NESTED branch). */
function xyfToLoc(order: number, x: number, y: number, face: number, out: Loc): Loc {
  const ns = 2 ** order;
  const fact2 = 4 / (12 * ns * ns);
  const fact1 = 2 * ns * fact2;
  const jr = JRLL[face]! * ns - x - y - 1;
  let nr: number;
  out.haveSth = false;
  out.sth = 0;
  // nr² is exact below 2^26; above, (nr/ns)²/3 is the same quantity within an ulp.
  const square = (n: number) => (n < 67108864 ? n * n * fact2 : ((n / ns) * (n / ns)) / 3);
  if (jr < ns) {
    nr = jr;
    const tmp = square(nr);
    out.z = 1 - tmp;
    if (out.z > 0.99) {
      out.sth = Math.sqrt(tmp * (2 - tmp));
      out.haveSth = true;
    }
  } else if (jr > 3 * ns) {
    nr = 4 * ns - jr;
    const tmp = square(nr);
    out.z = tmp - 1;
    if (out.z < -0.99) {
      out.sth = Math.sqrt(tmp * (2 - tmp));
      out.haveSth = true;
    }
  } else {
    nr = ns;
    out.z = (2 * ns - jr) * fact1;
  }
  let tmp = JPLL[face]! * nr + x - y;
  if (tmp < 0) tmp += 8 * nr;
  out.phi = nr === ns ? 0.75 * HALF_PI * tmp * fact1 : (0.5 * HALF_PI * tmp) / nr;
  return out;
}

/** Sky position (lon, lat in degrees) of a pixel centre; lon in [0, 360). */
export interface LonLat {
  lon: number;
  lat: number;
}

/** Centre of a nested pixel, as `healpy.pix2ang(2**order, pix, nest=True, lonlat=True)`. */
export function pix2angNest(order: number, pix: number | bigint): LonLat {
  checkOrder(order);
  checkPixel(order, pix);
  const f = nestToXYF(order, pix);
  const loc = xyfToLoc(order, f.x, f.y, f.face, { z: 0, phi: 0, sth: 0, haveSth: false });
  const theta = loc.haveSth ? Math.atan2(loc.sth, loc.z) : Math.acos(loc.z);
  return { lon: loc.phi * RAD, lat: 90 - theta * RAD };
}

/** Unit vector of a pixel centre. */
export function pixelVector(order: number, pix: number | bigint): [number, number, number] {
  const f = nestToXYF(order, pix);
  return xyfVector(order, f.x, f.y, f.face);
}

/** Unit vector of the centre of the pixel face/x/y. */
export function xyfVector(order: number, x: number, y: number, face: number): [number, number, number] {
  const loc = xyfToLoc(order, x, y, face, { z: 0, phi: 0, sth: 0, haveSth: false });
  const st = loc.haveSth ? loc.sth : Math.sqrt((1 - loc.z) * (1 + loc.z));
  return [st * Math.cos(loc.phi), st * Math.sin(loc.phi), loc.z];
}

/** Unit vector of (lon, lat) in degrees. */
export function lonLatVector(lon: number, lat: number): [number, number, number] {
  const a = lon * DEG;
  const b = lat * DEG;
  const c = Math.cos(b);
  return [c * Math.cos(a), c * Math.sin(a), Math.sin(b)];
}

/** Angle between two unit vectors (radians), accurate at small and large angles. */
export function vectorAngle(a: readonly number[], b: readonly number[]): number {
  const cx = a[1]! * b[2]! - a[2]! * b[1]!;
  const cy = a[2]! * b[0]! - a[0]! * b[2]!;
  const cz = a[0]! * b[1]! - a[1]! * b[0]!;
  return Math.atan2(Math.sqrt(cx * cx + cy * cy + cz * cz), a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!);
}

/**
 * Largest angular distance (radians) from a pixel centre to any point of that
 * pixel at `order` (HEALPix C++ max_pixrad).
 */
export function maxPixelRadius(order: number): number {
  const ns = 2 ** order;
  const va = zPhiVector(2 / 3, Math.PI / (4 * ns));
  let t1 = 1 - 1 / ns;
  t1 *= t1;
  const vb = zPhiVector(1 - t1 / 3, 0);
  return vectorAngle(va, vb);
}

function zPhiVector(z: number, phi: number): [number, number, number] {
  const st = Math.sqrt((1 - z) * (1 + z));
  return [st * Math.cos(phi), st * Math.sin(phi), z];
}

/**
 * The 8 neighbours of a nested pixel at order ≤ 24, in healpy's order
 * (SW, W, NW, N, NE, E, SE, S); -1 where a pixel has only 7 neighbours.
 * As `healpy.get_all_neighbours(2**order, pix, nest=True)`.
 */
export function neighboursNest(order: number, pix: number): number[] {
  checkOrder(order, MAX_NUMBER_ORDER);
  checkPixel(order, pix);
  const ns = 2 ** order;
  const { face, x: ix, y: iy } = nestToXYF(order, pix);
  const out: number[] = new Array(8);
  for (let i = 0; i < 8; i++) {
    let x = ix + NB_XOFFSET[i]!;
    let y = iy + NB_YOFFSET[i]!;
    let nbnum = 4;
    if (x < 0) {
      x += ns;
      nbnum -= 1;
    } else if (x >= ns) {
      x -= ns;
      nbnum += 1;
    }
    if (y < 0) {
      y += ns;
      nbnum -= 3;
    } else if (y >= ns) {
      y -= ns;
      nbnum += 3;
    }
    const f = NB_FACEARRAY[nbnum]![face]!;
    if (f < 0) {
      out[i] = -1;
      continue;
    }
    const bits = NB_SWAPARRAY[nbnum]![face >>> 2]!;
    if (bits & 1) x = ns - x - 1;
    if (bits & 2) y = ns - y - 1;
    if (bits & 4) [x, y] = [y, x];
    out[i] = xyfToNest(order, x, y, f);
  }
  return out;
}
