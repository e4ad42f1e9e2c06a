/**
 * The arrays the renderer accepts: any typed array an image read returns
 * (`ImageArray`), or a plain number array. 64-bit integer images arrive as
 * BigInt arrays; the renderer works on numbers, so those are converted once
 * (to float64, as numpy's `astype(float)` rounds them).
 */

/** Typed arrays whose elements read as JS numbers. */
export type NumberArray =
  | Uint8Array | Uint8ClampedArray | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;

/** Any array of pixel values the renderer accepts (BigInt arrays included). */
export type PixelArray = NumberArray | BigInt64Array | BigUint64Array | ArrayLike<number>;

/** True for typed arrays of integers (no NaN or infinity possible). */
export function isIntegerArray(a: PixelArray): boolean {
  return (
    a instanceof Uint8Array || a instanceof Uint8ClampedArray || a instanceof Int8Array || a instanceof Uint16Array ||
    a instanceof Int16Array || a instanceof Uint32Array || a instanceof Int32Array
  );
}

/** `a` as an array of numbers: the array itself, or a float64 copy of a BigInt or plain array. */
export function asNumberArray(a: PixelArray): NumberArray {
  if (a instanceof BigInt64Array || a instanceof BigUint64Array) {
    const out = new Float64Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = Number(a[i]!);
    return out;
  }
  if (ArrayBuffer.isView(a)) return a as NumberArray;
  return Float64Array.from(a as ArrayLike<number>);
}
