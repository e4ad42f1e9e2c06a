/**
 * Spectral axes (wcslib spc.c + spx.c): FREQ AFRQ ENER WAVN VRAD WAVE VOPT
 * ZOPT AWAV VELO BETA, linear or non-linear with the algorithm codes F2W, W2F,
 * V2F, … and the grism codes GRI/GRA; plus the AIPS spectral types translation
 * (spcaips) that wcslib and astropy apply.
 */
import { UNDEFINED, asind, atand, cosd, sind, tand, PI } from './trig.js';

/** Speed of light (m/s) and Planck constant, wcslib's values. */
const C = 2.99792458e8;
const H = 6.6260755e-34;

/** Thrown when the spectral axis description is invalid. */
export class SpectralParameterError extends Error {}

/** What spctype tells about a CTYPE. */
export interface SpectralTypeInfo {
  /** S-type, e.g. 'VRAD'. */
  stype: string;
  /** Algorithm code after the dash ('' for linear, 'F2W', 'LOG', 'GRI', …). */
  code: string;
  /** The canonical unit of the S-type ('Hz', 'm', 'm/s', 'J', '/m', 'rad/s', ''). */
  units: string;
  /** P-type: 'F' frequency, 'W' wavelength, 'A' air wavelength, 'V' velocity. */
  ptype: string;
  /** X-type (the linear one): F W A V, w/a for grisms, L log, T tabular. */
  xtype: string;
  /** 1/2/3: rest frequency or wavelength needed (see wcslib spctype). */
  restreq: number;
}

const STYPES: Record<string, { units: string; ptype: string; restreq: number }> = {
  FREQ: { units: 'Hz', ptype: 'F', restreq: 0 },
  AFRQ: { units: 'rad/s', ptype: 'F', restreq: 0 },
  ENER: { units: 'J', ptype: 'F', restreq: 0 },
  WAVN: { units: '/m', ptype: 'F', restreq: 0 },
  VRAD: { units: 'm/s', ptype: 'F', restreq: 1 },
  WAVE: { units: 'm', ptype: 'W', restreq: 0 },
  VOPT: { units: 'm/s', ptype: 'W', restreq: 1 },
  ZOPT: { units: '', ptype: 'W', restreq: 1 },
  AWAV: { units: 'm', ptype: 'A', restreq: 0 },
  VELO: { units: 'm/s', ptype: 'V', restreq: 0 },
  BETA: { units: '', ptype: 'V', restreq: 0 },
};

/** wcslib spctype: parse a spectral CTYPE, or null if it is not one (with the reason). */
export function spectralType(ctypei: string): SpectralTypeInfo | { error: string } {
  const ctype = (ctypei + '        ').slice(0, 8);
  const base = STYPES[ctype.slice(0, 4)];
  if (!base) return { error: `Unknown spectral type '${ctype}'` };
  const ptype = base.ptype;
  let restreq = base.restreq;
  let xtype = ctype[5]!;
  let code = ctype.slice(5).replace(/ +$/, '');
  if (xtype === ' ') {
    if (ctype.slice(4) !== '    ') return { error: `Invalid spectral algorithm '${ctype.slice(4)}'` };
    xtype = ptype;
  } else if (ctype[4] !== '-') {
    return { error: `Invalid spectral type '${ctype}'` };
  } else if (ctype.slice(5) === 'LOG' || ctype.slice(5) === 'TAB') {
    // Logarithmic or tabular: X-type L or T.
  } else if (xtype === 'G') {
    if (ctype[6] !== 'R') return { error: `Invalid spectral algorithm '${ctype.slice(5)}'` };
    if (ctype[7] === 'I') xtype = 'w';
    else if (ctype[7] === 'A') xtype = 'a';
    else return { error: `Invalid spectral algorithm '${ctype.slice(5)}'` };
  } else if (ctype[6] !== '2') {
    return { error: `Invalid spectral algorithm syntax '${ctype.slice(5)}'` };
  } else if (ctype[7] !== ptype && ctype[7] !== '?') {
    return { error: `In spectral type '${ctype}', P- and S-type variables are inconsistent` };
  } else if (ctype[7] === ctype[5]) {
    code = '';
  }
  if ('FWAwa'.includes(xtype)) {
    if (ptype === 'V') restreq += 2;
  } else if (xtype === 'V') {
    if ('FWAwa'.includes(ptype)) restreq += 2;
  } else if (!'LT'.includes(xtype)) {
    return { error: `In spectral type '${ctype}', invalid X-type variable code` };
  }
  return { stype: ctype.slice(0, 4), code, units: base.units, ptype, xtype, restreq };
}

