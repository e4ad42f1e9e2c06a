/**
 * WCS Paper IV polynomial distortions as wcslib's dis.c implements them: one
 * function per distorted axis, with an axis map, offsets and scales, applied
 * either before the linear transformation ("prior", CPDISja/DPja) or after it
 * ("sequent", CQDISia/DQia). TPV (from PVi_m on TAN axes) becomes a sequent TPD
 * polynomial, as in wcslib. The inverse is wcslib's disx2p iteration.
 */

/** Thrown when distortion parameters are invalid (wcslib DISERR_BAD_PARAM). */
export class DistortionParameterError extends Error {}

/**
 * TPD term index → powers (u, v), wcslib's pol2tpd table read backwards.
 * Index 3, 11, 23, 39, 59 are the radial terms r, r³, r⁵, r⁷, r⁹.
 */
const TPD_POWERS: ReadonlyArray<readonly [number, number] | null> = (() => {
  const map = [
    [0, 2, 6, 10, 16, 22, 30, 38, 48, 58],
    [1, 5, 9, 15, 21, 29, 37, 47, 57, -1],
    [4, 8, 14, 20, 28, 36, 46, 56, -1, -1],
    [7, 13, 19, 27, 35, 45, 55, -1, -1, -1],
    [12, 18, 26, 34, 44, 54, -1, -1, -1, -1],
    [17, 25, 33, 43, 53, -1, -1, -1, -1, -1],
    [24, 32, 42, 52, -1, -1, -1, -1, -1, -1],
    [31, 41, 51, -1, -1, -1, -1, -1, -1, -1],
    [40, 50, -1, -1, -1, -1, -1, -1, -1, -1],
    [49, -1, -1, -1, -1, -1, -1, -1, -1, -1],
  ];
  const out: ([number, number] | null)[] = new Array(60).fill(null);
  for (let pu = 0; pu < 10; pu++) {
    for (let pv = 0; pv < 10; pv++) {
      const k = map[pu]![pv]!;
      if (k >= 0) out[k] = [pu, pv];
    }
  }
  return out;
})();

/** Radial TPD terms: index → odd power of r. */
const TPD_RADIAL: Readonly<Record<number, number>> = { 3: 1, 11: 3, 23: 5, 39: 7, 59: 9 };

/** The TPD polynomial (wcslib tpd1…tpd9) with `ncoeff` coefficients. */
export class TpdPolynomial {
  /** coeff[pu][pv] of the non-radial terms, flattened: index pu·(degree+1) + pv. */
  private readonly grid: Float64Array;
  private readonly degree: number;
  private readonly radial: Float64Array;
  private readonly hasRadial: boolean;

  constructor(
    readonly coeffs: Float64Array,
    doRadial: boolean,
  ) {
    const n = coeffs.length;
    let degree = 0;
    for (let k = 0; k < n; k++) {
      const p = TPD_POWERS[k];
      if (p && p[0] + p[1] > degree) degree = p[0] + p[1];
    }
    this.degree = degree;
    this.grid = new Float64Array((degree + 1) * (degree + 1));
    this.radial = new Float64Array(5);
    for (let k = 0; k < n; k++) {
      const r = TPD_RADIAL[k];
      if (r !== undefined) {
        this.radial[(r - 1) / 2] = coeffs[k]!;
        continue;
      }
      const p = TPD_POWERS[k]!;
      this.grid[p[0] * (degree + 1) + p[1]] = coeffs[k]!;
    }
    this.hasRadial = doRadial;
    if (degree <= 5) {
      // A 6 × 6 grid for the unrolled gradient (degrees 4 and 5) or 4 × 4 (degree ≤ 3).
      const w = degree <= 3 ? 4 : 6;
      this.padded = new Float64Array(w * w);
      for (let i = 0; i <= degree; i++) for (let j = 0; i + j <= degree; j++) this.padded[i * w + j] = this.grid[i * (degree + 1) + j]!;
    }
  }

  /** The grid padded for the unrolled gradients, or null above degree 5. */
  private readonly padded: Float64Array | null = null;

