/**
 * SIP polynomial distortions (Shupe et al. 2005) as astropy reads and applies
 * them (astropy wcs.py _read_sip_kw, sip.c sip_compute): A/B for pixel → focal
 * plane, AP/BP for the inverse, around the SIP reference pixel (CRPIX).
 */
import type { Card, Header } from '../header/header.js';

/** Thrown for SIP keywords astropy refuses (an order without its partner, …). */
export class SipError extends Error {
  constructor(
    message: string,
    readonly keyword: string,
  ) {
    super(message);
  }
}

/** One polynomial: coeff[i*(m+1)+j] multiplies u^i v^j, for i + j ≤ m. */
export interface SipPolynomial {
  order: number;
  coeff: Float64Array;
}

export class Sip {
  constructor(
    readonly a: SipPolynomial | null,
    readonly b: SipPolynomial | null,
    readonly ap: SipPolynomial | null,
    readonly bp: SipPolynomial | null,
    /** 1-based reference pixel (CRPIX1, CRPIX2 of the representation). */
    readonly crpix: readonly [number, number],
  ) {}

  /** A copy with another reference pixel (for image sections). */
  withCrpix(crpix: readonly [number, number]): Sip {
    return new Sip(this.a, this.b, this.ap, this.bp, crpix);
  }

  /** Add the forward (A, B) distortion at 1-based pixels (x, y) to (outX, outY). */
  addForward(n: number, x: Float64Array, y: Float64Array, outX: Float64Array, outY: Float64Array): void {
    if (!this.a || !this.b) return;
    addPolynomials(n, this.a, this.b, this.crpix, x, y, outX, outY);
  }

  /** Add the inverse (AP, BP) distortion at 1-based focal-plane pixels. */
  addInverse(n: number, x: Float64Array, y: Float64Array, outX: Float64Array, outY: Float64Array): void {
    if (!this.ap || !this.bp) return;
    addPolynomials(n, this.ap, this.bp, this.crpix, x, y, outX, outY);
  }
}

/**
 * astropy sip_compute: for each row i (power of u) Horner in v, then Horner in
 * u over the rows — the same operations in the same order as sip.c. Orders 2–5
 * are unrolled (loop overhead dominated the arithmetic).
 */
function addPolynomials(
  n: number,
  pa: SipPolynomial,
  pb: SipPolynomial,
  crpix: readonly [number, number],
  xin: Float64Array,
  yin: Float64Array,
  outX: Float64Array,
  outY: Float64Array,
): void {
  const a = pa.coeff;
  const b = pb.coeff;
  const ea = evaluatorFor(pa.order);
  const eb = evaluatorFor(pb.order);
  const c0 = crpix[0];
  const c1 = crpix[1];
  for (let k = 0; k < n; k++) {
    const x = xin[k]! - c0;
    const y = yin[k]! - c1;
    const dx = ea(a, x, y, pa.order);
    const dy = eb(b, x, y, pb.order);
    outX[k] = outX[k]! + dx;
    outY[k] = outY[k]! + dy;
  }
}

type Evaluator = (a: Float64Array, x: number, y: number, m: number) => number;

function evaluatorFor(m: number): Evaluator {
  switch (m) {
    case 2:
      return eval2;
    case 3:
      return eval3;
    case 4:
      return eval4;
    case 5:
      return eval5;
    default:
      return evalAny;
  }
}

// Coefficient a_ij (u^i v^j) is at a[i·(m+1) + j].
function eval2(a: Float64Array, x: number, y: number): number {
  const r0 = a[0]! + y * (a[1]! + y * a[2]!);
  const r1 = a[3]! + y * a[4]!;
  return r0 + x * (r1 + x * a[6]!);
}
function eval3(a: Float64Array, x: number, y: number): number {
  const r0 = a[0]! + y * (a[1]! + y * (a[2]! + y * a[3]!));
  const r1 = a[4]! + y * (a[5]! + y * a[6]!);
  const r2 = a[8]! + y * a[9]!;
  return r0 + x * (r1 + x * (r2 + x * a[12]!));
}
function eval4(a: Float64Array, x: number, y: number): number {
  const r0 = a[0]! + y * (a[1]! + y * (a[2]! + y * (a[3]! + y * a[4]!)));
  const r1 = a[5]! + y * (a[6]! + y * (a[7]! + y * a[8]!));
  const r2 = a[10]! + y * (a[11]! + y * a[12]!);
  const r3 = a[15]! + y * a[16]!;
  return r0 + x * (r1 + x * (r2 + x * (r3 + x * a[20]!)));
}
function eval5(a: Float64Array, x: number, y: number): number {
  const r0 = a[0]! + y * (a[1]! + y * (a[2]! + y * (a[3]! + y * (a[4]! + y * a[5]!))));
  const r1 = a[6]! + y * (a[7]! + y * (a[8]! + y * (a[9]! + y * a[10]!)));
  const r2 = a[12]! + y * (a[13]! + y * (a[14]! + y * a[15]!));
  const r3 = a[18]! + y * (a[19]! + y * a[20]!);
  const r4 = a[24]! + y * a[25]!;
  return r0 + x * (r1 + x * (r2 + x * (r3 + x * (r4 + x * a[30]!))));
}
function evalAny(a: Float64Array, x: number, y: number, m: number): number {
  const w = m + 1;
  let sum = 0;
  for (let i = m; i >= 0; i--) {
    const row = i * w;
    let t = a[row + m - i]!;
    for (let j = m - i - 1; j >= 0; j--) t = y * t + a[row + j]!;
    sum = x * sum + t;
  }
  return sum;
}