/** True when spectralType succeeded. */
export function isSpectralType(x: SpectralTypeInfo | { error: string }): x is SpectralTypeInfo {
  return !('error' in x);
}

/**
 * wcslib spcaips: translate an AIPS spectral CTYPE ('FREQ-LSR', 'VELO-HEL',
 * 'FELO-OBS', with VELREF) into the standard one. Returns null for no change,
 * or the new CTYPE and the implied SPECSYS ('' when none).
 */
export function translateAipsSpectral(ctypeA: string, velref: number): { ctype: string; specsys: string } | null | 'bad-velref' {
  const frames = ['LSRK', 'BARYCENT', 'TOPOCENT', 'LSRD', 'GEOCENTR', 'SOURCE', 'GALACTOC'];
  let ctype = ctypeA.slice(0, 8).replace(/ +$/, '');
  let specsys = '';
  let changed = false;
  const head = ctype.slice(0, 4);
  if (head !== 'FREQ' && head !== 'VELO' && head !== 'FELO') return null;
  const fcode = ctype.slice(4);
  if (fcode) {
    if (fcode === '-LSR') specsys = 'LSRK';
    else if (fcode === '-HEL') specsys = 'BARYCENT';
    else if (fcode === '-OBS') specsys = 'TOPOCENT';
    else return null;
    ctype = head;
    changed = true;
  }
  let bad = false;
  let ivf = velref % 256;
  if (0 < ivf && ivf <= 7) {
    specsys = frames[ivf - 1]!;
    changed = true;
  } else if (ivf) {
    bad = true;
  }
  if (ctype === 'VELO') {
    if (specsys) {
      ivf = Math.trunc(velref / 256);
      if (ivf === 0) ctype = 'VOPT';
      else if (ivf === 1) ctype = 'VRAD';
      else bad = true;
    }
  } else if (ctype === 'FELO') {
    ctype = 'VOPT-F2W';
    if (!bad) changed = true;
  }
  if (bad) return 'bad-velref';
  return changed ? { ctype, specsys } : null;
}

/** The spectral variables wcslib's specx derives from one value (only those spcset needs). */
interface SpecxResult {
  freq: number;
  wave: number;
  awav: number;
  velo: number;
  d: Record<string, number>;
}