  /** gradient() for degree ≤ 3, unrolled (Horner in v per power of u, then in u). */
  private gradient3(u: number, v: number, out: Float64Array): void {
    const g = this.padded!;
    const a0 = g[0]! + v * (g[1]! + v * (g[2]! + v * g[3]!));
    const b0 = g[1]! + v * (2 * g[2]! + v * 3 * g[3]!);
    const a1 = g[4]! + v * (g[5]! + v * g[6]!);
    const b1 = g[5]! + v * 2 * g[6]!;
    const a2 = g[8]! + v * g[9]!;
    const b2 = g[9]!;
    const a3 = g[12]!;
    out[0] = a0 + u * (a1 + u * (a2 + u * a3));
    out[1] = a1 + u * (2 * a2 + u * 3 * a3);
    out[2] = b0 + u * (b1 + u * b2);
  }

  /** gradient() for degree 4 or 5, unrolled. */
  private gradient5(u: number, v: number, out: Float64Array): void {
    const g = this.padded!;
    const a0 = g[0]! + v * (g[1]! + v * (g[2]! + v * (g[3]! + v * (g[4]! + v * g[5]!))));
    const b0 = g[1]! + v * (2 * g[2]! + v * (3 * g[3]! + v * (4 * g[4]! + v * 5 * g[5]!)));
    const a1 = g[6]! + v * (g[7]! + v * (g[8]! + v * (g[9]! + v * g[10]!)));
    const b1 = g[7]! + v * (2 * g[8]! + v * (3 * g[9]! + v * 4 * g[10]!));
    const a2 = g[12]! + v * (g[13]! + v * (g[14]! + v * g[15]!));
    const b2 = g[13]! + v * (2 * g[14]! + v * 3 * g[15]!);
    const a3 = g[18]! + v * (g[19]! + v * g[20]!);
    const b3 = g[19]! + v * 2 * g[20]!;
    const a4 = g[24]! + v * g[25]!;
    const b4 = g[25]!;
    const a5 = g[30]!;
    out[0] = a0 + u * (a1 + u * (a2 + u * (a3 + u * (a4 + u * a5))));
    out[1] = a1 + u * (2 * a2 + u * (3 * a3 + u * (4 * a4 + u * 5 * a5)));
    out[2] = b0 + u * (b1 + u * (b2 + u * (b3 + u * b4)));
  }

  /**
   * Value and partial derivatives at (u, v) (2 variables), for Newton steps.
   * The radial terms' derivative is taken as 0 at r = 0, where r has a kink.
   */
  gradient(u: number, v: number, out: Float64Array): void {
    if (this.padded !== null) {
      if (this.degree <= 3) this.gradient3(u, v, out);
      else this.gradient5(u, v, out);
      if (this.hasRadial) this.addRadialGradient(u, v, out);
      return;
    }
    const g = this.grid;
    const d = this.degree;
    const w = d + 1;
    let p = 0;
    let pu = 0;
    let pv = 0;
    for (let i = d; i >= 0; i--) {
      const row = i * w;
      let a = 0;
      let da = 0;
      for (let j = d - i; j >= 0; j--) {
        da = da * v + a;
        a = a * v + g[row + j]!;
      }
      pu = pu * u + p;
      p = p * u + a;
      pv = pv * u + da;
    }
    out[0] = p;
    out[1] = pu;
    out[2] = pv;
    if (this.hasRadial) this.addRadialGradient(u, v, out);
  }

  /** Add the radial terms' value and derivatives (0 at r = 0, where r has a kink). */
  private addRadialGradient(u: number, v: number, out: Float64Array): void {
    const c = this.radial;
    const s = u * u + v * v;
    const r = Math.sqrt(s);
    const q = c[0]! + s * (c[1]! + s * (c[2]! + s * (c[3]! + s * c[4]!)));
    const dq = c[1]! + s * (2 * c[2]! + s * (3 * c[3]! + s * 4 * c[4]!));
    out[0] = out[0]! + r * q;
    if (r > 0) {
      // d(r·q(s))/du = (q/r + 2·r·q'(s))·u
      const f = q / r + 2 * r * dq;
      out[1] = out[1]! + f * u;
      out[2] = out[2]! + f * v;
    }
  }

