/**
 * FITS unit strings as wcslib parses them (wcsulex.l) and translates common
 * non-standard spellings (wcsutrn.l, as astropy's unitfix applies it with no
 * "unsafe" translations): enough to convert CUNITia to the canonical unit of
 * its axis type (deg, Hz, m, m/s, J, /m, …) with wcslib's scale factors.
 */
import { PI } from './trig.js';

/** Thrown for a unit string that cannot be parsed or converted. */
export class UnitError extends Error {}

/** Dimension slots, as wcslib's WCSUNITS_* types. */
const NTYPE = 17;
const PLANE_ANGLE = 0;
const SOLID_ANGLE = 1;
const CHARGE = 2;
const MOLE = 3;
const TEMPERATURE = 4;
const LUMINTEN = 5;
const MASS = 6;
const LENGTH = 7;
const TIME = 8;
const BEAM = 9;
const BIN = 10;
const BIT = 11;
const COUNT = 12;
const MAGNITUDE = 13;
const PIXEL = 14;
const SOLRATIO = 15;
const VOXEL = 16;

const TYPE_NAMES = [
  'plane angle',
  'solid angle',
  'charge',
  'mole',
  'temperature',
  'luminous intensity',
  'mass',
  'length',
  'time',
  'beam',
  'bin',
  'bit',
  'count',
  'stellar magnitude',
  'pixel',
  'solar ratio',
  'voxel',
];

type Dims = Partial<Record<number, number>>;
interface UnitDef {
  factor: number;
  dims: Dims;
}

