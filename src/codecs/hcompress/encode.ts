/**
 * HCOMPRESS_1 tile encoder: R. White's H-transform, digitization by `scale`
 * and quadtree bit-plane coding, producing the stream CFITSIO's
 * fits_hcompress / fits_hcompress64 write (the inverse of
 * src/decompress/hcompress.ts). Arithmetic is done in doubles, exact for
 * 32-bit input (sums stay below 2^53), so one encoder serves both variants.
 */
import { FitsError } from '../../core/errors.js';

const CODE = [0x3e, 0x00, 0x01, 0x08, 0x02, 0x09, 0x1a, 0x1b, 0x03, 0x1c, 0x0a, 0x1d, 0x0b, 0x1e, 0x3f, 0x0c];
const NCODE = [6, 3, 3, 4, 3, 4, 5, 5, 3, 5, 4, 5, 4, 5, 6, 4];

class ByteOut {
  buf = new Uint8Array(1024);
  n = 0;
  push(b: number): void {
    if (this.n === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = b & 0xff;
  }
}

/** floor(x / 2^k) for doubles (arithmetic shift right). */
function shr(x: number, k: number): number {
  return k === 0 ? x : Math.floor(x / 2 ** k);
}

/** x & -2^k (clear the k low bits, two's complement semantics). */
function maskLow(x: number, k: number): number {
  const p = 2 ** k;
  return Math.floor(x / p) * p;
}

function log2Ceil(nmax: number): number {
  if (nmax <= 0) return 0;
  let log2n = Math.trunc(Math.log(Math.fround(nmax)) / Math.log(2.0) + 0.5);
  if (nmax > 2 ** log2n) log2n += 1;
  return log2n;
}

function shuffle(a: Float64Array, base: number, n: number, n2: number, tmp: Float64Array): void {
  let pt = 0;
  let p1 = base + n2;
  for (let i = 1; i < n; i += 2) {
    tmp[pt++] = a[p1]!;
    p1 += n2 + n2;
  }
  p1 = base + n2;
  let p2 = base + n2 + n2;
  for (let i = 2; i < n; i += 2) {
    a[p1] = a[p2]!;
    p1 += n2;
    p2 += n2 + n2;
  }
  pt = 0;
  for (let i = 1; i < n; i += 2) {
    a[p1] = tmp[pt++]!;
    p1 += n2;
  }
}

/** H-transform of an nx × ny array (ny fastest), in place. */
function htrans(a: Float64Array, nx: number, ny: number): void {
  const nmax = Math.max(nx, ny);
  const log2n = log2Ceil(nmax);
  const tmp = new Float64Array((nmax + 1) >> 1);
  let shift = 0;
  let maskBits = 1; // mask = -2^maskBits
  let prnd = 1;
  let nxtop = nx;
  let nytop = ny;
  for (let k = 0; k < log2n; k++) {
    const prnd2 = prnd * 2;
    const nrnd2 = prnd2 - 1;
    const mask2Bits = maskBits + 1;
    const oddx = nxtop % 2;
    const oddy = nytop % 2;
    let i = 0;
    for (i = 0; i < nxtop - oddx; i += 2) {
      let s00 = i * ny;
      let s10 = s00 + ny;
      for (let j = 0; j < nytop - oddy; j += 2) {
        const h0 = shr(a[s10 + 1]! + a[s10]! + a[s00 + 1]! + a[s00]!, shift);
        const hx = shr(a[s10 + 1]! + a[s10]! - a[s00 + 1]! - a[s00]!, shift);
        const hy = shr(a[s10 + 1]! - a[s10]! + a[s00 + 1]! - a[s00]!, shift);
        const hc = shr(a[s10 + 1]! - a[s10]! - a[s00 + 1]! + a[s00]!, shift);
        a[s10 + 1] = hc;
        a[s10] = maskLow(hx >= 0 ? hx + prnd : hx, maskBits);
        a[s00 + 1] = maskLow(hy >= 0 ? hy + prnd : hy, maskBits);
        a[s00] = maskLow(h0 >= 0 ? h0 + prnd2 : h0 + nrnd2, mask2Bits);
        s00 += 2;
        s10 += 2;
      }
      if (oddy) {
        const h0 = (a[s10]! + a[s00]!) * 2 ** (1 - shift);
        const hx = (a[s10]! - a[s00]!) * 2 ** (1 - shift);
        a[s10] = maskLow(hx >= 0 ? hx + prnd : hx, maskBits);
        a[s00] = maskLow(h0 >= 0 ? h0 + prnd2 : h0 + nrnd2, mask2Bits);
      }
    }
    if (oddx) {
      let s00 = i * ny;
      for (let j = 0; j < nytop - oddy; j += 2) {
        const h0 = (a[s00 + 1]! + a[s00]!) * 2 ** (1 - shift);
        const hy = (a[s00 + 1]! - a[s00]!) * 2 ** (1 - shift);
        a[s00 + 1] = maskLow(hy >= 0 ? hy + prnd : hy, maskBits);
        a[s00] = maskLow(h0 >= 0 ? h0 + prnd2 : h0 + nrnd2, mask2Bits);
        s00 += 2;
      }
      if (oddy) {
        const h0 = a[s00]! * 2 ** (2 - shift);
        a[s00] = maskLow(h0 >= 0 ? h0 + prnd2 : h0 + nrnd2, mask2Bits);
      }
    }
    for (let r = 0; r < nxtop; r++) shuffle(a, ny * r, nytop, 1, tmp);
    for (let j = 0; j < nytop; j++) shuffle(a, j, nxtop, ny, tmp);
    nxtop = (nxtop + 1) >> 1;
    nytop = (nytop + 1) >> 1;
    shift = 1;
    maskBits = mask2Bits;
    prnd = prnd2;
  }
}

function digitize(a: Float64Array, scale: number): void {
  if (scale <= 1) return;
  const d = Math.trunc((scale + 1) / 2) - 1;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    a[i] = Math.trunc((v > 0 ? v + d : v - d) / scale);
  }
}

