/**
 * Stretches: maps of [0, 1] onto [0, 1] applied after the interval, defined as
 * astropy.visualization 5.2 defines them (input clipped to [0, 1] first):
 *
 * | type         | s(t)                                   | default |
 * |--------------|----------------------------------------|---------|
 * | linear       | slope·t + intercept                    | 1, 0    |
 * | sqrt         | √t                                     |         |
 * | squared      | t²                                     |         |
 * | power        | tᵃ                                     | (a > 0) |
 * | powerdist    | (aᵗ − 1)/(a − 1)                       | a 1000  |
 * | log          | log(a·t + 1)/log(a + 1)                | a 1000  |
 * | asinh        | asinh(t/a)/asinh(1/a)                  | a 0.1   |
 * | sinh         | sinh(t/a)/sinh(1/a)                    | a 1/3   |
 * | histeq       | np.interp(t, sorted data normalised by its own min/max, linspace(0, 1, n)) |
 * | contrastbias | clip((t − bias)·contrast + 0.5, 0, 1)  |         |
 *
 * The arithmetic follows astropy's order of operations in float64 (e.g. log
 * multiplies, adds 1, takes the log, then divides), so results agree with
 * numpy up to the last bit of the math library. NaN stays NaN.
 */
import { FitsError } from '../core/errors.js';
import { asNumberArray, type PixelArray } from './pixels.js';

/** A stretch and its parameters. */
export type StretchSpec =
  | { type: 'linear'; slope?: number; intercept?: number }
  | { type: 'sqrt' }
  | { type: 'squared' }
  | { type: 'power'; a: number }
  | { type: 'powerdist'; a?: number }
  | { type: 'log'; a?: number }
  | { type: 'asinh'; a?: number }
  | { type: 'sinh'; a?: number }
  | { type: 'histeq' }
  | { type: 'contrastbias'; contrast: number; bias: number };

/** Names of the stretches. */
export const STRETCH_TYPES = ['linear', 'sqrt', 'squared', 'power', 'powerdist', 'log', 'asinh', 'sinh', 'histeq', 'contrastbias'] as const;

/**
 * A stretch ready to apply: `apply(t)` for one value already normalised by
 * the interval (it clips to [0, 1] itself, except contrastbias, which clips
 * after, as astropy).
 */
export interface Stretch {
  readonly spec: StretchSpec;
  /** Apply to one value in [0, 1]. */
  apply(t: number): number;
  /** Apply to many values in place (faster than apply() in a loop). */
  applyInPlace(values: Float64Array): void;
}

function bad(message: string): FitsError {
  return new FitsError('BAD_ARGUMENT', message);
}

function finiteParam(v: number | undefined, dflt: number, name: string): number {
  const x = v ?? dflt;
  if (typeof x !== 'number' || !Number.isFinite(x)) throw bad(`The stretch parameter ${name} must be a finite number.`);
  return x;
}

const clip01 = (t: number): number => (t < 0 ? 0 : t > 1 ? 1 : t); // NaN passes through (comparisons are false)

/** The equalisation curve of HistEqStretch: sorted finite data normalised by its own min/max. */
export interface HistEqCurve {
  /** Sorted, normalised finite data values (np.interp's xp). */
  xp: Float64Array;
}

/** Build histeq's curve from the data it equalises (astropy: HistEqStretch(data)). */
export function histEqCurve(data: PixelArray): HistEqCurve {
  const a = asNumberArray(data);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! - a[i]! === 0) n++;
  const xp = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v - v === 0) xp[k++] = v;
  }
  xp.sort();
  if (n > 0) {
    const vmin = xp[0]!;
    const d = xp[n - 1]! - vmin;
    // (data - vmin) / (vmax - vmin): 0/0 → NaN for constant data, as numpy.
    for (let i = 0; i < n; i++) xp[i] = (xp[i]! - vmin) / d;
  }
  return { xp };
}

/**
 * np.interp(t, xp, linspace(0, 1, n)) — numpy's rules: left of xp[0] → 0,
 * right of xp[n−1] → 1, else the segment whose left end is the last xp ≤ t.
 */