const EV = 1.6021765e-19;
/** wcsulex's unit table (factor to SI-with-degrees, dimensions). */
const UNITS: Record<string, UnitDef> = {
  A: { factor: 1, dims: { [CHARGE]: 1, [TIME]: -1 } },
  a: { factor: 31557600.0, dims: { [TIME]: 1 } },
  yr: { factor: 31557600.0, dims: { [TIME]: 1 } },
  adu: { factor: 1, dims: { [COUNT]: 1 } },
  Angstrom: { factor: 1e-10, dims: { [LENGTH]: 1 } },
  angstrom: { factor: 1e-10, dims: { [LENGTH]: 1 } },
  arcmin: { factor: 1 / 60.0, dims: { [PLANE_ANGLE]: 1 } },
  arcsec: { factor: 1 / 3600.0, dims: { [PLANE_ANGLE]: 1 } },
  AU: { factor: 1.49598e11, dims: { [LENGTH]: 1 } },
  barn: { factor: 1e-28, dims: { [LENGTH]: 2 } },
  beam: { factor: 1, dims: { [BEAM]: 1 } },
  bin: { factor: 1, dims: { [BIN]: 1 } },
  bit: { factor: 1, dims: { [BIT]: 1 } },
  byte: { factor: 8.0, dims: { [BIT]: 1 } },
  Byte: { factor: 8.0, dims: { [BIT]: 1 } },
  C: { factor: 1, dims: { [CHARGE]: 1 } },
  cd: { factor: 1, dims: { [LUMINTEN]: 1 } },
  chan: { factor: 1, dims: { [BIN]: 1 } },
  count: { factor: 1, dims: { [COUNT]: 1 } },
  ct: { factor: 1, dims: { [COUNT]: 1 } },
  cy: { factor: 3155760000.0, dims: { [TIME]: 1 } },
  D: { factor: 1e-29 / 3.0, dims: { [CHARGE]: 1, [LENGTH]: 1 } },
  d: { factor: 86400.0, dims: { [TIME]: 1 } },
  deg: { factor: 1, dims: { [PLANE_ANGLE]: 1 } },
  erg: { factor: 1e-7, dims: { [MASS]: 1, [LENGTH]: 2, [TIME]: -2 } },
  eV: { factor: EV, dims: { [MASS]: 1, [LENGTH]: 2, [TIME]: -2 } },
  F: { factor: 1, dims: { [MASS]: -1, [LENGTH]: -2, [TIME]: 3, [CHARGE]: 2 } },
  G: { factor: 1e-4, dims: { [MASS]: 1, [TIME]: 1, [CHARGE]: -1 } },
  g: { factor: 1e-3, dims: { [MASS]: 1 } },
  H: { factor: 1, dims: { [MASS]: 1, [LENGTH]: 2, [TIME]: 2, [CHARGE]: -2 } },
  h: { factor: 3600.0, dims: { [TIME]: 1 } },
  Hz: { factor: 1, dims: { [TIME]: -1 } },
  J: { factor: 1, dims: { [MASS]: 1, [LENGTH]: 2, [TIME]: -2 } },
  Jy: { factor: 1e-26, dims: { [MASS]: 1, [TIME]: -2 } },
  K: { factor: 1, dims: { [TEMPERATURE]: 1 } },
  lm: { factor: 1, dims: { [LUMINTEN]: 1, [SOLID_ANGLE]: 1 } },
  lx: { factor: 1, dims: { [LUMINTEN]: 1, [SOLID_ANGLE]: 1, [LENGTH]: -2 } },
  lyr: { factor: 2.99792458e8 * 31557600.0, dims: { [LENGTH]: 1 } },
  m: { factor: 1, dims: { [LENGTH]: 1 } },
  mag: { factor: 1, dims: { [MAGNITUDE]: 1 } },
  mas: { factor: 1 / 3600e3, dims: { [PLANE_ANGLE]: 1 } },
  min: { factor: 60.0, dims: { [TIME]: 1 } },
  mol: { factor: 1, dims: { [MOLE]: 1 } },
  N: { factor: 1, dims: { [MASS]: 1, [LENGTH]: 1, [TIME]: -2 } },
  Ohm: { factor: 1, dims: { [MASS]: 1, [LENGTH]: 2, [TIME]: -1, [CHARGE]: -2 } },
  ohm: { factor: 1, dims: { [MASS]: 1, [LENGTH]: 2, [TIME]: -1, [CHARGE]: -2 } },
  Pa: { factor: 1, dims: { [MASS]: 1, [LENGTH]: -1, [TIME]: -2 } },
  pc: { factor: 3.0857e16, dims: { [LENGTH]: 1 } },
  photon: { factor: 1, dims: { [COUNT]: 1 } },
  ph: { factor: 1, dims: { [COUNT]: 1 } },
  pixel: { factor: 1, dims: { [PIXEL]: 1 } },
  pix: { factor: 1, dims: { [PIXEL]: 1 } },
  R: { factor: 1e10 / (4.0 * PI), dims: { [LENGTH]: -2, [TIME]: -1, [SOLID_ANGLE]: -1 } },
  rad: { factor: 180.0 / PI, dims: { [PLANE_ANGLE]: 1 } },
  Ry: { factor: 13.605692 * EV, dims: { [MASS]: 1, [LENGTH]: 2, [TIME]: -2 } },
  S: { factor: 1, dims: { [MASS]: -1, [LENGTH]: -2, [TIME]: 1, [CHARGE]: 2 } },
  s: { factor: 1, dims: { [TIME]: 1 } },
  solLum: { factor: 3.8268e26, dims: { [MASS]: 1, [LENGTH]: 2, [TIME]: -3 } },
  solMass: { factor: 1.9891e30, dims: { [MASS]: 1 } },
  solRad: { factor: 6.9599e8, dims: { [LENGTH]: 1 } },
  sr: { factor: 1, dims: { [SOLID_ANGLE]: 1 } },
  Sun: { factor: 1, dims: { [SOLRATIO]: 1 } },
  T: { factor: 1, dims: { [MASS]: 1, [TIME]: 1, [CHARGE]: -1 } },
  turn: { factor: 360.0, dims: { [PLANE_ANGLE]: 1 } },
  u: { factor: 1.6605387e-27, dims: { [MASS]: 1 } },
  V: { factor: 1, dims: { [MASS]: 1, [LENGTH]: 1, [TIME]: -2, [CHARGE]: -1 } },
  voxel: { factor: 1, dims: { [VOXEL]: 1 } },
  W: { factor: 1, dims: { [MASS]: 1, [LENGTH]: 2, [TIME]: -3 } },
  Wb: { factor: 1, dims: { [MASS]: 1, [LENGTH]: 2, [TIME]: 1, [CHARGE]: -1 } },
};