  /** Evaluate at (u, v); with nhat = 1 only the u terms (wcslib's Nhat == 1 case). */
  evaluate(u: number, v: number, nhat: number): number {
    const g = this.grid;
    const d = this.degree;
    const w = d + 1;
    // Pure-u part: p[0] + u*(p[1] + u*(p[4] + ...)), as wcslib nests it.
    let su = g[d * w]!;
    for (let pu = d - 1; pu >= 0; pu--) su = g[pu * w]! + u * su;
    if (nhat === 1) return su;
    // Terms with v: sum over pu of u^pu * v * (c[pu][1] + v*(c[pu][2] + ...)).
    let sv = 0;
    for (let pu = d - 1; pu >= 0; pu--) {
      const row = pu * w;
      let t = g[row + d - pu]!;
      for (let pv = d - pu - 1; pv >= 1; pv--) t = g[row + pv]! + v * t;
      sv = t + u * sv;
    }
    let out = su + sv * v;
    if (this.hasRadial) {
      const s = u * u + v * v;
      const r = Math.sqrt(s);
      const c = this.radial;
      out += r * (c[0]! + s * (c[1]! + s * (c[2]! + s * (c[3]! + s * c[4]!))));
    }
    return out;
  }
}

/** One axis's distortion function: a TPD polynomial of Nhat (1 or 2) mapped coordinates. */
export interface AxisDistortion {
  /** 0-based axes feeding the function (length Nhat). */
  axmap: number[];
  offset: number[];
  scale: number[];
  /** False for TPV: the function's value replaces the coordinate instead of correcting it. */
  docorr: boolean;
  poly: TpdPolynomial;
  /** TPD auxiliary variables (DSS): u' = a0 + a1·u + a2·v, v' = a3 + a4·u + a5·v. */
  aux?: Float64Array;
}

/** A prior or sequent distortion over naxis axes (wcslib disprm after disset). */
export class PolynomialDistortion {
  private readonly dcrd0: Float64Array;
  private readonly dcrd1: Float64Array;
  private readonly rcrd1: Float64Array;
  private readonly delta: Float64Array;

  constructor(
    readonly naxis: number,
    /** Per axis, or null for an undistorted axis. */
    readonly axes: (AxisDistortion | null)[],
  ) {
    this.dcrd0 = new Float64Array(naxis);
    this.dcrd1 = new Float64Array(naxis);
    this.rcrd1 = new Float64Array(naxis);
    this.delta = new Float64Array(naxis);
    this.newton2 = newtonAxes(naxis, axes);
  }

  /** The two distorted axes when Newton steps apply, else null. */
  private readonly newton2: [number, number] | null;

  /** True when axis j is distorted. */
  distorts(j: number): boolean {
    return this.axes[j] !== null;
  }

  /** wcslib disp2x: raw → distorted coordinates for one point. */
  p2x(raw: Float64Array, out: Float64Array): void {
    for (let j = 0; j < this.naxis; j++) {
      const a = this.axes[j];
      if (!a) {
        out[j] = raw[j]!;
        continue;
      }
      const nhat = a.axmap.length;
      let u = (raw[a.axmap[0]!]! - a.offset[0]!) * a.scale[0]!;
      let v = nhat > 1 ? (raw[a.axmap[1]!]! - a.offset[1]!) * a.scale[1]! : 0;
      if (a.aux) {
        const x = a.aux;
        const r = x[0]! + x[1]! * u + x[2]! * v;
        v = x[3]! + x[4]! * u + x[5]! * v;
        u = r;
      }
      const d = a.poly.evaluate(u, v, nhat);
      out[j] = a.docorr ? raw[j]! + d : d;
    }
  }

