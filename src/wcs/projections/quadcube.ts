/**
 * Quadrilateralized spherical cube projections TSC, CSC and QSC, following
 * wcslib prj.c. CSC is defined by single-precision polynomials: wcslib
 * evaluates them in C `float`, and so do we (every step rounded with
 * Math.fround), so the results agree to the last bit wcslib's do.
 */
import { Projection, type ProjectionCategory } from './projection.js';
import { D2R, PI, R2D, SQRT2INV, asind, atan2d, atand, copysign, cosd, sincosd, sind } from '../trig.js';

const sc = new Float64Array(2);
const f = Math.fround;

abstract class Quadcube extends Projection {
  readonly category: ProjectionCategory = 'quadcube';
  setup(): void {
    if (this.r0 === 0.0) {
      this.r0 = R2D;
      this.w[0] = 45.0;
      this.w[1] = 1.0 / 45.0;
    } else {
      this.w[0] = (this.r0 * PI) / 4.0;
      this.w[1] = 1.0 / this.w[0];
    }
    this.offset(0.0, 0.0);
  }
}

/** Which cube face a direction cosine vector (l, m, n) falls on, and its ζ. */
function cubeFace(l: number, m: number, n: number): [number, number] {
  let face = 0;
  let zeta = n;
  if (l > zeta) {
    face = 1;
    zeta = l;
  }
  if (m > zeta) {
    face = 2;
    zeta = m;
  }
  if (-l > zeta) {
    face = 3;
    zeta = -l;
  }
  if (-m > zeta) {
    face = 4;
    zeta = -m;
  }
  if (-n > zeta) {
    face = 5;
    zeta = -n;
  }
  return [face, zeta];
}

/** The pixel-range test shared by the three x2s routines: true when (xf, yf) is off the cube's net. */
function offNet(xf: number, yf: number): boolean {
  if (Math.abs(xf) <= 1.0) return Math.abs(yf) > 3.0;
  return Math.abs(xf) > 7.0 || Math.abs(yf) > 1.0;
}

