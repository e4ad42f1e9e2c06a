/**
 * HEALPix projections HPX (PV2_1 = H, PV2_2 = K) and XPH (polar "butterfly"),
 * following wcslib prj.c.
 */
import { Projection, type ProjectionCategory } from './projection.js';
import { D2R, R2D, UNDEFINED, asind, sind } from '../trig.js';

/** HPX: HEALPix. */
export class HpxProjection extends Projection {
  readonly code = 'HPX';
  readonly category: ProjectionCategory = 'healpix';
  setup(): void {
    const pv = this.pv;
    const w = this.w;
    if (pv[1] === UNDEFINED) pv[1] = 4.0;
    if (pv[2] === UNDEFINED) pv[2] = 3.0;
    if (pv[1]! <= 0.0 || pv[2]! <= 0.0) this.fail();
    this.m = Math.trunc(pv[1]! + 0.5) % 2;
    this.n = Math.trunc(pv[2]! + 0.5) % 2;
    if (this.r0 === 0.0) {
      this.r0 = R2D;
      w[0] = 1.0;
      w[1] = 1.0;
    } else {
      w[0] = this.r0 * D2R;
      w[1] = R2D / this.r0;
    }
    w[2] = (pv[2]! - 1.0) / pv[2]!;
    w[3] = (90.0 * pv[2]!) / pv[1]!;
    w[4] = (pv[2]! + 1.0) / 2.0;
    w[5] = (90.0 * (pv[2]! - 1.0)) / pv[1]!;
    w[6] = 180.0 / pv[1]!;
    w[7] = pv[1]! / 360.0;
    w[8] = w[3] * w[0];
    w[9] = w[6] * w[0];
    this.offset(0.0, 0.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const slim = w[6]! + 1e-12;
    const ylim = w[9]! * w[4]!;
    for (let k = 0; k < n; k++) {
      const xk = x[k]!;
      let ph = w[1]! * (xk + this.x0);
      let th = -180.0 + (2.0 * Math.floor((xk + 180.0) * w[7]!) + 1.0) * w[6]!;
      th = w[1]! * (xk - th);
      const yk = y[k]!;
      const yr = w[1]! * (yk + this.y0);
      const absy = Math.abs(yr);
      if (absy <= w[5]!) {
        phi[k] = ph;
        theta[k] = asind(yr / w[3]!);
        stat[k] = 0;
      } else if (absy <= ylim) {
        const offset = this.n || yk > 0.0 ? 0 : 1;
        const sigma = w[4]! - absy / w[6]!;
        let s: number;
        let t: number;
        let istat = 0;
        if (sigma === 0.0) {
          s = 1e9;
          t = 90.0;
        } else {
          t = 1.0 - (sigma * sigma) / this.pv[2]!;
          if (t < -1.0) {
            s = 0.0;
            t = 0.0;
            istat = 1;
          } else {
            s = 1.0 / sigma;
            t = asind(t);
          }
        }
        if (yk < 0.0) t = -t;
        if (offset) {
          const h = Math.floor(ph / w[6]!) + this.m;
          if (h % 2) th -= w[6]!;
          else th += w[6]!;
        }
        let r = s * th;
        if (this.bounds & 2) {
          if (slim <= Math.abs(r)) istat = 1;
        }
        if (r !== 0.0) r -= th;
        ph += r;
        phi[k] = ph;
        theta[k] = t;
        stat[k] = istat;
      } else {
        phi[k] = 0.0;
        theta[k] = 0.0;
        stat[k] = 1;
      }
    }
    this.boundsCheck(1.0e-12, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    for (let k = 0; k < n; k++) {
      const ph = phi[k]!;
      let xk = w[0]! * ph - this.x0;
      const t = -180.0 + (2.0 * Math.floor((ph + 180.0) * w[7]!) + 1.0) * w[6]!;
      let yk = w[0]! * (ph - t);
      const th = theta[k]!;
      const sinthe = sind(th);
      const abssin = Math.abs(sinthe);
      if (abssin <= w[2]!) {
        y[k] = w[8]! * sinthe - this.y0;
        x[k] = xk;
      } else {
        const offset = this.n || th > 0.0 ? 0 : 1;
        const sigma = Math.sqrt(this.pv[2]! * (1.0 - abssin));
        const xi = sigma - 1.0;
        let eta = w[9]! * (w[4]! - sigma);
        if (th < 0) eta = -eta;
        eta -= this.y0;
        if (offset) {
          const h = Math.floor((xk + this.x0) / w[9]!) + this.m;
          if (h % 2) yk -= w[9]!;
          else yk += w[9]!;
        }
        xk += yk * xi;
        if (180.0 < xk) xk = 360.0 - xk;
        x[k] = xk;
        y[k] = eta;
      }
      stat[k] = 0;
    }
  }
}

/** XPH: HEALPix polar ("butterfly"). */
export class XphProjection extends Projection {
  readonly code = 'XPH';
  readonly category: ProjectionCategory = 'healpix';
  setup(): void {
    const w = this.w;
    if (this.r0 === 0.0) {
      this.r0 = R2D;
      w[0] = 1.0;
      w[1] = 1.0;
    } else {
      w[0] = this.r0 * D2R;
      w[1] = R2D / this.r0;
    }
    w[0] /= Math.sqrt(2.0);
    w[1] /= Math.sqrt(2.0);
    w[2] = 2.0 / 3.0;
    w[3] = 1e-4;
    w[4] = Math.sqrt(w[2]) * R2D;
    w[5] = 90.0 - w[3] * w[4];
    w[6] = Math.sqrt(1.5) * D2R;
    this.offset(0.0, 90.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const tol = 1.0e-12;
    for (let k = 0; k < n; k++) {
      const xr = (x[k]! + this.x0) * w[1]!;
      const yr = (y[k]! + this.y0) * w[1]!;
      let xi1: number;
      let eta1: number;
      let ph: number;
      if (xr <= 0.0 && 0.0 < yr) {
        xi1 = -xr - yr;
        eta1 = xr - yr;
        ph = -180.0;
      } else if (xr < 0.0 && yr <= 0.0) {
        xi1 = xr - yr;
        eta1 = xr + yr;
        ph = -90.0;
      } else if (0.0 <= xr && yr < 0.0) {
        xi1 = xr + yr;
        eta1 = -xr + yr;
        ph = 0.0;
      } else {
        xi1 = -xr + yr;
        eta1 = -xr - yr;
        ph = 90.0;
      }
      const xi = xi1 + 45.0;
      const eta = eta1 + 90.0;
      const abseta = Math.abs(eta);
      if (abseta <= 90.0) {
        if (abseta <= 45.0) {
          phi[k] = ph + xi;
          theta[k] = asind(eta / 67.5);
          stat[k] = this.bounds & 2 && 45.0 + tol < Math.abs(xi1) ? 1 : 0;
        } else {
          const sigma = (90.0 - abseta) / 45.0;
          if (xr === 0.0) {
            ph = yr <= 0.0 ? 0.0 : 180.0;
          } else if (yr === 0.0) {
            ph = xr < 0.0 ? -90.0 : 90.0;
          } else {
            ph += 45.0 + xi1 / sigma;
          }
          phi[k] = ph;
          let th = sigma < w[3]! ? 90.0 - sigma * w[4]! : asind(1.0 - (sigma * sigma) / 3.0);
          if (eta < 0.0) th = -th;
          theta[k] = th;
          stat[k] = this.bounds & 2 && eta < -45.0 && eta + 90.0 + tol < Math.abs(xi1) ? 1 : 0;
        }
      } else {
        phi[k] = 0.0;
        theta[k] = 0.0;
        stat[k] = 1;
      }
    }
    this.boundsCheck(1.0e-12, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    for (let k = 0; k < n; k++) {
      let chi = phi[k]!;
      if (180.0 <= Math.abs(chi)) {
        chi = chi % 360.0;
        if (chi < -180.0) chi += 360.0;
        else if (180.0 <= chi) chi -= 360.0;
      }
      chi += 180.0;
      const psi = chi % 90.0;
      const yk = chi - 180.0;
      const th = theta[k]!;
      const sinthe = sind(th);
      const abssin = Math.abs(sinthe);
      let xi: number;
      let eta: number;
      if (abssin <= w[2]!) {
        xi = psi;
        eta = 67.5 * sinthe;
      } else {
        const sigma = th < w[5]! ? Math.sqrt(3.0 * (1.0 - abssin)) : (90.0 - th) * w[6]!;
        xi = 45.0 + (psi - 45.0) * sigma;
        eta = 45.0 * (2.0 - sigma);
        if (th < 0.0) eta = -eta;
      }
      xi -= 45.0;
      eta -= 90.0;
      if (yk < -90.0) {
        x[k] = w[0]! * (-xi + eta) - this.x0;
        y[k] = w[0]! * (-xi - eta) - this.y0;
      } else if (yk < 0.0) {
        x[k] = w[0]! * (+xi + eta) - this.x0;
        y[k] = w[0]! * (-xi + eta) - this.y0;
      } else if (yk < 90.0) {
        x[k] = w[0]! * (xi - eta) - this.x0;
        y[k] = w[0]! * (xi + eta) - this.y0;
      } else {
        x[k] = w[0]! * (-xi - eta) - this.x0;
        y[k] = w[0]! * (xi - eta) - this.y0;
      }
      stat[k] = 0;
    }
  }
}
