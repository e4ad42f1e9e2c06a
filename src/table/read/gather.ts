/**
 * The hot loops of table reading: copy one column's fields out of a block of
 * row-major big-endian records into a native typed array. One monomorphic
 * loop per element width; DataView big-endian loads (inlined by V8) do the
 * byte swap on the way, integers keep every bit (NaN payloads included).
 *
 * Every kernel reads `n` rows starting at byte `pos` of the block, `rowBytes`
 * apart, `perRow` elements per row, and writes output elements from index `at`.
 */
import { littleEndianHost } from '../../core/buffers.js';

/** Bytes. */
export function gather8(src: Uint8Array, pos: number, rowBytes: number, n: number, perRow: number, out: Uint8Array, at: number): void {
  if (perRow === 1) {
    for (let i = 0, s = pos, j = at; i < n; i++, s += rowBytes, j++) out[j] = src[s]!;
    return;
  }
  if (perRow >= 32) {
    for (let i = 0, s = pos, j = at; i < n; i++, s += rowBytes, j += perRow) out.set(src.subarray(s, s + perRow), j);
    return;
  }
  for (let i = 0, s = pos, j = at; i < n; i++, s += rowBytes) for (let k = 0; k < perRow; k++) out[j++] = src[s + k]!;
}

/** 16-bit elements, big-endian in, native out. */
export function gather16(dv: DataView, pos: number, rowBytes: number, n: number, perRow: number, out: Uint16Array, at: number): void {
  if (perRow === 1) {
    for (let i = 0, s = pos, j = at; i < n; i++, s += rowBytes, j++) out[j] = dv.getUint16(s);
    return;
  }
  for (let i = 0, s = pos, j = at; i < n; i++, s += rowBytes) for (let k = 0, p = s; k < perRow; k++, p += 2) out[j++] = dv.getUint16(p);
}

/** 32-bit elements. */
export function gather32(dv: DataView, pos: number, rowBytes: number, n: number, perRow: number, out: Uint32Array, at: number): void {
  if (perRow === 1) {
    for (let i = 0, s = pos, j = at; i < n; i++, s += rowBytes, j++) out[j] = dv.getUint32(s);
    return;
  }
  for (let i = 0, s = pos, j = at; i < n; i++, s += rowBytes) for (let k = 0, p = s; k < perRow; k++, p += 4) out[j++] = dv.getUint32(p);
}

/** 64-bit elements, as pairs of 32-bit words (`out` is a Uint32Array view; `at` counts 64-bit elements). */
export function gather64(dv: DataView, pos: number, rowBytes: number, n: number, perRow: number, out: Uint32Array, at: number): void {
  if (!littleEndianHost) {
    gather32(dv, pos, rowBytes, n, 2 * perRow, out, 2 * at);
    return;
  }
  // Little-endian host: the high word (first in the file) goes second. Literal indices keep the loop tight.
  if (perRow === 1) {
    for (let i = 0, s = pos, j = 2 * at; i < n; i++, s += rowBytes, j += 2) {
      out[j + 1] = dv.getUint32(s);
      out[j] = dv.getUint32(s + 4);
    }
    return;
  }
  for (let i = 0, s = pos, j = 2 * at; i < n; i++, s += rowBytes) {
    for (let k = 0, p = s; k < perRow; k++, p += 8, j += 2) {
      out[j + 1] = dv.getUint32(p);
      out[j] = dv.getUint32(p + 4);
    }
  }
}

/** Stored value of element at byte p as a double (int64 rounded once, to nearest, ties to even). */
type RawReader = (dv: DataView, p: number) => number;
const RAW_READERS: Record<string, { read: RawReader; bytes: number }> = {
  B: { read: (dv, p) => dv.getUint8(p), bytes: 1 },
  I: { read: (dv, p) => dv.getInt16(p), bytes: 2 },
  J: { read: (dv, p) => dv.getInt32(p), bytes: 4 },
  K: { read: (dv, p) => dv.getInt32(p) * 4294967296 + dv.getUint32(p + 4), bytes: 8 },
  E: { read: (dv, p) => dv.getFloat32(p), bytes: 4 },
  D: { read: (dv, p) => dv.getFloat64(p), bytes: 8 },
};