/** TSC: tangential spherical cube. */
export class TscProjection extends Quadcube {
  readonly code = 'TSC';
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w1 = this.w[1]!;
    for (let k = 0; k < n; k++) {
      let xf = (x[k]! + this.x0) * w1;
      let yf = (y[k]! + this.y0) * w1;
      if (offNet(xf, yf)) {
        phi[k] = 0.0;
        theta[k] = 0.0;
        stat[k] = 1;
        continue;
      }
      if (xf < -1.0) xf += 8.0;
      let l: number;
      let m: number;
      let nn: number;
      if (xf > 5.0) {
        xf = xf - 6.0;
        m = -1.0 / Math.sqrt(1.0 + xf * xf + yf * yf);
        l = -m * xf;
        nn = -m * yf;
      } else if (xf > 3.0) {
        xf = xf - 4.0;
        l = -1.0 / Math.sqrt(1.0 + xf * xf + yf * yf);
        m = l * xf;
        nn = -l * yf;
      } else if (xf > 1.0) {
        xf = xf - 2.0;
        m = 1.0 / Math.sqrt(1.0 + xf * xf + yf * yf);
        l = -m * xf;
        nn = m * yf;
      } else if (yf > 1.0) {
        yf = yf - 2.0;
        nn = 1.0 / Math.sqrt(1.0 + xf * xf + yf * yf);
        l = -nn * yf;
        m = nn * xf;
      } else if (yf < -1.0) {
        yf = yf + 2.0;
        nn = -1.0 / Math.sqrt(1.0 + xf * xf + yf * yf);
        l = -nn * yf;
        m = -nn * xf;
      } else {
        l = 1.0 / Math.sqrt(1.0 + xf * xf + yf * yf);
        m = l * xf;
        nn = l * yf;
      }
      phi[k] = l === 0.0 && m === 0.0 ? 0.0 : atan2d(m, l);
      theta[k] = asind(nn);
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const tol = 1.0e-12;
    const w0 = this.w[0]!;
    for (let k = 0; k < n; k++) {
      sincosd(phi[k]!, sc);
      const sinphi = sc[0]!;
      const cosphi = sc[1]!;
      sincosd(theta[k]!, sc);
      const l = sc[1]! * cosphi;
      const m = sc[1]! * sinphi;
      const nn = sc[0]!;
      const [face, zeta] = cubeFace(l, m, nn);
      let xf: number;
      let yf: number;
      let x0: number;
      let y0: number;
      switch (face) {
        case 1:
          xf = m / zeta;
          yf = nn / zeta;
          x0 = 0.0;
          y0 = 0.0;
          break;
        case 2:
          xf = -l / zeta;
          yf = nn / zeta;
          x0 = 2.0;
          y0 = 0.0;
          break;
        case 3:
          xf = -m / zeta;
          yf = nn / zeta;
          x0 = 4.0;
          y0 = 0.0;
          break;
        case 4:
          xf = l / zeta;
          yf = nn / zeta;
          x0 = 6.0;
          y0 = 0.0;
          break;
        case 5:
          xf = m / zeta;
          yf = l / zeta;
          x0 = 0.0;
          y0 = -2.0;
          break;
        default:
          xf = m / zeta;
          yf = -l / zeta;
          x0 = 0.0;
          y0 = 2.0;
          break;
      }
      let istat = 0;
      if (Math.abs(xf) > 1.0) {
        if (Math.abs(xf) > 1.0 + tol) istat = 1;
        xf = copysign(1.0, xf);
      }
      if (Math.abs(yf) > 1.0) {
        if (Math.abs(yf) > 1.0 + tol) istat = 1;
        yf = copysign(1.0, yf);
      }
      x[k] = w0 * (xf + x0) - this.x0;
      y[k] = w0 * (yf + y0) - this.y0;
      stat[k] = istat;
    }
  }
}

// CSC polynomial coefficients (single precision, as in wcslib).
const p00 = f(-0.27292696);
const p10 = f(-0.07629969);
const p20 = f(-0.22797056);
const p30 = f(0.54852384);
const p40 = f(-0.62930065);
const p50 = f(0.25795794);
const p60 = f(0.02584375);
const p01 = f(-0.02819452);
const p11 = f(-0.01471565);
const p21 = f(0.48051509);
const p31 = f(-1.74114454);
const p41 = f(1.71547508);
const p51 = f(-0.53022337);
const p02 = f(0.2705816);
const p12 = f(-0.56800938);
const p22 = f(0.30803317);
const p32 = f(0.98938102);
const p42 = f(-0.83180469);
const p03 = f(-0.6044156);
const p13 = f(1.50880086);
const p23 = f(-0.93678576);
const p33 = f(0.08693841);
const p04 = f(0.93412077);
const p14 = f(-1.4160192);
const p24 = f(0.33887446);
const p05 = f(-0.63915306);
const p15 = f(0.52032238);
const p06 = f(0.14381585);

const gstar = f(1.37484847732);
const mm = f(0.004869491981);
const gammaC = f(-0.13161671474);
const omega1 = f(-0.159596235474);
const d0 = f(0.0759196200467);
const d1 = f(-0.0217762490699);
const c00 = f(0.141189631152);
const c10 = f(0.0809701286525);
const c01 = f(-0.281528535557);
const c11 = f(0.15384112876);
const c20 = f(-0.178251207466);
const c02 = f(0.106959469314);
const TINY = f(1.0e-16);

/** One CSC forward polynomial in float arithmetic: a + b*(1 - b²)*P(a², b²), P with `xx` the outer variable. */
function cscPoly(xx: number, yy: number): number {
  const z0 = horner(xx, [p00, p10, p20, p30, p40, p50, p60]);
  const z1 = horner(xx, [p01, p11, p21, p31, p41, p51]);
  const z2 = horner(xx, [p02, p12, p22, p32, p42]);
  const z3 = horner(xx, [p03, p13, p23, p33]);
  const z4 = horner(xx, [p04, p14, p24]);
  const z5 = horner(xx, [p05, p15]);
  return horner(yy, [z0, z1, z2, z3, z4, z5, p06]);
}