function specx(type: string, spec: number, restfrqIn: number, restwavIn: number): SpecxResult {
  let restfrq: number;
  let restwav: number;
  let haverest = true;
  if (restfrqIn === 0.0) {
    if (restwavIn === 0.0) {
      haverest = false;
      restwav = 1.0;
    } else {
      restwav = restwavIn;
    }
    restfrq = C / restwav;
  } else {
    restfrq = restfrqIn;
    restwav = C / restfrqIn;
  }
  let wavetype = false;
  const bad = (): never => {
    throw new SpectralParameterError('Invalid spectral variable');
  };
  let freq: number;
  switch (type) {
    case 'FREQ':
      if (spec === 0.0) bad();
      freq = spec;
      wavetype = true;
      break;
    case 'AFRQ':
      if (spec === 0.0) bad();
      freq = spec / (2.0 * PI);
      wavetype = true;
      break;
    case 'ENER':
      if (spec === 0.0) bad();
      freq = spec / H;
      wavetype = true;
      break;
    case 'WAVN':
      if (spec === 0.0) bad();
      freq = spec * C;
      wavetype = true;
      break;
    case 'VRAD':
      freq = restfrq * (1.0 - spec / C);
      break;
    case 'WAVE':
      if (spec === 0.0) bad();
      freq = C / spec;
      wavetype = true;
      break;
    case 'VOPT': {
      const s = 1.0 + spec / C;
      if (s === 0.0) bad();
      freq = restfrq / s;
      break;
    }
    case 'ZOPT': {
      const s = 1.0 + spec;
      if (s === 0.0) bad();
      freq = restfrq / s;
      break;
    }
    case 'AWAV': {
      if (spec === 0.0) bad();
      let s = 1.0 / spec;
      s *= s;
      let n = 2.554e8 / (0.41e14 - s);
      n += 294.981e8 / (1.46e14 - s);
      n += 1.000064328;
      freq = C / (spec * n);
      wavetype = true;
      break;
    }
    case 'VELO': {
      const beta = spec / C;
      if (Math.abs(beta) === 1.0) bad();
      freq = (restfrq * (1.0 - beta)) / Math.sqrt(1.0 - beta * beta);
      break;
    }
    case 'BETA':
      if (Math.abs(spec) === 1.0) bad();
      freq = (restfrq * (1.0 - spec)) / Math.sqrt(1.0 - spec * spec);
      break;
    default:
      throw new SpectralParameterError(`Unrecognized spectral type '${type}'`);
  }
  let n = 1.0;
  let s = 0;
  let t = 0;
  let u = 0;
  for (let k = 0; k < 4; k++) {
    s = (n * freq) / C;
    s *= s;
    t = 0.41e14 - s;
    u = 1.46e14 - s;
    n = 1.000064328 + (2.554e8 / t + 294.981e8 / u);
  }
  const dwaveawav = n - 2.0 * s * (2.554e8 / (t * t) + 294.981e8 / (u * u));
  s = freq / restfrq;
  let wave = C / freq;
  let awav = wave / n;
  let velo = (C * (1.0 - s * s)) / (1.0 + s * s);
  const beta = velo / C;
  const gamma = 1.0 / Math.sqrt(1.0 - beta * beta);
  const d: Record<string, number> = {
    dfreqafrq: 1.0 / (2.0 * PI),
    dfreqener: 1.0 / H,
    dfreqwavn: C,
    dfreqvrad: -restfrq / C,
    dfreqwave: -freq / wave,
    dwavefreq: 1.0 / (-freq / wave),
    dfreqawav: (-freq / wave) * dwaveawav,
    dawavfreq: 1.0 / ((-freq / wave) * dwaveawav),
    dfreqvelo: (-gamma * restfrq) / (C + velo),
    dvelofreq: 1.0 / ((-gamma * restfrq) / (C + velo)),
    dwavevopt: restwav / C,
    dwavezopt: restwav,
    dwaveawav,
    dawavwave: 1.0 / dwaveawav,
    dwavevelo: (gamma * restwav) / (C - velo),
    dvelowave: 1.0 / ((gamma * restwav) / (C - velo)),
    dawavvelo: (gamma * restwav) / (C - velo) / dwaveawav,
    dveloawav: 1.0 / ((gamma * restwav) / (C - velo) / dwaveawav),
    dvelobeta: C,
  };
  if (!haverest) {
    if (!wavetype) {
      freq = 0.0;
      wave = 0.0;
      awav = 0.0;
      for (const k of ['dfreqwave', 'dwavefreq', 'dfreqawav', 'dawavfreq', 'dwaveawav', 'dawavwave']) d[k] = 0.0;
    } else {
      velo = 0.0;
    }
    for (const k of ['dfreqvrad', 'dfreqvelo', 'dvelofreq', 'dwavevopt', 'dwavezopt', 'dwavevelo', 'dvelowave', 'dawavvelo', 'dveloawav']) d[k] = 0.0;
  }
  return { freq, wave, awav, velo, d };
}

/** One elementwise spectral-variable conversion (wcslib spx function); in place, sets stat[k] per point. */
type SpxFunction = (param: number, n: number, v: Float64Array, stat: Uint8Array) => boolean;

