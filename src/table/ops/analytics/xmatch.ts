/**
 * Positional cross-match of two catalogs: every pair within an angular radius
 * (astropy's `search_around_sky`), or each row's nearest neighbour within it
 * (astropy's `match_to_catalog_sky` restricted to the radius).
 *
 * Method (sphere zones, memory O(rows of the second catalog)): the second
 * catalog is cut into declination zones at least one radius high and sorted by
 * (zone, RA); each row of the first catalog looks at the zones its circle
 * touches, binary-searches the RA window (widened by 1/cos δ, whole zones near
 * the poles, wrapped at 0°/360°), and tests the candidates exactly.
 *
 * Exactness against astropy 5.2:
 * - the test is astropy's: the chord between unit vectors (x = cos δ cos α,
 *   y = cos δ sin α, z = sin δ, from degrees × astropy's deg→rad factor) at
 *   most `2 sin(radius / 2)`, compared squared as scipy's k-d tree does;
 * - separations use astropy's `angular_separation` (Vincenty's formula) in
 *   float64 on the same operands (the RA difference taken in degrees, then
 *   converted), then radians → degrees → arcseconds with astropy's factors.
 *   For nearest matches the separation is computed as match_to_catalog_sky
 *   does (from the second catalog's point to the first's).
 *   Sine and cosine come from the JavaScript engine, not glibc: results can
 *   differ from astropy's in the last bit.
 * - RA is wrapped into [0°, 360°) like astropy's Longitude; a Dec beyond ±90°
 *   is an error (astropy refuses it too); rows with a null or NaN coordinate
 *   match nothing (astropy's k-d tree refuses them).
 * Pairs come sorted by index in the first catalog, then in the second
 * (astropy returns the first sorted and the second in k-d tree order).
 */
import { FitsError } from '../../../core/errors.js';
import { sortPermutation } from '../sort/radix.js';
import type { Column } from '../../column.js';
import { ANGLE_UNITS, findSkyColumns, parseAngle, skyPositions, type Angle } from './sky.js';
import { int64Column, scalarColumn } from './result-columns.js';
import type { ColumnList, TableSource } from './table-source.js';

/** How close two positions must be to match, and which matches to keep. */
export interface CrossMatchOptions {
  /** Radius: arcseconds, or an angle with a unit (`'2arcsec'`, `'0.5arcmin'`, `'1e-3deg'`, `'30mas'`). */
  radius: number | string;
  /** Only each first-catalog row's nearest match within the radius. */
  nearest?: boolean;
  /** Most pairs to produce (default 2^28); more is a FitsError BAD_SIZE rather than an out-of-memory crash. */
  maxPairs?: number;
}

/** Options of {@link FitsTable.xmatch}: the match radius and mode, and the RA/Dec columns of both tables. */
export interface TableCrossMatchOptions extends CrossMatchOptions {
  /** RA / Dec column names (default: found by name, e.g. RA, RAJ2000, ALPHA_J2000 / DEC, DEJ2000, DELTA_J2000), in both tables. */
  ra?: string;
  dec?: string;
  /** Names in the second table when they differ from the first's. */
  raB?: string;
  decB?: string;
}

/** Matched pairs: row indexA[k] of the first catalog and indexB[k] of the second, sepArcsec[k] apart. */
export interface CrossMatch {
  indexA: Uint32Array;
  indexB: Uint32Array;
  sepArcsec: Float64Array;
}

/** Positions in degrees (RA wrapped into [0, 360); NaN for rows that match nothing). */
export interface SkyPositions {
  ra: Float64Array;
  dec: Float64Array;
}

const D2R = ANGLE_UNITS.deg!.rad;
const R2D = ANGLE_UNITS.rad!.deg;
const DEFAULT_MAX_PAIRS = 2 ** 28;

