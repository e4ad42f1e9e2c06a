/**
 * The celestial transformation (wcslib cel.c + sph.c): a projection plus the
 * spherical rotation between native (φ, θ) and celestial (α, δ) coordinates,
 * set up from CRVAL, LONPOLE, LATPOLE and the projection's fiducial point.
 */
import { type Projection, DEFAULT_BOUNDS } from './projections/projection.js';
import { fusedS2x, fusedX2s, type FusedKind } from './celestial-fused.js';
import { UNDEFINED, acosd, asind, atan2d, copysign, cosd, fmodFast, isMultiple, sincosd, sind } from './trig.js';

/** Thrown by {@link Celestial.setup} for parameters with no valid rotation. */
export class CelestialParameterError extends Error {}

const SPH_TOL = 1.0e-5;
const sc = new Float64Array(2);

export class Celestial {
  /** True when PVi_1/PVi_2 of the longitude axis set the fiducial point (wcslib cel.offset). */
  offset = false;
  phi0 = UNDEFINED;
  theta0 = UNDEFINED;
  /** CRVAL lng, CRVAL lat, LONPOLE, LATPOLE (updated by setup to the values used). */
  readonly ref = new Float64Array([0.0, 0.0, UNDEFINED, 90.0]);
  /** Euler angles: lng of native pole, 90 − lat of native pole, φp, cos, sin of the second. */
  readonly euler = new Float64Array(5);
  latpreq = -1;
  isolat = false;
  /** TAN or ZEA when the fused kernels apply (no fiducial offset, a general rotation). */
  fused: FusedKind | null = null;

  constructor(readonly prj: Projection) {}

  /** wcslib celset. Throws CelestialParameterError or the projection's error. */
  setup(): void {
    const tol = 1.0e-10;
    const prj = this.prj;
    if (this.offset) {
      prj.phi0 = this.phi0;
      prj.theta0 = this.theta0;
    } else {
      prj.phi0 = UNDEFINED;
      prj.theta0 = UNDEFINED;
    }
    prj.setup();
    if (this.phi0 === UNDEFINED) this.phi0 = prj.phi0;
    if (this.theta0 === UNDEFINED) {
      this.theta0 = prj.theta0;
    } else if (Math.abs(this.theta0) > 90.0) {
      if (Math.abs(this.theta0) > 90.0 + tol) {
        throw new CelestialParameterError('Invalid coordinate transformation parameters: theta0 > 90');
      }
      this.theta0 = this.theta0 > 90.0 ? 90.0 : -90.0;
    }
    const lng0 = this.ref[0]!;
    const lat0 = this.ref[1]!;
    let phip = this.ref[2]!;
    let latp = this.ref[3]!;
    if (phip === UNDEFINED || phip === 999.0) {
      phip = lat0 < this.theta0 ? 180.0 : 0.0;
      phip += this.phi0;
      if (phip < -180.0) phip += 360.0;
      else if (phip > 180.0) phip -= 360.0;
      this.ref[2] = phip;
    }
    this.latpreq = 0;
    let lngp: number;
    if (this.theta0 === 90.0) {
      lngp = lng0;
      latp = lat0;
    } else {
      sincosd(lat0, sc);
      const slat0 = sc[0]!;
      const clat0 = sc[1]!;
      sincosd(this.theta0, sc);
      const sthe0 = sc[0]!;
      const cthe0 = sc[1]!;
      let sphip: number;
      let cphip: number;
      let u: number;
      let v: number;
      if (phip === this.phi0) {
        sphip = 0.0;
        cphip = 1.0;
        u = this.theta0;
        v = 90.0 - lat0;
      } else {
        sincosd(phip - this.phi0, sc);
        sphip = sc[0]!;
        cphip = sc[1]!;
        const x = cthe0 * cphip;
        const y = sthe0;
        const z = Math.sqrt(x * x + y * y);
        if (z === 0.0) {
          if (slat0 !== 0.0) {
            throw new CelestialParameterError('Invalid coordinate description: lat0 == 0 is required for |phip - phi0| = 90 and theta0 == 0');
          }
          this.latpreq = 2;
          if (latp > 90.0) latp = 90.0;
          else if (latp < -90.0) latp = -90.0;
          u = 0.0;
          v = 0.0;
        } else {
          let slz = slat0 / z;
          if (Math.abs(slz) > 1.0) {
            if (Math.abs(slz) - 1.0 < tol) {
              slz = slz > 0.0 ? 1.0 : -1.0;
            } else {
              throw new CelestialParameterError(
                `Invalid coordinate description: |lat0| <= ${asind(z).toFixed(3)} is required for these values of phip, phi0, and theta0`,
              );
            }
          }
          u = atan2d(y, x);
          v = acosd(slz);
        }
      }
      if (this.latpreq === 0) {
        let latp1 = u + v;
        if (latp1 > 180.0) latp1 -= 360.0;
        else if (latp1 < -180.0) latp1 += 360.0;
        let latp2 = u - v;
        if (latp2 > 180.0) latp2 -= 360.0;
        else if (latp2 < -180.0) latp2 += 360.0;
        if (Math.abs(latp1) < 90.0 + tol && Math.abs(latp2) < 90.0 + tol) this.latpreq = 1;
        if (Math.abs(latp - latp1) < Math.abs(latp - latp2)) {
          latp = Math.abs(latp1) < 90.0 + tol ? latp1 : latp2;
        } else {
          latp = Math.abs(latp2) < 90.0 + tol ? latp2 : latp1;
        }
        if (Math.abs(latp) < 90.0 + tol) {
          if (latp > 90.0) latp = 90.0;
          else if (latp < -90.0) latp = -90.0;
        }
      }
      const z = cosd(latp) * clat0;
      if (Math.abs(z) < tol) {
        if (Math.abs(clat0) < tol) lngp = lng0;
        else if (latp > 0.0) lngp = lng0 + phip - this.phi0 - 180.0;
        else lngp = lng0 - phip + this.phi0;
      } else {
        const x = (sthe0 - sind(latp) * slat0) / z;
        const y = (sphip * cthe0) / clat0;
        if (x === 0.0 && y === 0.0) {
          throw new CelestialParameterError('Invalid coordinate transformation parameters, internal error');
        }
        lngp = lng0 - atan2d(y, x);
      }
      if (lng0 >= 0.0) {
        if (lngp < 0.0) lngp += 360.0;
        else if (lngp > 360.0) lngp -= 360.0;
      } else {
        if (lngp > 0.0) lngp -= 360.0;
        else if (lngp < -360.0) lngp += 360.0;
      }
    }
    this.ref[3] = latp;
    const e = this.euler;
    e[0] = lngp;
    e[1] = 90.0 - latp;
    e[2] = phip;
    sincosd(e[1], sc);
    e[4] = sc[0]!;
    e[3] = sc[1]!;
    this.isolat = e[4] === 0.0;
    const code = prj.code;
    this.fused = (code === 'TAN' || code === 'ZEA') && prj.x0 === 0 && prj.y0 === 0 && e[4] !== 0.0 && prj.bounds === DEFAULT_BOUNDS ? code : null;
    if (Math.abs(latp) > 90.0 + tol) {
      throw new CelestialParameterError(
        'Ill-conditioned coordinate transformation parameters: no valid solution for latp for these values of phip, phi0, and theta0',
      );
    }
  }

