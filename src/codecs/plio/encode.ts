/**
 * PLIO_1 tile encoder: IRAF's line-list encoding of a mask tile, as CFITSIO's
 * pl_p2li writes it (the inverse of src/decompress/plio.ts). Values must be
 * integers in 0 … 2^24 − 1.
 */
import { FitsError } from '../../core/errors.js';

/** Encode one tile; returns the 16-bit words (stored big-endian in a 1PI column). */
export function plioEncode(px: ArrayLike<number>, tile?: number): Int16Array {
  const npix = px.length;
  for (let i = 0; i < npix; i++) {
    const v = px[i]!;
    if (!(v >= 0 && v <= 16777215) || !Number.isInteger(v)) {
      throw new FitsError('BAD_ARGUMENT', `PLIO_1 holds integers 0 … 16777215; pixel ${i} is ${v}.`, tile !== undefined ? { tile } : {});
    }
  }
  // Words are 1-based as in the original; index 0 unused. Worst case ~3 words per pixel.
  const w = new Int32Array(3 * npix + 8);
  if (npix <= 0) return new Int16Array([0, 0, 3]);
  const xs = 1;
  const xe = xs + npix - 1;
  const at = (k: number) => px[k - 1]!; // 1-based pixel access
  let op = 4;
  let pv = Math.max(0, at(xs));
  let x1 = xs;
  let iz = xs;
  let hi = 1;
  let nv = 0;
  for (let ip = xs; ip <= xe; ip++) {
    if (ip < xe) {
      nv = Math.max(0, at(ip + 1));
      if (nv === pv) continue;
      if (pv === 0) {
        pv = nv;
        x1 = ip + 1;
        continue;
      }
    } else if (pv === 0) {
      x1 = xe + 1;
    }
    let np = ip - x1 + 1;
    let nz = x1 - iz;
    let done = false;
    if (pv > 0) {
      const dv = pv - hi;
      if (dv !== 0) {
        hi = pv;
        if (Math.abs(dv) > 4095) {
          w[op++] = (pv & 4095) + 4096;
          w[op++] = Math.trunc(pv / 4096);
        } else {
          w[op++] = dv < 0 ? -dv + 12288 : dv + 8192;
          if (np === 1 && nz === 0) {
            w[op - 1] = w[op - 1]! | 16384;
            done = true;
          }
        }
      }
    }
    if (!done && nz > 0) {
      while (nz > 0) {
        w[op++] = Math.min(4095, nz);
        nz -= 4095;
      }
      if (np === 1 && pv > 0) {
        w[op - 1] = w[op - 1]! + 20481;
        done = true;
      }
    }
    if (!done) {
      while (np > 0) {
        w[op++] = Math.min(4095, np) + 16384;
        np -= 4095;
      }
    }
    x1 = ip + 1;
    iz = x1;
    pv = nv;
  }
  w[3] = op - 1;
  // Words 1 … op−1 of the 1-based list are the stream's words 0 … op−2.
  const out = new Int16Array(op - 1);
  for (let k = 1; k < op; k++) out[k - 1] = w[k]!;
  return out;
}
