/**
 * The WCS keywords of one coordinate representation (primary or alternate
 * A–Z), read from an image header the way wcslib's wcspih reads them with
 * astropy's settings (relax = all): keyword forms, the number of axes
 * (the largest of NAXIS, WCSAXESa and any axis index), defaults, the last
 * duplicate winning, keywords that apply to every representation.
 *
 * Unlike wcspih, which drops a keyword of the wrong value type with a warning,
 * a wrong-typed keyword that changes coordinates (CRPIX, PC, CTYPE, …) is an
 * error here: a coordinate silently computed without it would be wrong.
 */
import type { Card, Header } from '../header/header.js';
import { UNDEFINED } from './trig.js';
import { assembleWat, isWatKeyword, parseWat, WatParseError, type WatSolution } from './wat.js';

/** One PVi_m (numeric) or PSi_m (string) parameter. */
export interface PvCard {
  /** 1-based axis (0 for PROJPn: the latitude axis, resolved later). */
  i: number;
  m: number;
  value: number;
}
export interface PsCard {
  i: number;
  m: number;
  value: string;
}

/** The WCS keywords of one representation, with wcslib's defaults (wcsini). */
export interface WcsKeywords {
  /** ' ' for the primary representation, 'A'…'Z' for alternates. */
  key: string;
  naxis: number;
  ctype: string[];
  cunit: string[];
  cname: string[];
  crpix: Float64Array;
  crval: Float64Array;
  cdelt: Float64Array;
  crota: Float64Array;
  /** Row-major naxis × naxis. */
  pc: Float64Array;
  cd: Float64Array;
  /** Bit 1 PCi_j present, 2 CDi_j present, 4 CROTAi present (wcslib altlin). */
  altlin: number;
  pv: PvCard[];
  ps: PsCard[];
  lonpole: number;
  latpole: number;
  restfrq: number;
  restwav: number;
  velref: number;
  radesys: string;
  equinox: number;
  specsys: string;
  ssysobs: string;
  velosys: number;
  zsource: number;
  ssyssrc: string;
  velangl: number;
  wcsname: string;
  dateobs: string;
  mjdobs: number;
  dateavg: string;
  mjdavg: number;
  /** Keyword names that were read for this representation (for error messages). */
  seen: Set<string>;
  /** A DSS plate solution (AMDXm, AMDYm by m), translated as wcslib does (primary representation only). */
  dss?: DssPlate;
  /** IRAF WAT1_nnn/WAT2_nnn strings (primary representation) and the TNX/ZPX solution wcspih reads from them (null: not tnx/zpx). */
  wat?: { text: [string, string]; solution: WatSolution | null };
}

/** A DSS plate solution as read from its header keywords. */
export interface DssPlate {
  /** AMDXm by m (index 0 unused). */
  amdx: number[];
  /** AMDYm by m (index 0 unused). */
  amdy: number[];
  /** CNPIX1, CNPIX2, PPO3, PPO6, XPIXELSZ, YPIXELSZ, PLTRAH, PLTRAM, PLTRAS, PLTDECSN (±1), PLTDECD, PLTDECM, PLTDECS. */
  plate: number[];
  plateid: string;
}

/** A keyword whose value has the wrong type for WCS (reported as BAD_WCS by the caller). */
export class WcsKeywordError extends Error {
  constructor(
    readonly keyword: string,
    message: string,
    readonly cardIndex: number,
  ) {
    super(message);
  }
}

type ValueKind = 'float' | 'int' | 'string';

/** How a keyword is stored: which field, which indices, which alternates. */
interface Target {
  field: string;
  kind: ValueKind;
  i: number;
  j: number;
  /** ' ', 'A'…'Z', or null for keywords that apply to every representation. */
  alt: string | null;
  /** Affects coordinates: a wrong type is an error rather than ignored. */
  strict: boolean;
}