const freqwave: SpxFunction = (_p, n, v, stat) => {
  let ok = true;
  for (let k = 0; k < n; k++) {
    if (v[k] !== 0.0) {
      v[k] = C / v[k]!;
      stat[k] = 0;
    } else {
      stat[k] = 1;
      ok = false;
    }
  }
  return ok;
};
const wavefreq = freqwave;
const waveawav: SpxFunction = (_p, n, v, stat) => {
  let ok = true;
  for (let k = 0; k < n; k++) {
    const w = v[k]!;
    if (w !== 0.0) {
      let nn = 1.0;
      for (let j = 0; j < 4; j++) {
        let s = nn / w;
        s *= s;
        nn = 2.554e8 / (0.41e14 - s);
        nn += 294.981e8 / (1.46e14 - s);
        nn += 1.000064328;
      }
      v[k] = w / nn;
      stat[k] = 0;
    } else {
      stat[k] = 1;
      ok = false;
    }
  }
  return ok;
};
const awavwave: SpxFunction = (_p, n, v, stat) => {
  let ok = true;
  for (let k = 0; k < n; k++) {
    const a = v[k]!;
    if (a !== 0.0) {
      let s = 1.0 / a;
      s *= s;
      let nn = 2.554e8 / (0.41e14 - s);
      nn += 294.981e8 / (1.46e14 - s);
      nn += 1.000064328;
      v[k] = a * nn;
      stat[k] = 0;
    } else {
      stat[k] = 1;
      ok = false;
    }
  }
  return ok;
};
const freqvelo: SpxFunction = (restfrq, n, v, stat) => {
  const r = restfrq * restfrq;
  for (let k = 0; k < n; k++) {
    const s = v[k]! * v[k]!;
    v[k] = (C * (r - s)) / (r + s);
    stat[k] = 0;
  }
  return true;
};
const velofreq: SpxFunction = (restfrq, n, v, stat) => {
  let ok = true;
  for (let k = 0; k < n; k++) {
    const s = C + v[k]!;
    if (s !== 0.0) {
      v[k] = restfrq * Math.sqrt((C - v[k]!) / s);
      stat[k] = 0;
    } else {
      stat[k] = 1;
      ok = false;
    }
  }
  return ok;
};
const wavevelo: SpxFunction = (restwav, n, v, stat) => {
  const r = restwav * restwav;
  for (let k = 0; k < n; k++) {
    const s = v[k]! * v[k]!;
    v[k] = (C * (s - r)) / (s + r);
    stat[k] = 0;
  }
  return true;
};
const velowave: SpxFunction = (restwav, n, v, stat) => {
  let ok = true;
  for (let k = 0; k < n; k++) {
    const s = C - v[k]!;
    if (s !== 0.0) {
      v[k] = restwav * Math.sqrt((C + v[k]!) / s);
      stat[k] = 0;
    } else {
      stat[k] = 1;
      ok = false;
    }
  }
  return ok;
};
const chain =
  (a: SpxFunction, b: SpxFunction): SpxFunction =>
  (p, n, v, stat) =>
    a(p, n, v, stat) ? b(p, n, v, stat) : false;
const freqawav = chain(freqwave, waveawav);
const awavfreq = chain(awavwave, wavefreq);
const awavvelo = chain(awavwave, wavevelo);
const veloawav = chain(velowave, waveawav);
const scaled =
  (f: (x: number, p: number) => number): SpxFunction =>
  (p, n, v, stat) => {
    for (let k = 0; k < n; k++) {
      v[k] = f(v[k]!, p);
      stat[k] = 0;
    }
    return true;
  };
const freqafrq = scaled((x) => x * (2.0 * PI));
const afrqfreq = scaled((x) => x / (2.0 * PI));
const freqener = scaled((x) => x * H);
const enerfreq = scaled((x) => x / H);
const freqwavn = scaled((x) => x / C);
const wavnfreq = scaled((x) => x * C);
const freqvrad = scaled((x, restfrq) => (C / restfrq) * (restfrq - x));
const vradfreq = scaled((x, restfrq) => (restfrq / C) * (C - x));
const wavevopt = scaled((x, restwav) => (C / restwav) * x - C);
const voptwave = scaled((x, restwav) => (restwav / C) * (C + x));
const wavezopt = scaled((x, restwav) => (1.0 / restwav) * x - 1.0);
const zoptwave = scaled((x, restwav) => restwav * (1.0 + x));
const velobeta = scaled((x) => x / C);
const betavelo = scaled((x) => x * C);

const P2S: Record<string, [SpxFunction, SpxFunction] | null> = {
  FREQ: null,
  AFRQ: [freqafrq, afrqfreq],
  ENER: [freqener, enerfreq],
  WAVN: [freqwavn, wavnfreq],
  VRAD: [freqvrad, vradfreq],
  WAVE: null,
  VOPT: [wavevopt, voptwave],
  ZOPT: [wavezopt, zoptwave],
  AWAV: null,
  VELO: null,
  BETA: [velobeta, betavelo],
};