export function histEqApply(curve: HistEqCurve, t: number): number {
  const xp = curve.xp;
  const n = xp.length;
  if (n === 0 || Number.isNaN(t)) return NaN;
  const step = n > 1 ? 1 / (n - 1) : 0; // np.linspace: i * step, last exactly 1
  const fp = (i: number): number => (i === n - 1 ? 1 : i * step);
  if (!(t >= xp[0]!)) return t < xp[0]! ? fp(0) : NaN;
  if (t > xp[n - 1]!) return 1;
  // Last j with xp[j] <= t (numpy's binary_search_with_guess).
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t >= xp[mid]!) lo = mid + 1;
    else hi = mid;
  }
  const j = lo - 1;
  if (j === n - 1) return fp(j);
  if (xp[j] === t) return fp(j);
  const slope = (fp(j + 1) - fp(j)) / (xp[j + 1]! - xp[j]!);
  let r = slope * (t - xp[j]!) + fp(j);
  if (Number.isNaN(r)) {
    r = slope * (t - xp[j + 1]!) + fp(j + 1);
    if (Number.isNaN(r) && fp(j) === fp(j + 1)) r = fp(j);
  }
  return r;
}

/**
 * Prepare a stretch. `histEqData` is the data histeq equalises (needed for
 * `histeq` only; astropy builds HistEqStretch from the image itself).
 */
export function makeStretch(spec: StretchSpec, histEqData?: PixelArray | HistEqCurve): Stretch {
  const f = stretchFunction(spec, histEqData);
  return {
    spec,
    apply: f,
    applyInPlace(values: Float64Array) {
      for (let i = 0; i < values.length; i++) values[i] = f(values[i]!);
    },
  };
}

function stretchFunction(spec: StretchSpec, histEqData?: PixelArray | HistEqCurve): (t: number) => number {
  switch (spec?.type) {
    case 'linear': {
      const slope = finiteParam(spec.slope, 1, 'slope');
      const intercept = finiteParam(spec.intercept, 0, 'intercept');
      if (slope === 1 && intercept === 0) return clip01;
      return (t) => {
        let v = clip01(t);
        if (slope !== 1) v = v * slope;
        if (intercept !== 0) v = v + intercept;
        return v;
      };
    }
    case 'sqrt':
      return (t) => Math.sqrt(clip01(t));
    case 'squared':
      return (t) => {
        const v = clip01(t);
        return v * v; // np.power(v, 2) is exactly v*v
      };
    case 'power': {
      const a = finiteParam(spec.a, NaN, 'a');
      if (!(a > 0)) throw bad('The power stretch needs a > 0.');
      return (t) => Math.pow(clip01(t), a);
    }
    case 'powerdist': {
      const a = finiteParam(spec.a, 1000, 'a');
      if (a < 0 || a === 1) throw bad('The powerdist stretch needs a ≥ 0 and a ≠ 1.');
      const d = a - 1;
      return (t) => (Math.pow(a, clip01(t)) - 1) / d;
    }
    case 'log': {
      const a = finiteParam(spec.a, 1000, 'a');
      if (!(a > 0)) throw bad('The log stretch needs a > 0.');
      const d = Math.log(a + 1);
      return (t) => Math.log(clip01(t) * a + 1) / d;
    }
    case 'asinh': {
      const a = finiteParam(spec.a, 0.1, 'a');
      if (!(a > 0 && a <= 1)) throw bad('The asinh stretch needs 0 < a ≤ 1.');
      const d = Math.asinh(1 / a);
      return (t) => Math.asinh(clip01(t) / a) / d;
    }
    case 'sinh': {
      const a = finiteParam(spec.a, 1 / 3, 'a');
      if (!(a > 0 && a <= 1)) throw bad('The sinh stretch needs 0 < a ≤ 1.');
      const d = Math.sinh(1 / a);
      return (t) => Math.sinh(clip01(t) / a) / d;
    }
    case 'histeq': {
      if (!histEqData) throw bad('The histeq stretch needs the data it equalises.');
      const curve = 'xp' in histEqData && histEqData.xp instanceof Float64Array ? (histEqData as HistEqCurve) : histEqCurve(histEqData as PixelArray);
      return (t) => histEqApply(curve, clip01(t));
    }
    case 'contrastbias': {
      const contrast = finiteParam(spec.contrast, NaN, 'contrast');
      const bias = finiteParam(spec.bias, NaN, 'bias');
      // astropy clips only after this stretch (it does not map [0,1] onto [0,1]).
      return (t) => clip01((t - bias) * contrast + 0.5);
    }
  }
  throw bad(`Unknown stretch "${(spec as { type?: unknown })?.type}": use one of ${STRETCH_TYPES.join(', ')}.`);
}