const INDEXED = new Set(['CRPIX', 'CDELT', 'CUNIT', 'CTYPE', 'CRVAL', 'CNAME', 'CRDER', 'CSYER', 'CZPHS', 'CPERI', 'CROTA']);
const STRICT_INDEXED = new Set(['CRPIX', 'CDELT', 'CUNIT', 'CTYPE', 'CRVAL', 'CROTA']);
const SEVEN: Record<string, { field: string; kind: ValueKind; strict: boolean }> = {
  LONPOLE: { field: 'lonpole', kind: 'float', strict: true },
  LATPOLE: { field: 'latpole', kind: 'float', strict: true },
  RESTFRQ: { field: 'restfrq', kind: 'float', strict: true },
  RESTWAV: { field: 'restwav', kind: 'float', strict: true },
  WCSNAME: { field: 'wcsname', kind: 'string', strict: false },
  RADESYS: { field: 'radesys', kind: 'string', strict: false },
  EQUINOX: { field: 'equinox', kind: 'float', strict: false },
  SPECSYS: { field: 'specsys', kind: 'string', strict: false },
  SSYSOBS: { field: 'ssysobs', kind: 'string', strict: false },
  VELOSYS: { field: 'velosys', kind: 'float', strict: false },
  ZSOURCE: { field: 'zsource', kind: 'float', strict: false },
  SSYSSRC: { field: 'ssyssrc', kind: 'string', strict: false },
  VELANGL: { field: 'velangl', kind: 'float', strict: false },
};
const ALL_ALTERNATES: Record<string, { field: string; kind: ValueKind }> = {
  'DATE-OBS': { field: 'dateobs', kind: 'string' },
  'MJD-OBS': { field: 'mjdobs', kind: 'float' },
  'DATE-AVG': { field: 'dateavg', kind: 'string' },
  'MJD-AVG': { field: 'mjdavg', kind: 'float' },
};

/** Classify one keyword the way wcspih's scanner does, or null if it is not a WCS keyword it keeps. */
function classify(kw: string): Target | null {
  if (kw.length > 8) return null;
  let m: RegExpExecArray | null;
  if ((m = /^(CRPIX|CDELT|CUNIT|CTYPE|CRVAL|CNAME|CRDER|CSYER|CZPHS|CPERI|CROTA)([1-9][0-9]?)([A-Z]?)$/.exec(kw))) {
    const stem = m[1]!;
    if (!INDEXED.has(stem)) return null;
    const kind: ValueKind = stem === 'CUNIT' || stem === 'CTYPE' || stem === 'CNAME' ? 'string' : 'float';
    return { field: stem.toLowerCase(), kind, i: Number(m[2]), j: 0, alt: m[3] || ' ', strict: STRICT_INDEXED.has(stem) };
  }
  if ((m = /^(PC|CD)0*([1-9][0-9]?)_0*([1-9][0-9]?)([A-Z]?)$/.exec(kw)) || (m = /^(PC|CD)00([1-9])00([1-9])()$/.exec(kw))) {
    return { field: m[1]!.toLowerCase(), kind: 'float', i: Number(m[2]), j: Number(m[3]), alt: m[4] || ' ', strict: true };
  }
  if ((m = /^(PV|PS)0*([1-9][0-9]?)_0*([0-9][0-9]?)([A-Z]?)$/.exec(kw))) {
    return { field: m[1]!.toLowerCase(), kind: m[1] === 'PV' ? 'float' : 'string', i: Number(m[2]), j: Number(m[3]), alt: m[4] || ' ', strict: m[1] === 'PV' };
  }
  if ((m = /^PROJP([0-9])$/.exec(kw))) {
    return { field: 'pv', kind: 'float', i: 0, j: Number(m[1]), alt: ' ', strict: true };
  }
  if ((m = /^(LONPOLE|LATPOLE|RESTFRQ|RESTWAV|WCSNAME|RADESYS|EQUINOX|SPECSYS|SSYSOBS|VELOSYS|ZSOURCE|SSYSSRC|VELANGL)([A-Z]?)$/.exec(kw))) {
    const t = SEVEN[m[1]!]!;
    return { field: t.field, kind: t.kind, i: 0, j: 0, alt: m[2] || ' ', strict: t.strict };
  }
  if (kw === 'RESTFREQ') return { field: 'restfrq', kind: 'float', i: 0, j: 0, alt: ' ', strict: true };
  if (kw === 'RADECSYS') return { field: 'radesys', kind: 'string', i: 0, j: 0, alt: ' ', strict: false };
  if ((m = /^EPOCH([A-Z]?)$/.exec(kw))) return { field: 'epoch', kind: 'float', i: 0, j: 0, alt: m[1] || ' ', strict: false };
  if ((m = /^VELREF([A-Z]?)$/.exec(kw))) return { field: 'velref', kind: 'int', i: 0, j: 0, alt: m[1] || ' ', strict: false };
  if ((m = /^VSOURCE([A-Z]?)$/.exec(kw))) return { field: 'vsource', kind: 'float', i: 0, j: 0, alt: m[1] || ' ', strict: false };
  if ((m = /^WCSAXES([A-Z]?)$/.exec(kw))) return { field: 'wcsaxes', kind: 'int', i: 0, j: 0, alt: m[1] || ' ', strict: true };
  const all = ALL_ALTERNATES[kw];
  if (all) return { field: all.field, kind: all.kind, i: 0, j: 0, alt: null, strict: false };
  return null;
}