/** [X→P, P→X] for X-type (upper-cased for grisms) and P-type. */
function x2pPair(xtype: string, ptype: string): [SpxFunction, SpxFunction] | null {
  const key = xtype.toUpperCase() + ptype;
  const table: Record<string, [SpxFunction, SpxFunction] | null> = {
    FF: null,
    FW: [freqwave, wavefreq],
    FA: [freqawav, awavfreq],
    FV: [freqvelo, velofreq],
    WF: [wavefreq, freqwave],
    WW: null,
    WA: [waveawav, awavwave],
    WV: [wavevelo, velowave],
    AF: [awavfreq, freqawav],
    AW: [awavwave, waveawav],
    AA: null,
    AV: [awavvelo, veloawav],
    VF: [velofreq, freqvelo],
    VW: [velowave, wavevelo],
    VA: [veloawav, awavvelo],
    VV: null,
  };
  return table[key] ?? null;
}

/** A non-linear spectral axis, set up as wcslib spcset does. */
export class SpectralAxis {
  /** w[0] rest value, w[1] CRVAL in X, w[2] dX/dS, w[3..5] grism. */
  readonly w = new Float64Array(6);
  readonly pv = new Float64Array(7).fill(UNDEFINED);
  readonly info: SpectralTypeInfo;
  private readonly x2pFn: SpxFunction | null;
  private readonly p2xFn: SpxFunction | null;
  private readonly p2sFn: SpxFunction | null;
  private readonly s2pFn: SpxFunction | null;
  readonly isGrism: number;