  /**
   * wcslib disx2p: distorted → raw coordinates for one point, by its iteration
   * (at most 30 steps, relative tolerance 1e-13). Returns false when it does not converge.
   */
  x2p(dis: Float64Array, raw: Float64Array): boolean {
    if (this.newton2 && this.newtonInverse(dis, raw)) return true;
    return this.iterate(dis, raw);
  }

  private readonly grad = new Float64Array(3);

  /**
   * Newton's method with the polynomials' analytic Jacobian: the same root
   * wcslib's iteration finds (to its 1e-13 tolerance), in a few steps.
   */
  private newtonInverse(dis: Float64Array, raw: Float64Array): boolean {
    const [ja, jb] = this.newton2!;
    const TOL = 1.0e-13;
    for (let j = 0; j < this.naxis; j++) raw[j] = dis[j]!;
    const g = this.grad;
    for (let iter = 0; iter < 30; iter++) {
      // f_j(raw) and its derivatives with respect to raw[ja], raw[jb].
      this.axisGradient(ja, ja, jb, raw, g);
      const fa = g[0]!;
      const aa = g[1]!;
      const ab = g[2]!;
      this.axisGradient(jb, ja, jb, raw, g);
      const fb = g[0]!;
      const ba = g[1]!;
      const bb = g[2]!;
      const ra = fa - dis[ja]!;
      const rb = fb - dis[jb]!;
      const ta = Math.abs(dis[ja]!) < 1.0 ? ra : ra / dis[ja]!;
      const tb = Math.abs(dis[jb]!) < 1.0 ? rb : rb / dis[jb]!;
      if (Math.abs(ta) <= TOL && Math.abs(tb) <= TOL) return true;
      const det = aa * bb - ab * ba;
      if (!(det !== 0) || !Number.isFinite(det)) return false;
      const da = (bb * ra - ab * rb) / det;
      const db = (-ba * ra + aa * rb) / det;
      raw[ja] = raw[ja]! - da;
      raw[jb] = raw[jb]! - db;
      if (!Number.isFinite(raw[ja]!) || !Number.isFinite(raw[jb]!)) return false;
      // Newton converges quadratically: after a step this small the error is
      // of order step² (≈1e-20), far inside wcslib's 1e-13, so the residual
      // need not be evaluated again.
      if (Math.abs(da) <= 1e-10 * Math.max(1, Math.abs(raw[ja]!)) && Math.abs(db) <= 1e-10 * Math.max(1, Math.abs(raw[jb]!))) return true;
    }
    return false;
  }

  /** f_j(raw), ∂f_j/∂raw[ja], ∂f_j/∂raw[jb] into out[0..2]. */
  private axisGradient(j: number, ja: number, jb: number, raw: Float64Array, out: Float64Array): void {
    const a = this.axes[j]!;
    const m0 = a.axmap[0]!;
    const m1 = a.axmap[1]!;
    const s0 = a.scale[0]!;
    const s1 = a.scale[1]!;
    const u = (raw[m0]! - a.offset[0]!) * s0;
    const v = (raw[m1]! - a.offset[1]!) * s1;
    let gu: number;
    let gv: number;
    if (a.aux) {
      // Chain rule through the auxiliary variables.
      const x = a.aux;
      a.poly.gradient(x[0]! + x[1]! * u + x[2]! * v, x[3]! + x[4]! * u + x[5]! * v, out);
      gu = (out[1]! * x[1]! + out[2]! * x[4]!) * s0;
      gv = (out[1]! * x[2]! + out[2]! * x[5]!) * s1;
    } else {
      a.poly.gradient(u, v, out);
      gu = out[1]! * s0;
      gv = out[2]! * s1;
    }
    let dA = (m0 === ja ? gu : 0) + (m1 === ja ? gv : 0);
    let dB = (m0 === jb ? gu : 0) + (m1 === jb ? gv : 0);
    if (a.docorr) {
      out[0] = out[0]! + raw[j]!;
      if (j === ja) dA += 1;
      else dB += 1;
    }
    out[1] = dA;
    out[2] = dB;
  }

