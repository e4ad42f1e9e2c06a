/**
 * Decoding one column of one tile of a compressed table, and one compressed
 * variable-length array, back to the bytes the uncompressed table stores
 * (big-endian, as in its rows and heap). The layouts are described in info.ts.
 */
import { FitsError } from '../core/errors.js';
import type { Inflater } from '../core/runtime.js';
import { allocateBuffer } from '../core/buffers.js';
import { gzip1Decode, gzip2Decode } from '../codecs/gzip/decode.js';
import { riceDecode } from '../codecs/rice/decode.js';
import { heapBytes } from '../table/read/heap.js';
import type { CompressedColumn } from './info.js';

/** Rice block size of compressed tables (fits_compress_table always uses 32). */
const RICE_BLOCK = 32;

/** Rice-decode `count` values of `bytes` (1, 2 or 4) into `out` as big-endian bytes. */
function riceToBigEndian(src: Uint8Array, out: Uint8Array, bytes: number, tile: number | undefined): void {
  const count = out.length / bytes;
  if (bytes === 1) {
    riceDecode(src, out, RICE_BLOCK, tile);
    return;
  }
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  if (bytes === 2) {
    const v = new Int16Array(count);
    riceDecode(src, v, RICE_BLOCK, tile);
    for (let i = 0; i < count; i++) dv.setInt16(2 * i, v[i]!);
  } else {
    const v = new Int32Array(count);
    riceDecode(src, v, RICE_BLOCK, tile);
    for (let i = 0; i < count; i++) dv.setInt32(4 * i, v[i]!);
  }
}

function riceBytes(col: CompressedColumn): number {
  const c = col.spec.elementCode;
  return c === 'I' ? 2 : c === 'J' ? 4 : 1;
}

/**
 * Decode column `col` of tile `tile` (`rows` rows) from its compressed bytes:
 * the rows' fields one after another (`rows × spec.width` bytes); for a
 * variable-length column followed by one 16-byte Q descriptor per row (the
 * row's compressed array in the compressed heap).
 */
export function decodeTileColumn(col: CompressedColumn, rows: number, src: Uint8Array, inflate: Inflater, hdu: number, tile: number): Uint8Array {
  const size = rows * col.tileRowBytes;
  const out = new Uint8Array(allocateBuffer(size));
  const at = { hdu, tile };
  const n = col.spec.index + 1;
  try {
    if (col.codec === 'NOCOMPRESS') {
      if (src.length !== size) throw new FitsError('CORRUPT_DATA', `Column ${n}: an uncompressed tile of ${src.length} bytes, expected ${size}.`, at);
      out.set(src);
    } else if (col.spec.variable) {
      // The descriptors are gzipped whatever the column's algorithm.
      gzip1Decode(src, out, tile, inflate);
    } else if (col.codec === 'RICE_1') {
      riceToBigEndian(src, out, riceBytes(col), tile);
    } else if (col.codec === 'GZIP_2' && col.shuffle > 1) {
      gzip2Decode(src, out, col.shuffle, tile, inflate);
    } else {
      gzip1Decode(src, out, tile, inflate);
    }
  } catch (e) {
    if (e instanceof FitsError && e.hdu === undefined) throw new FitsError(e.code, `Column ${n} (${col.spec.name}): ${e.message}`, { ...at, cause: e });
    throw e;
  }
  return out;
}

/**
 * Decode one variable-length array of `count` elements from its compressed
 * bytes to the bytes the uncompressed heap holds (`heapBytes` of them).
 */
export function decodeArray(col: CompressedColumn, count: number, src: Uint8Array, inflate: Inflater, hdu: number, row: number): Uint8Array {
  const code = col.spec.elementCode;
  const size = heapBytes(code, count);
  const n = col.spec.index + 1;
  if (size === 0) return new Uint8Array(0);
  if (src.length === 0) {
    const why = code === 'X' ? ' fpack stores no bytes for variable-length bit arrays (PX): these bits are not in the file (funpack restores zeros)' : '';
    throw new FitsError('CORRUPT_DATA', `Column ${n} (${col.spec.name}), row ${row + 1}: the compressed array of ${count} elements is empty.${why}`, { hdu });
  }
  // Arrays that did not get smaller are stored as they are.
  if (src.length === size) return src.slice();
  const out = new Uint8Array(allocateBuffer(size));
  try {
    if (col.codec === 'NOCOMPRESS') {
      throw new FitsError('CORRUPT_DATA', `an uncompressed array of ${src.length} bytes, expected ${size}`);
    } else if (col.codec === 'RICE_1') {
      riceToBigEndian(src, out, riceBytes(col), undefined);
    } else {
      const w = col.arrayElementBytes;
      if (col.codec === 'GZIP_2' && (w === 2 || w === 4 || w === 8)) gzip2Decode(src, out, w, undefined, inflate);
      else gzip1Decode(src, out, undefined, inflate);
    }
  } catch (e) {
    if (e instanceof FitsError && e.hdu === undefined) throw new FitsError(e.code, `Column ${n} (${col.spec.name}), row ${row + 1}: ${e.message}`, { hdu, cause: e });
    throw e;
  }
  return out;
}
