/**
 * IRAF's TNX and ZPX distortions, stored in the WAT1_nnn / WAT2_nnn strings,
 * read exactly as wcslib's wcspih does (its sscanf/strchr walk over the
 * concatenated strings, quirks included: a zero coefficient ends an axis's
 * list, a number not followed by a blank is a parse error, ZPX's projp
 * parameters become PV2_m). The result is the "DQ" record list that
 * wcslib's watset turns into a TPD polynomial (see watDistortion).
 */

/** Thrown where wcspih gives WCSHDRERR_PARSER for the WAT strings. */
export class WatParseError extends Error {}

/** One WAT coefficient record: WAT.<poly>.m_n = value (x power m, y power n). */
export interface WatCoefficient {
  m: number;
  n: number;
  value: number;
}

/** The distortion records of one axis (wcslib DQi fields WAT.*). */
export interface WatAxis {
  /** WAT.POLY: 1 Chebyshev, 2 Legendre, 3 monomials (anything else: no terms). */
  kind: number;
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
  /** Coefficients recorded under the axis's own polynomial name (kind 1–3). */
  coeffs: WatCoefficient[];
}

/** A TNX/ZPX solution: per-axis records, and the PV2_m that ZPX's projp give. */
export interface WatSolution {
  /** The wtype of axis 1 ('tnx' or 'zpx'). */
  wtype: string;
  axes: [WatAxis, WatAxis];
  pv: { i: number; m: number; value: number }[];
}

/**
 * wcspih's buffer: each WATi_m string copied (with its terminating NUL) to
 * offset 68·(m−1), in header order; the text ends at the first NUL. FITS
 * readers drop a string's trailing blanks, so each value is padded back to
 * the 68 characters IRAF writes.
 */
export function assembleWat(cards: readonly { axis: 1 | 2; m: number; value: string }[]): [string, string] {
  let watn = 0;
  for (const c of cards) watn = Math.max(watn, c.m);
  const bufs = [new Array<string>(watn * 68 + 1).fill('\0'), new Array<string>(watn * 68 + 1).fill('\0')];
  for (const c of cards) {
    const buf = bufs[c.axis - 1]!;
    const text = c.value.padEnd(68, ' ');
    const at = 68 * (c.m - 1);
    for (let k = 0; k < text.length && at + k < buf.length; k++) buf[at + k] = text[k]!;
    if (at + text.length < buf.length) buf[at + text.length] = '\0';
  }
  return bufs.map((b) => {
    const s = b.join('');
    const nul = s.indexOf('\0');
    return nul < 0 ? s : s.slice(0, nul);
  }) as [string, string];
}

/** C sscanf("%d"): the integer at the start (after white space), or undefined. */
function scanInt(s: string, at: number): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(s.slice(at, at + 400));
  if (!m) return undefined;
  const v = Number(m[1]);
  // glibc stores the low 32 bits of an out-of-range conversion; such orders are nonsense anyway.
  return Math.abs(v) > 2147483647 ? (v < 0 ? -2147483648 : 2147483647) : v;
}

/** C sscanf("%lf") (strtod): the number at the start (after white space), or undefined. */
function scanDouble(s: string, at: number): number | undefined {
  const t = s.slice(at, at + 400).replace(/^[ \t\n\v\f\r]+/, '');
  let m = /^[+-]?(?:infinity|inf)/i.exec(t);
  if (m) return m[0].startsWith('-') ? -Infinity : Infinity;
  m = /^[+-]?nan/i.exec(t);
  if (m) return NaN;
  m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?/.exec(t);
  if (m && (m[2] || m[3])) {
    const int = m[2] ? parseInt(m[2], 16) : 0;
    const frac = m[3] ? parseInt(m[3], 16) / 16 ** m[3].length : 0;
    const v = (int + frac) * 2 ** Number(m[4] ?? 0);
    return m[1] === '-' ? -v : v;
  }
  m = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(t);
  return m ? Number(m[0]) : undefined;
}

/** Where strchr(s + at, ' ') points, plus one; a parse error when there is none. */
function afterBlank(s: string, at: number): number {
  const k = s.indexOf(' ', at);
  if (k < 0) throw new WatParseError('a WAT distortion string ended inside its numbers (no blank after a value)');
  return k + 1;
}

/** sscanf(wat, "wtype=%s"): the word after "wtype=" at the very start, or undefined. */
function wtypeOf(s: string): string | undefined {
  if (!s.startsWith('wtype=')) return undefined;
  const m = /^[ \t\n\v\f\r]*([^ \t\n\v\f\r]+)/.exec(s.slice(6));
  return m ? m[1] : undefined;
}