  /** Projection plane (x, y) → celestial (lng, lat); phi/theta are scratch arrays. */
  x2s(
    n: number,
    x: Float64Array,
    y: Float64Array,
    phi: Float64Array,
    theta: Float64Array,
    lng: Float64Array,
    lat: Float64Array,
    stat: Uint8Array,
  ): void {
    if (this.fused) {
      const w = this.prj.w;
      fusedX2s(this.fused, this.prj.r0, w[0]!, w[1]!, this.euler, n, x, y, lng, lat, stat);
      return;
    }
    this.prj.x2s(n, x, y, phi, theta, stat);
    sphx2s(this.euler, n, phi, theta, lng, lat);
  }

  /** Celestial (lng, lat) → projection plane (x, y); phi/theta are scratch arrays. */
  s2x(
    n: number,
    lng: Float64Array,
    lat: Float64Array,
    phi: Float64Array,
    theta: Float64Array,
    x: Float64Array,
    y: Float64Array,
    stat: Uint8Array,
  ): void {
    if (this.fused) {
      fusedS2x(this.fused, this.prj.r0, this.prj.w[0]!, this.euler, n, lng, lat, x, y, stat);
      return;
    }
    sphs2x(this.euler, n, lng, lat, phi, theta);
    this.prj.s2x(n, phi, theta, x, y, stat);
  }
}

