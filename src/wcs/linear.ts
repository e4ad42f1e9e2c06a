/**
 * The linear transformation between pixel and intermediate world coordinates
 * (wcslib lin.c): (p − CRPIX) → PC → CDELT, with optional prior and sequent
 * polynomial distortions, over structure-of-arrays coordinates.
 */
import type { PolynomialDistortion } from './polynomial-distortion.js';

/** Thrown when the PC/CD matrix cannot be inverted or a CDELT is zero. */
export class SingularMatrixError extends Error {}

export class Linear {
  readonly naxis: number;
  readonly crpix: Float64Array;
  /** PCi_j, row-major naxis × naxis. */
  readonly pc: Float64Array;
  readonly cdelt: Float64Array;
  dispre: PolynomialDistortion | null = null;
  disseq: PolynomialDistortion | null = null;
  /** CDELT·PC (or PC alone with a sequent distortion), and its inverse. */
  piximg: Float64Array | null = null;
  imgpix: Float64Array | null = null;
  unity = true;
  affine = true;
  simple = true;

  constructor(naxis: number, crpix: Float64Array, pc: Float64Array, cdelt: Float64Array) {
    this.naxis = naxis;
    this.crpix = crpix;
    this.pc = pc;
    this.cdelt = cdelt;
  }

  /** wcslib linset. Throws {@link SingularMatrixError}. */
  setup(): void {
    const n = this.naxis;
    const pc = this.pc;
    this.unity = true;
    for (let i = 0; i < n && this.unity; i++) {
      for (let j = 0; j < n; j++) {
        if (pc[i * n + j] !== (i === j ? 1.0 : 0.0)) {
          this.unity = false;
          break;
        }
      }
    }
    if (this.unity) {
      this.piximg = null;
      this.imgpix = null;
      for (let i = 0; i < n; i++) {
        if (this.cdelt[i] === 0.0) throw new SingularMatrixError(`CDELT${i + 1} is zero`);
      }
    } else {
      const piximg = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          piximg[i * n + j] = this.disseq === null ? this.cdelt[i]! * pc[i * n + j]! : pc[i * n + j]!;
        }
      }
      this.piximg = piximg;
      this.imgpix = invertMatrix(n, piximg);
    }
    this.affine = this.dispre === null && this.disseq === null;
    this.simple = this.unity && this.affine;
  }

  /** The reference pixel for pixels counted from `origin` (1 = FITS, 0 = astropy origin 0). */
  private ref(origin: number): Float64Array {
    if (origin === 1) return this.crpix;
    return this.crpix.map((c) => c - (1 - origin));
  }

  /**
   * linp2x over structure-of-arrays: pix[j][k] → img[i][k], pixels counted
   * from `origin`. `img` may be the same arrays as `pix` (each point is read
   * before it is written). A forward distortion cannot fail.
   */
  p2x(count: number, pix: readonly ArrayLike<number>[], img: Float64Array[], origin = 1): void {
    const n = this.naxis;
    const crpix = this.ref(origin);
    if (this.simple) {
      for (let i = 0; i < n; i++) {
        const p = pix[i]!;
        const o = img[i]!;
        const c = crpix[i]!;
        const d = this.cdelt[i]!;
        for (let k = 0; k < count; k++) o[k] = d * (p[k]! - c);
      }
      return;
    }
    if (this.affine) {
      const m = this.piximg!;
      if (n === 2) {
        const p0 = pix[0]!;
        const p1 = pix[1]!;
        const o0 = img[0]!;
        const o1 = img[1]!;
        const c0 = crpix[0]!;
        const c1 = crpix[1]!;
        const m00 = m[0]!;
        const m01 = m[1]!;
        const m10 = m[2]!;
        const m11 = m[3]!;
        for (let k = 0; k < count; k++) {
          const t0 = p0[k]! - c0;
          const t1 = p1[k]! - c1;
          // wcslib accumulates img[i] += piximg[i][j]*temp in j order.
          o0[k] = m00 * t0 + m01 * t1;
          o1[k] = m10 * t0 + m11 * t1;
        }
        return;
      }
      const t = new Float64Array(n);
      for (let k = 0; k < count; k++) {
        for (let j = 0; j < n; j++) t[j] = pix[j]![k]! - crpix[j]!;
        for (let i = 0; i < n; i++) {
          let s = 0.0;
          for (let j = 0; j < n; j++) s += m[i * n + j]! * t[j]!;
          img[i]![k] = s;
        }
      }
      return;
    }
    if (n === 2 && !this.dispre && this.disseq && !this.unity) {
      this.p2xSequent2(count, pix, img, crpix);
      return;
    }
    // Distortions: one point at a time, as wcslib does.
    const tmp = new Float64Array(n);
    const raw = new Float64Array(n);
    const out = new Float64Array(n);
    const m = this.piximg;
    for (let k = 0; k < count; k++) {
      for (let j = 0; j < n; j++) raw[j] = pix[j]![k]!;
      if (this.dispre) this.dispre.p2x(raw, tmp);
      else tmp.set(raw);
      if (this.unity) {
        for (let i = 0; i < n; i++) out[i] = tmp[i]! - crpix[i]!;
      } else {
        for (let j = 0; j < n; j++) tmp[j] = tmp[j]! - crpix[j]!;
        for (let i = 0; i < n; i++) {
          let s = 0.0;
          for (let j = 0; j < n; j++) s += m![i * n + j]! * tmp[j]!;
          out[i] = s;
        }
      }
      if (this.disseq) {
        this.disseq.p2x(out, tmp);
        for (let i = 0; i < n; i++) out[i] = this.cdelt[i]! * tmp[i]!;
      } else if (this.unity) {
        for (let i = 0; i < n; i++) out[i] = out[i]! * this.cdelt[i]!;
      }
      for (let i = 0; i < n; i++) img[i]![k] = out[i]!;
    }
  }

  /** p2x for 2 axes with a sequent distortion (TPV): PC, the polynomials, CDELT, without per-point arrays. */
  private p2xSequent2(count: number, pix: readonly ArrayLike<number>[], img: Float64Array[], crpix: Float64Array): void {
    const m = this.piximg!;
    const dis = this.disseq!;
    const p0 = pix[0]!;
    const p1 = pix[1]!;
    const o0 = img[0]!;
    const o1 = img[1]!;
    const c0 = crpix[0]!;
    const c1 = crpix[1]!;
    const d0 = this.cdelt[0]!;
    const d1 = this.cdelt[1]!;
    const raw = new Float64Array(2);
    const out = new Float64Array(2);
    for (let k = 0; k < count; k++) {
      const t0 = p0[k]! - c0;
      const t1 = p1[k]! - c1;
      raw[0] = m[0]! * t0 + m[1]! * t1;
      raw[1] = m[2]! * t0 + m[3]! * t1;
      dis.p2x(raw, out);
      o0[k] = d0 * out[0]!;
      o1[k] = d1 * out[1]!;
    }
  }

  /** x2p for 2 axes with a sequent distortion (TPV): CDELT, the inverse polynomials, PC⁻¹, per point without arrays. */
  private x2pSequent2(count: number, img: readonly Float64Array[], pix: Float64Array[], crpix: Float64Array): Uint8Array | null {
    const m = this.imgpix!;
    const dis = this.disseq!;
    const x0 = img[0]!;
    const x1 = img[1]!;
    const o0 = pix[0]!;
    const o1 = pix[1]!;
    const d0 = this.cdelt[0]!;
    const d1 = this.cdelt[1]!;
    const c0 = crpix[0]!;
    const c1 = crpix[1]!;
    const tmp = new Float64Array(2);
    const raw = new Float64Array(2);
    let bad: Uint8Array | null = null;
    for (let k = 0; k < count; k++) {
      tmp[0] = x0[k]! / d0;
      tmp[1] = x1[k]! / d1;
      if (!dis.x2p(tmp, raw)) (bad ??= new Uint8Array(count))[k] = 1;
      const r0 = raw[0]!;
      const r1 = raw[1]!;
      o0[k] = c0 + m[0]! * r0 + m[1]! * r1;
      o1[k] = c1 + m[2]! * r0 + m[3]! * r1;
    }
    return bad;
  }

  /**
   * linx2p over structure-of-arrays: img → pix counted from `origin`; `pix`
   * may be the same arrays as `img`. Returns a per-point failure mask (a
   * distortion inverse that did not converge), or null without distortions.
   */
  x2p(count: number, img: readonly Float64Array[], pix: Float64Array[], origin = 1): Uint8Array | null {
    const n = this.naxis;
    const crpix = this.ref(origin);
    if (this.simple) {
      for (let j = 0; j < n; j++) {
        const o = pix[j]!;
        const x = img[j]!;
        const c = crpix[j]!;
        const d = this.cdelt[j]!;
        for (let k = 0; k < count; k++) o[k] = x[k]! / d + c;
      }
      return null;
    }
    if (this.affine) {
      const m = this.imgpix!;
      if (n === 2) {
        const x0 = img[0]!;
        const x1 = img[1]!;
        const o0 = pix[0]!;
        const o1 = pix[1]!;
        const c0 = crpix[0]!;
        const c1 = crpix[1]!;
        const m00 = m[0]!;
        const m01 = m[1]!;
        const m10 = m[2]!;
        const m11 = m[3]!;
        for (let k = 0; k < count; k++) {
          const a = x0[k]!;
          const b = x1[k]!;
          o0[k] = m00 * a + m01 * b + c0;
          o1[k] = m10 * a + m11 * b + c1;
        }
        return null;
      }
      const t = new Float64Array(n);
      for (let k = 0; k < count; k++) {
        for (let i = 0; i < n; i++) t[i] = img[i]![k]!;
        for (let j = 0; j < n; j++) {
          let s = 0.0;
          for (let i = 0; i < n; i++) s += m[j * n + i]! * t[i]!;
          pix[j]![k] = s + crpix[j]!;
        }
      }
      return null;
    }
    if (n === 2 && !this.dispre && this.disseq && !this.unity) return this.x2pSequent2(count, img, pix, crpix);
    let bad: Uint8Array | null = null;
    const tmp = new Float64Array(n);
    const out = new Float64Array(n);
    const cur = new Float64Array(n);
    for (let k = 0; k < count; k++) {
      for (let i = 0; i < n; i++) cur[i] = img[i]![k]!;
      let ok = true;
      if (this.disseq) {
        for (let i = 0; i < n; i++) tmp[i] = cur[i]! / this.cdelt[i]!;
        ok = this.disseq.x2p(tmp, out) && ok;
        tmp.set(out);
      } else if (this.unity) {
        for (let i = 0; i < n; i++) tmp[i] = cur[i]! / this.cdelt[i]!;
      } else {
        tmp.set(cur);
      }
      if (this.unity) {
        for (let j = 0; j < n; j++) out[j] = tmp[j]! + crpix[j]!;
      } else {
        const m = this.imgpix!;
        for (let j = 0; j < n; j++) {
          let s = crpix[j]!;
          for (let i = 0; i < n; i++) s += m[j * n + i]! * tmp[i]!;
          out[j] = s;
        }
      }
      if (this.dispre) {
        tmp.set(out);
        ok = this.dispre.x2p(tmp, out) && ok;
      }
      for (let j = 0; j < n; j++) pix[j]![k] = out[j]!;
      if (!ok) (bad ??= new Uint8Array(count))[k] = 1;
    }
    return bad;
  }
}