  /** wcslib disx2p's own iteration (the fallback when Newton does not settle). */
  private iterate(dis: Float64Array, raw: Float64Array): boolean {
    const naxis = this.naxis;
    const TOL = 1.0e-13;
    const itermax = 30;
    const { dcrd0, dcrd1, rcrd1, delta } = this;
    for (let j = 0; j < naxis; j++) raw[j] = dis[j]!;
    let convergence = false;
    for (let iter = 0; iter < itermax; iter++) {
      this.p2x(raw, dcrd0);
      convergence = true;
      for (let j = 0; j < naxis; j++) {
        delta[j] = dis[j]! - dcrd0[j]!;
        const dd = Math.abs(dis[j]!) < 1.0 ? delta[j]! : delta[j]! / dis[j]!;
        if (TOL < Math.abs(dd)) convergence = false;
      }
      if (convergence) break;
      for (let j = 0; j < naxis; j++) {
        let d = delta[j]! / 2.0;
        if (Math.abs(d) < 1.0e-6) d = d < 0.0 ? -1.0e-6 : 1.0e-6;
        else if (1.0 < Math.abs(d)) d = d < 0.0 ? -1.0 : 1.0;
        delta[j] = d;
      }
      if (iter < itermax / 2) {
        for (let j = 0; j < naxis; j++) rcrd1[j] = raw[j]! + delta[j]!;
        this.p2x(rcrd1, dcrd1);
        for (let j = 0; j < naxis; j++) {
          raw[j] = raw[j]! + (dis[j]! - dcrd0[j]!) * (delta[j]! / (dcrd1[j]! - dcrd0[j]!));
        }
      } else {
        for (let j = 0; j < naxis; j++) rcrd1[j] = raw[j]!;
        for (let j = 0; j < naxis; j++) {
          rcrd1[j] = rcrd1[j]! + delta[j]!;
          this.p2x(rcrd1, dcrd1);
          raw[j] = raw[j]! + (dis[j]! - dcrd0[j]!) * (delta[j]! / (dcrd1[j]! - dcrd0[j]!));
          rcrd1[j] = rcrd1[j]! - delta[j]!;
        }
      }
    }
    return convergence;
  }
}

/**
 * The DSS plate solution as a sequent TPD distortion (wcslib dssset): AMDXm
 * and AMDYm (m = 1…13; `amd[m]`) with the auxiliary variables of WCS Paper IV §5.2.
 */
export function dssDistortion(naxis: number, amdx: readonly number[], amdy: readonly number[]): PolynomialDistortion {
  const A1 = amdx[1] ?? 0;
  const A2 = amdx[2] ?? 0;
  const A3 = amdx[3] ?? 0;
  const B1 = amdy[1] ?? 0;
  const B2 = amdy[2] ?? 0;
  const B3 = amdy[3] ?? 0;
  const X0 = (A2 * B3 - A3 * B1) / (A1 * B1 - A2 * B2);
  const Y0 = (A3 * B2 - A1 * B3) / (A1 * B1 - A2 * B2);
  const axes: (AxisDistortion | null)[] = new Array(naxis).fill(null);
  for (const j of [0, 1]) {
    let S = Math.sqrt(Math.abs(A1 * B1 - A2 * B2));
    if (S === 0.0) throw new DistortionParameterError(`Coefficient scale for DSS on axis ${j + 1} is zero`);
    const aux =
      j === 0 ? Float64Array.of(X0, -B1 / S, -A2 / S, Y0, B2 / S, A1 / S) : Float64Array.of(Y0, B2 / S, A1 / S, X0, -B1 / S, -A2 / S);
    if (j === 0) S *= -1.0;
    const p = new Float64Array(24);
    let degree = 3;
    const amd = j === 0 ? amdx : amdy;
    for (let m = 1; m < amd.length; m++) {
      let c = amd[m] ?? 0;
      if (c === 0.0) continue;
      c /= S;
      if (m === 1) p[1] = c;
      else if (m === 2) p[2] = c;
      else if (m === 3) p[0] = c;
      else if (m === 4) p[4] = p[4]! + c;
      else if (m === 5) p[5] = c;
      else if (m === 6) p[6] = p[6]! + c;
      else if (m === 7) {
        p[4] = p[4]! + c;
        p[6] = p[6]! + c;
      } else if (m === 8) p[7] = p[7]! + c;
      else if (m === 9) p[8] = c;
      else if (m === 10) p[9] = p[9]! + c;
      else if (m === 11) p[10] = c;
      else if (m === 12) {
        p[7] = p[7]! + c;
        p[9] = p[9]! + c;
      } else if (m === 13) {
        p[17] = c;
        p[19] = c * 2.0;
        p[21] = c;
        degree = 5;
      } else {
        throw new DistortionParameterError(`Invalid parameter for DSS on axis ${j + 1}: AMD${j === 0 ? 'X' : 'Y'}${m} must be zero`);
      }
    }
    const coeffs = degree === 3 ? p.subarray(0, 12) : p;
    axes[j] = { axmap: [0, 1], offset: [0, 0], scale: [1, 1], docorr: false, poly: new TpdPolynomial(Float64Array.from(coeffs), false), aux };
  }
  return new PolynomialDistortion(naxis, axes);
}