/** c0 + v*(c1 + v*(c2 + …)) in float arithmetic, innermost first as C evaluates it. */
function horner(v: number, c: readonly number[]): number {
  let acc = c[c.length - 1]!;
  for (let i = c.length - 2; i >= 0; i--) acc = f(c[i]! + f(v * acc));
  return acc;
}

/** CSC: COBE quadrilateralized spherical cube. */
export class CscProjection extends Quadcube {
  readonly code = 'CSC';
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const w1 = this.w[1]!;
    for (let k = 0; k < n; k++) {
      let xf = f((x[k]! + this.x0) * w1);
      let yf = f((y[k]! + this.y0) * w1);
      if (offNet(xf, yf)) {
        phi[k] = 0.0;
        theta[k] = 0.0;
        stat[k] = 1;
        continue;
      }
      if (xf < -1.0) xf = f(xf + 8.0);
      let face: number;
      if (xf > 5.0) {
        face = 4;
        xf = f(xf - 6.0);
      } else if (xf > 3.0) {
        face = 3;
        xf = f(xf - 4.0);
      } else if (xf > 1.0) {
        face = 2;
        xf = f(xf - 2.0);
      } else if (yf > 1.0) {
        face = 0;
        yf = f(yf - 2.0);
      } else if (yf < -1.0) {
        face = 5;
        yf = f(yf + 2.0);
      } else {
        face = 1;
      }
      const xx = f(xf * xf);
      const yy = f(yf * yf);
      let chi = cscPoly(xx, yy);
      chi = f(xf + f(f(xf * f(1.0 - xx)) * chi));
      let psi = cscPoly(yy, xx);
      psi = f(yf + f(f(yf * f(1.0 - yy)) * psi));
      const t = 1.0 / Math.sqrt(f(f(chi * chi) + f(psi * psi)) + 1.0);
      let l: number;
      let m: number;
      let nn: number;
      switch (face) {
        case 1:
          l = t;
          m = chi * l;
          nn = psi * l;
          break;
        case 2:
          m = t;
          l = -chi * m;
          nn = psi * m;
          break;
        case 3:
          l = -t;
          m = chi * l;
          nn = -psi * l;
          break;
        case 4:
          m = -t;
          l = -chi * m;
          nn = -psi * m;
          break;
        case 5:
          nn = -t;
          l = -psi * nn;
          m = -chi * nn;
          break;
        default:
          nn = t;
          l = -psi * nn;
          m = chi * nn;
          break;
      }
      phi[k] = l === 0.0 && m === 0.0 ? 0.0 : atan2d(m, l);
      theta[k] = asind(nn);
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const tol = 1.0e-7;
    const w0 = this.w[0]!;
    for (let k = 0; k < n; k++) {
      sincosd(phi[k]!, sc);
      const sinphi = sc[0]!;
      const cosphi = sc[1]!;
      sincosd(theta[k]!, sc);
      const l = sc[1]! * cosphi;
      const m = sc[1]! * sinphi;
      const nn = sc[0]!;
      const [face, zeta] = cubeFace(l, m, nn);
      let xi: number;
      let eta: number;
      let x0: number;
      let y0: number;
      switch (face) {
        case 1:
          xi = m;
          eta = nn;
          x0 = 0.0;
          y0 = 0.0;
          break;
        case 2:
          xi = -l;
          eta = nn;
          x0 = 2.0;
          y0 = 0.0;
          break;
        case 3:
          xi = -m;
          eta = nn;
          x0 = 4.0;
          y0 = 0.0;
          break;
        case 4:
          xi = l;
          eta = nn;
          x0 = 6.0;
          y0 = 0.0;
          break;
        case 5:
          xi = m;
          eta = l;
          x0 = 0.0;
          y0 = -2.0;
          break;
        default:
          xi = m;
          eta = -l;
          x0 = 0.0;
          y0 = 2.0;
          break;
      }
      const chi = f(xi / zeta);
      const psi = f(eta / zeta);
      const chi2 = f(chi * chi);
      const psi2 = f(psi * psi);
      const chi2co = f(1.0 - chi2);
      const psi2co = f(1.0 - psi2);
      const chipsi = f(Math.abs(f(chi * psi)));
      const chi4 = chi2 > TINY ? f(chi2 * chi2) : 0.0;
      const psi4 = psi2 > TINY ? f(psi2 * psi2) : 0.0;
      const chi2psi2 = chipsi > TINY ? f(chi2 * psi2) : 0.0;
      let xf = cscInverse(chi, chi2, chi2co, psi2, psi2co, chi2psi2, chi4, psi4);
      let yf = cscInverse(psi, psi2, psi2co, chi2, chi2co, chi2psi2, psi4, chi4);
      let istat = 0;
      if (Math.abs(xf) > 1.0) {
        if (Math.abs(xf) > 1.0 + tol) istat = 1;
        xf = copysign(1.0, xf);
      }
      if (Math.abs(yf) > 1.0) {
        if (Math.abs(yf) > 1.0 + tol) istat = 1;
        yf = copysign(1.0, yf);
      }
      x[k] = w0 * f(xf + x0) - this.x0;
      y[k] = w0 * f(yf + y0) - this.y0;
      stat[k] = istat;
    }
  }
}

