/**
 * Variable-length arrays (P and Q descriptors): descriptors from the rows,
 * checked against the heap, then only the heap bytes of the requested cells,
 * read in coalesced spans and converted to one native array plus offsets.
 */
import { FitsError } from '../../core/errors.js';
import type { ByteSource } from '../../core/byte-source.js';
import { swapInPlace } from '../../image/convert.js';
import { allocateBuffer } from '../../core/buffers.js';
import type { ColumnArray } from '../column.js';
import type { ElementCode } from './binary-layout.js';
import { ValidityBuilder } from './gather.js';
import { readBytes } from './row-blocks.js';

const ELEMENT_BYTES: Record<ElementCode, number> = { L: 1, X: 1, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16 };

/** Heap bytes taken by an array of `count` elements (X counts bits). */
export function heapBytes(code: ElementCode, count: number): number {
  return code === 'X' ? Math.ceil(count / 8) : count * ELEMENT_BYTES[code];
}

/** The descriptors of one variable-length column over a range of rows. */
export interface VlaDescriptors {
  /** Elements per row (bits for PX, bytes for PA, complex numbers for PC/PM). */
  readonly counts: Float64Array;
  /** Byte offset of each row's array from the start of the heap. */
  readonly heapOffsets: Float64Array;
}

/** Where the heap is and how big; `hdu` and `dataOffset` locate errors. */
export interface HeapLocation {
  hdu: number;
  /** File offset of the heap's first byte. */
  fileOffset: number;
  /** Bytes in the heap (from THEAP to the end of the declared data). */
  size: number;
}

/**
 * Copy descriptors of `n` rows (field at byte `pos`, P: two int32, Q: two
 * int64) into `counts`/`heapOffsets` from index `at`, checking each array lies
 * inside the heap. `fileOffset` is the file position of byte 0 of `dv`.
 */
export function gatherDescriptors(
  dv: DataView, pos: number, rowBytes: number, n: number, q: boolean, code: ElementCode,
  counts: Float64Array, heapOffsets: Float64Array, at: number, heap: HeapLocation, fileOffset: number,
): void {
  for (let i = 0, s = pos, j = at; i < n; i++, s += rowBytes, j++) {
    let count: number, offset: number;
    if (q) {
      const ch = dv.getUint32(s), ob = dv.getUint32(s + 8);
      // Anything at or beyond 2^53 cannot be a real heap position; treat as out of range.
      count = ch >= 0x200000 ? Infinity : ch * 4294967296 + dv.getUint32(s + 4);
      offset = ob >= 0x200000 ? Infinity : ob * 4294967296 + dv.getUint32(s + 12);
    } else {
      count = dv.getInt32(s);
      offset = dv.getInt32(s + 4);
    }
    const bytes = heapBytes(code, count);
    if (count < 0 || offset < 0 || !(offset + bytes <= heap.size)) {
      throw new FitsError(
        'CORRUPT_DATA',
        `A variable-length array descriptor (${count} elements at heap byte ${offset}) points outside the ${heap.size}-byte heap.`,
        { hdu: heap.hdu, offset: fileOffset + s },
      );
    }
    counts[j] = count;
    heapOffsets[j] = count === 0 ? 0 : offset;
  }
}

/** A variable-length column's values: row i is `data[offsets[i] .. offsets[i+1])` (complex: in complex elements). */
export interface VlaArrays {
  data: ColumnArray;
  offsets: Int32Array | Float64Array;
  validity?: Uint8Array;
}

const GAP_BYTES = 64 << 10; // read across gaps smaller than this rather than issue another read
const SPAN_BYTES = 4 << 20; // largest coalesced read

function allocateData(code: ElementCode, total: number): ColumnArray {
  const n = code === 'C' || code === 'M' ? 2 * total : total;
  const width = code === 'C' ? 4 : code === 'M' ? 8 : code === 'X' ? 1 : ELEMENT_BYTES[code];
  const buf = allocateBuffer(n * width);
  switch (code) {
    case 'I': return new Int16Array(buf);
    case 'J': return new Int32Array(buf);
    case 'K': return new BigInt64Array(buf);
    case 'E': case 'C': return new Float32Array(buf);
    case 'D': case 'M': return new Float64Array(buf);
    default: return new Uint8Array(buf);
  }
}

