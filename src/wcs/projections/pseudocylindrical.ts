/**
 * Pseudocylindrical projections SFL PAR MOL and the conventional AIT, following
 * wcslib prj.c.
 */
import { Projection, type ProjectionCategory } from './projection.js';
import { D2R, PI, R2D, SQRT2, asind, atan2d, copysign, cosd, sincosd, sind } from '../trig.js';

const sc = new Float64Array(2);

/** SFL: Sanson-Flamsteed (also BON with PV2_1 = 0, and GLS). */
export class SflProjection extends Projection {
  readonly code: string = 'SFL';
  readonly category: ProjectionCategory = 'pseudocylindrical';
  setup(): void {
    this.angularScale();
    this.offset(0.0, 0.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w1 = this.w[1]!;
    for (let k = 0; k < n; k++) {
      const p = w1 * (x[k]! + this.x0);
      const yj = y[k]! + this.y0;
      let s = Math.cos(yj / this.r0);
      let istat = 0;
      if (s === 0.0) istat = 1;
      else s = 1.0 / s;
      phi[k] = p * s;
      theta[k] = w1 * yj;
      stat[k] = istat;
    }
    this.boundsCheck(1.0e-12, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w0 = this.w[0]!;
    for (let k = 0; k < n; k++) {
      const xi = w0 * phi[k]!;
      const th = theta[k]!;
      x[k] = cosd(th) * xi - this.x0;
      y[k] = w0 * th - this.y0;
      stat[k] = 0;
    }
  }
}

/** PAR: parabolic. */
export class ParProjection extends Projection {
  readonly code = 'PAR';
  readonly category: ProjectionCategory = 'pseudocylindrical';
  setup(): void {
    const w = this.w;
    if (this.r0 === 0.0) {
      this.r0 = R2D;
      w[0] = 1.0;
      w[1] = 1.0;
      w[2] = 180.0;
      w[3] = 1.0 / w[2];
    } else {
      w[0] = this.r0 * D2R;
      w[1] = 1.0 / w[0];
      w[2] = PI * this.r0;
      w[3] = 1.0 / w[2];
    }
    this.offset(0.0, 0.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const tol = 1.0e-13;
    for (let k = 0; k < n; k++) {
      const xj = x[k]! + this.x0;
      const p0 = w[1]! * xj;
      const t0 = Math.abs(xj) - tol;
      const r = w[3]! * (y[k]! + this.y0);
      let istat = 0;
      let s: number;
      let t: number;
      if (r > 1.0 || r < -1.0) {
        s = 0.0;
        t = 0.0;
        istat = 1;
      } else {
        s = 1.0 - 4.0 * r * r;
        if (s === 0.0) istat = -1;
        else s = 1.0 / s;
        t = 3.0 * asind(r);
      }
      if (istat < 0) stat[k] = t0 < 0.0 ? 0 : 1;
      else stat[k] = istat;
      phi[k] = p0 * s;
      theta[k] = t;
    }
    this.boundsCheck(1.0e-12, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    for (let k = 0; k < n; k++) {
      const xi0 = w[0]! * phi[k]!;
      const s = sind(theta[k]! / 3.0);
      const xi = 1.0 - 4.0 * s * s;
      x[k] = xi * xi0 - this.x0;
      y[k] = w[2]! * s - this.y0;
      stat[k] = 0;
    }
  }
}

/** MOL: Mollweide's. */
export class MolProjection extends Projection {
  readonly code = 'MOL';
  readonly category: ProjectionCategory = 'pseudocylindrical';
  setup(): void {
    if (this.r0 === 0.0) this.r0 = R2D;
    const w = this.w;
    w[0] = SQRT2 * this.r0;
    w[1] = w[0] / 90.0;
    w[2] = 1.0 / w[0];
    w[3] = 90.0 / this.r0;
    w[4] = 2.0 / PI;
    this.offset(0.0, 0.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const tol = 1.0e-12;
    for (let k = 0; k < n; k++) {
      const xj = x[k]! + this.x0;
      const p0 = w[3]! * xj;
      const t0 = Math.abs(xj) - tol;
      const yj = y[k]! + this.y0;
      const y0 = yj / this.r0;
      let r = 2.0 - y0 * y0;
      let istat = 0;
      let s: number;
      if (r <= tol) {
        if (r < -tol) istat = 1;
        else istat = -1;
        r = 0.0;
        s = 0.0;
      } else {
        r = Math.sqrt(r);
        s = 1.0 / r;
      }
      let z = yj * w[2]!;
      if (Math.abs(z) > 1.0) {
        if (Math.abs(z) > 1.0 + tol) {
          z = 0.0;
          istat = 1;
        } else {
          z = copysign(1.0, z) + (y0 * r) / PI;
        }
      } else {
        z = Math.asin(z) * w[4]! + (y0 * r) / PI;
      }
      if (Math.abs(z) > 1.0) {
        if (Math.abs(z) > 1.0 + tol) {
          z = 0.0;
          istat = 1;
        } else {
          z = copysign(1.0, z);
        }
      }
      const t = asind(z);
      if (istat < 0) stat[k] = t0 < 0.0 ? 0 : 1;
      else stat[k] = istat;
      phi[k] = p0 * s;
      theta[k] = t;
    }
    this.boundsCheck(1.0e-11, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const tol = 1.0e-13;
    for (let p = 0; p < n; p++) {
      const xi0 = w[1]! * phi[p]!;
      const th = theta[p]!;
      let xi: number;
      let eta: number;
      if (Math.abs(th) === 90.0) {
        xi = 0.0;
        eta = copysign(w[0]!, th);
      } else if (th === 0.0) {
        xi = 1.0;
        eta = 0.0;
      } else {
        const u = PI * sind(th);
        let v0 = -PI;
        let v1 = PI;
        let v = u;
        for (let k = 0; k < 100; k++) {
          const resid = v - u + Math.sin(v);
          if (resid < 0.0) {
            if (resid > -tol) break;
            v0 = v;
          } else {
            if (resid < tol) break;
            v1 = v;
          }
          v = (v0 + v1) / 2.0;
        }
        const gamma = v / 2.0;
        xi = Math.cos(gamma);
        eta = w[0]! * Math.sin(gamma);
      }
      x[p] = xi * xi0 - this.x0;
      y[p] = eta - this.y0;
      stat[p] = 0;
    }
  }
}

/** AIT: Hammer-Aitoff. */
export class AitProjection extends Projection {
  readonly code = 'AIT';
  readonly category: ProjectionCategory = 'conventional';
  setup(): void {
    if (this.r0 === 0.0) this.r0 = R2D;
    const w = this.w;
    w[0] = 2.0 * this.r0 * this.r0;
    w[1] = 1.0 / (2.0 * w[0]);
    w[2] = w[1] / 4.0;
    w[3] = 1.0 / (2.0 * this.r0);
    this.offset(0.0, 0.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const tol = 1.0e-13;
    for (let k = 0; k < n; k++) {
      const xj = x[k]! + this.x0;
      const s0 = 1.0 - xj * xj * w[2]!;
      const t0 = xj * w[3]!;
      const yj = y[k]! + this.y0;
      const yj2 = yj * yj * w[1]!;
      let s = s0 - yj2;
      let istat = 0;
      if (s < 0.5) {
        if (s < 0.5 - tol) istat = 1;
        s = 0.5;
      }
      const z = Math.sqrt(s);
      const x0 = 2.0 * z * z - 1.0;
      const y0 = z * t0;
      phi[k] = x0 === 0.0 && y0 === 0.0 ? 0.0 : 2.0 * atan2d(y0, x0);
      let t = (z * yj) / this.r0;
      if (Math.abs(t) > 1.0) {
        if (Math.abs(t) > 1.0 + tol) istat = 1;
        t = copysign(90.0, t);
      } else {
        t = asind(t);
      }
      theta[k] = t;
      stat[k] = istat;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w0 = this.w[0]!;
    for (let k = 0; k < n; k++) {
      sincosd(phi[k]! / 2.0, sc);
      const sinphi = sc[0]!;
      const cosphi = sc[1]!;
      sincosd(theta[k]!, sc);
      const sinthe = sc[0]!;
      const costhe = sc[1]!;
      const w = Math.sqrt(w0 / (1.0 + costhe * cosphi));
      x[k] = 2.0 * w * costhe * sinphi - this.x0;
      y[k] = w * sinthe - this.y0;
      stat[k] = 0;
    }
  }
}
