/**
 * Zenithal (azimuthal) projections: AZP SZP TAN STG SIN ARC ZPN ZEA AIR,
 * following wcslib prj.c formula by formula, with its domain checks and tolerances.
 */
import { Projection, PVN, type ProjectionCategory } from './projection.js';
import { D2R, PI, R2D, UNDEFINED, acosd, asind, atan2d, atand, copysign, cosd, sincosd, sind } from '../trig.js';

const sc = new Float64Array(2);

abstract class Zenithal extends Projection {
  readonly category: ProjectionCategory = 'zenithal';
}

/** AZP: zenithal/azimuthal perspective (PV2_1 = μ, PV2_2 = γ). */
export class AzpProjection extends Zenithal {
  readonly code = 'AZP';
  setup(): void {
    const pv = this.pv;
    if (pv[1] === UNDEFINED) pv[1] = 0.0;
    if (pv[2] === UNDEFINED) pv[2] = 0.0;
    if (this.r0 === 0.0) this.r0 = R2D;
    const w = this.w;
    w[0] = this.r0 * (pv[1]! + 1.0);
    if (w[0] === 0.0) this.fail();
    w[3] = cosd(pv[2]!);
    if (w[3] === 0.0) this.fail();
    w[2] = 1.0 / w[3];
    w[4] = sind(pv[2]!);
    w[1] = w[4] / w[3];
    w[5] = Math.abs(pv[1]!) > 1.0 ? asind(-1.0 / pv[1]!) : -90.0;
    w[6] = pv[1]! * w[3];
    w[7] = Math.abs(w[6]) < 1.0 ? 1.0 : 0.0;
    this.offset(0.0, 90.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const mu = this.pv[1]!;
    const tol = 1.0e-13;
    for (let k = 0; k < n; k++) {
      const xj = x[k]! + this.x0;
      const yj = y[k]! + this.y0;
      const yc = yj * w[3]!;
      const q = w[0]! + yj * w[4]!;
      const r = Math.sqrt(xj * xj + yc * yc);
      if (r === 0.0) {
        phi[k] = 0.0;
        theta[k] = 90.0;
        stat[k] = 0;
        continue;
      }
      phi[k] = atan2d(xj, -yc);
      let s = r / q;
      let t = (s * mu) / Math.sqrt(s * s + 1.0);
      s = atan2d(1.0, s);
      if (Math.abs(t) > 1.0) {
        if (Math.abs(t) > 1.0 + tol) {
          theta[k] = 0.0;
          stat[k] = 1;
          continue;
        }
        t = copysign(90.0, t);
      } else {
        t = asind(t);
      }
      let a = s - t;
      let b = s + t + 180.0;
      if (a > 90.0) a -= 360.0;
      if (b > 90.0) b -= 360.0;
      theta[k] = a > b ? a : b;
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const mu = this.pv[1]!;
    for (let k = 0; k < n; k++) {
      sincosd(phi[k]!, sc);
      const sinphi = sc[0]!;
      const cosphi = sc[1]!;
      const th = theta[k]!;
      sincosd(th, sc);
      const sinthe = sc[0]!;
      const costhe = sc[1]!;
      let s = w[1]! * cosphi;
      let t = mu + sinthe + costhe * s;
      if (t === 0.0) {
        x[k] = 0.0;
        y[k] = 0.0;
        stat[k] = 1;
        continue;
      }
      const r = (w[0]! * costhe) / t;
      let istat = 0;
      if (this.bounds & 1) {
        if (th < w[5]!) {
          istat = 1;
        } else if (w[7]! > 0.0) {
          t = mu / Math.sqrt(1.0 + s * s);
          if (Math.abs(t) <= 1.0) {
            s = atand(-s);
            t = asind(t);
            let a = s - t;
            let b = s + t + 180.0;
            if (a > 90.0) a -= 360.0;
            if (b > 90.0) b -= 360.0;
            if (th < (a > b ? a : b)) istat = 1;
          }
        }
      }
      x[k] = r * sinphi - this.x0;
      y[k] = -r * cosphi * w[2]! - this.y0;
      stat[k] = istat;
    }
  }
}

/** SZP: slant zenithal perspective (PV2_1 = μ, PV2_2 = φc, PV2_3 = θc). */
export class SzpProjection extends Zenithal {
  readonly code = 'SZP';
  setup(): void {
    const pv = this.pv;
    if (pv[1] === UNDEFINED) pv[1] = 0.0;
    if (pv[2] === UNDEFINED) pv[2] = 0.0;
    if (pv[3] === UNDEFINED) pv[3] = 90.0;
    if (this.r0 === 0.0) this.r0 = R2D;
    const w = this.w;
    w[0] = 1.0 / this.r0;
    w[3] = pv[1]! * sind(pv[3]!) + 1.0;
    if (w[3] === 0.0) this.fail();
    w[1] = -pv[1]! * cosd(pv[3]!) * sind(pv[2]!);
    w[2] = pv[1]! * cosd(pv[3]!) * cosd(pv[2]!);
    w[4] = this.r0 * w[1];
    w[5] = this.r0 * w[2];
    w[6] = this.r0 * w[3];
    w[7] = (w[3] - 1.0) * w[3] - 1.0;
    w[8] = Math.abs(w[3] - 1.0) < 1.0 ? asind(1.0 - w[3]) : -90.0;
    this.offset(0.0, 90.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const tol = 1.0e-13;
    for (let k = 0; k < n; k++) {
      const xr = (x[k]! + this.x0) * w[0]!;
      const yr = (y[k]! + this.y0) * w[0]!;
      const r2 = xr * xr + yr * yr;
      const x1 = (xr - w[1]!) / w[3]!;
      const y1 = (yr - w[2]!) / w[3]!;
      const xy = xr * x1 + yr * y1;
      let z: number;
      if (r2 < 1.0e-10) {
        z = r2 / 2.0;
        theta[k] = 90.0 - R2D * Math.sqrt(r2 / (1.0 + xy));
      } else {
        const t = x1 * x1 + y1 * y1;
        const a = t + 1.0;
        const b = xy - t;
        const c = r2 - xy - xy + t - 1.0;
        let d = b * b - a * c;
        if (d < 0.0) {
          phi[k] = 0.0;
          theta[k] = 0.0;
          stat[k] = 1;
          continue;
        }
        d = Math.sqrt(d);
        const sinth1 = (-b + d) / a;
        const sinth2 = (-b - d) / a;
        let sinthe = sinth1 > sinth2 ? sinth1 : sinth2;
        if (sinthe > 1.0) {
          if (sinthe - 1.0 < tol) sinthe = 1.0;
          else sinthe = sinth1 < sinth2 ? sinth1 : sinth2;
        }
        if (sinthe < -1.0) {
          if (sinthe + 1.0 > -tol) sinthe = -1.0;
        }
        if (sinthe > 1.0 || sinthe < -1.0) {
          phi[k] = 0.0;
          theta[k] = 0.0;
          stat[k] = 1;
          continue;
        }
        theta[k] = asind(sinthe);
        z = 1.0 - sinthe;
      }
      phi[k] = atan2d(xr - x1 * z, -(yr - y1 * z));
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const mu = this.pv[1]!;
    for (let k = 0; k < n; k++) {
      sincosd(phi[k]!, sc);
      const sinphi = sc[0]!;
      const cosphi = sc[1]!;
      const th = theta[k]!;
      let s = 1.0 - sind(th);
      let t = w[3]! - s;
      if (t === 0.0) {
        x[k] = 0.0;
        y[k] = 0.0;
        stat[k] = 1;
        continue;
      }
      const r = (w[6]! * cosd(th)) / t;
      const u = (w[4]! * s) / t + this.x0;
      const v = (w[5]! * s) / t + this.y0;
      let istat = 0;
      if (this.bounds & 1) {
        if (th < w[8]!) {
          istat = 1;
        } else if (Math.abs(mu) > 1.0) {
          s = w[1]! * sinphi - w[2]! * cosphi;
          t = 1.0 / Math.sqrt(w[7]! + s * s);
          if (Math.abs(t) <= 1.0) {
            s = atan2d(s, w[3]! - 1.0);
            t = asind(t);
            let a = s - t;
            let b = s + t + 180.0;
            if (a > 90.0) a -= 360.0;
            if (b > 90.0) b -= 360.0;
            if (th < (a > b ? a : b)) istat = 1;
          }
        }
      }
      x[k] = r * sinphi - u;
      y[k] = -r * cosphi - v;
      stat[k] = istat;
    }
  }
}

/** TAN: gnomonic. */
export class TanProjection extends Zenithal {
  readonly code = 'TAN';
  setup(): void {
    if (this.r0 === 0.0) this.r0 = R2D;
    this.offset(0.0, 90.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const r0 = this.r0;
    const x0 = this.x0;
    const y0 = this.y0;
    for (let k = 0; k < n; k++) {
      const xj = x[k]! + x0;
      const yj = y[k]! + y0;
      const r = Math.sqrt(xj * xj + yj * yj);
      phi[k] = r === 0.0 ? 0.0 : atan2d(xj, -yj);
      theta[k] = atan2d(r0, r);
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const r0 = this.r0;
    const check = (this.bounds & 1) !== 0;
    for (let k = 0; k < n; k++) {
      sincosd(phi[k]!, sc);
      const sinphi = sc[0]!;
      const cosphi = sc[1]!;
      const th = theta[k]!;
      const s = sind(th);
      if (s === 0.0) {
        x[k] = 0.0;
        y[k] = 0.0;
        stat[k] = 1;
        continue;
      }
      const r = (r0 * cosd(th)) / s;
      x[k] = r * sinphi - this.x0;
      y[k] = -r * cosphi - this.y0;
      stat[k] = check && s < 0.0 ? 1 : 0;
    }
  }
}

/** STG: stereographic. */
export class StgProjection extends Zenithal {
  readonly code = 'STG';
  setup(): void {
    if (this.r0 === 0.0) {
      this.r0 = R2D;
      this.w[0] = 360.0 / PI;
      this.w[1] = PI / 360.0;
    } else {
      this.w[0] = 2.0 * this.r0;
      this.w[1] = 1.0 / this.w[0];
    }
    this.offset(0.0, 90.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w1 = this.w[1]!;
    for (let k = 0; k < n; k++) {
      const xj = x[k]! + this.x0;
      const yj = y[k]! + this.y0;
      const r = Math.sqrt(xj * xj + yj * yj);
      phi[k] = r === 0.0 ? 0.0 : atan2d(xj, -yj);
      theta[k] = 90.0 - 2.0 * atand(r * w1);
      stat[k] = 0;
    }
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w0 = this.w[0]!;
    for (let k = 0; k < n; k++) {
      sincosd(phi[k]!, sc);
      const sinphi = sc[0]!;
      const cosphi = sc[1]!;
      const th = theta[k]!;
      const s = 1.0 + sind(th);
      if (s === 0.0) {
        x[k] = 0.0;
        y[k] = 0.0;
        stat[k] = 1;
        continue;
      }
      const r = (w0 * cosd(th)) / s;
      x[k] = r * sinphi - this.x0;
      y[k] = -r * cosphi - this.y0;
      stat[k] = 0;
    }
  }
}

/** SIN: orthographic/synthesis (PV2_1 = ξ, PV2_2 = η). */
export class SinProjection extends Zenithal {
  readonly code = 'SIN';
  setup(): void {
    const pv = this.pv;
    if (pv[1] === UNDEFINED) pv[1] = 0.0;
    if (pv[2] === UNDEFINED) pv[2] = 0.0;
    if (this.r0 === 0.0) this.r0 = R2D;
    const w = this.w;
    w[0] = 1.0 / this.r0;
    w[1] = pv[1]! * pv[1]! + pv[2]! * pv[2]!;
    w[2] = w[1] + 1.0;
    w[3] = w[1] - 1.0;
    this.offset(0.0, 90.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const xi = this.pv[1]!;
    const eta = this.pv[2]!;
    const tol = 1.0e-13;
    for (let k = 0; k < n; k++) {
      const x0 = (x[k]! + this.x0) * w[0]!;
      const y0 = (y[k]! + this.y0) * w[0]!;
      const r2 = x0 * x0 + y0 * y0;
      if (w[1] === 0.0) {
        phi[k] = r2 !== 0.0 ? atan2d(x0, -y0) : 0.0;
        if (r2 < 0.5) {
          theta[k] = acosd(Math.sqrt(r2));
        } else if (r2 <= 1.0) {
          theta[k] = asind(Math.sqrt(1.0 - r2));
        } else {
          stat[k] = 1;
          continue;
        }
      } else {
        const xy = x0 * xi + y0 * eta;
        let z: number;
        if (r2 < 1.0e-10) {
          z = r2 / 2.0;
          theta[k] = 90.0 - R2D * Math.sqrt(r2 / (1.0 + xy));
        } else {
          const a = w[2]!;
          const b = xy - w[1]!;
          const c = r2 - xy - xy + w[3]!;
          let d = b * b - a * c;
          if (d < 0.0) {
            phi[k] = 0.0;
            theta[k] = 0.0;
            stat[k] = 1;
            continue;
          }
          d = Math.sqrt(d);
          const sinth1 = (-b + d) / a;
          const sinth2 = (-b - d) / a;
          let sinthe = sinth1 > sinth2 ? sinth1 : sinth2;
          if (sinthe > 1.0) {
            if (sinthe - 1.0 < tol) sinthe = 1.0;
            else sinthe = sinth1 < sinth2 ? sinth1 : sinth2;
          }
          if (sinthe < -1.0) {
            if (sinthe + 1.0 > -tol) sinthe = -1.0;
          }
          if (sinthe > 1.0 || sinthe < -1.0) {
            phi[k] = 0.0;
            theta[k] = 0.0;
            stat[k] = 1;
            continue;
          }
          theta[k] = asind(sinthe);
          z = 1.0 - sinthe;
        }
        const x1 = -y0 + eta * z;
        const y1 = x0 - xi * z;
        phi[k] = x1 === 0.0 && y1 === 0.0 ? 0.0 : atan2d(y1, x1);
      }
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const pv1 = this.pv[1]!;
    const pv2 = this.pv[2]!;
    for (let k = 0; k < n; k++) {
      sincosd(phi[k]!, sc);
      const sinphi = sc[0]!;
      const cosphi = sc[1]!;
      const th = theta[k]!;
      let t = (90.0 - Math.abs(th)) * D2R;
      let z: number;
      let costhe: number;
      if (t < 1.0e-5) {
        z = th > 0.0 ? (t * t) / 2.0 : 2.0 - (t * t) / 2.0;
        costhe = t;
      } else {
        z = 1.0 - sind(th);
        costhe = cosd(th);
      }
      const r = this.r0 * costhe;
      if (w[1] === 0.0) {
        x[k] = r * sinphi - this.x0;
        y[k] = -r * cosphi - this.y0;
        stat[k] = this.bounds & 1 && th < 0.0 ? 1 : 0;
      } else {
        z *= this.r0;
        const z1 = pv1 * z - this.x0;
        const z2 = pv2 * z - this.y0;
        let istat = 0;
        if (this.bounds & 1) {
          t = -atand(pv1 * sinphi - pv2 * cosphi);
          if (th < t) istat = 1;
        }
        x[k] = r * sinphi + z1;
        y[k] = -r * cosphi + z2;
        stat[k] = istat;
      }
    }
  }
}

/** ARC: zenithal/azimuthal equidistant. */
export class ArcProjection extends Zenithal {
  readonly code = 'ARC';
  setup(): void {
    this.angularScale();
    this.offset(0.0, 90.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w1 = this.w[1]!;
    for (let k = 0; k < n; k++) {
      const xj = x[k]! + this.x0;
      const yj = y[k]! + this.y0;
      const r = Math.sqrt(xj * xj + yj * yj);
      if (r === 0.0) {
        phi[k] = 0.0;
        theta[k] = 90.0;
      } else {
        phi[k] = atan2d(xj, -yj);
        theta[k] = 90.0 - r * w1;
      }
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w0 = this.w[0]!;
    for (let k = 0; k < n; k++) {
      sincosd(phi[k]!, sc);
      const r = w0 * (90.0 - theta[k]!);
      x[k] = r * sc[0]! - this.x0;
      y[k] = -r * sc[1]! - this.y0;
      stat[k] = 0;
    }
  }
}

/** ZPN: zenithal/azimuthal polynomial (PV2_0 … PV2_29). */
export class ZpnProjection extends Zenithal {
  readonly code = 'ZPN';
  setup(): void {
    const pv = this.pv;
    const tol = 1.0e-13;
    if (pv[1] === UNDEFINED) pv[1] = 0.0;
    if (pv[2] === UNDEFINED) pv[2] = 0.0;
    if (pv[3] === UNDEFINED) pv[3] = 0.0;
    if (this.r0 === 0.0) this.r0 = R2D;
    let k: number;
    for (k = PVN - 1; k >= 0 && pv[k] === 0.0; k--);
    if (k < 0) this.fail();
    this.n = k;
    if (k < 2) {
      this.w[0] = PI;
    } else {
      let zd1 = 0.0;
      let d1 = pv[1]!;
      if (d1 <= 0.0) this.fail();
      let zd2 = 0;
      let d2 = 0;
      let j: number;
      for (j = 0; j < 180; j++) {
        zd2 = j * D2R;
        d2 = 0.0;
        for (let m = k; m > 0; m--) d2 = d2 * zd2 + m * pv[m]!;
        if (d2 <= 0.0) break;
        zd1 = zd2;
        d1 = d2;
      }
      let zd = 0;
      if (j === 180) {
        zd = PI;
      } else {
        for (j = 1; j <= 10; j++) {
          zd = zd1 - (d1 * (zd2 - zd1)) / (d2 - d1);
          let d = 0.0;
          for (let m = k; m > 0; m--) d = d * zd + m * pv[m]!;
          if (Math.abs(d) < tol) break;
          if (d < 0.0) {
            zd2 = zd;
            d2 = d;
          } else {
            zd1 = zd;
            d1 = d;
          }
        }
      }
      let r = 0.0;
      for (let m = k; m >= 0; m--) r = r * zd + pv[m]!;
      this.w[0] = zd;
      this.w[1] = r;
    }
    this.offset(0.0, 90.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const pv = this.pv;
    const kdeg = this.n;
    const tol = 1.0e-13;
    if (kdeg < 1) this.fail();
    for (let p = 0; p < n; p++) {
      const xj = x[p]! + this.x0;
      const yj = y[p]! + this.y0;
      const r = Math.sqrt(xj * xj + yj * yj) / this.r0;
      phi[p] = r === 0.0 ? 0.0 : atan2d(xj, -yj);
      let zd: number;
      if (kdeg === 1) {
        zd = (r - pv[0]!) / pv[1]!;
      } else if (kdeg === 2) {
        const a = pv[2]!;
        const b = pv[1]!;
        const c = pv[0]! - r;
        let d = b * b - 4.0 * a * c;
        if (d < 0.0) {
          theta[p] = 0.0;
          stat[p] = 1;
          continue;
        }
        d = Math.sqrt(d);
        const zd1 = (-b + d) / (2.0 * a);
        const zd2 = (-b - d) / (2.0 * a);
        zd = zd1 < zd2 ? zd1 : zd2;
        if (zd < -tol) zd = zd1 > zd2 ? zd1 : zd2;
        if (zd < 0.0) {
          if (zd < -tol) {
            theta[p] = 0.0;
            stat[p] = 1;
            continue;
          }
          zd = 0.0;
        } else if (zd > PI) {
          if (zd > PI + tol) {
            theta[p] = 0.0;
            stat[p] = 1;
            continue;
          }
          zd = PI;
        }
      } else {
        let zd1 = 0.0;
        let r1 = pv[0]!;
        let zd2 = this.w[0]!;
        let r2 = this.w[1]!;
        if (r < r1) {
          if (r < r1 - tol) {
            theta[p] = 0.0;
            stat[p] = 1;
            continue;
          }
          zd = zd1;
        } else if (r > r2) {
          if (r > r2 + tol) {
            theta[p] = 0.0;
            stat[p] = 1;
            continue;
          }
          zd = zd2;
        } else {
          zd = 0;
          for (let j = 0; j < 100; j++) {
            let lambda = (r2 - r) / (r2 - r1);
            if (lambda < 0.1) lambda = 0.1;
            else if (lambda > 0.9) lambda = 0.9;
            zd = zd2 - lambda * (zd2 - zd1);
            let rt = 0.0;
            for (let m = kdeg; m >= 0; m--) rt = rt * zd + pv[m]!;
            if (rt < r) {
              if (r - rt < tol) break;
              r1 = rt;
              zd1 = zd;
            } else {
              if (rt - r < tol) break;
              r2 = rt;
              zd2 = zd;
            }
            if (Math.abs(zd2 - zd1) < tol) break;
          }
        }
      }
      theta[p] = 90.0 - zd * R2D;
      stat[p] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const pv = this.pv;
    for (let p = 0; p < n; p++) {
      sincosd(phi[p]!, sc);
      const s = (90.0 - theta[p]!) * D2R;
      let r = 0.0;
      for (let m = this.n; m >= 0; m--) r = r * s + pv[m]!;
      r *= this.r0;
      x[p] = r * sc[0]! - this.x0;
      y[p] = -r * sc[1]! - this.y0;
      stat[p] = this.bounds & 1 && s > this.w[0]! ? 1 : 0;
    }
  }
}

/** ZEA: zenithal/azimuthal equal area. */
export class ZeaProjection extends Zenithal {
  readonly code = 'ZEA';
  setup(): void {
    if (this.r0 === 0.0) {
      this.r0 = R2D;
      this.w[0] = 360.0 / PI;
      this.w[1] = PI / 360.0;
    } else {
      this.w[0] = 2.0 * this.r0;
      this.w[1] = 1.0 / this.w[0];
    }
    this.offset(0.0, 90.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w0 = this.w[0]!;
    const w1 = this.w[1]!;
    const tol = 1.0e-12;
    for (let k = 0; k < n; k++) {
      const xj = x[k]! + this.x0;
      const yj = y[k]! + this.y0;
      const r = Math.sqrt(xj * xj + yj * yj);
      phi[k] = r === 0.0 ? 0.0 : atan2d(xj, -yj);
      const s = r * w1;
      if (Math.abs(s) > 1.0) {
        if (Math.abs(r - w0) < tol) {
          theta[k] = -90.0;
        } else {
          theta[k] = 0.0;
          stat[k] = 1;
          continue;
        }
      } else {
        theta[k] = 90.0 - 2.0 * asind(s);
      }
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w0 = this.w[0]!;
    for (let k = 0; k < n; k++) {
      sincosd(phi[k]!, sc);
      const r = w0 * sind((90.0 - theta[k]!) / 2.0);
      x[k] = r * sc[0]! - this.x0;
      y[k] = -r * sc[1]! - this.y0;
      stat[k] = 0;
    }
  }
}

/** AIR: Airy's zenithal (PV2_1 = θb). */
export class AirProjection extends Zenithal {
  readonly code = 'AIR';
  setup(): void {
    const tol = 1.0e-4;
    const pv = this.pv;
    if (pv[1] === UNDEFINED) pv[1] = 90.0;
    if (this.r0 === 0.0) this.r0 = R2D;
    const w = this.w;
    w[0] = 2.0 * this.r0;
    if (pv[1] === 90.0) {
      w[1] = -0.5;
      w[2] = 1.0;
    } else if (pv[1]! > -90.0) {
      const cosxi = cosd((90.0 - pv[1]!) / 2.0);
      w[1] = (Math.log(cosxi) * (cosxi * cosxi)) / (1.0 - cosxi * cosxi);
      w[2] = 0.5 - w[1];
    } else {
      this.fail();
    }
    w[3] = w[0] * w[2]!;
    w[4] = tol;
    w[5] = w[2]! * tol;
    w[6] = R2D / w[2]!;
    this.offset(0.0, 90.0);
  }
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    const tol = 1.0e-12;
    for (let p = 0; p < n; p++) {
      const xj = x[p]! + this.x0;
      const yj = y[p]! + this.y0;
      const r = Math.sqrt(xj * xj + yj * yj) / w[0]!;
      phi[p] = r === 0.0 ? 0.0 : atan2d(xj, -yj);
      let xi: number;
      if (r === 0.0) {
        xi = 0.0;
      } else if (r < w[5]!) {
        xi = r * w[6]!;
      } else {
        let x1 = 1.0;
        let x2 = 1.0;
        let r1 = 0.0;
        let r2 = 0.0;
        let k: number;
        for (k = 0; k < 30; k++) {
          x2 = x1 / 2.0;
          const tanxi = Math.sqrt(1.0 - x2 * x2) / x2;
          r2 = -(Math.log(x2) / tanxi + w[1]! * tanxi);
          if (r2 >= r) break;
          x1 = x2;
          r1 = r2;
        }
        if (k === 30) {
          theta[p] = 0.0;
          stat[p] = 1;
          continue;
        }
        let cosxi = 0;
        for (k = 0; k < 100; k++) {
          let lambda = (r2 - r) / (r2 - r1);
          if (lambda < 0.1) lambda = 0.1;
          else if (lambda > 0.9) lambda = 0.9;
          cosxi = x2 - lambda * (x2 - x1);
          const tanxi = Math.sqrt(1.0 - cosxi * cosxi) / cosxi;
          const rt = -(Math.log(cosxi) / tanxi + w[1]! * tanxi);
          if (rt < r) {
            if (r - rt < tol) break;
            r1 = rt;
            x1 = cosxi;
          } else {
            if (rt - r < tol) break;
            r2 = rt;
            x2 = cosxi;
          }
        }
        if (k === 100) {
          theta[p] = 0.0;
          stat[p] = 1;
          continue;
        }
        xi = acosd(cosxi);
      }
      theta[p] = 90.0 - 2.0 * xi;
      stat[p] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const w = this.w;
    for (let p = 0; p < n; p++) {
      sincosd(phi[p]!, sc);
      const th = theta[p]!;
      let istat = 0;
      let r: number;
      if (th === 90.0) {
        r = 0.0;
      } else if (th > -90.0) {
        const xi = (D2R * (90.0 - th)) / 2.0;
        if (xi < w[4]!) {
          r = xi * w[3]!;
        } else {
          const cosxi = cosd((90.0 - th) / 2.0);
          const tanxi = Math.sqrt(1.0 - cosxi * cosxi) / cosxi;
          r = -w[0]! * (Math.log(cosxi) / tanxi + w[1]! * tanxi);
        }
      } else {
        r = 0.0;
        istat = 1;
      }
      x[p] = r * sc[0]! - this.x0;
      y[p] = -r * sc[1]! - this.y0;
      stat[p] = istat;
    }
  }
}