/** The value of a card as wcspih would read it for a kind, or undefined when the type is wrong. */
function cardValue(card: Card, kind: ValueKind): number | string | undefined {
  const v = card.value;
  if (card.invalid) return lexValue(card.comment, kind);
  if (v === null || v === undefined) return undefined;
  if (kind === 'string') return typeof v === 'string' ? v : undefined;
  if (typeof v === 'boolean' || typeof v === 'string' || typeof v === 'object') return undefined;
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (kind === 'int') {
    if (card.isReal || !Number.isInteger(n)) return undefined;
    // wcspih reads integers with sscanf("%d").
    return n > 2147483647 || n < -2147483648 ? undefined : n;
  }
  return n;
}

/**
 * A value field the FITS card parser refused (its raw text is the card's
 * comment), read with wcspih's own lexer rules: a value followed by blanks,
 * an optional comment, or an end of line (wcslib's flex `$` accepts a stray
 * newline in the card, as astropy does).
 */
function lexValue(field: string, kind: ValueKind): number | string | undefined {
  const f = field.replace(/^ +/, '');
  const tail = /^ *(\/.*)?(\n.*)?$/s;
  if (kind === 'string') {
    const m = /^'((?:[^']|'')*)'/.exec(f);
    if (!m || !tail.test(f.slice(m[0].length))) return undefined;
    return m[1]!.replace(/''/g, "'").replace(/ +$/, '');
  }
  const re = kind === 'int' ? /^[+-]?[0-9]+/ : /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eEdD][+-]?[0-9]+)?/;
  const m = re.exec(f);
  if (!m || !tail.test(f.slice(m[0].length))) return undefined;
  const n = Number(m[0].replace(/[dD]/, 'e'));
  return Number.isFinite(n) ? n : undefined;
}

/** True for a keyword wcslib reads as part of some WCS representation (any key). */
export function isWcsKeyword(keyword: string): boolean {
  if (isDssKeyword(keyword) || isWatKeyword(keyword)) return true;
  const t = classify(keyword);
  return t !== null && t.alt !== null && t.field !== 'epoch' && t.field !== 'velref';
}

/** Keys of the representations present in a header: ' ' and/or 'A'…'Z', in that order. */
export function wcsKeysOf(header: Header): string[] {
  const found = new Set<string>();
  for (const c of header.cards) {
    if (c.commentary || c.hierarch) continue;
    const t = classify(c.keyword);
    if (!t || t.alt === null || !t.strict) continue;
    if (cardValue(c, t.kind) === undefined) continue;
    found.add(t.alt);
  }
  const out: string[] = [];
  if (found.has(' ')) out.push(' ');
  for (let k = 65; k <= 90; k++) if (found.has(String.fromCharCode(k))) out.push(String.fromCharCode(k));
  return out;
}

/**
 * Keys of the representations wcspih would build: any WCS keyword with a
 * readable value counts for its key when NAXIS or its axis number is positive
 * (so an EQUINOXA alone makes a default representation 'A' of an image), and
 * DSS plate keywords count for the primary. Empty when wcspih finds none
 * (astropy then builds a default linear WCS for key ' ' only).
 */
