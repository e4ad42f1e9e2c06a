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
import { FitsError } from '../../errors.js';
import { sortPermutation } from '../sort/radix.js';
import type { Column } from '../column.js';
import { ANGLE_UNITS, findSkyColumns, parseAngle, skyPositions, type Angle } from './sky.js';
import { int64Column, scalarColumn } from './result-columns.js';
import type { ColumnList, TableSource } from './table-source.js';

export interface CrossMatchOptions {
  /** Radius: arcseconds, or an angle with a unit (`'2arcsec'`, `'0.5arcmin'`, `'1e-3deg'`, `'30mas'`). */
  radius: number | string;
  /** Only each first-catalog row's nearest match within the radius. */
  nearest?: boolean;
  /** Most pairs to produce (default 2^28); more is a FitsError BAD_SIZE rather than an out-of-memory crash. */
  maxPairs?: number;
}

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
  return Math.atan2(Math.sqrt(num1 * num1 + num2 * num2), den) * R2D * 3600;
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

  // Zones: at least one radius high, at most ~max(nB, 1024) of them (memory O(nB)).
  const maxZones = Math.max(1024, Math.min(nB, 1 << 22));
  const zoneHeight = Math.max(rDeg, 180 / maxZones);
  const nZones = Math.max(1, Math.ceil(180 / zoneHeight));
  const zoneOf = (dec: number) => Math.min(nZones - 1, Math.max(0, Math.floor((dec + 90) / zoneHeight)));

  // The second catalog sorted by (zone, RA), with unit vectors.
  const zoneB = new Uint32Array(nB);
  let valid = 0;
  for (let j = 0; j < nB; j++) {
    const d = b.dec[j]!;
    if (d === d) {
      zoneB[j] = zoneOf(d);
      valid++;
    } else zoneB[j] = nZones; // after every zone: never looked at
  }
  const perm = sortPermutation(
    [
      { column: u32Column(zoneB), descending: false, nulls: 'last' },
      { column: f64Column(b.ra), descending: false, nulls: 'last' },
    ],
    nB,
  );
  const lonS = new Float64Array(valid);
  const latS = new Float64Array(valid);
  const xS = new Float64Array(valid);
  const yS = new Float64Array(valid);
  const zS = new Float64Array(valid);
  const idxS = new Uint32Array(valid);
  const zoneStart = new Int32Array(nZones + 1);
  for (let k = 0; k < valid; k++) {
    const j = perm[k]!;
    const lon = b.ra[j]!;
    const lat = b.dec[j]!;
    lonS[k] = lon;
    latS[k] = lat;
    const cl = Math.cos(lat * D2R);
    xS[k] = cl * Math.cos(lon * D2R);
    yS[k] = cl * Math.sin(lon * D2R);
    zS[k] = Math.sin(lat * D2R);
    idxS[k] = j;
    zoneStart[zoneB[j]! + 1]!++;
  }
  for (let z = 0; z < nZones; z++) zoneStart[z + 1]! += zoneStart[z]!;

  const sinR = Math.sin(rDeg * D2R);
  // Candidates of one row, before sorting by index in the second catalog.
  let candJ = new Uint32Array(64);
  let candD = new Float64Array(64);
  for (let i = 0; i < nA; i++) {
    const lat = a.dec[i]!;
    const lon = a.ra[i]!;
    if (lat !== lat) continue;
    const cl = Math.cos(lat * D2R);
    const x = cl * Math.cos(lon * D2R);
    const y = cl * Math.sin(lon * D2R);
    const zc = Math.sin(lat * D2R);
    // RA half-width of the circle (deg), with a margin; the chord test decides.
    let alpha = 360;
    if (Math.abs(lat) + rDeg < 89.9) {
      const c = Math.cos((Math.abs(lat) + rDeg) * D2R);
      alpha = Math.asin(Math.min(1, sinR / c)) * R2D * (1 + 1e-9) + 1e-9;
    }
    const margin = rDeg * 1e-9 + 1e-12;
    const z0 = zoneOf(lat - rDeg - margin);
    const z1 = zoneOf(lat + rDeg + margin);
    let nc = 0;
    for (let z = z0; z <= z1; z++) {
      const s = zoneStart[z]!;
      const e = zoneStart[z + 1]!;
      if (s === e) continue;
      // One or two RA ranges (wrapping at 0/360), or the whole zone.
      const ranges: number[] = [];
      if (alpha >= 180) ranges.push(s, e);
      else {
        const lo = lon - alpha;
        const hi = lon + alpha;
        ranges.push(lowerBound(lonS, s, e, Math.max(0, lo)), upperBound(lonS, s, e, Math.min(360, hi)));
        if (lo < 0) ranges.push(lowerBound(lonS, s, e, lo + 360), e);
        if (hi >= 360) ranges.push(s, upperBound(lonS, s, e, hi - 360));
      }
      for (let q = 0; q < ranges.length; q += 2) {
        for (let k = ranges[q]!; k < ranges[q + 1]!; k++) {
          const dx = x - xS[k]!;
          const dy = y - yS[k]!;
          const dz = zc - zS[k]!;
          const d2 = dx * dx + dy * dy + dz * dz;
          if (d2 <= chord2) {
            if (nc === candJ.length) {
              const j2 = new Uint32Array(nc * 2);
              j2.set(candJ);
              candJ = j2;
              const d3 = new Float64Array(nc * 2);
              d3.set(candD);
              candD = d3;
            }
            candJ[nc] = k;
            candD[nc++] = d2;
          }
        }
      }
    }
    if (nc === 0) continue;
    if (opts.nearest) {
      // The smallest chord; ties to the lower index in the second catalog.
      let best = 0;
      for (let c = 1; c < nc; c++) {
        const k = candJ[c]!;
        const kb = candJ[best]!;
        if (candD[c]! < candD[best]! || (candD[c] === candD[best] && idxS[k]! < idxS[kb]!)) best = c;
      }
      const k = candJ[best]!;
      pairs.push(i, idxS[k]!, separationArcsec(lonS[k]!, latS[k]!, lon, lat));
      continue;
    }
    // Sorted by index in the second catalog (a few candidates: insertion sort; a zone may repeat none).
    const order = Array.from(candJ.subarray(0, nc)).sort((p, q) => idxS[p]! - idxS[q]!);
    // Duplicate ranges (two RA windows overlapping near the wrap) would repeat a candidate: skip repeats.
    let prev = -1;
    for (const k of order) {
      if (k === prev) continue;
      prev = k;
      pairs.push(i, idxS[k]!, separationArcsec(lon, lat, lonS[k]!, latS[k]!));
    }
  }
  return pairs.result();
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
