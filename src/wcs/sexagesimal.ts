/**
 * Sexagesimal angles: formatting (hh:mm:ss.sss, ±dd:mm:ss.ss) with correct
 * carries, and parsing of the forms astropy's Angle accepts for hours and
 * degrees ("10:20:30.5", "10h20m30.5s", "-05d20m", "+5 20 30", "12.5d").
 */
import { FitsError } from '../core/errors.js';

/** How {@link formatHours} and {@link formatDegrees} write an angle: decimal places of the seconds, separators. */
export interface SexagesimalOptions {
  /** Digits after the decimal point of the seconds (default 3 for hours, 2 for degrees). */
  precision?: number;
  /** Separator between fields (default ':'); 'hms' / 'dms' for letter forms. */
  sep?: string;
  /** Always write the sign (default true for degrees, false for hours). */
  alwaysSign?: boolean;
  /** Zero-pad the leading field to two digits (default true). */
  pad?: boolean;
}

function split(value: number, precision: number): { sign: number; a: number; b: number; c: string } {
  const sign = value < 0 || Object.is(value, -0) ? -1 : 1;
  const scale = 10 ** precision;
  // Round once, on the total in units of the last digit, so carries propagate.
  const total = Math.round(Math.abs(value) * 3600 * scale);
  const secUnits = total % (60 * scale);
  const minutes = Math.floor(total / (60 * scale));
  const a = Math.floor(minutes / 60);
  const b = minutes % 60;
  const whole = Math.floor(secUnits / scale);
  const frac = secUnits % scale;
  const c = precision > 0 ? `${String(whole).padStart(2, '0')}.${String(frac).padStart(precision, '0')}` : String(whole).padStart(2, '0');
  return { sign, a, b, c };
}

function format(value: number, opts: SexagesimalOptions, letters: [string, string, string], defaultPrecision: number, sign: boolean, wrap = 0): string {
  if (!Number.isFinite(value)) return 'NaN';
  const precision = opts.precision ?? defaultPrecision;
  if (!(precision >= 0 && precision <= 12)) throw new FitsError('BAD_ARGUMENT', 'Sexagesimal precision must be 0 to 12 digits.');
  const parts = split(value, precision);
  const { sign: s, b, c } = parts;
  // A right ascension that rounds up to 24h is written 00h.
  const a = wrap && parts.a >= wrap ? parts.a - wrap : parts.a;
  const lead = (opts.pad ?? true) ? String(a).padStart(2, '0') : String(a);
  const signText = s < 0 && (a !== 0 || b !== 0 || Number(c) !== 0) ? '-' : (opts.alwaysSign ?? sign) ? '+' : '';
  const mm = String(b).padStart(2, '0');
  const sep = opts.sep ?? ':';
  if (sep === 'hms' || sep === 'dms') return `${signText}${lead}${letters[0]}${mm}${letters[1]}${c}${letters[2]}`;
  return `${signText}${lead}${sep}${mm}${sep}${c}`;
}

/** Format an angle in degrees as hours:minutes:seconds (e.g. RA 150.1 → "10:00:24.000"). */
export function formatHours(degrees: number, opts: SexagesimalOptions = {}): string {
  let h = degrees / 15;
  if (h < 0 && opts.alwaysSign === undefined) h = ((h % 24) + 24) % 24;
  return format(h, opts, ['h', 'm', 's'], 3, false, h >= 0 ? 24 : 0);
}

/** Format an angle in degrees as ±degrees:arcminutes:arcseconds (e.g. 2.2 → "+02:12:00.00"). */
export function formatDegrees(degrees: number, opts: SexagesimalOptions = {}): string {
  return format(degrees, opts, ['d', 'm', 's'], 2, true);
}

const NUM = '([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)';

/**
 * Parse a sexagesimal or decimal angle. `unit` says what a plain "a:b:c" or
 * "a b c" means ('hours' or 'degrees'); letter forms (h/m/s, d/m/s, °′″)
 * carry their own unit. Returns degrees. Throws a FitsError for text that is not an angle.
 */
export function parseAngle(text: string, unit: 'hours' | 'degrees'): number {
  const t = text.trim().replace(/[°º]/g, 'd').replace(/[′']/g, 'm').replace(/[″"]/g, 's');
  const bad = (): never => {
    throw new FitsError('BAD_ARGUMENT', `'${text}' is not an angle; write e.g. 10:20:30.5, 10h20m30.5s, -05d20m10s or 150.125.`);
  };
  if (!t) bad();
  let m = new RegExp(`^([+-])?${NUM}$`).exec(t);
  if (m) return apply(m[1], Number(m[2]), 0, 0, unit);
  m = new RegExp(`^([+-])?${NUM}([hd])(?:\\s*${NUM}m)?(?:\\s*${NUM}s?)?$`, 'i').exec(t);
  if (m) {
    const u = m[3]!.toLowerCase() === 'h' ? 'hours' : 'degrees';
    return apply(m[1], Number(m[2]), Number(m[4] ?? 0), Number(m[5] ?? 0), u);
  }
  m = new RegExp(`^([+-])?${NUM}(?:[:\\s]+${NUM})(?:[:\\s]+${NUM})?$`).exec(t);
  if (m) return apply(m[1], Number(m[2]), Number(m[3] ?? 0), Number(m[4] ?? 0), unit);
  return bad();
}

function apply(sign: string | undefined, a: number, b: number, c: number, unit: 'hours' | 'degrees'): number {
  if (b >= 60 || c >= 60) throw new FitsError('BAD_ARGUMENT', `Minutes and seconds must be below 60 (got ${b} and ${c}).`);
  const v = a + b / 60 + c / 3600;
  const s = sign === '-' ? -1 : 1;
  return s * v * (unit === 'hours' ? 15 : 1);
}