export function wcsRepresentationKeys(header: Header): Map<string, number> {
  let naxis = 0;
  for (const c of header.cards) {
    if (c.keyword === 'NAXIS' && typeof c.value === 'number' && !c.isReal) naxis = Math.max(0, c.value);
  }
  const found = new Map<string, number>();
  for (const c of header.cards) {
    if (c.commentary || c.hierarch) continue;
    let n: number;
    let alt: string;
    if (isDssKeyword(c.keyword)) {
      alt = ' ';
      n = Math.max(naxis, /^AMD[XY]/.test(c.keyword) ? 2 : 0);
    } else if (isWatKeyword(c.keyword)) {
      if (typeof c.value !== 'string') continue;
      alt = ' ';
      n = Math.max(naxis, Number(c.keyword[3]));
    } else {
      const t = classify(c.keyword);
      if (!t || t.alt === null) continue;
      const v = cardValue(c, t.kind);
      if (v === undefined) continue;
      alt = t.alt;
      n = Math.max(naxis, t.field === 'wcsaxes' ? (v as number) : Math.max(t.i, t.field === 'pv' || t.field === 'ps' ? 0 : t.j));
    }
    if (n > 0) found.set(alt, Math.max(found.get(alt) ?? 0, n));
  }
  return found;
}

/** Options for {@link readWcsKeywords}. */
export interface ReadKeywordsOptions {
  /** Cards to skip (e.g. SIP and distortion keywords astropy removes before wcslib sees the header). */
  skip?: (keyword: string) => boolean;
}

/**
 * Read the keywords of representation `key` (' ' or 'A'…'Z'). Returns null
 * when the header has no WCS keyword for that key. Throws {@link WcsKeywordError}
 * for a coordinate keyword of the wrong type.
 */
export function readWcsKeywords(header: Header, key: string, opts: ReadKeywordsOptions = {}): WcsKeywords | null {
  const alt = key === '' ? ' ' : key.toUpperCase();
  // Pass 1: does the representation exist, and how many axes does it have?
  let naxisKw = 0;
  let naxis = 0;
  let present = false;
  const targets: { card: Card; t: Target }[] = [];
  const dssCards: Card[] = [];
  const watCards: { axis: 1 | 2; m: number; value: string }[] = [];
  for (const card of header.cards) {
    if (card.commentary || card.hierarch) continue;
    if (card.keyword === 'NAXIS') {
      const v = card.value;
      if (typeof v === 'number' && Number.isInteger(v) && !card.isReal) naxisKw = Math.max(0, v);
      continue;
    }
    if (opts.skip?.(card.keyword)) continue;
    if (alt === ' ' && isDssKeyword(card.keyword)) {
      dssCards.push(card);
      continue;
    }
    if (alt === ' ' && isWatKeyword(card.keyword)) {
      if (typeof card.value === 'string') watCards.push({ axis: card.keyword[3] === '1' ? 1 : 2, m: Number(card.keyword.slice(5)), value: card.value });
      continue;
    }
    const t = classify(card.keyword);
    if (!t) continue;
    if (t.alt === null) {
      targets.push({ card, t });
      continue;
    }
    if (t.alt !== alt) continue;
    const v = cardValue(card, t.kind);
    if (v === undefined) {
      if (t.strict) {
        const what = t.kind === 'string' ? 'a string' : t.kind === 'int' ? 'an integer' : 'a number';
        throw new WcsKeywordError(card.keyword, `WCS keyword ${card.keyword} must be ${what}; fix or remove the card.`, card.index);
      }
      continue;
    }
    if (t.strict) present = true;
    targets.push({ card, t });
    if (t.field === 'wcsaxes') {
      if ((v as number) < 0) continue;
      naxis = Math.max(naxis, v as number);
    } else if (t.field !== 'pv' && t.field !== 'ps') {
      naxis = Math.max(naxis, t.i, t.j);
    } else {
      naxis = Math.max(naxis, t.i);
    }
  }
  naxis = Math.max(naxis, naxisKw);
  if (dssCards.length) {
    // wcspih translates a DSS plate solution into the primary representation.
    present = true;
    for (const c of dssCards) {
      const m = /^AMD[XY]([1-9][0-9]?)$/.exec(c.keyword);
      naxis = Math.max(naxis, m ? 2 : 0);
    }
  }
  let wat: WcsKeywords['wat'];
  if (watCards.length) {
    const text = assembleWat(watCards);
    let solution: WatSolution | null;
    try {
      solution = parseWat(text);
    } catch (e) {
      if (e instanceof WatParseError) throw new WcsKeywordError('WAT1_001', `${e.message}; fix the WAT1_nnn/WAT2_nnn cards.`, 0);
      throw e;
    }
    wat = { text, solution };
    if (solution) {
      present = true;
      naxis = Math.max(naxis, 2);
    }
  }
  if (naxis > 32) {
    // wcsset refuses more than 32 axes; refuse before allocating naxis² matrices.
    throw new WcsKeywordError('WCSAXES', `A WCS has at most 32 axes, but WCSAXES${alt.trim()}, NAXIS or an axis index implies ${naxis}.`, 0);
  }
  // wcspih counts a representation only when it has axes; we also ask for a coordinate keyword.
  if (!present || naxis === 0) return null;
  const w = emptyKeywords(alt, naxis);
  // Pass 2: store the values in header order (the last duplicate wins).
  for (const { card, t } of targets) {
    const v = cardValue(card, t.kind);
    if (v === undefined) continue;
    w.seen.add(card.keyword);
    switch (t.field) {
      case 'crpix':
      case 'cdelt':
      case 'crval':
      case 'crota':
        (w[t.field] as Float64Array)[t.i - 1] = v as number;
        if (t.field === 'crota') w.altlin |= 4;
        break;
      case 'crder':
      case 'csyer':
      case 'czphs':
      case 'cperi':
        break;
      case 'ctype':
      case 'cunit':
      case 'cname':
        (w[t.field] as string[])[t.i - 1] = v as string;
        break;
      case 'pc':
        w.pc[(t.i - 1) * naxis + (t.j - 1)] = v as number;
        w.altlin |= 1;
        break;
      case 'cd':
        w.cd[(t.i - 1) * naxis + (t.j - 1)] = v as number;
        w.altlin |= 2;
        break;
      case 'pv':
        w.pv.push({ i: t.i, m: t.j, value: v as number });
        break;
      case 'ps':
        w.ps.push({ i: t.i, m: t.j, value: v as string });
        break;
      case 'epoch':
        if (w.equinox === UNDEFINED) w.equinox = v as number;
        break;
      case 'vsource':
        if (w.zsource === UNDEFINED) {
          const c = 2.99792458e8;
          const beta = (v as number) / c;
          w.zsource = (1.0 + beta) / Math.sqrt(1.0 - beta * beta) - 1.0;
        }
        break;
      case 'wcsaxes':
        break;
      default:
        (w as unknown as Record<string, unknown>)[t.field] = v;
    }
  }
  if (dssCards.length) applyDss(w, dssCards);
  if (wat) {
    // ZPX's projp parameters join the header's PVi_m (wcspih appends them as PV2_m).
    if (wat.solution) w.pv.push(...wat.solution.pv);
    w.wat = wat;
  }
  return w;
}