/** astropy's `angular_separation` (Vincenty), degrees in, arcseconds out (via degrees, as SkyCoord.separation). */
export function separationArcsec(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dlon = (lon2 - lon1) * D2R;
  const sdlon = Math.sin(dlon);
  const cdlon = Math.cos(dlon);
  const slat1 = Math.sin(lat1 * D2R);
  const slat2 = Math.sin(lat2 * D2R);
  const clat1 = Math.cos(lat1 * D2R);
  const clat2 = Math.cos(lat2 * D2R);
  const num1 = clat2 * sdlon;
  const num2 = clat1 * slat2 - slat1 * clat2 * cdlon;
  const den = slat1 * slat2 + clat1 * clat2 * cdlon;
  return Math.atan2(hypot(num1, num2), den) * R2D * 3600;
}

const SPLIT = 134217729; // 2^27 + 1 (Veltkamp)

/** a² exactly, as hi + lo (Dekker's product). */
function square(a: number): [number, number] {
  const hi = a * a;
  const t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  return [hi, al * al - (((hi - ah * ah) - ah * al) - al * ah)];
}

/**
 * √(x² + y²) correctly rounded in all but rare ties, like glibc's hypot that
 * numpy calls (Math.hypot and a plain √(x² + y²) are off by one unit in the
 * last place in about one case in six): the sum of squares in double-double,
 * then one Newton correction of the square root. For |x|, |y| ≤ 1 (no
 * overflow; Vincenty's terms are).
 */
function hypot(x: number, y: number): number {
  const [ph, pl] = square(x);
  const [qh, ql] = square(y);
  const sh = ph + qh;
  const bv = sh - ph;
  const sl = ph - (sh - bv) + (qh - bv) + pl + ql;
  const s = sh + sl;
  const e = sh - s + sl;
  if (s === 0) return 0;
  const r = Math.sqrt(s);
  const [rh, rl] = square(r);
  return r + (s - rh - rl + e) / (2 * r);
}

/** Growable pair lists. */
class Pairs {
  a = new Uint32Array(1024);
  b = new Uint32Array(1024);
  s = new Float64Array(1024);
  n = 0;
  constructor(readonly max: number) {}
  push(i: number, j: number, sep: number): void {
    if (this.n === this.a.length) {
      if (this.n >= this.max) throw new FitsError('BAD_SIZE', `The cross-match found more than ${this.max} pairs; use a smaller radius, nearest: true, or raise maxPairs.`);
      const m = Math.min(this.max, this.n * 2);
      const a = new Uint32Array(m);
      a.set(this.a);
      this.a = a;
      const b = new Uint32Array(m);
      b.set(this.b);
      this.b = b;
      const s = new Float64Array(m);
      s.set(this.s);
      this.s = s;
    }
    this.a[this.n] = i;
    this.b[this.n] = j;
    this.s[this.n++] = sep;
  }
  result(): CrossMatch {
    return { indexA: this.a.slice(0, this.n), indexB: this.b.slice(0, this.n), sepArcsec: this.s.slice(0, this.n) };
  }
  /** The pairs ordered by first index (a stable counting sort: each row's pairs keep their order). */
  byFirstIndex(nA: number): CrossMatch {
    const n = this.n;
    const start = new Uint32Array(nA + 1);
    for (let k = 0; k < n; k++) start[this.a[k]! + 1]!++;
    for (let i = 0; i < nA; i++) start[i + 1]! += start[i]!;
    const indexA = new Uint32Array(n);
    const indexB = new Uint32Array(n);
    const sepArcsec = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      const o = start[this.a[k]!]!++;
      indexA[o] = this.a[k]!;
      indexB[o] = this.b[k]!;
      sepArcsec[o] = this.s[k]!;
    }
    return { indexA, indexB, sepArcsec };
  }
}

