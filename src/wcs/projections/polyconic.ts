/**
 * Polyconic and pseudoconic projections BON and PCO, following wcslib prj.c.
 */
import { Projection, type ProjectionCategory } from './projection.js';
import { SflProjection } from './pseudocylindrical.js';
import { D2R, PI, R2D, UNDEFINED, atan2d, copysign, cosd, sincosd, sind, tand } from '../trig.js';

const sc = new Float64Array(2);

/** BON: Bonne's (PV2_1 = θ1; θ1 = 0 is Sanson-Flamsteed). */
export class BonProjection extends Projection {
  code = 'BON';
  readonly category: ProjectionCategory = 'polyconic';
  private sfl: SflProjection | null = null;
  setup(): void {
    const pv = this.pv;
    if (pv[1] === UNDEFINED) this.fail();
    if (pv[1] === 0.0) {
      // wcslib's bonset() hands over to sflset().
      const sfl = new SflProjection();
      sfl.r0 = this.r0;
      sfl.phi0 = this.phi0;
      sfl.theta0 = this.theta0;
      sfl.bounds = this.bounds;
      sfl.setup();
      this.sfl = sfl;
      this.code = 'SFL';
      this.r0 = sfl.r0;
      this.phi0 = sfl.phi0;
      this.theta0 = sfl.theta0;
      this.x0 = sfl.x0;
      this.y0 = sfl.y0;
      return;
    }
    const w = this.w;
    if (this.r0 === 0.0) {
      this.r0 = R2D;
      w[1] = 1.0;
      w[2] = (this.r0 * cosd(pv[1]!)) / sind(pv[1]!) + pv[1]!;
    } else {
      w[1] = this.r0 * D2R;
      w[2] = this.r0 * (cosd(pv[1]!) / sind(pv[1]!) + pv[1]! * D2R);
    }
    this.offset(0.0, 0.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    if (this.sfl) {
      this.sfl.x2s(n, x, y, phi, theta, stat);
      return;
    }
    const w = this.w;
    for (let k = 0; k < n; k++) {
      const xj = x[k]! + this.x0;
      const dy = w[2]! - (y[k]! + this.y0);
      let r = Math.sqrt(xj * xj + dy * dy);
      if (this.pv[1]! < 0.0) r = -r;
      const alpha = r === 0.0 ? 0.0 : atan2d(xj / r, dy / r);
      const t = (w[2]! - r) / w[1]!;
      const costhe = cosd(t);
      phi[k] = costhe === 0.0 ? 0.0 : (alpha * (r / this.r0)) / costhe;
      theta[k] = t;
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-11, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    if (this.sfl) {
      this.sfl.s2x(n, phi, theta, x, y, stat);
      return;
    }
    const w = this.w;
    const y0 = this.y0 - w[2]!;
    for (let k = 0; k < n; k++) {
      const s0 = this.r0 * phi[k]!;
      const th = theta[k]!;
      const r = w[2]! - w[1]! * th;
      const s = cosd(th) / r;
      sincosd(s * s0, sc);
      x[k] = r * sc[0]! - this.x0;
      y[k] = -r * sc[1]! - y0;
      stat[k] = 0;
    }
  }
}

/** PCO: polyconic. */
export class PcoProjection extends Projection {
  readonly code = 'PCO';
  readonly category: ProjectionCategory = 'polyconic';
  setup(): void {
    const w = this.w;
    if (this.r0 === 0.0) {
      this.r0 = R2D;
      w[0] = 1.0;
      w[1] = 1.0;
      w[2] = 360.0 / PI;
    } else {
      w[0] = this.r0 * D2R;
      w[1] = 1.0 / w[0];
      w[2] = 2.0 * this.r0;
    }
    w[3] = D2R / w[2];
    this.offset(0.0, 0.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const tol = 1.0e-12;
    for (let p = 0; p < n; p++) {
      const xj = x[p]! + this.x0;
      const yj = y[p]! + this.y0;
      const wy = Math.abs(yj * w[1]!);
      if (wy < tol) {
        phi[p] = xj * w[1]!;
        theta[p] = 0.0;
      } else if (Math.abs(wy - 90.0) < tol) {
        phi[p] = 0.0;
        theta[p] = copysign(90.0, yj);
      } else {
        let the: number;
        let ymthe: number;
        let tanthe: number;
        if (wy < 1.0e-4) {
          the = yj / (w[0]! + w[3]! * xj * xj);
          ymthe = yj - w[0]! * the;
          tanthe = tand(the);
        } else {
          let thepos = yj / w[0]!;
          let theneg = 0.0;
          const xx = xj * xj;
          let fpos = xx;
          let fneg = -xx;
          the = 0;
          ymthe = 0;
          tanthe = 0;
          for (let k = 0; k < 64; k++) {
            let lambda = fpos / (fpos - fneg);
            if (lambda < 0.1) lambda = 0.1;
            else if (lambda > 0.9) lambda = 0.9;
            the = thepos - lambda * (thepos - theneg);
            ymthe = yj - w[0]! * the;
            tanthe = tand(the);
            const f = xx + ymthe * (ymthe - w[2]! / tanthe);
            if (Math.abs(f) < tol) break;
            if (Math.abs(thepos - theneg) < tol) break;
            if (f > 0.0) {
              thepos = the;
              fpos = f;
            } else {
              theneg = the;
              fneg = f;
            }
          }
        }
        const x1 = this.r0 - ymthe * tanthe;
        const y1 = xj * tanthe;
        phi[p] = x1 === 0.0 && y1 === 0.0 ? 0.0 : atan2d(y1, x1) / sind(the);
        theta[p] = the;
      }
      stat[p] = 0;
    }
    this.boundsCheck(1.0e-12, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    for (let k = 0; k < n; k++) {
      const ph = phi[k]!;
      const th = theta[k]!;
      if (th === 0.0) {
        x[k] = w[0]! * ph - this.x0;
        y[k] = -this.y0;
      } else if (Math.abs(th) < 1.0e-4) {
        // wcslib overwrites x before computing y, so y uses the projected x.
        const xk = w[0]! * ph * cosd(th) - this.x0;
        x[k] = xk;
        y[k] = (w[0]! + w[3]! * xk * xk) * th - this.y0;
      } else {
        const therad = th * D2R;
        sincosd(th, sc);
        const sinthe = sc[0]!;
        const costhe = sc[1]!;
        sincosd(ph * sinthe, sc);
        const cotthe = costhe / sinthe;
        x[k] = this.r0 * cotthe * sc[0]! - this.x0;
        y[k] = this.r0 * (cotthe * (1.0 - sc[1]!) + therad) - this.y0;
      }
      stat[k] = 0;
    }
  }
}