/** Two distorted axes, each a function of both: the case Newton's method handles. */
function newtonAxes(naxis: number, axes: readonly (AxisDistortion | null)[]): [number, number] | null {
  const js: number[] = [];
  for (let j = 0; j < naxis; j++) if (axes[j]) js.push(j);
  if (js.length !== 2) return null;
  for (const j of js) {
    const a = axes[j]!;
    if (a.axmap.length !== 2 || !a.axmap.every((m) => js.includes(m))) return null;
  }
  return [js[0]!, js[1]!];
}

/**
 * The TPV distortion wcslib builds from PVi_m of the two celestial axes
 * (wcsset → tpvset): axis lng uses (x, y), axis lat uses (y, x), where, as in
 * wcslib, the map names raw axes 1 and 2.
 */
export function tpvDistortion(naxis: number, lng: number, lat: number, pvLng: Map<number, number>, pvLat: Map<number, number>): PolynomialDistortion {
  const axes: (AxisDistortion | null)[] = new Array(naxis).fill(null);
  const make = (pv: Map<number, number>, axmap: number[], axis: number): AxisDistortion => {
    let ndparm = 0;
    let doRadial = false;
    for (const k of pv.keys()) {
      if (k < 0 || k > 39) {
        throw new DistortionParameterError(`Invalid parameter number (${k}) for TPV on axis ${axis + 1}`);
      }
      if (ndparm < k + 1) ndparm = k + 1;
      if (k === 3 || k === 11 || k === 23 || k === 39) doRadial = true;
    }
    const sizes = [4, 7, 12, 17, 24, 31, 40];
    const size = sizes.find((s) => ndparm <= s)!;
    const c = new Float64Array(size);
    for (const [k, v] of pv) c[k] = v;
    return { axmap, offset: [0, 0], scale: [1, 1], docorr: false, poly: new TpdPolynomial(c, doRadial) };
  };
  axes[lng] = make(pvLng, [0, 1], lng);
  axes[lat] = make(pvLat, [1, 0], lat);
  return new PolynomialDistortion(naxis, axes);
}

/** TPD coefficient counts by degree (wcslib tpd1 … tpd9). */
const TPD_NCOEFF = [0, 4, 7, 12, 17, 24, 31, 40, 49, 60];

/**
 * Monomial coefficients of the Chebyshev (kind 1) or Legendre (kind 2)
 * polynomials of degree m and n, by wcslib's recurrence (cheleg).
 */