/** Keywords whose presence makes wcspih translate a DSS plate solution (primary representation only). */
function isDssKeyword(kw: string): boolean {
  return DSS_SCALARS.has(kw) || kw === 'PLTDECSN' || kw === 'PLATEID' || /^AMD[XY][1-9][0-9]?$/.test(kw);
}

const DSS_SCALARS = new Map<string, number>([
  ['CNPIX1', 0],
  ['CNPIX2', 1],
  ['PPO3', 2],
  ['PPO6', 3],
  ['XPIXELSZ', 4],
  ['YPIXELSZ', 5],
  ['PLTRAH', 6],
  ['PLTRAM', 7],
  ['PLTRAS', 8],
  ['PLTDECD', 10],
  ['PLTDECM', 11],
  ['PLTDECS', 12],
]);

/**
 * The DSS translation of wcspih (WCS Paper IV §5.2): reference pixel, PC,
 * CDELT, CRVAL and TAN types from the plate solution, AMDXm/AMDYm kept for
 * the sequent distortion, any approximate CD matrix erased.
 */
function applyDss(w: WcsKeywords, cards: readonly Card[]): void {
  const t = new Array<number>(13).fill(0);
  const amdx: number[] = [];
  const amdy: number[] = [];
  let plateid = '';
  let trigger = false;
  for (const c of cards) {
    const slot = DSS_SCALARS.get(c.keyword);
    if (slot !== undefined) {
      trigger = true;
      const v = cardValue(c, 'float');
      if (typeof v === 'number') t[slot] = v;
      continue;
    }
    if (c.keyword === 'PLTDECSN') {
      trigger = true;
      const v = cardValue(c, 'string');
      // wcspih reads the first blank-delimited token after the opening quote.
      // wcspih reads the first blank-delimited token after the opening quote
      // (sscanf "= '%s"); DSS headers write it padded, '-                 '.
      if (typeof v === 'string') t[9] = v.replace(/^\s+/, '').split(/\s/)[0] === '-' ? -1.0 : 1.0;
      continue;
    }
    if (c.keyword === 'PLATEID') {
      const v = cardValue(c, 'string');
      if (typeof v === 'string') plateid = v;
      continue;
    }
    trigger = true;
    const m = /^AMD([XY])([1-9][0-9]?)$/.exec(c.keyword)!;
    const v = cardValue(c, 'float');
    if (typeof v !== 'number') continue;
    const k = Number(m[2]);
    if (k <= 13 || v !== 0.0) (m[1] === 'X' ? amdx : amdy)[k] = v;
    w.seen.add(c.keyword);
  }
  if (!trigger) return;
  const n = w.naxis;
  const Xc = t[2]! / 1000.0;
  const Yc = t[3]! / 1000.0;
  const Rx = t[4]! / 1000.0;
  const Ry = t[5]! / 1000.0;
  const A1 = amdx[1] ?? 0;
  const A2 = amdx[2] ?? 0;
  const A3 = amdx[3] ?? 0;
  const B1 = amdy[1] ?? 0;
  const B2 = amdy[2] ?? 0;
  const B3 = amdy[3] ?? 0;
  const S = Math.sqrt(Math.abs(A1 * B1 - A2 * B2));
  if (S === 0.0) {
    throw new WcsKeywordError('AMDX1', 'The DSS plate solution (AMDX1, AMDX2, AMDY1, AMDY2) has a zero coefficient scale.', 0);
  }
  const X0 = (A2 * B3 - A3 * B1) / (A1 * B1 - A2 * B2);
  const Y0 = (A3 * B2 - A1 * B3) / (A1 * B1 - A2 * B2);
  w.crpix[0] = (Xc - X0) / Rx - (t[0]! - 0.5);
  w.crpix[1] = (Yc + Y0) / Ry - (t[1]! - 0.5);
  // wcslib indexes the (naxis × naxis) matrices as if they were 2 × 2.
  w.pc[0] = (A1 * Rx) / S;
  w.pc[1] = (-A2 * Ry) / S;
  w.pc[2] = (-B2 * Rx) / S;
  w.pc[3] = (B1 * Ry) / S;
  w.altlin = 1;
  w.cdelt[0] = -S / 3600.0;
  w.cdelt[1] = S / 3600.0;
  w.crval[0] = (t[6]! + (t[7]! + t[8]! / 60.0) / 60.0) * 15.0;
  w.crval[1] = t[10]! + (t[11]! + t[12]! / 60.0) / 60.0;
  if (t[9] === -1.0) w.crval[1] = -w.crval[1]!;
  w.ctype[0] = 'RA---TAN';
  w.ctype[1] = 'DEC--TAN';
  w.wcsname = `DSS PLATEID ${plateid.slice(0, 4)}`;
  for (let k = 0; k < 4 && k < n * n; k++) w.cd[k] = 0.0;
  w.dss = { amdx, amdy, plate: t, plateid };
}

