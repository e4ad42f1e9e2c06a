/**
 * Trigonometry in degrees, as wcslib's wcstrig.c computes it: exact values at
 * multiples of 90° (so a pole or a meridian lands exactly where wcslib puts it)
 * and the same operation order (`x*PI/180`, `atan2(y,x)*180/PI`).
 */

export const PI = Math.PI; // 3.141592653589793, wcslib's PI
/** Degrees → radians: wcslib's D2R macro expands to `PI/180.0` after the multiplication. */
export const D2R = PI / 180.0;
export const R2D = 180.0 / PI;
export const SQRT2 = Math.SQRT2;
export const SQRT2INV = 1.0 / SQRT2;
/** wcslib's marker for a parameter that was not given. */
export const UNDEFINED = 987654321.0e99;
const WCSTRIG_TOL = 1e-10;

/** C's fmod for doubles (JS `%` is the same operation). */
export function fmod(a: number, b: number): number {
  return a % b;
}

/**
 * fmod(x, m) === 0, without the slow floating-point remainder: true exactly
 * when x is a finite exact multiple of m (x/m is then an exact integer).
 */
export function isMultiple(x: number, m: number): boolean {
  const q = x / m;
  return q - Math.floor(q) === 0 && q * m === x;
}

/** fmod(x, m) for m > 0, skipping the remainder when |x| < m (fmod then returns x). */
export function fmodFast(x: number, m: number): number {
  return x < m && x > -m ? x : x % m;
}

export function cosd(angle: number): number {
  if (isMultiple(angle, 90.0)) {
    const i = Math.abs(Math.trunc(Math.floor(angle / 90.0 + 0.5))) % 4;
    switch (i) {
      case 0:
        return 1.0;
      case 1:
        return 0.0;
      case 2:
        return -1.0;
      case 3:
        return 0.0;
    }
  }
  return Math.cos((angle * PI) / 180.0);
}

export function sind(angle: number): number {
  if (isMultiple(angle, 90.0)) {
    const i = Math.abs(Math.trunc(Math.floor(angle / 90.0 - 0.5))) % 4;
    switch (i) {
      case 0:
        return 1.0;
      case 1:
        return 0.0;
      case 2:
        return -1.0;
      case 3:
        return 0.0;
    }
  }
  return Math.sin((angle * PI) / 180.0);
}

/** sin and cos of an angle in degrees, written to out[0] and out[1]. */
export function sincosd(angle: number, out: Float64Array | number[]): void {
  if (isMultiple(angle, 90.0)) {
    const i = Math.abs(Math.trunc(Math.floor(angle / 90.0 + 0.5))) % 4;
    switch (i) {
      case 0:
        out[0] = 0.0;
        out[1] = 1.0;
        return;
      case 1:
        out[0] = angle > 0.0 ? 1.0 : -1.0;
        out[1] = 0.0;
        return;
      case 2:
        out[0] = 0.0;
        out[1] = -1.0;
        return;
      case 3:
        out[0] = angle > 0.0 ? -1.0 : 1.0;
        out[1] = 0.0;
        return;
    }
  }
  const r = (angle * PI) / 180.0;
  out[0] = Math.sin(r);
  out[1] = Math.cos(r);
}

export function tand(angle: number): number {
  const resid = fmodFast(angle, 360.0);
  if (resid === 0.0 || Math.abs(resid) === 180.0) return 0.0;
  if (resid === 45.0 || resid === 225.0) return 1.0;
  if (resid === -135.0 || resid === -315.0) return -1.0;
  return Math.tan((angle * PI) / 180.0);
}

export function acosd(v: number): number {
  if (v >= 1.0) {
    if (v - 1.0 < WCSTRIG_TOL) return 0.0;
  } else if (v === 0.0) {
    return 90.0;
  } else if (v <= -1.0) {
    if (v + 1.0 > -WCSTRIG_TOL) return 180.0;
  }
  return (Math.acos(v) * 180.0) / PI;
}

export function asind(v: number): number {
  if (v <= -1.0) {
    if (v + 1.0 > -WCSTRIG_TOL) return -90.0;
  } else if (v === 0.0) {
    return 0.0;
  } else if (v >= 1.0) {
    if (v - 1.0 < WCSTRIG_TOL) return 90.0;
  }
  return (Math.asin(v) * 180.0) / PI;
}

export function atand(v: number): number {
  if (v === -1.0) return -45.0;
  if (v === 0.0) return 0.0;
  if (v === 1.0) return 45.0;
  return (Math.atan(v) * 180.0) / PI;
}

export function atan2d(y: number, x: number): number {
  if (y === 0.0) {
    if (x >= 0.0) return 0.0;
    if (x < 0.0) return 180.0;
  } else if (x === 0.0) {
    if (y > 0.0) return 90.0;
    if (y < 0.0) return -90.0;
  }
  return (Math.atan2(y, x) * 180.0) / PI;
}

/** C's copysign. */
export function copysign(x: number, y: number): number {
  const ax = Math.abs(x);
  return y < 0 || Object.is(y, -0) ? -ax : ax;
}
