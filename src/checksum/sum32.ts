/**
 * The FITS checksum arithmetic: a 32-bit ones' complement sum of big-endian
 * 32-bit words (FITS Checksum convention, Seaman et al.). Pure.
 */

/** Running ones' complement sum, kept as two 16-bit halves with deferred carries. */
export class OnesComplementSum {
  private hi = 0;
  private lo = 0;

  constructor(initial = 0) {
    this.hi = initial >>> 16;
    this.lo = initial & 0xffff;
  }

  /** Add bytes (length a multiple of 4; data is always block-padded). */
  add(bytes: Uint8Array): void {
    const n = bytes.length >>> 2;
    let hi = this.hi;
    let lo = this.lo;
    if ((bytes.byteOffset & 3) === 0) {
      // Native words are little-endian on every host we run on; byte i of the
      // big-endian word is byte i of memory, so split it without a full swap.
      const u = new Uint32Array(bytes.buffer, bytes.byteOffset, n);
      for (let i = 0; i < n; i++) {
        const x = u[i]!;
        hi += ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
        lo += ((x >>> 8) & 0xff00) | (x >>> 24);
        if ((i & 0xffff) === 0xffff) {
          // keep the accumulators far below 2^53
          [hi, lo] = fold(hi, lo);
        }
      }
    } else {
      for (let i = 0; i < n * 4; i += 4) {
        hi += (bytes[i]! << 8) | bytes[i + 1]!;
        lo += (bytes[i + 2]! << 8) | bytes[i + 3]!;
      }
    }
    [this.hi, this.lo] = fold(hi, lo);
  }

  /** The 32-bit sum (unsigned). */
  get value(): number {
    const [hi, lo] = fold(this.hi, this.lo);
    return ((hi << 16) | lo) >>> 0;
  }
}

function fold(hi: number, lo: number): [number, number] {
  while (hi > 0xffff || lo > 0xffff) {
    const hc = Math.floor(hi / 65536);
    const lc = Math.floor(lo / 65536);
    hi = (hi % 65536) + lc;
    lo = (lo % 65536) + hc;
  }
  return [hi, lo];
}

/** Ones' complement addition of two 32-bit sums. */
export function addSums(a: number, b: number): number {
  const s = new OnesComplementSum(a);
  const bytes = new Uint8Array([b >>> 24, (b >>> 16) & 0xff, (b >>> 8) & 0xff, b & 0xff]);
  s.add(bytes);
  return s.value;
}

const EXCLUDE = [0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60];

/**
 * Encode a 32-bit sum as the 16-character CHECKSUM string (ones' complement
 * taken by the caller when needed), per the checksum convention's ASCII encoding.
 */
export function encodeChecksum(sum: number, complement = true): string {
  const value = complement ? ~sum >>> 0 : sum >>> 0;
  const asc = new Array<number>(16);
  const bytes = [value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
  for (let i = 0; i < 4; i++) {
    const q = Math.floor(bytes[i]! / 4);
    const r = bytes[i]! % 4;
    const ch = [q + r, q, q, q];
    let check = true;
    while (check) {
      check = false;
      for (const ex of EXCLUDE) {
        for (let j = 0; j < 4; j += 2) {
          if (ch[j]! + 0x30 === ex || ch[j + 1]! + 0x30 === ex) {
            ch[j]!++;
            ch[j + 1]!--;
            check = true;
          }
        }
      }
    }
    for (let j = 0; j < 4; j++) asc[4 * j + i] = ch[j]! + 0x30;
  }
  // rotate right by one character, as the convention specifies
  const out = new Array<number>(16);
  for (let i = 0; i < 16; i++) out[i] = asc[(i + 15) % 16]!;
  return String.fromCharCode(...out);
}
