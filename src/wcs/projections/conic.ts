/**
 * Conic projections COP COE COD COO (PV2_1 = θa required, PV2_2 = η), following
 * wcslib prj.c.
 */
import { Projection, type ProjectionCategory } from './projection.js';
import { D2R, R2D, UNDEFINED, asind, atan2d, atand, cosd, sincosd, sind, tand } from '../trig.js';

const sc = new Float64Array(2);

abstract class Conic extends Projection {
  readonly category: ProjectionCategory = 'conic';
  /** Common parameter handling: θa is required, η defaults to 0. */
  protected conicParameters(): void {
    if (this.pv[1] === UNDEFINED) this.fail();
    if (this.pv[2] === UNDEFINED) this.pv[2] = 0.0;
    if (this.r0 === 0.0) this.r0 = R2D;
  }
  /** The shared (x, y) → (α, r) step; phi gets α/C, returns r via the radius array. */
  protected polar(k: number, x: Float64Array, y: Float64Array): [number, number] {
    const xj = x[k]! + this.x0;
    const dy = this.w[2]! - (y[k]! + this.y0);
    let r = Math.sqrt(xj * xj + dy * dy);
    if (this.pv[1]! < 0.0) r = -r;
    const alpha = r === 0.0 ? 0.0 : atan2d(xj / r, dy / r);
    return [alpha, r];
  }
}