/** A representation with wcslib's defaults for naxis axes (wcsini). */
export function emptyKeywords(key: string, naxis: number): WcsKeywords {
  const pc = new Float64Array(naxis * naxis);
  for (let i = 0; i < naxis; i++) pc[i * naxis + i] = 1.0;
  return {
    key,
    naxis,
    ctype: new Array<string>(naxis).fill(''),
    cunit: new Array<string>(naxis).fill(''),
    cname: new Array<string>(naxis).fill(''),
    crpix: new Float64Array(naxis),
    crval: new Float64Array(naxis),
    cdelt: new Float64Array(naxis).fill(1.0),
    crota: new Float64Array(naxis),
    pc,
    cd: new Float64Array(naxis * naxis),
    altlin: 0,
    pv: [],
    ps: [],
    lonpole: UNDEFINED,
    latpole: 90.0,
    restfrq: 0.0,
    restwav: 0.0,
    velref: 0,
    radesys: '',
    equinox: UNDEFINED,
    specsys: '',
    ssysobs: '',
    velosys: UNDEFINED,
    zsource: UNDEFINED,
    ssyssrc: '',
    velangl: UNDEFINED,
    wcsname: '',
    dateobs: '',
    mjdobs: UNDEFINED,
    dateavg: '',
    mjdavg: UNDEFINED,
    seen: new Set(),
  };
}