/** First index in sorted[lo, hi) whose value is ≥ x. */
function lowerBound(sorted: Float64Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in sorted[lo, hi) whose value is > x. */
function upperBound(sorted: Float64Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Cross-match two sets of positions (degrees; see the module doc). */
export function crossMatchPositions(a: SkyPositions, b: SkyPositions, opts: CrossMatchOptions): CrossMatch {
  const radius: Angle = parseAngle(opts.radius);
  const maxPairs = opts.maxPairs ?? DEFAULT_MAX_PAIRS;
  if (!(maxPairs >= 0)) throw new FitsError('BAD_ARGUMENT', `maxPairs must be ≥ 0, not ${maxPairs}.`);
  const pairs = new Pairs(maxPairs);
  const nA = a.ra.length;
  const nB = b.ra.length;
  // astropy: r = 2 sin(Angle(radius) / 2), the angle converted to radians by its unit's factor.
  const chord = 2 * Math.sin((radius.value / 2) * ANGLE_UNITS[radius.unit]!.rad);
  const chord2 = chord * chord;
  const rDeg = radius.value * ANGLE_UNITS[radius.unit]!.deg;
  if (nA === 0 || nB === 0 || !(rDeg >= 0)) return pairs.result();

  const index = new ZoneIndex(b, rDeg, chord2);
  const nearest = !!opts.nearest;
  // The first catalog is visited in the same (zone, RA) order, so the second's zones are read
  // in memory order (random sky positions would make every lookup a cache miss); the pairs
  // are put back in first-catalog order at the end.
  const orderA = sortPermutation(
    [
      { column: u32Column(zonesOf(a.dec, index)), descending: false, nulls: 'last' },
      { column: f64Column(a.ra), descending: false, nulls: 'last' },
    ],
    nA,
  );
  const raA = new Float64Array(nA);
  const decA = new Float64Array(nA);
  const rowA = new Uint32Array(nA);
  {
    const inv = new Uint32Array(nA);
    for (let q = 0; q < nA; q++) inv[orderA[q]!] = q;
    for (let i = 0; i < nA; i++) {
      const q = inv[i]!;
      raA[q] = a.ra[i]!;
      decA[q] = a.dec[i]!;
      rowA[q] = i;
    }
  }
  for (let q = 0; q < nA; q++) {
    const i = rowA[q]!;
    const lat = decA[q]!;
    const lon = raA[q]!;
    if (lat !== lat) continue;
    const nc = index.candidates(lon, lat);
    if (nc === 0) continue;
    const { candK, candD, lonS, latS, idxS } = index;
    if (nearest) {
      // The smallest chord; ties to the lower index in the second catalog.
      let best = 0;
      for (let c = 1; c < nc; c++) {
        if (candD[c]! < candD[best]! || (candD[c] === candD[best] && idxS[candK[c]!]! < idxS[candK[best]!]!)) best = c;
      }
      const k = candK[best]!;
      pairs.push(i, idxS[k]!, separationArcsec(lonS[k]!, latS[k]!, lon, lat));
      continue;
    }
    // By index in the second catalog (a handful of candidates: insertion sort).
    for (let c = 1; c < nc; c++) {
      const k = candK[c]!;
      const key = idxS[k]!;
      let p = c - 1;
      while (p >= 0 && idxS[candK[p]!]! > key) {
        candK[p + 1] = candK[p]!;
        p--;
      }
      candK[p + 1] = k;
    }
    for (let c = 0; c < nc; c++) {
      const k = candK[c]!;
      pairs.push(i, idxS[k]!, separationArcsec(lon, lat, lonS[k]!, latS[k]!));
    }
  }
  return pairs.byFirstIndex(nA);
}

/** Each declination's zone (NaN: after every zone). */
function zonesOf(dec: Float64Array, index: ZoneIndex): Uint32Array {
  const z = new Uint32Array(dec.length);
  for (let i = 0; i < dec.length; i++) z[i] = dec[i]! === dec[i]! ? index.zoneOf(dec[i]!) : index.nZones;
  return z;
}

/**
 * The second catalog cut into declination zones (at least one radius high, at
 * most ~max(n, 1024) of them: memory O(n)) and sorted by (zone, RA), with unit
 * vectors; {@link ZoneIndex.candidates} finds the points within the radius.
 */
class ZoneIndex {
  readonly lonS: Float64Array;
  readonly latS: Float64Array;
  readonly xS: Float64Array;
  readonly yS: Float64Array;
  readonly zS: Float64Array;
  /** Row in the catalog of each sorted point. */
  readonly idxS: Uint32Array;
  readonly zoneStart: Int32Array;
  readonly nZones: number;
  readonly zoneHeight: number;
  readonly sinR: number;
  /** The last candidates(): sorted-point positions and squared chords. */
  candK = new Uint32Array(64);
  candD = new Float64Array(64);

  constructor(
    b: SkyPositions,
    readonly rDeg: number,
    readonly chord2: number,
  ) {
    const nB = b.ra.length;
    const maxZones = Math.max(1024, Math.min(nB, 1 << 22));
    this.zoneHeight = Math.max(rDeg, 180 / maxZones);
    this.nZones = Math.max(1, Math.ceil(180 / this.zoneHeight));
    this.sinR = Math.sin(rDeg * D2R);
    const zoneB = new Uint32Array(nB);
    let valid = 0;
    for (let j = 0; j < nB; j++) {
      const d = b.dec[j]!;
      if (d === d) {
        zoneB[j] = this.zoneOf(d);
        valid++;
      } else zoneB[j] = this.nZones; // after every zone: never looked at
    }
    const perm = sortPermutation(
      [
        { column: u32Column(zoneB), descending: false, nulls: 'last' },
        { column: f64Column(b.ra), descending: false, nulls: 'last' },
      ],
      nB,
    );
    this.lonS = new Float64Array(valid);
    this.latS = new Float64Array(valid);
    this.xS = new Float64Array(valid);
    this.yS = new Float64Array(valid);
    this.zS = new Float64Array(valid);
    this.idxS = new Uint32Array(valid);
    this.zoneStart = new Int32Array(this.nZones + 1);
    // Scatter in catalog order (sequential reads, random writes: faster than gathering by perm).
    const inv = new Uint32Array(nB);
    for (let k = 0; k < nB; k++) inv[perm[k]!] = k;
    for (let j = 0; j < nB; j++) {
      const k = inv[j]!;
      if (k >= valid) continue;
      const lon = b.ra[j]!;
      const lat = b.dec[j]!;
      this.lonS[k] = lon;
      this.latS[k] = lat;
      const cl = Math.cos(lat * D2R);
      this.xS[k] = cl * Math.cos(lon * D2R);
      this.yS[k] = cl * Math.sin(lon * D2R);
      this.zS[k] = Math.sin(lat * D2R);
      this.idxS[k] = j;
    }
    for (let k = 0; k < valid; k++) this.zoneStart[this.zoneOf(this.latS[k]!) + 1]!++;
    for (let z = 0; z < this.nZones; z++) this.zoneStart[z + 1]! += this.zoneStart[z]!;
  }

  zoneOf(dec: number): number {
    return Math.min(this.nZones - 1, Math.max(0, Math.floor((dec + 90) / this.zoneHeight)));
  }

  /** Points within the radius of (lon, lat) into candK/candD; returns how many. */
  candidates(lon: number, lat: number): number {
    const cl = Math.cos(lat * D2R);
    const x = cl * Math.cos(lon * D2R);
    const y = cl * Math.sin(lon * D2R);
    const z = Math.sin(lat * D2R);
    const rDeg = this.rDeg;
    // RA half-width of the circle (deg), with a margin; the chord test decides.
    let alpha = 360;
    if (Math.abs(lat) + rDeg < 89.9) alpha = Math.asin(Math.min(1, this.sinR / Math.cos((Math.abs(lat) + rDeg) * D2R))) * R2D * (1 + 1e-9) + 1e-9;
    const margin = rDeg * 1e-9 + 1e-12;
    const z0 = this.zoneOf(lat - rDeg - margin);
    const z1 = this.zoneOf(lat + rDeg + margin);
    let nc = 0;
    for (let zone = z0; zone <= z1; zone++) {
      const s = this.zoneStart[zone]!;
      const e = this.zoneStart[zone + 1]!;
      if (s === e) continue;
      if (alpha >= 180) {
        nc = this.scan(s, e, x, y, z, nc);
        continue;
      }
      // One RA range, or two across the 0°/360° wrap.
      const lo = lon - alpha;
      const hi = lon + alpha;
      const lonS = this.lonS;
      nc = this.scan(lowerBound(lonS, s, e, lo < 0 ? 0 : lo), upperBound(lonS, s, e, hi > 360 ? 360 : hi), x, y, z, nc);
      if (lo < 0) nc = this.scan(lowerBound(lonS, s, e, lo + 360), e, x, y, z, nc);
      if (hi >= 360) nc = this.scan(s, upperBound(lonS, s, e, hi - 360), x, y, z, nc);
    }
    return nc;
  }

  /** Test sorted points k0 .. k1 against the chord; append matches after the first `nc`. */
  scan(k0: number, k1: number, x: number, y: number, z: number, nc: number): number {
    const { xS, yS, zS, chord2 } = this;
    for (let k = k0; k < k1; k++) {
      const dx = x - xS[k]!;
      const dy = y - yS[k]!;
      const dz = z - zS[k]!;
      const d2 = dx * dx + dy * dy + dz * dz;
      if (d2 <= chord2) {
        if (nc === this.candK.length) {
          const kk = new Uint32Array(nc * 2);
          kk.set(this.candK);
          this.candK = kk;
          const dd = new Float64Array(nc * 2);
          dd.set(this.candD);
          this.candD = dd;
        }
        this.candK[nc] = k;
        this.candD[nc++] = d2;
      }
    }
    return nc;
  }
}

function u32Column(a: Uint32Array): Column {
  return { name: '', dtype: 'uint32', format: 'J', cellShape: [], length: a.length, data: a };
}
function f64Column(a: Float64Array): Column {
  return { name: '', dtype: 'float64', format: 'D', cellShape: [], length: a.length, data: a };
}

/** The RA/Dec positions of a table (see {@link TableCrossMatchOptions} for how the columns are found). */
export function tablePositions(t: TableSource, ra: string | undefined, dec: string | undefined, which: string): SkyPositions {
  const cols = findSkyColumns(t.columnNames, ra, dec);
  if (!cols) {
    throw new FitsError(
      'NOT_FOUND',
      `xmatch(): the ${which} table has no ${ra ?? 'RA'}/${dec ?? 'DEC'} columns; name them with the ra and dec options (columns: ${t.columnNames.join(', ') || '(none)'}).`,
    );
  }
  return skyPositions(t.columnAt(cols.ra), t.columnAt(cols.dec));
}

/**
 * Cross-match two tables: columns `index_a`, `index_b` (0-based rows, int64)
 * and `sep_arcsec` (float64), sorted by index_a then index_b.
 */
export function xmatchTables(a: TableSource, b: TableSource, opts: TableCrossMatchOptions): ColumnList {
  const pa = tablePositions(a, opts.ra, opts.dec, 'first');
  const pb = tablePositions(b, opts.raB ?? opts.ra, opts.decB ?? opts.dec, 'second');
  const m = crossMatchPositions(pa, pb, opts);
  const n = m.indexA.length;
  const wa = new Uint32Array(2 * n);
  const wb = new Uint32Array(2 * n);
  for (let k = 0; k < n; k++) {
    wa[2 * k] = m.indexA[k]!;
    wb[2 * k] = m.indexB[k]!;
  }
  return {
    columns: [int64Column('index_a', wa), int64Column('index_b', wb), scalarColumn('sep_arcsec', 'float64', m.sepArcsec, null, 'arcsec')],
    numRows: n,
  };
}
