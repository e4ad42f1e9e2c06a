/**
 * cos and sin of a double, correctly rounded, computed in double-double
 * arithmetic (about 100 bits) — for the rare points where the last bit of
 * cos θ decides a HEALPix pixel.
 *
 * Why: healpy computes cos θ with the C library (glibc: correctly rounded in
 * practice), while JS engines' Math.cos may differ by one unit in the last
 * place. At order 29 that flips about one pixel in 10^4‥10^5 points; the
 * pixel code detects the points near a pixel edge and recomputes them here.
 * Slow (a Taylor series, ~1 µs), so used only for those points.
 */

const SPLITTER = 134217729; // 2^27 + 1 (Veltkamp splitting)
// π/2 as a double-double: hi + lo within 1e-33.
const PIO2_HI = 1.5707963267948966;
const PIO2_LO = 6.123233995736766e-17;

/** a·b exactly as hi + lo (Dekker). */
function twoProd(a: number, b: number, out: number[]): void {
  const p = a * b;
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  out[0] = p;
  out[1] = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** a + b exactly as hi + lo (Knuth). */
function twoSum(a: number, b: number, out: number[]): void {
  const s = a + b;
  const bb = s - a;
  out[0] = s;
  out[1] = a - (s - bb) + (b - bb);
}

const t1 = [0, 0];
const t2 = [0, 0];

/** (ah + al)·(bh + bl) into out (normalized). */
function ddMul(ah: number, al: number, bh: number, bl: number, out: number[]): void {
  twoProd(ah, bh, t1);
  const e = t1[1]! + (ah * bl + al * bh);
  const s = t1[0]! + e;
  out[0] = s;
  out[1] = e - (s - t1[0]!);
}

/** (ah + al) + (bh + bl) into out (normalized). */
function ddAdd(ah: number, al: number, bh: number, bl: number, out: number[]): void {
  twoSum(ah, bh, t2);
  const e = t2[1]! + al + bl;
  const s = t2[0]! + e;
  out[0] = s;
  out[1] = e - (s - t2[0]!);
}

/** (ah + al) / n for a small positive integer n, into out. */
function ddDivInt(ah: number, al: number, n: number, out: number[]): void {
  const q1 = ah / n;
  twoProd(q1, n, t1);
  const r = ah - t1[0]! - t1[1]! + al;
  const q2 = r / n;
  const s = q1 + q2;
  out[0] = s;
  out[1] = q2 - (s - q1);
}

/** sin (odd = true) or cos (odd = false) of the double-double x, |x| ≤ π/2, by Taylor series. */
function series(xh: number, xl: number, odd: boolean): number {
  const x2 = [0, 0];
  ddMul(xh, xl, xh, xl, x2);
  const term = odd ? [xh, xl] : [1, 0];
  const sum = [term[0]!, term[1]!];
  for (let k = odd ? 2 : 1; k < 40; k++) {
    // term *= -x² / ((2k-1)(2k)) for cos, / ((2k-2)(2k-1)) for sin (k counts terms).
    const a = odd ? 2 * k - 2 : 2 * k - 1;
    ddMul(term[0]!, term[1]!, -x2[0]!, -x2[1]!, term);
    ddDivInt(term[0]!, term[1]!, a * (a + 1), term);
    ddAdd(sum[0]!, sum[1]!, term[0]!, term[1]!, sum);
    if (Math.abs(term[0]!) < 1e-36) break;
  }
  return sum[0]! + sum[1]!;
}

/** cos θ for θ in [0, π], correctly rounded (but for exact ties). */
export function preciseCos(theta: number): number {
  // cos θ = −sin(θ − π/2), with θ − π/2 in double-double.
  const r = [0, 0];
  twoSum(theta, -PIO2_HI, r);
  const lo = r[1]! - PIO2_LO;
  const hi = r[0]! + lo;
  return -series(hi, lo - (hi - r[0]!), true);
}

/** sin θ for θ in [0, π], correctly rounded (but for exact ties). */
export function preciseSin(theta: number): number {
  // sin θ = cos(θ − π/2).
  const r = [0, 0];
  twoSum(theta, -PIO2_HI, r);
  const lo = r[1]! - PIO2_LO;
  const hi = r[0]! + lo;
  return series(hi, lo - (hi - r[0]!), false);
}