/** Bit `bit` of a non-negative integer-valued double. */
function bitOf(v: number, bit: number): number {
  return v < 2147483648 ? (v >> bit) & 1 : Math.floor(v / 2 ** bit) % 2;
}

class Encoder {
  private buffer2 = 0;
  private bitsToGo2 = 8;
  private bitbuffer = 0;
  private bitsToGo3 = 0;
  constructor(readonly out: ByteOut) {}

  startBits(): void {
    this.buffer2 = 0;
    this.bitsToGo2 = 8;
  }

  outputNbits(bits: number, n: number): void {
    this.buffer2 <<= n;
    this.buffer2 |= bits & ((1 << n) - 1);
    this.bitsToGo2 -= n;
    if (this.bitsToGo2 <= 0) {
      this.out.push((this.buffer2 >> -this.bitsToGo2) & 0xff);
      this.bitsToGo2 += 8;
    }
  }

  doneBits(): void {
    if (this.bitsToGo2 < 8) this.out.push((this.buffer2 << this.bitsToGo2) & 0xff);
  }

  private qtreeOnebit(a: Float64Array, base: number, n: number, nx: number, ny: number, b: Uint8Array, bit: number): void {
    let k = 0;
    let i = 0;
    for (i = 0; i < nx - 1; i += 2) {
      let s00 = base + n * i;
      let s10 = s00 + n;
      let j = 0;
      for (j = 0; j < ny - 1; j += 2) {
        b[k++] = bitOf(a[s10 + 1]!, bit) | (bitOf(a[s10]!, bit) << 1) | (bitOf(a[s00 + 1]!, bit) << 2) | (bitOf(a[s00]!, bit) << 3);
        s00 += 2;
        s10 += 2;
      }
      if (j < ny) b[k++] = (bitOf(a[s10]!, bit) << 1) | (bitOf(a[s00]!, bit) << 3);
    }
    if (i < nx) {
      let s00 = base + n * i;
      let j = 0;
      for (j = 0; j < ny - 1; j += 2) {
        b[k++] = (bitOf(a[s00 + 1]!, bit) << 2) | (bitOf(a[s00]!, bit) << 3);
        s00 += 2;
      }
      if (j < ny) b[k++] = bitOf(a[s00]!, bit) << 3;
    }
  }

