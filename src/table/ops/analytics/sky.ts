/**
 * Sky positions for the cross-match: which columns hold RA and Dec, their
 * units, angles written with units (`2arcsec`), and astropy's conventions for
 * longitudes (wrapped into [0°, 360°)) and unit conversions (astropy's own
 * scale factors, so values convert to the same doubles).
 */
import { FitsError } from '../../../core/errors.js';
import type { Column } from '../../column.js';

/** astropy's conversion factors of angle units: to radians and to degrees. */
export const ANGLE_UNITS: Readonly<Record<string, { rad: number; deg: number }>> = {
  arcsec: { rad: 4.84813681109536e-6, deg: 0.0002777777777777778 },
  arcmin: { rad: 0.0002908882086657216, deg: 0.016666666666666666 },
  deg: { rad: 0.017453292519943295, deg: 1 },
  mas: { rad: 4.84813681109536e-9, deg: 2.777777777777778e-7 },
  rad: { rad: 1, deg: 57.29577951308232 },
  hourangle: { rad: 0.2617993877991494, deg: 14.999999999999998 },
};

/** Unit spellings (FITS TUNIT values, CLI suffixes) → ANGLE_UNITS names. */
const UNIT_ALIASES: Readonly<Record<string, string>> = {
  arcsec: 'arcsec', arcsecond: 'arcsec', arcseconds: 'arcsec', asec: 'arcsec', '"': 'arcsec', "''": 'arcsec', '″': 'arcsec',
  arcmin: 'arcmin', arcminute: 'arcmin', arcminutes: 'arcmin', amin: 'arcmin', "'": 'arcmin', '′': 'arcmin',
  deg: 'deg', degree: 'deg', degrees: 'deg', d: 'deg', '°': 'deg',
  mas: 'mas',
  rad: 'rad', radian: 'rad', radians: 'rad',
  h: 'hourangle', hr: 'hourangle', hour: 'hourangle', hours: 'hourangle', hourangle: 'hourangle', hourangles: 'hourangle',
};

/** An angle as written: a value in a unit of {@link ANGLE_UNITS}. */
export interface Angle {
  value: number;
  unit: keyof typeof ANGLE_UNITS;
}

/**
 * Parse an angle: `2arcsec`, `2 arcsec`, `2"`, `0.5arcmin`, `0.5'`, `1e-3deg`,
 * `30mas`; a bare number (or a number argument) is in arcseconds.
 */