/** The CSC sphere → face polynomial for one face coordinate, in float arithmetic. */
function cscInverse(a: number, a2: number, a2co: number, b2: number, b2co: number, a2b2: number, a4: number, b4: number): number {
  let inner = f(c00 + f(c10 * a2));
  inner = f(inner + f(c01 * b2));
  inner = f(inner + f(c11 * a2b2));
  inner = f(inner + f(c20 * a4));
  inner = f(inner + f(c02 * b4));
  let mid = f(f(gammaC * a2co) + f(mm * a2));
  mid = f(mid + f(b2co * inner));
  let outer = f(gstar + f(b2 * mid));
  outer = f(outer + f(a2 * f(omega1 - f(a2co * f(d0 + f(d1 * a2))))));
  return f(a * f(a2 + f(a2co * outer)));
}

/** QSC: quadrilateralized spherical cube. */
export class QscProjection extends Quadcube {
  readonly code = 'QSC';
  x2s(n: number, x: Float64Array, y: Float64Array, phi: Float64Array, theta: Float64Array, stat: Uint8Array): void {
    const tol = 1.0e-12;
    const w1 = this.w[1]!;
    for (let k = 0; k < n; k++) {
      let xf = (x[k]! + this.x0) * w1;
      let yf = (y[k]! + this.y0) * w1;
      if (offNet(xf, yf)) {
        phi[k] = 0.0;
        theta[k] = 0.0;
        stat[k] = 1;
        continue;
      }
      if (xf < -1.0) xf += 8.0;
      let face: number;
      if (xf > 5.0) {
        face = 4;
        xf -= 6.0;
      } else if (xf > 3.0) {
        face = 3;
        xf -= 4.0;
      } else if (xf > 1.0) {
        face = 2;
        xf -= 2.0;
      } else if (yf > 1.0) {
        face = 0;
        yf -= 2.0;
      } else if (yf < -1.0) {
        face = 5;
        yf += 2.0;
      } else {
        face = 1;
      }
      const direct = Math.abs(xf) > Math.abs(yf);
      let omega: number;
      let tau: number;
      let zeta: number;
      let zeco: number;
      if (direct) {
        if (xf === 0.0) {
          omega = 0.0;
          tau = 1.0;
          zeta = 1.0;
          zeco = 0.0;
        } else {
          const w = (15.0 * yf) / xf;
          omega = sind(w) / (cosd(w) - SQRT2INV);
          tau = 1.0 + omega * omega;
          zeco = xf * xf * (1.0 - 1.0 / Math.sqrt(1.0 + tau));
          zeta = 1.0 - zeco;
        }
      } else {
        if (yf === 0.0) {
          omega = 0.0;
          tau = 1.0;
          zeta = 1.0;
          zeco = 0.0;
        } else {
          const w = (15.0 * xf) / yf;
          sincosd(w, sc);
          omega = sc[0]! / (sc[1]! - SQRT2INV);
          tau = 1.0 + omega * omega;
          zeco = yf * yf * (1.0 - 1.0 / Math.sqrt(1.0 + tau));
          zeta = 1.0 - zeco;
        }
      }
      let w: number;
      if (zeta < -1.0) {
        if (zeta < -1.0 - tol) {
          phi[k] = 0.0;
          theta[k] = 0.0;
          stat[k] = 1;
          continue;
        }
        zeta = -1.0;
        zeco = 2.0;
        w = 0.0;
      } else {
        w = Math.sqrt((zeco * (2.0 - zeco)) / tau);
      }
      let l: number;
      let m: number;
      let nn: number;
      switch (face) {
        case 1:
          l = zeta;
          if (direct) {
            m = xf < 0.0 ? -w : w;
            nn = m * omega;
          } else {
            nn = yf < 0.0 ? -w : w;
            m = nn * omega;
          }
          break;
        case 2:
          m = zeta;
          if (direct) {
            l = xf > 0.0 ? -w : w;
            nn = -l * omega;
          } else {
            nn = yf < 0.0 ? -w : w;
            l = -nn * omega;
          }
          break;
        case 3:
          l = -zeta;
          if (direct) {
            m = xf > 0.0 ? -w : w;
            nn = -m * omega;
          } else {
            nn = yf < 0.0 ? -w : w;
            m = -nn * omega;
          }
          break;
        case 4:
          m = -zeta;
          if (direct) {
            l = xf < 0.0 ? -w : w;
            nn = l * omega;
          } else {
            nn = yf < 0.0 ? -w : w;
            l = nn * omega;
          }
          break;
        case 5:
          nn = -zeta;
          if (direct) {
            m = xf < 0.0 ? -w : w;
            l = m * omega;
          } else {
            l = yf < 0.0 ? -w : w;
            m = l * omega;
          }
          break;
        default:
          nn = zeta;
          if (direct) {
            m = xf < 0.0 ? -w : w;
            l = -m * omega;
          } else {
            l = yf > 0.0 ? -w : w;
            m = -l * omega;
          }
          break;
      }
      phi[k] = l === 0.0 && m === 0.0 ? 0.0 : atan2d(m, l);
      theta[k] = asind(nn);
      stat[k] = 0;
    }
    this.boundsCheck(1.0e-13, n, phi, theta, stat);
  }
  s2x(n: number, phi: Float64Array, theta: Float64Array, x: Float64Array, y: Float64Array, stat: Uint8Array): void {
    const tol = 1.0e-12;
    const w0 = this.w[0]!;
    for (let k = 0; k < n; k++) {
      const th = theta[k]!;
      if (Math.abs(th) === 90.0) {
        x[k] = -this.x0;
        y[k] = copysign(2.0 * w0, th) - this.y0;
        stat[k] = 0;
        continue;
      }
      sincosd(phi[k]!, sc);
      const sinphi = sc[0]!;
      const cosphi = sc[1]!;
      sincosd(th, sc);
      const l = sc[1]! * cosphi;
      const m = sc[1]! * sinphi;
      const nn = sc[0]!;
      const [face, zeta] = cubeFace(l, m, nn);
      let zeco = 1.0 - zeta;
      let xi: number;
      let eta: number;
      let x0: number;
      let y0: number;
      let t: number;
      let p: number;
      switch (face) {
        case 1:
          xi = m;
          eta = nn;
          if (zeco < 1.0e-8) {
            t = th * D2R;
            p = Math.atan2(sinphi, cosphi);
            zeco = (p * p + t * t) / 2.0;
          }
          x0 = 0.0;
          y0 = 0.0;
          break;
        case 2:
          xi = -l;
          eta = nn;
          if (zeco < 1.0e-8) {
            t = th * D2R;
            p = Math.atan2(sinphi, cosphi) - PI / 2.0;
            zeco = (p * p + t * t) / 2.0;
          }
          x0 = 2.0;
          y0 = 0.0;
          break;
        case 3:
          xi = -m;
          eta = nn;
          if (zeco < 1.0e-8) {
            t = th * D2R;
            p = Math.atan2(sinphi, cosphi);
            p -= copysign(PI, p);
            zeco = (p * p + t * t) / 2.0;
          }
          x0 = 4.0;
          y0 = 0.0;
          break;
        case 4:
          xi = l;
          eta = nn;
          if (zeco < 1.0e-8) {
            t = th * D2R;
            p = Math.atan2(sinphi, cosphi) + PI / 2.0;
            zeco = (p * p + t * t) / 2.0;
          }
          x0 = 6.0;
          y0 = 0.0;
          break;
        case 5:
          xi = m;
          eta = l;
          if (zeco < 1.0e-8) {
            t = (th + 90.0) * D2R;
            zeco = (t * t) / 2.0;
          }
          x0 = 0.0;
          y0 = -2.0;
          break;
        default:
          xi = m;
          eta = -l;
          if (zeco < 1.0e-8) {
            t = (90.0 - th) * D2R;
            zeco = (t * t) / 2.0;
          }
          x0 = 0.0;
          y0 = 2.0;
          break;
      }
      let xf = 0.0;
      let yf = 0.0;
      if (xi !== 0.0 || eta !== 0.0) {
        if (-xi > Math.abs(eta)) {
          const omega = eta / xi;
          const tau = 1.0 + omega * omega;
          xf = -Math.sqrt(zeco / (1.0 - 1.0 / Math.sqrt(1.0 + tau)));
          yf = (xf / 15.0) * (atand(omega) - asind(omega / Math.sqrt(tau + tau)));
        } else if (xi > Math.abs(eta)) {
          const omega = eta / xi;
          const tau = 1.0 + omega * omega;
          xf = Math.sqrt(zeco / (1.0 - 1.0 / Math.sqrt(1.0 + tau)));
          yf = (xf / 15.0) * (atand(omega) - asind(omega / Math.sqrt(tau + tau)));
        } else if (-eta >= Math.abs(xi)) {
          const omega = xi / eta;
          const tau = 1.0 + omega * omega;
          yf = -Math.sqrt(zeco / (1.0 - 1.0 / Math.sqrt(1.0 + tau)));
          xf = (yf / 15.0) * (atand(omega) - asind(omega / Math.sqrt(tau + tau)));
        } else if (eta >= Math.abs(xi)) {
          const omega = xi / eta;
          const tau = 1.0 + omega * omega;
          yf = Math.sqrt(zeco / (1.0 - 1.0 / Math.sqrt(1.0 + tau)));
          xf = (yf / 15.0) * (atand(omega) - asind(omega / Math.sqrt(tau + tau)));
        }
      }
      let istat = 0;
      if (Math.abs(xf) > 1.0) {
        if (Math.abs(xf) > 1.0 + tol) istat = 1;
        xf = copysign(1.0, xf);
      }
      if (Math.abs(yf) > 1.0) {
        if (Math.abs(yf) > 1.0 + tol) istat = 1;
        yf = copysign(1.0, yf);
      }
      x[k] = w0 * (xf + x0) - this.x0;
      y[k] = w0 * (yf + y0) - this.y0;
      stat[k] = istat;
    }
  }
}