  private static qtreeReduce(a: Uint8Array, n: number, nx: number, ny: number, b: Uint8Array): void {
    let k = 0;
    let i = 0;
    for (i = 0; i < nx - 1; i += 2) {
      let s00 = n * i;
      let s10 = s00 + n;
      let j = 0;
      for (j = 0; j < ny - 1; j += 2) {
        b[k++] = (a[s10 + 1] !== 0 ? 1 : 0) | (a[s10] !== 0 ? 2 : 0) | (a[s00 + 1] !== 0 ? 4 : 0) | (a[s00] !== 0 ? 8 : 0);
        s00 += 2;
        s10 += 2;
      }
      if (j < ny) b[k++] = (a[s10] !== 0 ? 2 : 0) | (a[s00] !== 0 ? 8 : 0);
    }
    if (i < nx) {
      let s00 = n * i;
      let j = 0;
      for (j = 0; j < ny - 1; j += 2) {
        b[k++] = (a[s00 + 1] !== 0 ? 4 : 0) | (a[s00] !== 0 ? 8 : 0);
        s00 += 2;
      }
      if (j < ny) b[k++] = a[s00] !== 0 ? 8 : 0;
    }
  }

  /** Returns true when the buffer is full (quadtree expands the data). */
  private bufcopy(a: Uint8Array, n: number, buffer: Uint8Array, b: { v: number }, bmax: number): boolean {
    for (let i = 0; i < n; i++) {
      const c = a[i]!;
      if (c !== 0) {
        this.bitbuffer |= CODE[c]! << this.bitsToGo3;
        this.bitsToGo3 += NCODE[c]!;
        if (this.bitsToGo3 >= 8) {
          buffer[b.v] = this.bitbuffer & 0xff;
          b.v += 1;
          if (b.v >= bmax) return true;
          this.bitbuffer >>= 8;
          this.bitsToGo3 -= 8;
        }
      }
    }
    return false;
  }

  private writeBdirect(a: Float64Array, base: number, n: number, nqx: number, nqy: number, scratch: Uint8Array, bit: number): void {
    this.outputNbits(0, 4);
    this.qtreeOnebit(a, base, n, nqx, nqy, scratch, bit);
    const m = ((nqx + 1) >> 1) * ((nqy + 1) >> 1);
    for (let i = 0; i < m; i++) this.outputNbits(scratch[i]!, 4);
  }

  qtreeEncode(a: Float64Array, base: number, n: number, nqx: number, nqy: number, nbitplanes: number): void {
    const log2n = log2Ceil(Math.max(nqx, nqy));
    const nqx2 = (nqx + 1) >> 1;
    const nqy2 = (nqy + 1) >> 1;
    const bmax = (nqx2 * nqy2 + 1) >> 1;
    const scratch = new Uint8Array(2 * bmax + 2);
    const buffer = new Uint8Array(bmax + 1);
    for (let bit = nbitplanes - 1; bit >= 0; bit--) {
      const b = { v: 0 };
      this.bitbuffer = 0;
      this.bitsToGo3 = 0;
      this.qtreeOnebit(a, base, n, nqx, nqy, scratch, bit);
      let nx = (nqx + 1) >> 1;
      let ny = (nqy + 1) >> 1;
      let direct = this.bufcopy(scratch, nx * ny, buffer, b, bmax);
      for (let k = 1; !direct && k < log2n; k++) {
        Encoder.qtreeReduce(scratch, ny, nx, ny, scratch);
        nx = (nx + 1) >> 1;
        ny = (ny + 1) >> 1;
        direct = this.bufcopy(scratch, nx * ny, buffer, b, bmax);
      }
      if (direct) {
        this.writeBdirect(a, base, n, nqx, nqy, scratch, bit);
        continue;
      }
      this.outputNbits(0xf, 4);
      if (b.v === 0) {
        if (this.bitsToGo3 > 0) this.outputNbits(this.bitbuffer & ((1 << this.bitsToGo3) - 1), this.bitsToGo3);
        else this.outputNbits(CODE[0]!, NCODE[0]!);
      } else {
        if (this.bitsToGo3 > 0) this.outputNbits(this.bitbuffer & ((1 << this.bitsToGo3) - 1), this.bitsToGo3);
        for (let i = b.v - 1; i >= 0; i--) this.outputNbits(buffer[i]!, 8);
      }
    }
  }
}