/** The SIP keyword pattern astropy removes before wcslib sees the header. */
export const SIP_KEYWORD = /^[AB]P?_1?[0-9]_1?[0-9][A-Z]?$/;
/** SIP keywords astropy consumes (orders are removed when the polynomials are read). */
export function isSipKeyword(kw: string): boolean {
  return SIP_KEYWORD.test(kw);
}

function lastCard(header: Header, keyword: string): Card | undefined {
  let found: Card | undefined;
  for (const c of header.cards) if (!c.commentary && c.keyword === keyword) found = c;
  return found;
}

function numberOf(header: Header, keyword: string): number | undefined {
  const c = header.card(keyword);
  if (!c) return undefined;
  const v = c.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new SipError(`SIP keyword ${keyword} must be a number; fix or remove the card.`, keyword);
}

function readPolynomial(header: Header, prefix: string, order: number): SipPolynomial {
  if (!Number.isFinite(order) || order > 20) throw new SipError(`${prefix}_ORDER = ${order} is not a usable SIP order.`, `${prefix}_ORDER`);
  const m = Math.trunc(order);
  const coeff = new Float64Array((m + 1) * (m + 1));
  for (let i = 0; i <= m; i++) {
    for (let j = 0; j <= m - i; j++) {
      const v = numberOf(header, `${prefix}_${i}_${j}`);
      if (v !== undefined) coeff[i * (m + 1) + j] = v;
    }
  }
  return { order: m, coeff };
}

/**
 * astropy's _read_sip_kw: SIP polynomials of a header, or null when it has
 * none. `key` is the WCS key (' ' or A–Z) whose CRPIX is the SIP reference pixel.
 */
export function readSip(header: Header, key: string): Sip | null {
  let a: SipPolynomial | null = null;
  let b: SipPolynomial | null = null;
  let ap: SipPolynomial | null = null;
  let bp: SipPolynomial | null = null;
  const aOrder = numberOf(header, 'A_ORDER');
  const bOrder = numberOf(header, 'B_ORDER');
  if (aOrder !== undefined && aOrder > 1) {
    if (bOrder === undefined) throw new SipError('A_ORDER provided without corresponding B_ORDER keyword for SIP distortion', 'B_ORDER');
    const pa = readPolynomial(header, 'A', aOrder);
    if (bOrder > 1) {
      a = pa;
      b = readPolynomial(header, 'B', bOrder);
    }
  } else if (bOrder !== undefined && bOrder > 1) {
    throw new SipError('B_ORDER provided without corresponding A_ORDER keyword for SIP distortion', 'A_ORDER');
  }
  const apOrder = numberOf(header, 'AP_ORDER');
  const bpOrder = numberOf(header, 'BP_ORDER');
  if (apOrder !== undefined && apOrder > 1) {
    if (bpOrder === undefined) throw new SipError('AP_ORDER provided without corresponding BP_ORDER keyword for SIP distortion', 'BP_ORDER');
    const pap = readPolynomial(header, 'AP', apOrder);
    if (bpOrder > 1) {
      ap = pap;
      bp = readPolynomial(header, 'BP', bpOrder);
    }
  } else if (bpOrder !== undefined && bpOrder > 1) {
    throw new SipError('BP_ORDER provided without corresponding AP_ORDER keyword for SIP distortion', 'AP_ORDER');
  }
  if (!a && !b && !ap && !bp) return null;
  const alt = key === ' ' ? '' : key;
  const c1 = lastCard(header, `CRPIX1${alt}`);
  const c2 = lastCard(header, `CRPIX2${alt}`);
  if (!c1 || !c2) throw new SipError('Header has SIP keywords without CRPIX keywords', `CRPIX1${alt}`);
  const crpix1 = numberOf(header, `CRPIX1${alt}`)!;
  const crpix2 = numberOf(header, `CRPIX2${alt}`)!;
  return new Sip(a, b, ap, bp, [crpix1, crpix2]);
}