/**
 * `f64(raw) * tscal + tzero` in double precision, the multiplication skipped
 * when TSCAL = 1 and the addition when TZERO = 0 (as astropy: −0.0 stays −0.0).
 */
export function gatherScaled(
  dv: DataView, pos: number, rowBytes: number, n: number, perRow: number, code: string, tscal: number, tzero: number, out: Float64Array, at: number,
): void {
  const bytes = RAW_READERS[code]!.bytes;
  const total = n * perRow;
  // First the raw values (one loop per type keeps each loop monomorphic), then the arithmetic.
  for (let i = 0, s = pos, j = at; i < n; i++, s += rowBytes) {
    let p = s;
    const end = j + perRow;
    switch (code) {
      case 'B': for (; j < end; j++, p += bytes) out[j] = dv.getUint8(p); break;
      case 'I': for (; j < end; j++, p += bytes) out[j] = dv.getInt16(p); break;
      case 'J': for (; j < end; j++, p += bytes) out[j] = dv.getInt32(p); break;
      case 'K': for (; j < end; j++, p += bytes) out[j] = dv.getInt32(p) * 4294967296 + dv.getUint32(p + 4); break;
      case 'E': for (; j < end; j++, p += bytes) out[j] = dv.getFloat32(p); break;
      default: for (; j < end; j++, p += bytes) out[j] = dv.getFloat64(p); break;
    }
  }
  if (tscal !== 1) for (let j = at; j < at + total; j++) out[j] = out[j]! * tscal;
  if (tzero !== 0) for (let j = at; j < at + total; j++) out[j] = out[j]! + tzero;
}

/** One bit per element, 1 = valid, LSB first (Arrow); allocated at the first null. */
export class ValidityBuilder {
  private bits: Uint8Array | null = null;
  constructor(readonly length: number) {}

  setNull(i: number): void {
    if (!this.bits) this.bits = new Uint8Array(Math.ceil(this.length / 8)).fill(0xff);
    this.bits[i >>> 3]! &= ~(1 << (i & 7));
  }

  /** The bitmap, or undefined when every element is valid. */
  finish(): Uint8Array | undefined {
    return this.bits ?? undefined;
  }
}

/** Logical fields: 'T' → 1, 'F' → 0, anything else → 0 and null. */
export function gatherLogical(src: Uint8Array, pos: number, rowBytes: number, n: number, perRow: number, out: Uint8Array, at: number, validity: ValidityBuilder): void {
  for (let i = 0, s = pos, j = at; i < n; i++, s += rowBytes) {
    for (let k = 0; k < perRow; k++, j++) {
      const c = src[s + k]!;
      if (c === 0x54) out[j] = 1;
      else {
        out[j] = 0;
        if (c !== 0x46) validity.setNull(j);
      }
    }
  }
}

/** Bit fields (X): `nbits` bits per row, most significant bit of the first byte first, one output byte per bit. */
export function gatherBits(src: Uint8Array, pos: number, rowBytes: number, n: number, nbits: number, out: Uint8Array, at: number): void {
  for (let i = 0, s = pos, j = at; i < n; i++, s += rowBytes) {
    for (let k = 0; k < nbits; k++) out[j++] = (src[s + (k >>> 3)]! >>> (7 - (k & 7))) & 1;
  }
}

/** Mark elements whose stored integer equals TNULL as null (values are left as they are). */
export function markNulls(
  dv: DataView, pos: number, rowBytes: number, n: number, perRow: number, code: string, tnull: number | bigint, validity: ValidityBuilder, at: number,
): void {
  if (code === 'K') {
    const t = BigInt.asUintN(64, BigInt(tnull));
    const hi = Number(t >> 32n);
    const lo = Number(t & 0xffffffffn);
    for (let i = 0, s = pos, j = at; i < n; i++, s += rowBytes) {
      for (let k = 0, p = s; k < perRow; k++, p += 8, j++) if (dv.getUint32(p) === hi && dv.getUint32(p + 4) === lo) validity.setNull(j);
    }
    return;
  }
  const t = Number(tnull);
  const { read, bytes } = RAW_READERS[code]!;
  for (let i = 0, s = pos, j = at; i < n; i++, s += rowBytes) {
    for (let k = 0, p = s; k < perRow; k++, p += bytes, j++) if (read(dv, p) === t) validity.setNull(j);
  }
}