/** wcslib sphx2s: native (φ, θ) → celestial (lng, lat) by the Euler angles. lng/lat may alias phi/theta. */
export function sphx2s(eul: Float64Array, n: number, phi: Float64Array, theta: Float64Array, lng: Float64Array, lat: Float64Array): void {
  if (eul[4] === 0.0) {
    if (eul[1] === 0.0) {
      const dlng = (eul[0]! + 180.0 - eul[2]!) % 360.0;
      for (let k = 0; k < n; k++) {
        let l = phi[k]! + dlng;
        lat[k] = theta[k]!;
        l = wrapLng(l, eul[0]!);
        lng[k] = l;
      }
    } else {
      const dlng = (eul[0]! + eul[2]!) % 360.0;
      for (let k = 0; k < n; k++) {
        let l = dlng - phi[k]!;
        lat[k] = -theta[k]!;
        l = wrapLng(l, eul[0]!);
        lng[k] = l;
      }
    }
    return;
  }
  const e0 = eul[0]!;
  const e1 = eul[1]!;
  const e2 = eul[2]!;
  const e3 = eul[3]!;
  const e4 = eul[4]!;
  for (let k = 0; k < n; k++) {
    const dphi = phi[k]! - e2;
    const th = theta[k]!;
    sincosd(th, sc);
    const sinthe = sc[0]!;
    const costhe = sc[1]!;
    const costhe3 = costhe * e3;
    const costhe4 = costhe * e4;
    const sinthe3 = sinthe * e3;
    const sinthe4 = sinthe * e4;
    sincosd(dphi, sc);
    const sinphi = sc[0]!;
    const cosphi = sc[1]!;
    let x = sinthe4 - costhe3 * cosphi;
    if (Math.abs(x) < SPH_TOL) x = -cosd(th + e1) + costhe3 * (1.0 - cosphi);
    const y = -costhe * sinphi;
    let dlng: number;
    if (x !== 0.0 || y !== 0.0) dlng = atan2d(y, x);
    else dlng = e1 < 90.0 ? dphi + 180.0 : -dphi;
    lng[k] = wrapLng(e0 + dlng, e0);
    if (isMultiple(dphi, 180.0)) {
      let l = th + cosphi * e1;
      if (l > 90.0) l = 180.0 - l;
      if (l < -90.0) l = -180.0 - l;
      lat[k] = l;
    } else {
      const z = sinthe3 + costhe4 * cosphi;
      lat[k] = Math.abs(z) > 0.99 ? copysign(acosd(Math.sqrt(x * x + y * y)), z) : asind(z);
    }
  }
}

/** Normalise a longitude as wcslib does: into [0, 360] when the pole longitude is ≥ 0, else [-360, 0]. */
function wrapLng(l: number, e0: number): number {
  if (e0 >= 0.0) {
    if (l < 0.0) l += 360.0;
  } else if (l > 0.0) {
    l -= 360.0;
  }
  if (l > 360.0) l -= 360.0;
  else if (l < -360.0) l += 360.0;
  return l;
}

/** wcslib sphs2x: celestial (lng, lat) → native (φ, θ). */
export function sphs2x(eul: Float64Array, n: number, lng: Float64Array, lat: Float64Array, phi: Float64Array, theta: Float64Array): void {
  if (eul[4] === 0.0) {
    if (eul[1] === 0.0) {
      const dphi = (eul[2]! - 180.0 - eul[0]!) % 360.0;
      for (let k = 0; k < n; k++) {
        let p = fmodFast(lng[k]! + dphi, 360.0);
        theta[k] = lat[k]!;
        if (p > 180.0) p -= 360.0;
        else if (p < -180.0) p += 360.0;
        phi[k] = p;
      }
    } else {
      const dphi = (eul[2]! + eul[0]!) % 360.0;
      for (let k = 0; k < n; k++) {
        let p = fmodFast(dphi - lng[k]!, 360.0);
        theta[k] = -lat[k]!;
        if (p > 180.0) p -= 360.0;
        else if (p < -180.0) p += 360.0;
        phi[k] = p;
      }
    }
    return;
  }
  const e0 = eul[0]!;
  const e1 = eul[1]!;
  const e2 = eul[2]!;
  const e3 = eul[3]!;
  const e4 = eul[4]!;
  for (let k = 0; k < n; k++) {
    const dlng = lng[k]! - e0;
    const la = lat[k]!;
    sincosd(la, sc);
    const sinlat = sc[0]!;
    const coslat = sc[1]!;
    const coslat3 = coslat * e3;
    const coslat4 = coslat * e4;
    const sinlat3 = sinlat * e3;
    const sinlat4 = sinlat * e4;
    sincosd(dlng, sc);
    const sinlng = sc[0]!;
    const coslng = sc[1]!;
    let x = sinlat4 - coslat3 * coslng;
    if (Math.abs(x) < SPH_TOL) x = -cosd(la + e1) + coslat3 * (1.0 - coslng);
    const y = -coslat * sinlng;
    let dphi: number;
    if (x !== 0.0 || y !== 0.0) dphi = atan2d(y, x);
    else dphi = e1 < 90.0 ? dlng - 180.0 : -dlng;
    let p = fmodFast(e2 + dphi, 360.0);
    if (p > 180.0) p -= 360.0;
    else if (p < -180.0) p += 360.0;
    phi[k] = p;
    if (isMultiple(dlng, 180.0)) {
      let t = la + coslng * e1;
      if (t > 90.0) t = 180.0 - t;
      if (t < -90.0) t = -180.0 - t;
      theta[k] = t;
    } else {
      const z = sinlat3 + coslat4 * coslng;
      theta[k] = Math.abs(z) > 0.99 ? copysign(acosd(Math.sqrt(x * x + y * y)), z) : asind(z);
    }
  }
}
