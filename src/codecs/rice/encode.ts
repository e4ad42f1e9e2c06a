/**
 * RICE_1 tile encoder (tiled image convention, FITS 4.0 §10.4.1): the inverse
 * of src/decompress/rice.ts, bit for bit the stream CFITSIO's fits_rcomp,
 * fits_rcomp_short and fits_rcomp_byte write (first pixel raw, then blocks of
 * `blockSize` pixel differences, each with a 3/4/5-bit split level).
 *
 * {@link riceEncodeInto} writes into a caller's buffer (no allocation per
 * tile); {@link riceEncode} returns a fresh array.
 */
import { FitsError } from '../../core/errors.js';

let diffs = new Uint32Array(32);
let ints = new Int32Array(0);
let work = new Uint8Array(0);

function check(bytepix: number, blockSize: number): void {
  if (bytepix !== 1 && bytepix !== 2 && bytepix !== 4) throw new FitsError('BAD_ARGUMENT', `RICE_1 BYTEPIX must be 1, 2 or 4, got ${bytepix}.`);
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new FitsError('BAD_ARGUMENT', `RICE_1 block size must be a positive integer, got ${blockSize}.`);
}

/** Largest possible RICE_1 stream for `n` pixels (every block written raw). */
export function riceBound(n: number, bytepix: 1 | 2 | 4, blockSize = 32): number {
  const fsbits = bytepix === 1 ? 3 : bytepix === 2 ? 4 : 5;
  const nblocks = Math.ceil(n / blockSize);
  return bytepix + 8 + Math.ceil((nblocks * fsbits + n * 8 * bytepix) / 8);
}

/**
 * Rice-compress one tile.
 * @param a the tile's stored integer values (for BYTEPIX 1 and 2 only the low 8/16 bits count)
 * @param bytepix 1, 2 or 4
 * @param blockSize pixels per coding block (CFITSIO: 32)
 */
export function riceEncode(a: ArrayLike<number>, bytepix: 1 | 2 | 4, blockSize = 32): Uint8Array {
  check(bytepix, blockSize);
  const n = a.length;
  if (n === 0) return new Uint8Array(0);
  let src: Int32Array;
  if (a instanceof Int32Array) src = a;
  else {
    if (ints.length < n) ints = new Int32Array(n);
    src = ints.subarray(0, n);
    // ToInt32, as `x | 0`.
    if (ArrayBuffer.isView(a) && !(a instanceof BigInt64Array || a instanceof BigUint64Array)) src.set(a as unknown as ArrayLike<number>);
    else for (let i = 0; i < n; i++) src[i] = a[i]! | 0;
  }
  const need = riceBound(n, bytepix, blockSize);
  if (work.length < need) work = new Uint8Array(need);
  const end = riceEncodeInto(src, n, bytepix, blockSize, work, 0);
  return work.slice(0, end);
}

/**
 * Rice-compress `a[0 … n)` into `out` at byte `pos`, which must have room for
 * {@link riceBound} bytes. Returns the position after the stream.
 */