function cheleg(kind: number, m: number, n: number): [Float64Array, Float64Array] {
  const N = Math.max(m, n);
  const coeff = [new Float64Array(N + 1), new Float64Array(N + 1), new Float64Array(N + 1)];
  let cm = new Float64Array(m + 1);
  let cn = new Float64Array(n + 1);
  for (let j = 0; j <= N; j++) {
    const j0 = j % 3;
    if (j === 0) coeff[0]![0] = 1.0;
    else if (j === 1) coeff[1]![1] = 1.0;
    else {
      const c0 = coeff[j0]!;
      const c1 = coeff[(j - 1) % 3]!;
      const c2 = coeff[(j - 2) % 3]!;
      c0.fill(0);
      const d = j;
      for (let k = 0; k < N; k++) {
        if (kind === 1) {
          c0[k + 1] = 2.0 * c1[k]!;
          c0[k] = c0[k]! - c2[k]!;
        } else {
          c0[k + 1] = ((2.0 * d - 1.0) * c1[k]!) / d;
          c0[k] = c0[k]! - ((d - 1.0) * c2[k]!) / d;
        }
      }
    }
    if (j === m) cm = coeff[j0]!.slice(0, m + 1);
    if (j === n) cn = coeff[j0]!.slice(0, n + 1);
  }
  return [cm, cn];
}

/** The record lists of a TNX/ZPX solution, per axis (see wat.ts). */
export interface WatAxisRecords {
  kind: number;
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
  coeffs: readonly { m: number; n: number; value: number }[];
}

/**
 * wcslib's watset: each axis's TNX/ZPX polynomial as a sequent TPD correction
 * of (x, y) — Chebyshev and Legendre terms expanded into monomials of the
 * normalised variables (auxiliary variables over XMIN…YMAX), monomials as they are.
 */
export function watDistortion(naxis: number, wtype: string, records: readonly [WatAxisRecords, WatAxisRecords]): PolynomialDistortion {
  const axes: (AxisDistortion | null)[] = new Array(naxis).fill(null);
  const map = (m: number, n: number): number => {
    for (let k = 0; k < TPD_POWERS.length; k++) {
      const p = TPD_POWERS[k];
      if (p && p[0] === m && p[1] === n) return k;
    }
    return -1;
  };
  for (const j of [0, 1]) {
    const r = records[j]!;
    const id = `WAT (${wtype.toUpperCase()}) on axis ${j + 1}`;
    let degree = 1;
    for (const c of r.coeffs) {
      const deg = c.m + c.n;
      if (c.m < 0 || c.m > 9 || c.n < 0 || c.n > 9 || deg > 9) throw new DistortionParameterError(`Invalid powers (${c.m}, ${c.n}) for ${id}`);
      if (degree < deg) degree = deg;
    }
    const p = new Float64Array(TPD_NCOEFF[degree]!);
    let aux: Float64Array | undefined;
    if (r.kind === 1 || r.kind === 2) {
      const x0 = (r.xmax + r.xmin) / 2.0;
      const dx = (r.xmax - r.xmin) / 2.0;
      if (dx === 0.0) throw new DistortionParameterError(`X-span for ${id} is zero`);
      const y0 = (r.ymax + r.ymin) / 2.0;
      const dy = (r.ymax - r.ymin) / 2.0;
      if (dy === 0.0) throw new DistortionParameterError(`Y-span for ${id} is zero`);
      aux = Float64Array.of(-x0 / dx, 1.0 / dx, 0.0, -y0 / dy, 0.0, 1.0 / dy);
    }
    if (r.kind >= 1 && r.kind <= 3) {
      for (const c of r.coeffs) {
        if (r.kind === 3) {
          p[map(c.m, c.n)] = c.value;
          continue;
        }
        const [cm, cn] = cheleg(r.kind, c.m, c.n);
        for (let im = 0; im <= c.m; im++) {
          if (cm[im] === 0.0) continue;
          for (let jn = 0; jn <= c.n; jn++) {
            if (cn[jn] === 0.0) continue;
            const k = map(im, jn);
            p[k] = p[k]! + c.value * cm[im]! * cn[jn]!;
          }
        }
      }
    }
    const axis: AxisDistortion = { axmap: [0, 1], offset: [0, 0], scale: [1, 1], docorr: true, poly: new TpdPolynomial(p, false) };
    if (aux) axis.aux = aux;
    axes[j] = axis;
  }
  return new PolynomialDistortion(naxis, axes);
}