  constructor(ctype: string, crval: number, restfrq: number, restwav: number, pv: Map<number, number>) {
    const t = spectralType(ctype);
    if (!isSpectralType(t)) throw new SpectralParameterError(t.error);
    this.info = t;
    for (const [m, v] of pv) if (m < 7) this.pv[m] = v;
    if ('LT'.includes(t.xtype)) throw new SpectralParameterError("Can't handle logarithmic or tabular coordinates");
    if (t.restreq % 3 && restfrq === 0.0 && restwav === 0.0) {
      throw new SpectralParameterError('Missing required rest frequency or wavelength');
    }
    const spx = specx(t.stype, crval, restfrq, restwav);
    let dPdS = 0.0;
    let dXdP = 0.0;
    let crvalX = 0.0;
    const { ptype, xtype, stype } = t;
    const d = spx.d;
    const xval = (): void => {
      if (xtype === 'F') crvalX = spx.freq;
      else if (xtype === 'W' || xtype === 'w') crvalX = spx.wave;
      else if (xtype === 'A' || xtype === 'a') crvalX = spx.awav;
      else if (xtype === 'V') crvalX = spx.velo;
    };
    xval();
    if (ptype === 'F') {
      dPdS = { FREQ: 1.0, AFRQ: d.dfreqafrq!, ENER: d.dfreqener!, WAVN: d.dfreqwavn!, VRAD: d.dfreqvrad! }[stype] ?? 0.0;
      if (xtype === 'F') dXdP = 1.0;
      else if (xtype === 'W' || xtype === 'w') dXdP = d.dwavefreq!;
      else if (xtype === 'A' || xtype === 'a') dXdP = d.dawavfreq!;
      else if (xtype === 'V') dXdP = d.dvelofreq!;
    } else if (ptype === 'W') {
      dPdS = { WAVE: 1.0, VOPT: d.dwavevopt!, ZOPT: d.dwavezopt! }[stype] ?? 0.0;
      if (xtype === 'F') dXdP = d.dfreqwave!;
      else if (xtype === 'W' || xtype === 'w') dXdP = 1.0;
      else if (xtype === 'A' || xtype === 'a') dXdP = d.dawavwave!;
      else if (xtype === 'V') dXdP = d.dvelowave!;
    } else if (ptype === 'A') {
      dPdS = stype === 'AWAV' ? 1.0 : 0.0;
      if (xtype === 'F') dXdP = d.dfreqawav!;
      else if (xtype === 'W' || xtype === 'w') dXdP = d.dwaveawav!;
      else if (xtype === 'A' || xtype === 'a') dXdP = 1.0;
      else if (xtype === 'V') dXdP = d.dveloawav!;
    } else if (ptype === 'V') {
      dPdS = { VELO: 1.0, BETA: d.dvelobeta! }[stype] ?? 0.0;
      if (xtype === 'F') dXdP = d.dfreqvelo!;
      else if (xtype === 'W' || xtype === 'w') dXdP = d.dwavevelo!;
      else if (xtype === 'A' || xtype === 'a') dXdP = d.dawavvelo!;
      else if (xtype === 'V') dXdP = 1.0;
    }
    const dXdS = dXdP * dPdS;
    const w = this.w;
    if (t.restreq) {
      let rf = restfrq;
      let rw = restwav;
      if (t.restreq === 3 && rf === 0.0 && rw === 0.0) rw = 1.0;
      if (rf === 0.0) rf = C / rw;
      else rw = C / rf;
      if (ptype === 'F') w[0] = rf;
      else if (ptype !== 'V') w[0] = rw;
      else w[0] = xtype === 'F' ? rf : rw;
    }
    w[1] = crvalX;
    w[2] = dXdS;
    const ps = P2S[stype] ?? null;
    this.p2sFn = ps ? ps[0] : null;
    this.s2pFn = ps ? ps[1] : null;
    const xp = x2pPair(xtype, ptype);
    this.x2pFn = xp ? xp[0] : null;
    this.p2xFn = xp ? xp[1] : null;
    this.isGrism = xtype === 'w' ? 1 : xtype === 'a' ? 2 : 0;
    if (this.isGrism) {
      const p = this.pv;
      const defaults = [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0];
      for (let k = 0; k < 7; k++) if (p[k] === UNDEFINED) p[k] = defaults[k]!;
      const lambdaR = crvalX;
      const [G, m, alpha, nR, dnR, epsilon, theta] = [p[0]!, p[1]!, p[2]!, p[3]!, p[4]!, p[5]!, p[6]!];
      let tt = (G * m) / cosd(epsilon);
      const betaR = asind(tt * lambdaR - nR * sind(alpha));
      tt -= dnR * sind(alpha);
      w[1] = -tand(theta);
      w[2] *= tt / (cosd(betaR) * cosd(theta) * cosd(theta));
      w[3] = betaR + theta;
      w[4] = (nR - dnR * lambdaR) * sind(alpha);
      w[5] = 1.0 / tt;
    }
    // wcslib's spx functions refuse a zero rest value for these conversions.
    const needsRest = [freqvrad, wavevopt, wavezopt];
    if (w[0] === 0.0 && (needsRest.includes(this.p2sFn as SpxFunction) || needsRest.includes(this.s2pFn as SpxFunction))) {
      throw new SpectralParameterError('Invalid spectral parameters: Frequency or wavelength is 0');
    }
  }

  /** Intermediate x → spectral value, in place over v[0..n); stat[k] = 1 where undefined. */
  x2s(n: number, v: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    for (let k = 0; k < n; k++) {
      v[k] = w[1]! + v[k]! * w[2]!;
      stat[k] = 0;
    }
    if (this.isGrism) {
      for (let k = 0; k < n; k++) {
        const beta = atand(v[k]!) + w[3]!;
        v[k] = (sind(beta) + w[4]!) * w[5]!;
      }
    }
    if (this.x2pFn) this.x2pFn(w[0]!, n, v, stat);
    if (this.p2sFn) this.p2sFn(w[0]!, n, v, stat);
  }

  /** Spectral value → intermediate x, in place. */
  s2x(n: number, v: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    if (this.s2pFn) this.s2pFn(w[0]!, n, v, stat);
    else stat.fill(0, 0, n);
    if (this.p2xFn) this.p2xFn(w[0]!, n, v, stat);
    if (this.isGrism) {
      for (let k = 0; k < n; k++) {
        if (stat[k]) continue;
        const s = v[k]! / w[5]! - w[4]!;
        if (Math.abs(s) <= 1.0) v[k] = tand(asind(s) - w[3]!);
        else stat[k] = 1;
      }
    }
    for (let k = 0; k < n; k++) {
      if (stat[k]) continue;
      v[k] = (v[k]! - w[1]!) / w[2]!;
    }
  }
}