function writeInt(out: ByteOut, v: number): void {
  out.push((v >>> 24) & 0xff);
  out.push((v >>> 16) & 0xff);
  out.push((v >>> 8) & 0xff);
  out.push(v & 0xff);
}

/**
 * HCOMPRESS one tile of `rows` × `cols` pixels (cols fastest, i.e. ZTILE1).
 * @param scale digitization scale (0 or 1: lossless)
 */
export function hcompressEncode(pixels: ArrayLike<number>, rows: number, cols: number, scale = 0): Uint8Array {
  if (rows * cols !== pixels.length) throw new FitsError('BAD_ARGUMENT', `HCOMPRESS tile ${rows} × ${cols} for ${pixels.length} pixels.`);
  if (!Number.isInteger(scale) || scale < 0) throw new FitsError('BAD_ARGUMENT', `HCOMPRESS scale must be a non-negative integer, got ${scale}.`);
  const nx = rows;
  const ny = cols;
  const a = Float64Array.from(pixels as ArrayLike<number>);
  htrans(a, nx, ny);
  digitize(a, scale);
  const out = new ByteOut();
  out.push(0xdd);
  out.push(0x99);
  writeInt(out, nx);
  writeInt(out, ny);
  writeInt(out, scale);
  // Sum of all pixels (the only value that does not compress well), as a 64-bit integer.
  const first = BigInt.asUintN(64, BigInt(a[0]!));
  for (let s = 56n; s >= 0n; s -= 8n) out.push(Number((first >> s) & 0xffn));
  a[0] = 0;
  const nel = nx * ny;
  const signbits = new Uint8Array(((nel + 7) >> 3) + 1);
  let nsign = 0;
  let bitsToGo = 8;
  for (let i = 0; i < nel; i++) {
    const v = a[i]!;
    if (v > 0) {
      signbits[nsign] = signbits[nsign]! << 1;
      bitsToGo--;
    } else if (v < 0) {
      signbits[nsign] = (signbits[nsign]! << 1) | 1;
      bitsToGo--;
      a[i] = -v;
    }
    if (bitsToGo === 0) {
      bitsToGo = 8;
      nsign++;
    }
  }
  if (bitsToGo !== 8) {
    signbits[nsign] = signbits[nsign]! << bitsToGo;
    nsign++;
  }
  const vmax = [0, 0, 0];
  const nx2 = (nx + 1) >> 1;
  const ny2 = (ny + 1) >> 1;
  let j = 0;
  let k = 0;
  for (let i = 0; i < nel; i++) {
    const q = (j >= ny2 ? 1 : 0) + (k >= nx2 ? 1 : 0);
    if (vmax[q]! < a[i]!) vmax[q] = a[i]!;
    if (++j >= ny) {
      j = 0;
      k++;
    }
  }
  const nbitplanes = vmax.map((v) => {
    let nb = 0;
    while (v > 0) {
      v = Math.floor(v / 2);
      nb++;
    }
    return nb;
  });
  for (const nb of nbitplanes) out.push(nb);
  const enc = new Encoder(out);
  enc.startBits();
  enc.qtreeEncode(a, 0, ny, nx2, ny2, nbitplanes[0]!);
  enc.qtreeEncode(a, ny2, ny, nx2, ny >> 1, nbitplanes[1]!);
  enc.qtreeEncode(a, ny * nx2, ny, nx >> 1, ny2, nbitplanes[1]!);
  enc.qtreeEncode(a, ny * nx2 + ny2, ny, nx >> 1, ny >> 1, nbitplanes[2]!);
  enc.outputNbits(0, 4);
  enc.doneBits();
  for (let i = 0; i < nsign; i++) out.push(signbits[i]!);
  return out.buf.slice(0, out.n);
}