/** COP: conic perspective. */
export class CopProjection extends Conic {
  readonly code = 'COP';
  setup(): void {
    this.conicParameters();
    const w = this.w;
    const pv = this.pv;
    w[0] = sind(pv[1]!);
    if (w[0] === 0.0) this.fail();
    w[1] = 1.0 / w[0];
    w[3] = this.r0 * cosd(pv[2]!);
    if (w[3] === 0.0) this.fail();
    w[4] = 1.0 / w[3];
    w[5] = 1.0 / tand(pv[1]!);
    w[2] = w[3] * w[5];
    this.offset(0.0, pv[1]!);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    for (let k = 0; k < n; k++) {
      const [alpha, r] = this.polar(k, x, y);
      phi[k] = alpha * w[1]!;
      theta[k] = this.pv[1]! + atand(w[5]! - r * w[4]!);
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const y0 = this.y0 - w[2]!;
    for (let k = 0; k < n; k++) {
      sincosd(w[0]! * phi[k]!, sc);
      const th = theta[k]!;
      const t = th - this.pv[1]!;
      const s = cosd(t);
      let istat = 0;
      let r: number;
      if (s === 0.0) {
        r = 0.0;
        istat = 1;
      } else if (Math.abs(th) === 90.0) {
        r = 0.0;
        if (this.bounds & 1 && th < 0.0 !== this.pv[1]! < 0.0) istat = 1;
      } else {
        r = w[2]! - (w[3]! * sind(t)) / s;
        if (this.bounds & 1 && r * w[0]! < 0.0) istat = 1;
      }
      x[k] = r * sc[0]! - this.x0;
      y[k] = -r * sc[1]! - y0;
      stat[k] = istat;
    }
  }
}

/** COE: conic equal area. */
export class CoeProjection extends Conic {
  readonly code = 'COE';
  setup(): void {
    this.conicParameters();
    const w = this.w;
    const pv = this.pv;
    const theta1 = pv[1]! - pv[2]!;
    const theta2 = pv[1]! + pv[2]!;
    w[0] = (sind(theta1) + sind(theta2)) / 2.0;
    if (w[0] === 0.0) this.fail();
    w[1] = 1.0 / w[0];
    w[3] = this.r0 / w[0];
    w[4] = 1.0 + sind(theta1) * sind(theta2);
    w[5] = 2.0 * w[0];
    w[6] = w[3] * w[3] * w[4];
    w[7] = 1.0 / (2.0 * this.r0 * w[3]);
    w[8] = w[3] * Math.sqrt(w[4] + w[5]);
    w[2] = w[3] * Math.sqrt(w[4] - w[5] * sind(pv[1]!));
    this.offset(0.0, pv[1]!);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const tol = 1.0e-12;
    for (let k = 0; k < n; k++) {
      const [alpha, r] = this.polar(k, x, y);
      let istat = 0;
      let t: number;
      if (Math.abs(r - w[8]!) < tol) {
        t = -90.0;
      } else {
        const v = (w[6]! - r * r) * w[7]!;
        if (Math.abs(v) > 1.0) {
          if (Math.abs(v - 1.0) < tol) t = 90.0;
          else if (Math.abs(v + 1.0) < tol) t = -90.0;
          else {
            t = 0.0;
            istat = 1;
          }
        } else {
          t = asind(v);
        }
      }
      phi[k] = alpha * w[1]!;
      theta[k] = t;
      stat[k] = istat;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const y0 = this.y0 - w[2]!;
    for (let k = 0; k < n; k++) {
      sincosd(w[0]! * phi[k]!, sc);
      const th = theta[k]!;
      const r = th === -90.0 ? w[8]! : w[3]! * Math.sqrt(w[4]! - w[5]! * sind(th));
      x[k] = r * sc[0]! - this.x0;
      y[k] = -r * sc[1]! - y0;
      stat[k] = 0;
    }
  }
}

/** COD: conic equidistant. */
export class CodProjection extends Conic {
  readonly code = 'COD';
  setup(): void {
    this.conicParameters();
    const w = this.w;
    const pv = this.pv;
    if (pv[2] === 0.0) w[0] = this.r0 * sind(pv[1]!) * D2R;
    else w[0] = (this.r0 * sind(pv[1]!) * sind(pv[2]!)) / pv[2]!;
    if (w[0] === 0.0) this.fail();
    w[1] = 1.0 / w[0];
    w[2] = (this.r0 * cosd(pv[2]!) * cosd(pv[1]!)) / w[0];
    w[3] = w[2] + pv[1]!;
    this.offset(0.0, pv[1]!);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    for (let k = 0; k < n; k++) {
      const [alpha, r] = this.polar(k, x, y);
      phi[k] = alpha * w[1]!;
      theta[k] = w[3]! - r;
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const y0 = this.y0 - w[2]!;
    for (let k = 0; k < n; k++) {
      sincosd(w[0]! * phi[k]!, sc);
      const r = w[3]! - theta[k]!;
      x[k] = r * sc[0]! - this.x0;
      y[k] = -r * sc[1]! - y0;
      stat[k] = 0;
    }
  }
}

/** COO: conic orthomorphic. */
export class CooProjection extends Conic {
  readonly code = 'COO';
  setup(): void {
    this.conicParameters();
    const w = this.w;
    const pv = this.pv;
    const theta1 = pv[1]! - pv[2]!;
    const theta2 = pv[1]! + pv[2]!;
    const tan1 = tand((90.0 - theta1) / 2.0);
    const cos1 = cosd(theta1);
    if (theta1 === theta2) {
      w[0] = sind(theta1);
    } else {
      const tan2 = tand((90.0 - theta2) / 2.0);
      const cos2 = cosd(theta2);
      w[0] = Math.log(cos2 / cos1) / Math.log(tan2 / tan1);
    }
    if (w[0] === 0.0) this.fail();
    w[1] = 1.0 / w[0];
    w[3] = (this.r0 * (cos1 / w[0])) / Math.pow(tan1, w[0]);
    if (w[3] === 0.0) this.fail();
    w[2] = w[3] * Math.pow(tand((90.0 - pv[1]!) / 2.0), w[0]);
    w[4] = 1.0 / w[3];
    this.offset(0.0, pv[1]!);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    for (let k = 0; k < n; k++) {
      const [alpha, r] = this.polar(k, x, y);
      let istat = 0;
      let t: number;
      if (r === 0.0) {
        if (w[0]! < 0.0) t = -90.0;
        else {
          t = 0.0;
          istat = 1;
        }
      } else {
        t = 90.0 - 2.0 * atand(Math.pow(r * w[4]!, w[1]!));
      }
      phi[k] = alpha * w[1]!;
      theta[k] = t;
      stat[k] = istat;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const y0 = this.y0 - w[2]!;
    for (let k = 0; k < n; k++) {
      sincosd(w[0]! * phi[k]!, sc);
      const th = theta[k]!;
      let istat = 0;
      let r: number;
      if (th === -90.0) {
        r = 0.0;
        if (w[0]! >= 0.0) istat = 1;
      } else {
        r = w[3]! * Math.pow(tand((90.0 - th) / 2.0), w[0]!);
      }
      x[k] = r * sc[0]! - this.x0;
      y[k] = -r * sc[1]! - y0;
      stat[k] = istat;
    }
  }
}

