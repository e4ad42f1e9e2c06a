/**
 * The projection interface shared by every family (wcslib's prjprm), and the
 * helpers every projection uses: the native-coordinate bounds check (prjbchk)
 * and the fiducial offset (prjoff).
 *
 * A projection maps projection-plane coordinates (x, y) in degrees to native
 * spherical coordinates (φ, θ) and back, point by point over arrays. A point
 * outside the projection's domain gets stat = 1 (the caller turns it into NaN),
 * exactly where wcslib flags it.
 */
import { D2R, R2D, UNDEFINED } from '../trig.js';

/** Projection families, as WCS Paper II groups them. */
export type ProjectionCategory =
  | 'zenithal'
  | 'cylindrical'
  | 'pseudocylindrical'
  | 'conventional'
  | 'conic'
  | 'polyconic'
  | 'quadcube'
  | 'healpix';

/** Number of projection parameters PVi_0 … PVi_29 of the latitude axis. */
export const PVN = 30;

/** Thrown by `setup()` when the projection parameters are invalid. */
export class ProjectionParameterError extends Error {}

/** wcslib's bounds checking, on by default in astropy: 1 = s2x domain, 2 = x2s extra, 4 = native-coordinate check. */
export const DEFAULT_BOUNDS = 7;

export abstract class Projection {
  /** The three-letter code (after aliases such as NCP → SIN are resolved). */
  abstract readonly code: string;
  abstract readonly category: ProjectionCategory;
  /** PVi_m of the latitude axis; wcslib's defaults (pv[1..3] undefined, others 0). */
  readonly pv = new Float64Array(PVN);
  /** Radius of the generating sphere; 0 means 180/π (degrees). */
  r0 = 0;
  /** Native coordinates of the fiducial point (UNDEFINED = projection default). */
  phi0 = UNDEFINED;
  theta0 = UNDEFINED;
  /** Offsets making (x, y) = (0, 0) at (φ0, θ0). */
  x0 = 0;
  y0 = 0;
  bounds = DEFAULT_BOUNDS;
  /** Work values computed by setup(), as wcslib's prjprm.w[]. */
  readonly w = new Float64Array(10);
  n = 0;
  m = 0;

  constructor() {
    this.pv[0] = 0;
    this.pv[1] = UNDEFINED;
    this.pv[2] = UNDEFINED;
    this.pv[3] = UNDEFINED;
  }

  /** Compute the work values; throws {@link ProjectionParameterError} for invalid PV. */
  abstract setup(): void;

  /** (x, y) → (φ, θ) for points [0, n). */
  abstract x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void;

  /** (φ, θ) → (x, y) for points [0, n). */
  abstract s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void;

  protected fail(): never {
    throw new ProjectionParameterError(`Invalid parameters for the ${this.code} projection`);
  }

  /**
   * The scale of projections whose plane coordinates are angles along the
   * sphere (CAR, MER, ARC, SFL), as wcslib's setup: r0 defaults to 180/π;
   * w[0] = r0·π/180 (1 by default) and w[1] = 1/w[0].
   */
  protected angularScale(): void {
    if (this.r0 === 0.0) {
      this.r0 = R2D;
      this.w[0] = 1.0;
      this.w[1] = 1.0;
    } else {
      this.w[0] = this.r0 * D2R;
      this.w[1] = 1.0 / this.w[0];
    }
  }

  /** wcslib's prjoff: set x0, y0 so that (φ0, θ0) projects to (0, 0). */
  protected offset(phi0: number, theta0: number): void {
    this.x0 = 0;
    this.y0 = 0;
    if (this.phi0 === UNDEFINED || this.theta0 === UNDEFINED) {
      this.phi0 = phi0;
      this.theta0 = theta0;
    } else {
      const p = new Float64Array([this.phi0]);
      const t = new Float64Array([this.theta0]);
      const x = new Float64Array(1);
      const y = new Float64Array(1);
      const s = new Uint8Array(1);
      this.s2x(1, p, t, x, y, s);
      if (s[0]) this.fail();
      this.x0 = x[0]!;
      this.y0 = y[0]!;
    }
  }

  /** Apply prjbchk when bounds bit 4 is set. */
  protected boundsCheck(tol: number, n: number, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    if (this.bounds & 4) nativeBoundsCheck(tol, n, phi, theta, stat);
  }
}

/** wcslib's prjbchk: flag native coordinates outside [-180, 180] × [-90, 90] by more than tol; clamp the rest. */
export function nativeBoundsCheck(tol: number, n: number, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
  for (let k = 0; k < n; k++) {
    if (stat[k]) continue;
    const p = phi[k]!;
    if (p < -180.0) {
      if (p < -180.0 - tol) stat[k] = 1;
      else phi[k] = -180.0;
    } else if (180.0 < p) {
      if (180.0 + tol < p) stat[k] = 1;
      else phi[k] = 180.0;
    }
    const t = theta[k]!;
    if (t < -90.0) {
      if (t < -90.0 - tol) stat[k] = 1;
      else theta[k] = -90.0;
    } else if (90.0 < t) {
      if (90.0 + tol < t) stat[k] = 1;
      else theta[k] = 90.0;
    }
  }
}