/**
 * wcslib matinv: LU decomposition with scaled partial pivoting. Unlike wcslib
 * (which only refuses an all-zero row and otherwise divides by a zero pivot),
 * any exactly singular matrix is refused, so world → pixel never yields ±∞.
 */
export function invertMatrix(n: number, mat: Float64Array): Float64Array {
  const mxl = new Int32Array(n);
  const lxm = new Int32Array(n);
  const rowmax = new Float64Array(n);
  const lu = Float64Array.from(mat);
  for (let i = 0; i < n; i++) {
    mxl[i] = i;
    rowmax[i] = 0.0;
    for (let j = 0; j < n; j++) {
      const d = Math.abs(mat[i * n + j]!);
      if (d > rowmax[i]!) rowmax[i] = d;
    }
    if (rowmax[i] === 0.0) throw new SingularMatrixError(`row ${i + 1} of the transformation matrix is zero`);
  }
  for (let k = 0; k < n; k++) {
    let pivot = k;
    let colmax = Math.abs(lu[k * n + k]!) / rowmax[k]!;
    for (let i = k + 1; i < n; i++) {
      const d = Math.abs(lu[i * n + k]!) / rowmax[i]!;
      if (d > colmax) {
        colmax = d;
        pivot = i;
      }
    }
    if (pivot > k) {
      for (let j = 0; j < n; j++) {
        const t = lu[pivot * n + j]!;
        lu[pivot * n + j] = lu[k * n + j]!;
        lu[k * n + j] = t;
      }
      const t = rowmax[pivot]!;
      rowmax[pivot] = rowmax[k]!;
      rowmax[k] = t;
      const it = mxl[pivot]!;
      mxl[pivot] = mxl[k]!;
      mxl[k] = it;
    }
    if (lu[k * n + k] === 0.0 || !Number.isFinite(lu[k * n + k]!)) {
      throw new SingularMatrixError('the transformation matrix is singular');
    }
    for (let i = k + 1; i < n; i++) {
      if (lu[i * n + k] !== 0.0) {
        lu[i * n + k] = lu[i * n + k]! / lu[k * n + k]!;
        for (let j = k + 1; j < n; j++) lu[i * n + j] = lu[i * n + j]! - lu[i * n + k]! * lu[k * n + j]!;
      }
    }
  }
  for (let i = 0; i < n; i++) lxm[mxl[i]!] = i;
  const inv = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    inv[lxm[k]! * n + k] = 1.0;
    for (let i = lxm[k]! + 1; i < n; i++) {
      for (let j = lxm[k]!; j < i; j++) inv[i * n + k] = inv[i * n + k]! - lu[i * n + j]! * inv[j * n + k]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      for (let j = i + 1; j < n; j++) inv[i * n + k] = inv[i * n + k]! - lu[i * n + j]! * inv[j * n + k]!;
      inv[i * n + k] = inv[i * n + k]! / lu[i * n + i]!;
    }
  }
  return inv;
}