const SI_UNIT = ['m', 's', 'g', 'rad', 'sr', 'K', 'A', 'mol', 'cd', 'Hz', 'J', 'W', 'V', 'N', 'Pa', 'C', 'Ohm', 'ohm', 'S', 'F', 'Wb', 'T', 'H', 'lm', 'lx'];
const ADD_ALL = ['eV', 'Jy', 'R', 'G', 'barn'];
const ADD_SUP = ['a', 'yr', 'pc', 'bit', 'byte', 'Byte'];
const ADD_SUB = ['mag'];
const ADD_NONE = [
  'deg', 'arcmin', 'arcsec', 'mas', 'turn', 'min', 'h', 'd', 'cy', 'erg', 'Ry', 'u', 'D',
  'Angstrom', 'angstrom', 'AU', 'lyr', 'beam', 'solRad', 'solMass', 'solLum', 'Sun',
  'adu', 'bin', 'chan', 'count', 'ct', 'photon', 'ph', 'pixel', 'pix', 'voxel',
];
const PLAIN = [...SI_UNIT, ...ADD_ALL, ...ADD_SUP, ...ADD_SUB, ...ADD_NONE];
const SUB_PREFIX: Record<string, number> = { d: 1e-1, c: 1e-2, m: 1e-3, u: 1e-6, n: 1e-9, p: 1e-12, f: 1e-15, a: 1e-18, z: 1e-21, y: 1e-24 };
const SUP_PREFIX: Record<string, number> = { da: 1e1, h: 1e2, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Z: 1e21, Y: 1e24 };

/** Longest unit token at s[pos:], as flex picks it (plain unit wins ties). */
function matchUnit(s: string, pos: number): { len: number; factor: number; unit: UnitDef } | null {
  let best: { len: number; factor: number; unit: UnitDef } | null = null;
  const consider = (len: number, factor: number, name: string): void => {
    if (!best || len > best.len) best = { len, factor, unit: UNITS[name]! };
  };
  for (const u of PLAIN) if (s.startsWith(u, pos)) consider(u.length, 1, u);
  const tryPrefixed = (prefixes: Record<string, number>, units: readonly string[]): void => {
    for (const [p, f] of Object.entries(prefixes)) {
      if (!s.startsWith(p, pos)) continue;
      for (const u of units) if (s.startsWith(u, pos + p.length)) consider(p.length + u.length, f, u);
    }
  };
  const allPrefix = { ...SUB_PREFIX, ...SUP_PREFIX };
  tryPrefixed(allPrefix, [...SI_UNIT, ...ADD_ALL]);
  tryPrefixed(SUP_PREFIX, ADD_SUP);
  tryPrefixed(SUB_PREFIX, ADD_SUB);
  return best;
}

/** A parsed unit: scale to the canonical SI-with-degrees unit, and dimensions. */
export interface ParsedUnit {
  scale: number;
  dims: Float64Array;
  /** 0 none, 1 log, 2 ln, 3 exp. */
  func: number;
}