export function riceEncodeInto(a: Int32Array, n: number, bytepix: 1 | 2 | 4, blockSize: number, out: Uint8Array, pos: number): number {
  check(bytepix, blockSize);
  if (n === 0) return pos;
  const fsbits = bytepix === 1 ? 3 : bytepix === 2 ? 4 : 5;
  const fsmax = bytepix === 1 ? 6 : bytepix === 2 ? 14 : 25;
  const bbits = 1 << fsbits;
  const shift = 32 - 8 * bytepix; // to wrap differences to the pixel width
  const psumMask = bytepix === 4 ? 0xffffffff : (1 << (8 * bytepix)) - 1;
  if (diffs.length < blockSize) diffs = new Uint32Array(blockSize);
  const diff = diffs;

  // Bit buffer: the low `nb` bits of `acc` (0 ≤ nb < 32) are pending, the
  // oldest most significant; bits above them are stale. Whenever 32 bits are
  // complete they go out as 4 bytes. Codes are appended `len` ≤ 31 bits at a
  // time, without stale bits above `len`.
  let acc = 0;
  let nb = 0;

  // The first pixel, raw (8 × bytepix bits, most significant byte first).
  const first = a[0]!;
  for (let k = bytepix - 1; k >= 0; k--) out[pos++] = (first >>> (8 * k)) & 0xff;

  let lastpix = first;
  for (let i = 0; i < n; i += blockSize) {
    const thisblock = n - i < blockSize ? n - i : blockSize;
    let pixelsum = 0;
    for (let j = 0; j < thisblock; j++) {
      const nextpix = a[i + j]!;
      const pdiff = ((nextpix - lastpix) << shift) >> shift;
      const d = (pdiff < 0 ? ~(pdiff << 1) : pdiff << 1) >>> 0;
      diff[j] = d;
      pixelsum += d;
      lastpix = nextpix;
    }
    let dpsum = (pixelsum - Math.floor(thisblock / 2) - 1) / thisblock;
    if (dpsum < 0) dpsum = 0;
    const psum = ((Math.trunc(dpsum) & psumMask) >>> 0) >>> 1;
    const fs = 32 - Math.clz32(psum); // bits in psum
    // The block's code: fs + 1 (raw: fsmax + 1; all differences zero: 0) in fsbits bits.
    const head = fs >= fsmax ? fsmax + 1 : fs === 0 && pixelsum === 0 ? 0 : fs + 1;
    if (nb + fsbits < 32) {
      acc = (acc << fsbits) | head;
      nb += fsbits;
    } else {
      const r = nb + fsbits - 32;
      const word = (acc << (32 - nb)) | (head >>> r);
      out[pos] = word >>> 24;
      out[pos + 1] = word >>> 16;
      out[pos + 2] = word >>> 8;
      out[pos + 3] = word;
      pos += 4;
      acc = head;
      nb = r;
    }
    if (head === 0) continue;
    if (fs >= fsmax) {
      // Raw block: every difference in bbits bits, as halves of ≤ 16 bits.
      const half = bbits >> 1;
      const hmask = (1 << half) - 1;
      for (let j = 0; j < thisblock; j++) {
        const v = diff[j]!;
        for (let h = 1; h >= 0; h--) {
          const code = (v >>> (h * half)) & hmask;
          if (nb + half < 32) {
            acc = (acc << half) | code;
            nb += half;
          } else {
            const r = nb + half - 32;
            const word = (acc << (32 - nb)) | (code >>> r);
            out[pos] = word >>> 24;
            out[pos + 1] = word >>> 16;
            out[pos + 2] = word >>> 8;
            out[pos + 3] = word;
            pos += 4;
            acc = code;
            nb = r;
          }
        }
      }
      continue;
    }
    // Each difference: (v >> fs) zeros, a one, then the low fs bits of v.
    const fsmask = (1 << fs) - 1;
    const one = 1 << fs;
    for (let j = 0; j < thisblock; j++) {
      const v = diff[j]!;
      let top = v >>> fs;
      if (top > 31 - 1 - fs) {
        // A long run of zeros first, ≤ 16 bits at a time.
        while (top > 31 - 1 - fs) {
          const z = top > 16 ? 16 : top;
          if (nb + z < 32) {
            acc <<= z;
            nb += z;
          } else {
            const r = nb + z - 32;
            const word = acc << (32 - nb);
            out[pos] = word >>> 24;
            out[pos + 1] = word >>> 16;
            out[pos + 2] = word >>> 8;
            out[pos + 3] = word;
            pos += 4;
            acc = 0;
            nb = r;
          }
          top -= z;
        }
      }
      const len = top + 1 + fs;
      const code = one | (v & fsmask);
      if (nb + len < 32) {
        acc = (acc << len) | code;
        nb += len;
      } else {
        const r = nb + len - 32;
        const word = (acc << (32 - nb)) | (code >>> r);
        out[pos] = word >>> 24;
        out[pos + 1] = word >>> 16;
        out[pos + 2] = word >>> 8;
        out[pos + 3] = word;
        pos += 4;
        acc = code;
        nb = r;
      }
    }
  }
  // The pending bits, the last byte padded with zeros.
  while (nb >= 8) {
    out[pos++] = acc >>> (nb - 8);
    nb -= 8;
  }
  if (nb > 0) out[pos++] = acc << (8 - nb);
  return pos;
}