/** Rows with a non-empty array, in heap order (usually already sorted, then no sort is done). */
function heapOrder(d: VlaDescriptors): Uint32Array {
  const n = d.counts.length;
  let m = 0;
  for (let i = 0; i < n; i++) if (d.counts[i]! > 0) m++;
  const order = new Uint32Array(m);
  let sorted = true;
  let last = -1;
  for (let i = 0, k = 0; i < n; i++) {
    if (d.counts[i]! === 0) continue;
    order[k++] = i;
    if (d.heapOffsets[i]! < last) sorted = false;
    last = d.heapOffsets[i]!;
  }
  if (!sorted) order.sort((a, b) => d.heapOffsets[a]! - d.heapOffsets[b]!);
  return order;
}

/**
 * Read the arrays the descriptors point to (only those bytes of the heap) into
 * one native array with offsets. L elements become 0/1 with nulls for bytes
 * other than 'T'/'F'; X arrays one 0/1 byte per bit; A arrays stay raw bytes.
 */
export async function readVlaArrays(source: ByteSource, heap: HeapLocation, code: ElementCode, d: VlaDescriptors): Promise<VlaArrays> {
  const n = d.counts.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += d.counts[i]!;
  if (!Number.isSafeInteger(total)) throw new FitsError('BAD_SIZE', `The variable-length arrays hold an absurd number of elements (${total}).`, { hdu: heap.hdu });
  const offsets = total <= 0x7fffffff ? new Int32Array(n + 1) : new Float64Array(n + 1);
  for (let i = 0, o = 0; i < n; i++) {
    offsets[i] = o;
    o += d.counts[i]!;
    offsets[i + 1] = o;
  }
  const data = allocateData(code, total);
  const out = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const elementBytes = ELEMENT_BYTES[code];
  const order = heapOrder(d);
  for (let a = 0; a < order.length; ) {
    // Coalesce cells that are close together on the heap into one read.
    const first = order[a]!;
    const spanStart = d.heapOffsets[first]!;
    let spanEnd = spanStart + heapBytes(code, d.counts[first]!);
    let b = a + 1;
    while (b < order.length) {
      const r = order[b]!;
      const start = d.heapOffsets[r]!;
      const end = Math.max(spanEnd, start + heapBytes(code, d.counts[r]!));
      if (start > spanEnd + GAP_BYTES || end - spanStart > SPAN_BYTES) break;
      spanEnd = end;
      b++;
    }
    const span = await readBytes(source, heap.fileOffset + spanStart, spanEnd - spanStart, undefined, heap.hdu);
    for (let k = a; k < b; k++) {
      const r = order[k]!;
      const at = d.heapOffsets[r]! - spanStart;
      const count = d.counts[r]!;
      if (code === 'X') {
        const o = offsets[r]!;
        for (let bit = 0; bit < count; bit++) out[o + bit] = (span[at + (bit >>> 3)]! >>> (7 - (bit & 7))) & 1;
      } else {
        out.set(span.subarray(at, at + count * elementBytes), offsets[r]! * elementBytes);
      }
    }
    a = b;
  }
  const result: VlaArrays = { data, offsets };
  if (code === 'L') {
    const validity = new ValidityBuilder(total);
    for (let i = 0; i < total; i++) {
      const c = out[i]!;
      out[i] = c === 0x54 ? 1 : 0;
      if (c !== 0x54 && c !== 0x46) validity.setNull(i);
    }
    result.validity = validity.finish();
  } else if (data.BYTES_PER_ELEMENT > 1) {
    swapInPlace(data.buffer, data.byteOffset, data.length, data.BYTES_PER_ELEMENT);
  }
  return result;
}