/** wcsulex: parse a unit string. Throws UnitError. */
export function parseUnit(str: string): ParsedUnit {
  const dims = new Float64Array(NTYPE);
  let scale = 1.0;
  let func = 0;
  let s = str;
  let pos = 0;
  const fail = (why: string): never => {
    throw new UnitError(`${why} in '${str}'`);
  };
  // Leading blanks, an optional '[' … ']' wrapper (a keycomment), functions.
  while (s[pos] === ' ') pos++;
  if (s[pos] === '[') {
    const end = s.indexOf(']', pos);
    if (end < 0) fail('Unbalanced bracket');
    s = s.slice(pos + 1, end);
    pos = 0;
    while (s[pos] === ' ') pos++;
  }
  const fm = /^(log|ln|exp) *\(/.exec(s.slice(pos));
  if (fm) {
    func = fm[1] === 'log' ? 1 : fm[1] === 'ln' ? 2 : 3;
    pos += fm[0].length - 1;
  }
  let expon = 1.0;
  let factor = 1.0;
  let types = new Float64Array(NTYPE);
  let operator = 0;
  let state: 'INITIAL' | 'EXPON' = 'INITIAL';
  const add = (): void => {
    scale *= Math.pow(factor, expon);
    for (let i = 0; i < NTYPE; i++) {
      dims[i] = dims[i]! + expon * types[i]!;
      types[i] = 0;
    }
    expon = 1.0;
    factor = 1.0;
  };
  if (/^10[0-9]/.test(s.slice(pos))) fail('Invalid exponent');
  if (s.startsWith('10', pos) && pos === 0) {
    factor = 10.0;
    pos += 2;
    state = 'EXPON';
  }
  if (s[pos] === '*' || s[pos] === '.') fail('Dangling binary operator');
  while (pos < s.length) {
    const rest = s.slice(pos);
    if (state === 'INITIAL') {
      let m: RegExpExecArray | null;
      if ((m = /^ +/.exec(rest))) {
        pos += m[0].length;
      } else if ((m = /^sqrt *\(/.exec(rest))) {
        expon /= 2.0;
        pos += m[0].length - 1;
      } else if (rest[0] === '(') {
        const end = matchParen(s, pos);
        if (end < 0) fail('Unbalanced parenthesis');
        const inner = parseUnit(s.slice(pos + 1, end));
        if (inner.func) fail('Function in invalid context');
        factor *= inner.scale;
        for (let i = 0; i < NTYPE; i++) types[i] = types[i]! + inner.dims[i]!;
        pos = end + 1;
        state = 'EXPON';
      } else if (rest[0] === '*' || rest[0] === '.') {
        if (operator++) fail('Consecutive binary operators');
        pos++;
      } else if (rest[0] === '/') {
        if (operator++) fail('Consecutive binary operators');
        expon *= -1.0;
        pos++;
      } else {
        const u = matchUnit(s, pos);
        if (!u) fail('Invalid symbol in INITIAL context');
        operator = 0;
        factor *= u!.factor * u!.unit.factor;
        for (const [k, v] of Object.entries(u!.unit.dims)) types[Number(k)] = types[Number(k)]! + (v as number);
        pos += u!.len;
        state = 'EXPON';
      }
    } else {
      let m: RegExpExecArray | null;
      if ((m = /^ *(\*\*|\^)/.exec(rest))) {
        if (operator++) fail('Consecutive binary operators');
        pos += m[0].length;
      } else if ((m = /^ *([+-]?[1-9][0-9]*)/.exec(rest))) {
        expon *= Number(m[1]);
        add();
        operator = 0;
        state = 'INITIAL';
        pos += m[0].length;
      } else if ((m = /^ *\( *([+-]?[1-9][0-9]*) *\/ *([1-9][0-9]*) *\)/.exec(rest))) {
        expon *= Number(m[1]) / Number(m[2]);
        add();
        operator = 0;
        state = 'INITIAL';
        pos += m[0].length;
      } else if ((m = /^ *\( *([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)) *\)/.exec(rest))) {
        expon *= Number(m[1]);
        add();
        operator = 0;
        state = 'INITIAL';
        pos += m[0].length;
      } else if ((m = /^ *[.*] */.exec(rest))) {
        if (operator++) fail('Consecutive binary operators');
        add();
        state = 'INITIAL';
        pos += m[0].length;
      } else if ((m = /^ *\(/.exec(rest))) {
        if (operator) fail('Consecutive binary operators');
        add();
        state = 'INITIAL';
        pos += m[0].length - 1;
      } else if ((m = /^ *\/ */.exec(rest))) {
        if (operator++) fail('Consecutive binary operators');
        add();
        expon = -1.0;
        state = 'INITIAL';
        pos += m[0].length;
      } else if ((m = /^ +/.exec(rest))) {
        if (operator) fail('Consecutive binary operators');
        add();
        state = 'INITIAL';
        pos += m[0].length;
      } else {
        fail('Invalid symbol in EXPON context');
      }
    }
  }
  if (state === 'EXPON') add();
  if (operator === 1) fail('Dangling binary operator');
  if (operator) fail('Consecutive binary operators');
  types = dims;
  return { scale, dims: types, func };
}

function matchParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** wcsunitse: the factor converting a value in `have` units to `want` units. Throws UnitError. */
export function unitScale(have: string, want: string): number {
  const a = parseUnit(have);
  const b = parseUnit(want);
  for (let i = 0; i < NTYPE; i++) {
    if (a.dims[i] !== b.dims[i]) {
      throw new UnitError(`Mismatched units type '${TYPE_NAMES[i]}': have '${have}', want '${want}'`);
    }
  }
  if (a.func !== 0 || b.func !== 0) throw new UnitError(`Unit functions (log, ln, exp) are not supported for '${have}'`);
  return a.scale / b.scale;
}

/** wcsutrn's safe translations of common non-standard unit spellings (as astropy's unitfix applies them). */
const ALIASES: [RegExp, string][] = [
  [/^(Angstroms|angstroms?)$/, 'Angstrom'],
  [/^(arcmins|ARCMINS?)$/, 'arcmin'],
  [/^(arcsecs|ARCSECS?)$/, 'arcsec'],
  [/^BEAM$/, 'beam'],
  [/^Byte$/, 'byte'],
  [/^(days?|DAYS?)$/, 'd'],
  [/^(degrees?|Deg|Degrees?|DEG|DEGREES?)$/, 'deg'],
  [/^GHZ$/, 'GHz'],
  [/^(hr|HR)$/, 'h'],
  [/^(hz|HZ)$/, 'Hz'],
  [/^KHZ$/, 'kHz'],
  [/^JY$/, 'Jy'],
  [/^([kK]elvins?|KELVINS?)$/, 'K'],
  [/^KM$/, 'km'],
  [/^(metres?|meters?|M|METRES?|METERS?)$/, 'm'],
  [/^MIN$/, 'min'],
  [/^MHZ$/, 'MHz'],
  [/^Ohm$/, 'ohm'],
  [/^([pP]ascals?|PASCALS?)$/, 'Pa'],
  [/^(pixels|PIXELS?)$/, 'pixel'],
  [/^(radians?|RAD|RADIANS?)$/, 'rad'],
  [/^(sec|seconds?|SEC|SECONDS?)$/, 's'],
  [/^([vV]olts?|VOLTS?)$/, 'V'],
  [/^(years?|YR|YEARS?)$/, 'yr'],
];

/**
 * wcsutrn with astropy's default (no unsafe S/H/D translation): replace each
 * alphabetic word that is a known alias, compress blanks between words.
 * Returns the translated string (unchanged when nothing applies).
 */
export function translateUnitAliases(unit: string): string {
  let out = '';
  let i = 0;
  const s = unit;
  if (/^ *\[/.test(s)) {
    const k = s.indexOf('[');
    out += '[';
    i = k + 1;
  }
  while (i < s.length) {
    const ch = s[i]!;
    if (/[A-Za-z]/.test(ch)) {
      let j = i;
      while (j < s.length && /[A-Za-z]/.test(s[j]!)) j++;
      const word = s.slice(i, j);
      let sub = word;
      for (const [re, rep] of ALIASES) {
        if (re.test(word)) {
          sub = rep;
          break;
        }
      }
      out += sub;
      i = j;
      // Blanks between words compress to one; blanks before a symbol vanish.
      let k = i;
      while (k < s.length && s[k] === ' ') k++;
      if (k > i) {
        if (k < s.length && /[A-Za-z]/.test(s[k]!)) out += ' ';
        i = k;
      }
    } else if (ch === ' ') {
      i++;
    } else {
      out += ch;
      i++;
      if (ch === ']' && out.startsWith('[')) {
        out += s.slice(i);
        break;
      }
    }
  }
  return out;
}