export function parseAngle(text: string | number, what = 'radius'): Angle {
  if (typeof text === 'number') {
    if (!(text >= 0) || !Number.isFinite(text)) throw new FitsError('BAD_ARGUMENT', `The ${what} must be a finite angle ≥ 0 (arcseconds), not ${text}.`);
    return { value: text, unit: 'arcsec' };
  }
  const m = /^\s*([+]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-z°″′"']*)\s*$/.exec(text);
  const unit = m ? (m[2] === '' ? 'arcsec' : UNIT_ALIASES[m[2]!.toLowerCase()]) : undefined;
  if (!m || !unit) throw new FitsError('BAD_ARGUMENT', `Cannot read the ${what} '${text}': write a number and a unit, e.g. 2arcsec, 0.5arcmin, 1e-3deg or 30mas.`);
  const value = Number(m[1]);
  if (!Number.isFinite(value)) throw new FitsError('BAD_ARGUMENT', `The ${what} '${text}' is not a finite angle.`);
  return { value, unit: unit as Angle['unit'] };
}

/** The angle in arcseconds. */
export function angleArcsec(a: Angle): number {
  return a.unit === 'arcsec' ? a.value : (a.value * ANGLE_UNITS[a.unit]!.deg) * 3600;
}

const RA_NAMES = /^_?(ra|raj2000|ra_?j2000|ra_?icrs|ra_?deg|radeg|ra_?2000|alpha_?j2000|alpha|ra_?mean|ra_?obj)$/i;
const DEC_NAMES = /^_?(dec|de|dej2000|decj2000|de_?j2000|dec_?j2000|de_?icrs|dec_?icrs|dec_?deg|decdeg|de_?deg|dedeg|dec_?2000|delta_?j2000|delta|dec_?mean|dec_?obj)$/i;

/** True if a column name reads as a right ascension / declination. */
export const isRaName = (name: string) => RA_NAMES.test(name.trim());
export const isDecName = (name: string) => DEC_NAMES.test(name.trim());

/** The ANGLE_UNITS name of a TUNIT value (absent: degrees), or null when it is not an angle. */
export function angleUnitOf(unit: string | undefined): keyof typeof ANGLE_UNITS | null {
  if (unit === undefined || unit.trim() === '') return 'deg';
  return (UNIT_ALIASES[unit.trim().toLowerCase()] as keyof typeof ANGLE_UNITS | undefined) ?? null;
}

/**
 * Positions in degrees from RA/Dec columns (converted with astropy's scale
 * factors; RA wrapped into [0, 360) as astropy's Longitude does); rows with a
 * null or non-finite coordinate get NaN. FitsError when a Dec is beyond ±90°.
 */
export function skyPositions(raCol: Column, decCol: Column): { ra: Float64Array; dec: Float64Array } {
  const n = raCol.length;
  const conv = (c: Column) => {
    if (c.offsets || c.cellShape === null || (c.cellShape.length > 0 && c.cellShape.reduce((a, b) => a * b, 1) !== 1)) {
      throw new FitsError('BAD_ARGUMENT', `Column '${c.name}' holds arrays; coordinates must be one number per row.`);
    }
    if (c.dtype === 'string' || c.dtype === 'bool' || c.dtype === 'complex64' || c.dtype === 'complex128') {
      throw new FitsError('BAD_ARGUMENT', `Column '${c.name}' holds ${c.dtype} values; coordinates must be numbers (degrees).`);
    }
    const unit = angleUnitOf(c.unit);
    if (!unit) throw new FitsError('BAD_ARGUMENT', `Column '${c.name}' is in '${c.unit}', not an angle unit (deg, rad, h, arcsec, arcmin, mas).`);
    const scale = ANGLE_UNITS[unit]!.deg;
    const out = new Float64Array(n);
    const d = c.data;
    const v = c.validity;
    const big = d instanceof BigInt64Array || d instanceof BigUint64Array;
    for (let i = 0; i < n; i++) {
      if (v && ((v[i >>> 3]! >>> (i & 7)) & 1) === 0) {
        out[i] = NaN;
        continue;
      }
      const x = big ? Number((d as BigInt64Array)[i]!) : ((d as Float64Array)[i]!);
      out[i] = scale === 1 ? x : x * scale;
    }
    return out;
  };
  const ra = conv(raCol);
  const dec = conv(decCol);
  for (let i = 0; i < n; i++) {
    const b = dec[i]!;
    if (b < -90 || b > 90) throw new FitsError('BAD_ARGUMENT', `Row ${i}: declination ${b}° (column '${decCol.name}') is beyond ±90°.`);
    if (!Number.isFinite(b) || !Number.isFinite(ra[i]!)) {
      ra[i] = NaN;
      dec[i] = NaN;
    }
  }
  wrapLongitudes(ra);
  return { ra, dec };
}

/** numpy's floor_divide for doubles (divmod-based, as npy_floor_divide). */
function floorDivide(a: number, b: number): number {
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  let fl: number;
  if (div !== 0) {
    fl = Math.floor(div);
    if (div - fl > 0.5) fl += 1;
  } else fl = 0 * (a / b); // signed zero, as numpy
  return fl;
}

/** astropy's Longitude wrapping at 360° (Angle._wrap_at), in place. */
export function wrapLongitudes(lon: Float64Array): void {
  let any = false;
  const wraps = new Float64Array(lon.length);
  for (let i = 0; i < lon.length; i++) {
    const w = floorDivide(lon[i]!, 360);
    wraps[i] = w;
    if (Number.isFinite(w) && w !== 0) any = true;
  }
  if (!any) return;
  for (let i = 0; i < lon.length; i++) {
    const w = wraps[i]!;
    if (Number.isFinite(w) && w !== 0) lon[i] = lon[i]! - w * 360;
  }
  for (let i = 0; i < lon.length; i++) {
    if (lon[i]! >= 360) lon[i] = lon[i]! - 360;
    if (lon[i]! < 0) lon[i] = lon[i]! + 360;
  }
}

/** The RA and Dec columns of a table: the given names, else the first columns whose names read as RA / Dec. */
export function findSkyColumns(names: readonly string[], ra?: string, dec?: string): { ra: number; dec: number } | null {
  const find = (want: string | undefined, test: (s: string) => boolean) => {
    if (want !== undefined) {
      let i = names.indexOf(want);
      if (i < 0) i = names.findIndex((n) => n.toLowerCase() === want.toLowerCase());
      return i;
    }
    return names.findIndex(test);
  };
  const r = find(ra, isRaName);
  const d = find(dec, isDecName);
  return r >= 0 && d >= 0 ? { ra: r, dec: d } : null;
}
