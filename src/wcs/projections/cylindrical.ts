/**
 * Cylindrical projections: CYP CEA CAR MER, following wcslib prj.c.
 */
import { Projection, type ProjectionCategory } from './projection.js';
import { D2R, R2D, UNDEFINED, asind, atan2d, atand, copysign, cosd, sind, tand } from '../trig.js';

abstract class Cylindrical extends Projection {
  readonly category: ProjectionCategory = 'cylindrical';
}

/** CYP: cylindrical perspective (PV2_1 = μ, PV2_2 = λ). */
export class CypProjection extends Cylindrical {
  readonly code = 'CYP';
  setup(): void {
    const pv = this.pv;
    const w = this.w;
    if (pv[1] === UNDEFINED) pv[1] = 1.0;
    if (pv[2] === UNDEFINED) pv[2] = 1.0;
    if (this.r0 === 0.0) {
      this.r0 = R2D;
      w[0] = pv[2]!;
      if (w[0] === 0.0) this.fail();
      w[1] = 1.0 / w[0];
      w[2] = R2D * (pv[1]! + pv[2]!);
      if (w[2] === 0.0) this.fail();
      w[3] = 1.0 / w[2];
    } else {
      w[0] = this.r0 * pv[2]! * D2R;
      if (w[0] === 0.0) this.fail();
      w[1] = 1.0 / w[0];
      w[2] = this.r0 * (pv[1]! + pv[2]!);
      if (w[2] === 0.0) this.fail();
      w[3] = 1.0 / w[2];
    }
    this.offset(0.0, 0.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const mu = this.pv[1]!;
    for (let k = 0; k < n; k++) {
      phi[k] = w[1]! * (x[k]! + this.x0);
      const eta = w[3]! * (y[k]! + this.y0);
      theta[k] = atan2d(eta, 1.0) + asind((eta * mu) / Math.sqrt(eta * eta + 1.0));
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    for (let k = 0; k < n; k++) {
      x[k] = w[0]! * phi[k]! - this.x0;
      const th = theta[k]!;
      let eta = this.pv[1]! + cosd(th);
      let istat = 0;
      if (eta === 0.0) istat = 1;
      else eta = (w[2]! * sind(th)) / eta;
      y[k] = eta - this.y0;
      stat[k] = istat;
    }
  }
}

/** CEA: cylindrical equal area (PV2_1 = λ). */
export class CeaProjection extends Cylindrical {
  readonly code = 'CEA';
  setup(): void {
    const pv = this.pv;
    const w = this.w;
    if (pv[1] === UNDEFINED) pv[1] = 1.0;
    if (this.r0 === 0.0) {
      this.r0 = R2D;
      w[0] = 1.0;
      w[1] = 1.0;
    } else {
      w[0] = this.r0 * D2R;
      w[1] = R2D / this.r0;
    }
    if (pv[1]! <= 0.0 || pv[1]! > 1.0) this.fail();
    w[2] = this.r0 / pv[1]!;
    w[3] = pv[1]! / this.r0;
    this.offset(0.0, 0.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const tol = 1.0e-13;
    for (let k = 0; k < n; k++) {
      phi[k] = w[1]! * (x[k]! + this.x0);
      let s = w[3]! * (y[k]! + this.y0);
      let istat = 0;
      if (Math.abs(s) > 1.0) {
        if (Math.abs(s) > 1.0 + tol) {
          s = 0.0;
          istat = 1;
        } else {
          s = copysign(90.0, s);
        }
      } else {
        s = asind(s);
      }
      theta[k] = s;
      stat[k] = istat;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    for (let k = 0; k < n; k++) {
      x[k] = w[0]! * phi[k]! - this.x0;
      y[k] = w[2]! * sind(theta[k]!) - this.y0;
      stat[k] = 0;
    }
  }
}

/** CAR: plate carrée. */
export class CarProjection extends Cylindrical {
  readonly code = 'CAR';
  setup(): void {
    this.angularScale();
    this.offset(0.0, 0.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w1 = this.w[1]!;
    for (let k = 0; k < n; k++) {
      phi[k] = w1 * (x[k]! + this.x0);
      theta[k] = w1 * (y[k]! + this.y0);
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w0 = this.w[0]!;
    for (let k = 0; k < n; k++) {
      x[k] = w0 * phi[k]! - this.x0;
      y[k] = w0 * theta[k]! - this.y0;
      stat[k] = 0;
    }
  }
}

/** MER: Mercator's. */
export class MerProjection extends Cylindrical {
  readonly code = 'MER';
  setup(): void {
    this.angularScale();
    this.offset(0.0, 0.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w1 = this.w[1]!;
    for (let k = 0; k < n; k++) {
      phi[k] = w1 * (x[k]! + this.x0);
      theta[k] = 2.0 * atand(Math.exp((y[k]! + this.y0) / this.r0)) - 90.0;
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w0 = this.w[0]!;
    for (let k = 0; k < n; k++) {
      x[k] = w0 * phi[k]! - this.x0;
      const th = theta[k]!;
      if (th <= -90.0 || th >= 90.0) {
        y[k] = 0.0;
        stat[k] = 1;
      } else {
        y[k] = this.r0 * Math.log(tand((th + 90.0) / 2.0)) - this.y0;
        stat[k] = 0;
      }
    }
  }
}
