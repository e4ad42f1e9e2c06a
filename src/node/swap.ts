/** Byte swapping with Node's Buffer.swap16/32/64 (native loops). Runtime-specific: imported by the Node entry. */
import { Buffer } from 'node:buffer';
import { setByteSwapper, swapInPlaceJs } from '../image/convert.js';

const NATIVE_MIN_ELEMENTS = 256; // below this the call overhead outweighs the gain

export function installNodeByteSwapper(): void {
  setByteSwapper((buf, offset, count, width) => {
    if (count < NATIVE_MIN_ELEMENTS) return swapInPlaceJs(buf, offset, count, width);
    const b = Buffer.from(buf as ArrayBuffer, offset, count * width);
    if (width === 2) b.swap16();
    else if (width === 4) b.swap32();
    else b.swap64();
  });
}