/**
 * wcspih_final's WAT branch. Returns null when either axis's wtype is not
 * tnx or zpx (wcslib then drops the distortion).
 */
export function parseWat(wat: readonly [string, string]): WatSolution | null {
  let wtype = '';
  let wval = 0.0;
  const wctrl = [0, 0, 0, 0];
  const pv: { i: number; m: number; value: number }[] = [];
  let omax = 0;
  let first = '';
  const readControl = (s: string): number => {
    const q = s.indexOf('"');
    if (q < 0) throw new WatParseError('a WAT distortion string has no quoted coefficient list');
    let wp = q + 1;
    for (let m = 0; m < 4; m++) {
      const v = scanInt(s, wp);
      if (v !== undefined) wctrl[m] = v;
      wp = afterBlank(s, wp);
    }
    return wp;
  };
  for (let i = 0; i < 2; i++) {
    // An unreadable wtype leaves the previous one (wcslib's stack buffer).
    wtype = wtypeOf(wat[i]!) ?? wtype;
    if (wtype !== 'tnx' && wtype !== 'zpx') return null;
    if (i === 0) first = wtype;
    if (i === 1 && wtype === 'zpx') {
      let npv = 0;
      let from = 0;
      for (; npv < 30; npv++) {
        const k = wat[1].indexOf('projp', from);
        if (k < 0) break;
        from = k + 5;
      }
      let m = 0;
      from = 0;
      for (let k = 0; k < npv; k++) {
        const at = wat[1].indexOf('projp', from);
        if (at < 0) break;
        const r = /^projp([+-]?[0-9]+)/.exec(wat[1].slice(at, at + 40));
        if (r) {
          m = Number(r[1]);
          const rest = wat[1].slice(at + r[0].length);
          if (rest.startsWith('=')) {
            const v = scanDouble(rest, 1);
            if (v !== undefined) wval = v;
          }
        }
        pv.push({ i: 2, m, value: wval });
        from = at + 5;
      }
    }
    readControl(wat[i]!);
    omax = Math.max(wctrl[1]!, wctrl[2]!);
  }
  const axes: WatAxis[] = [];
  for (let i = 0; i < 2; i++) {
    const s = wat[i]!;
    let wp = readControl(s);
    const kind = wctrl[0]!;
    const bounds: number[] = [];
    for (let m = 0; m < 4; m++) {
      const v = scanDouble(s, wp);
      if (v !== undefined) wval = v;
      bounds.push(wval);
      wp = afterBlank(s, wp);
    }
    const coeffs: WatCoefficient[] = [];
    const xorder = wctrl[1]!;
    const yorder = wctrl[2]!;
    const cross = wctrl[3]!;
    // Walk the (m, n) terms wcslib reads (skipped terms consume nothing). A
    // zero value does not move the read position, so every later term reads
    // the same zero: the list ends there.
    walk: for (let n = 0; n < yorder; n++) {
      let mEnd = xorder;
      if (cross === 0 && n > 0) mEnd = Math.min(xorder, 1);
      else if (cross === 2) mEnd = Math.min(xorder, omax - n);
      if (mEnd <= 0 && (cross === 2 || xorder <= 0)) break;
      for (let m = 0; m < mEnd; m++) {
        const v = scanDouble(s, wp);
        if (v !== undefined) wval = v;
        if (wval === 0.0) break walk;
        coeffs.push({ m, n, value: wval });
        if (kind >= 1 && kind <= 3 && (m > 9 || n > 9 || m + n > 9)) {
          throw new WatParseError(`Invalid powers (${m}, ${n}) for WAT (${first}) on axis ${i + 1}`);
        }
        wp = afterBlank(s, wp);
      }
    }
    axes.push({ kind, xmin: bounds[0]!, xmax: bounds[1]!, ymin: bounds[2]!, ymax: bounds[3]!, coeffs: kind >= 1 && kind <= 3 ? coeffs : [] });
  }
  return { wtype: first, axes: [axes[0]!, axes[1]!], pv };
}

/** WATi_m cards of a header: true for WAT1_nnn and WAT2_nnn (three digits). */
export function isWatKeyword(kw: string): boolean {
  return /^WAT[12]_[0-9]{3}$/.test(kw);
}

/** Split a WAT string into WATi_nnn card values of 68 characters (IRAF's layout). */
export function watCards(axis: 1 | 2, text: string): { keyword: string; value: string }[] {
  const out: { keyword: string; value: string }[] = [];
  for (let k = 0, m = 1; k < text.length && m <= 999; k += 68, m++) {
    out.push({ keyword: `WAT${axis}_${String(m).padStart(3, '0')}`, value: text.slice(k, k + 68) });
  }
  return out;
}
