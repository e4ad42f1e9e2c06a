/**
 * HCOMPRESS_1 tile decoder: a TypeScript port of CFITSIO's `fits_hdecompress`
 * and `fits_hdecompress64` (R. White's H-transform codec, STScI).
 *
 * Stream layout (all integers big-endian):
 *
 * | bytes | content |
 * |---|---|
 * | 2 | magic `DD 99` |
 * | 4 | number of rows (the tile's ZTILE2 extent, the slow axis) |
 * | 4 | row length (the tile's ZTILE1 extent, the fast axis) |
 * | 4 | digitization scale (0 or 1 = lossless) |
 * | 8 | the H-transform's h0 coefficient ("sum of all pixels" in CFITSIO) |
 * | 3 | bit-plane counts of the three coefficient quadrant classes |
 * | … | quadtree-coded bit planes of the four quadrants, an EOF nybble 0, then sign bits starting at the next byte |
 *
 * Axis naming: CFITSIO's hcompress code calls the slow axis "x" (nx) and the fast
 * axis "y" (ny), the reverse of FITS usage. The internal helpers below keep
 * CFITSIO's x/y words for the transform coefficients (hx, hy, nxtop, nytop) but
 * name the extents `rows` and `cols`. The exported result uses FITS usage:
 * `nx` = row length (ZTILE1), `ny` = number of rows (ZTILE2).
 *
 * Arithmetic: CFITSIO runs the 32-bit variant for ZBITPIX 8/16 tiles and the
 * 64-bit one (LONGLONG) for ZBITPIX 32 and quantized float tiles, where h0 and
 * the inverse-transform sums exceed 32 bits (h0 of an int32 tile is about
 * pixel × 2^(log2(tile side)+1)). This decoder computes every coefficient in
 * float64, exact for magnitudes below 2^53, so it matches the 64-bit variant
 * for every stream and the 32-bit one whenever that one does not overflow
 * (checked for extreme int16 tiles up to 8192 pixels wide; wider ones overflow
 * inside CFITSIO's own 32-bit encoder and decoder).
 * Bit operations on coefficients use JS int32 bitwise operators, which act on
 * the value modulo 2^32 and therefore give the exact low bits of any integer
 * double; bit masks stay below 2^31 because tile sides are limited to 2^29.
 * A WGSL twin (no 64-bit integers) must emulate the places marked "> 32 bits".
 *
 * @module
 */
import { FitsError } from '../../core/errors.js';

/** What an HCOMPRESS_1 stream declares about its tile. */
export interface HcompressTileInfo {
  /** Row length: pixels along the fast axis (the tile's ZTILE1 extent). */
  nx: number;
  /** Number of rows (the tile's ZTILE2 extent). */
  ny: number;
  /** Digitization scale stored in the stream (0 or 1 means lossless). */
  scale: number;
}

const MAGIC_0 = 0xdd;
const MAGIC_1 = 0x99;
const HEADER_BYTES = 25;
/** Bit planes beyond this cannot be summed exactly in a double (and no real tile needs them). */
const MAX_BITPLANES = 52;
/** Keeps every rounding mask (up to 2^(log2n+1)) within int32 bitwise range. */
const MAX_SIDE = 1 << 29;
/** Scratch buffers up to this many coefficients are kept between calls. */
const POOL_LIMIT = 1 << 22;

// Fixed Huffman code of the 4-bit quadtree symbols, as in CFITSIO's input_huffman:
// symbol v has code CODES[v] of LENGTHS[v] bits. Indexed by the next 6 stream bits,
// each entry holds symbol | (code length << 4).
const HUFFMAN_CODES = [0x3e, 0x00, 0x01, 0x08, 0x02, 0x09, 0x1a, 0x1b, 0x03, 0x1c, 0x0a, 0x1d, 0x0b, 0x1e, 0x3f, 0x0c];
const HUFFMAN_LENGTHS = [6, 3, 3, 4, 3, 4, 5, 5, 3, 5, 4, 5, 4, 5, 6, 4];
const HUFFMAN_TABLE = buildHuffmanTable();

function buildHuffmanTable(): Uint8Array {
  const table = new Uint8Array(64);
  for (let symbol = 0; symbol < 16; symbol++) {
    const length = HUFFMAN_LENGTHS[symbol];
    const first = HUFFMAN_CODES[symbol] << (6 - length);
    for (let i = 0; i < 1 << (6 - length); i++) table[first + i] = symbol | (length << 4);
  }
  return table;
}

// Scratch buffers reused across calls (tiles are decoded one at a time per thread).
let coefficientPool: Float64Array = new Float64Array(0);
let levelPoolA: Float64Array = new Float64Array(0);
let levelPoolB: Float64Array = new Float64Array(0);
let planePool: Int32Array = new Int32Array(0);

/**
 * The non-zero codes of one quadtree level, in descending row-major order
 * (the order CFITSIO reads them in).
 */
class SparseLevel {
  rows: Int32Array = new Int32Array(0);
  cols: Int32Array = new Int32Array(0);
  codes: Uint8Array = new Uint8Array(0);

  reserve(n: number): void {
    if (this.rows.length >= n) return;
    this.rows = new Int32Array(n);
    this.cols = new Int32Array(n);
    this.codes = new Uint8Array(n);
  }

  /** Drops buffers grown for an unusually large tile. */
  release(): void {
    if (this.rows.length <= POOL_LIMIT) return;
    this.rows = new Int32Array(0);
    this.cols = new Int32Array(0);
    this.codes = new Uint8Array(0);
  }
}

const levelCodesA = new SparseLevel();
const levelCodesB = new SparseLevel();

/**
 * SPREAD[code] puts the four flags of a 2×2 block's 4-bit code into the low
 * bit of four bytes: byte 0 = top-left (code bit 3), 1 = top-right (bit 2),
 * 2 = bottom-left (bit 1), 3 = bottom-right (bit 0). Shifted left by
 * bit % 8 it ORs one bit plane into all four pixels of the block at once.
 */
const SPREAD = buildSpreadTable();

function buildSpreadTable(): Int32Array {
  const table = new Int32Array(16);
  for (let code = 0; code < 16; code++) {
    table[code] = ((code >> 3) & 1) | (((code >> 2) & 1) << 8) | (((code >> 1) & 1) << 16) | ((code & 1) << 24);
  }
  return table;
}

function corrupt(message: string, tile: number | undefined): FitsError {
  return new FitsError('CORRUPT_DATA', `HCOMPRESS_1: ${message}`, { tile });
}

/**
 * MSB-first bit reader over the compressed bytes. Bytes past the end read as
 * zero so the hot paths need no bounds test; {@link BitReader.checkOverrun}
 * turns any use of them into CORRUPT_DATA, and callers invoke it at least once
 * per bit plane so the work done on phantom bytes stays bounded. The hot loops
 * copy `buffer`, `avail` and `pos` into locals and store them back.
 */
class BitReader {
  /** Next byte to load into `buffer`. */
  pos: number;
  /** The low `avail` bits of `buffer` are unread stream bits, oldest highest. */
  buffer = 0;
  avail = 0;

  constructor(
    readonly src: Uint8Array,
    start: number,
    private readonly tile: number | undefined,
  ) {
    this.pos = start;
  }

  nybble(): number {
    if (this.avail < 4) {
      const src = this.src;
      while (this.avail <= 24) {
        const p = this.pos++;
        this.buffer = (this.buffer << 8) | (p < src.length ? src[p] : 0);
        this.avail += 8;
      }
    }
    this.avail -= 4;
    return (this.buffer >>> this.avail) & 15;
  }

  /** One quadtree symbol (0..15) in CFITSIO's fixed Huffman code. */
  huffman(): number {
    if (this.avail < 6) {
      const src = this.src;
      while (this.avail <= 24) {
        const p = this.pos++;
        this.buffer = (this.buffer << 8) | (p < src.length ? src[p] : 0);
        this.avail += 8;
      }
    }
    const entry = HUFFMAN_TABLE[(this.buffer >>> (this.avail - 6)) & 63];
    this.avail -= entry >> 4;
    return entry & 15;
  }

  /** Byte offset just after the last bit consumed (CFITSIO's `nextchar`). */
  byteEnd(): number {
    return Math.ceil((this.pos * 8 - this.avail) / 8);
  }

  checkOverrun(): void {
    if (this.pos * 8 - this.avail > this.src.length * 8) throw corrupt('stream ends inside the bit planes', this.tile);
  }
}

/**
 * Decodes one HCOMPRESS_1 tile into `out` (row-major, the row length `nx`
 * varying fastest), like CFITSIO's `fits_hdecompress64` followed by its cast
 * to 32-bit integers.
 *
 * @param src - the tile's compressed bytes as stored in the heap; not modified.
 * @param out - receives the `nx·ny` pixels; its length must equal `nx·ny` from the stream.
 * @param smooth - the tile-compression parameter SMOOTH (ZNAME/ZVAL): when true the
 *   inverse H-transform interpolates coefficients (`hsmooth`), as CFITSIO does on reading.
 * @param tile - tile index reported in errors.
 * @returns the tile shape and scale declared by the stream.
 * @throws FitsError `CORRUPT_DATA` when the stream is malformed, truncated or its
 *   shape disagrees with `out.length`.
 */
export function hcompressDecode(src: Uint8Array, out: Int32Array, smooth: boolean, tile?: number): HcompressTileInfo {
  if (src.length < HEADER_BYTES) throw corrupt(`stream of ${src.length} bytes is shorter than its ${HEADER_BYTES}-byte header`, tile);
  if (src[0] !== MAGIC_0 || src[1] !== MAGIC_1) throw corrupt('bad magic code', tile);
  const rows = readInt32(src, 2);
  const cols = readInt32(src, 6);
  const scale = readInt32(src, 10);
  if (rows < 1 || cols < 1 || rows * cols !== out.length) {
    throw corrupt(`stream declares ${cols}×${rows} pixels but the tile holds ${out.length}`, tile);
  }
  if (rows > MAX_SIDE || cols > MAX_SIDE) throw corrupt(`tile side ${Math.max(rows, cols)} is too large`, tile);
  // h0 is a signed 64-bit integer (> 32 bits); keep it only if a double holds it exactly.
  const h0High = readInt32(src, 14);
  if (h0High >= 1 << 21 || h0High < -(1 << 21)) throw corrupt('h0 coefficient exceeds 2^53', tile);
  const h0 = h0High * 4294967296 + readUint32(src, 18);
  const planes0 = src[22];
  const planes1 = src[23];
  const planes2 = src[24];
  const maxPlanes = Math.max(planes0, planes1, planes2);
  if (maxPlanes > MAX_BITPLANES) throw corrupt(`bit-plane count ${maxPlanes} exceeds ${MAX_BITPLANES}`, tile);

  const n = rows * cols;
  const a = (coefficientPool = grownFloat64(coefficientPool, n));
  const reader = new BitReader(src, HEADER_BYTES, tile);
  const rows2 = (rows + 1) >> 1;
  const cols2 = (cols + 1) >> 1;
  // The four quadrants of the coefficient array; the two mixed ones share a plane count.
  decodeQuadrant(reader, a, 0, cols, rows2, cols2, planes0, tile);
  decodeQuadrant(reader, a, cols2, cols, rows2, cols >> 1, planes1, tile);
  decodeQuadrant(reader, a, cols * rows2, cols, rows >> 1, cols2, planes1, tile);
  decodeQuadrant(reader, a, cols * rows2 + cols2, cols, rows >> 1, cols >> 1, planes2, tile);
  if (reader.nybble() !== 0) throw corrupt('missing end-of-planes code', tile);
  reader.checkOverrun();
  applySigns(src, reader.byteEnd(), a, n, tile);
  a[0] = h0;
  if (scale > 1) undigitize(a, n, scale);
  inverseHTransform(a, rows, cols, smooth, scale, out);

  if (n > POOL_LIMIT) releaseLargeScratch();
  return { nx: cols, ny: rows, scale };
}

function readInt32(src: Uint8Array, at: number): number {
  return (src[at] << 24) | (src[at + 1] << 16) | (src[at + 2] << 8) | src[at + 3];
}

function readUint32(src: Uint8Array, at: number): number {
  return readInt32(src, at) >>> 0;
}

function grownInt32(pool: Int32Array, n: number): Int32Array {
  return pool.length >= n ? pool : new Int32Array(n);
}

function grownFloat64(pool: Float64Array, n: number): Float64Array {
  return pool.length >= n ? pool : new Float64Array(n);
}

/** Drops scratch grown for an unusually large tile rather than holding it forever. */
function releaseLargeScratch(): void {
  if (coefficientPool.length > POOL_LIMIT) coefficientPool = new Float64Array(0);
  if (levelPoolA.length > POOL_LIMIT) levelPoolA = new Float64Array(0);
  if (levelPoolB.length > POOL_LIMIT) levelPoolB = new Float64Array(0);
  levelCodesA.release();
  levelCodesB.release();
  if (planePool.length > POOL_LIMIT) planePool = new Int32Array(0);
}

/** ceil(log2(n)) for 1 <= n <= 2^30 (CFITSIO's float-log formula gives the same), 0 for n <= 1. */
function ceilLog2(n: number): number {
  let log2n = 0;
  while (1 << log2n < n) log2n++;
  return log2n;
}

/**
 * CFITSIO's qtree_decode + qtree_bitins: decodes `planes` bit planes of one
 * quadrant (`nqx` rows of `nqy` pixels at a[offset], row stride `stride`),
 * most significant first, and writes the magnitudes into `a`. Each plane is a
 * 4-bit code per 2×2 block, either written directly (format nybble 0) or
 * quadtree-coded (0xF).
 */
function decodeQuadrant(
  reader: BitReader,
  a: Float64Array,
  offset: number,
  stride: number,
  nqx: number,
  nqy: number,
  planes: number,
  tile: number | undefined,
): void {
  const blockRows = (nqx + 1) >> 1;
  const blockCols = (nqy + 1) >> 1;
  const blocks = blockRows * blockCols;
  // Plane bits per block, 8 planes per int32 word (see SPREAD); word w of block k at w*blocks + k.
  const words = (planes + 7) >> 3;
  const acc = (planePool = grownInt32(planePool, words * blocks));
  acc.fill(0, 0, words * blocks);
  // A quadtree expands to at least 1×1 even for an empty quadrant, as in CFITSIO.
  const levelSize = Math.max(1, blockRows) * Math.max(1, blockCols);
  levelCodesA.reserve(levelSize);
  levelCodesB.reserve(levelSize);
  const log2n = ceilLog2(Math.max(nqx, nqy));
  for (let bit = planes - 1; bit >= 0; bit--) {
    const format = reader.nybble();
    const base = (bit >> 3) * blocks;
    const shift = bit & 7;
    if (format === 0) {
      accumulateDirectPlane(reader, acc, base, shift, blocks);
    } else if (format !== 0xf) {
      throw corrupt(`bad bit-plane format code ${format}`, tile);
    } else {
      let level = levelCodesA;
      let spare = levelCodesB;
      level.rows[0] = 0;
      level.cols[0] = 0;
      level.codes[0] = reader.huffman();
      let count = level.codes[0] === 0 ? 0 : 1;
      // Sizes of the successive expansions: n[k-1] = ceil(n[k] / 2), n[log2n] = nq.
      let nx = 1;
      let ny = 1;
      let nfx = nqx;
      let nfy = nqy;
      let c = 1 << log2n;
      for (let k = 1; k < log2n && count > 0; k++) {
        c >>= 1;
        nx <<= 1;
        ny <<= 1;
        if (nfx <= c) nx -= 1;
        else nfx -= c;
        if (nfy <= c) ny -= 1;
        else nfy -= c;
        count = expandQuadtree(reader, level, count, spare, nx, ny);
        const swap = level;
        level = spare;
        spare = swap;
      }
      // The last level is one code per 2×2 block of the quadrant (an empty quadrant has none).
      const { rows, cols, codes } = level;
      if (blocks === 0) count = 0;
      for (let e = 0; e < count; e++) acc[base + rows[e] * blockCols + cols[e]] |= SPREAD[codes[e]] << shift;
    }
    reader.checkOverrun();
  }
  unpackPlanes(acc, words, blocks, nqx, nqy, a, offset, stride);
}

/**
 * A directly written plane (CFITSIO's read_bdirect): one 4-bit code per block,
 * ORed into the plane accumulator as it is read, two codes per byte.
 */
function accumulateDirectPlane(reader: BitReader, acc: Int32Array, base: number, shift: number, blocks: number): void {
  const src = reader.src;
  const end = src.length;
  let buffer = reader.buffer;
  let avail = reader.avail;
  let pos = reader.pos;
  let k = 0;
  for (; k + 1 < blocks; k += 2) {
    if (avail < 8) {
      buffer = (buffer << 8) | (pos < end ? src[pos] : 0);
      pos++;
      avail += 8;
    }
    avail -= 8;
    const pair = (buffer >>> avail) & 255;
    acc[base + k] |= SPREAD[pair >> 4] << shift;
    acc[base + k + 1] |= SPREAD[pair & 15] << shift;
  }
  reader.buffer = buffer;
  reader.avail = avail;
  reader.pos = pos;
  if (k < blocks) acc[base + k] |= SPREAD[reader.nybble()] << shift;
}

/**
 * One quadtree level (CFITSIO's qtree_expand): each non-zero 4-bit code of
 * the `parent` level flags which of its 2×2 children in the nx×ny child level
 * are non-zero (bit 3 top-left, 2 top-right, 1 bottom-left, 0 bottom-right),
 * and each flagged child reads its own code. CFITSIO reads them walking the
 * child array backwards (row 2i+1 before row 2i, right to left); visiting the
 * parents of each row in descending order, bottom children then top children,
 * gives that order and leaves the non-zero children in descending order too.
 * Flags for children beyond an odd edge are ignored. Returns the child count.
 */
function expandQuadtree(reader: BitReader, parent: SparseLevel, parentCount: number, child: SparseLevel, nx: number, ny: number): number {
  const src = reader.src;
  const end = src.length;
  let buffer = reader.buffer;
  let avail = reader.avail;
  let pos = reader.pos;
  const { rows: parentRows, cols: parentCols, codes: parentCodes } = parent;
  const { rows: childRows, cols: childCols, codes: childCodes } = child;
  let count = 0;
  let first = 0;
  while (first < parentCount) {
    const parentRow = parentRows[first];
    let last = first + 1;
    while (last < parentCount && parentRows[last] === parentRow) last++;
    // half 1: child row 2i+1, flags 2 (left) and 1 (right); half 0: row 2i, flags 8 and 4.
    for (let half = 2 * parentRow + 1 < nx ? 1 : 0; half >= 0; half--) {
      const row = 2 * parentRow + half;
      const rightFlag = half === 1 ? 1 : 4;
      const leftFlag = rightFlag << 1;
      for (let e = first; e < last; e++) {
        const code = parentCodes[e];
        const col = 2 * parentCols[e];
        if (code & rightFlag && col + 1 < ny) {
          if (avail < 6) {
            while (avail <= 24) {
              buffer = (buffer << 8) | (pos < end ? src[pos] : 0);
              pos++;
              avail += 8;
            }
          }
          const entry = HUFFMAN_TABLE[(buffer >>> (avail - 6)) & 63];
          avail -= entry >> 4;
          if ((entry & 15) !== 0) {
            childRows[count] = row;
            childCols[count] = col + 1;
            childCodes[count++] = entry & 15;
          }
        }
        if (code & leftFlag) {
          if (avail < 6) {
            while (avail <= 24) {
              buffer = (buffer << 8) | (pos < end ? src[pos] : 0);
              pos++;
              avail += 8;
            }
          }
          const entry = HUFFMAN_TABLE[(buffer >>> (avail - 6)) & 63];
          avail -= entry >> 4;
          if ((entry & 15) !== 0) {
            childRows[count] = row;
            childCols[count] = col;
            childCodes[count++] = entry & 15;
          }
        }
      }
    }
    first = last;
  }
  reader.buffer = buffer;
  reader.avail = avail;
  reader.pos = pos;
  return count;
}

/**
 * Turns the quadrant's accumulated plane words into magnitudes in `a`
 * (CFITSIO's qtree_bitins, deferred): pixel (2i+di, 2j+dj) of block (i, j)
 * is byte 2·di+dj of each word, word w holding planes 8w..8w+7. Flags for
 * pixels beyond an odd edge are ignored, as in CFITSIO.
 */
function unpackPlanes(
  acc: Int32Array,
  words: number,
  blocks: number,
  nqx: number,
  nqy: number,
  a: Float64Array,
  offset: number,
  stride: number,
): void {
  const blockCols = (nqy + 1) >> 1;
  for (let i = 0; i < nqx; i += 2) {
    const top = offset + i * stride;
    const hasBottom = i + 1 < nqx;
    const bottom = top + stride;
    for (let j = 0; j < nqy; j += 2) {
      const k = (i >> 1) * blockCols + (j >> 1);
      let tl = 0;
      let tr = 0;
      let bl = 0;
      let br = 0;
      // Planes above 30 make magnitudes > 32 bits: multiply, do not shift.
      for (let w = 0, weight = 1; w < words; w++, weight *= 256) {
        const v = acc[w * blocks + k];
        tl += (v & 255) * weight;
        tr += ((v >>> 8) & 255) * weight;
        bl += ((v >>> 16) & 255) * weight;
        br += (v >>> 24) * weight;
      }
      a[top + j] = tl;
      if (j + 1 < nqy) a[top + j + 1] = tr;
      if (hasBottom) {
        a[bottom + j] = bl;
        if (j + 1 < nqy) a[bottom + j + 1] = br;
      }
    }
  }
}

/**
 * Sign bits: one per non-zero coefficient in array order, starting at the byte
 * after the bit planes (CFITSIO restarts its bit input there).
 */
function applySigns(src: Uint8Array, start: number, a: Float64Array, n: number, tile: number | undefined): void {
  let pos = start;
  let byte = 0;
  let left = 0;
  for (let i = 0; i < n; i++) {
    const v = a[i];
    if (v === 0) continue;
    if (left === 0) {
      if (pos >= src.length) throw corrupt('stream ends inside the sign bits', tile);
      byte = src[pos++];
      left = 8;
    }
    left--;
    // v or -v without a data-dependent branch (sign bits are random).
    a[i] = v - 2 * v * ((byte >> left) & 1);
  }
}

/** CFITSIO's undigitize: multiplies every coefficient by the scale (> 32 bits for lossy int32 tiles). */
function undigitize(a: Float64Array, n: number, scale: number): void {
  for (let i = 0; i < n; i++) a[i] *= scale;
}

/**
 * CFITSIO's hinv: inverse H-transform of the rows×cols coefficient array `a`
 * (x runs over rows, y along a row), writing the pixels to `out`.
 *
 * CFITSIO unshuffles the active block in place before each level; here each
 * level reads its h0 values from the previous level's output block (`prev`)
 * and hx, hy, hc straight from their quadrants of `a`, and writes the
 * interleaved result to `next` (the last level to `out`). The arithmetic,
 * rounding and shifts are CFITSIO's; values above 2^31 (int32 tiles) stay
 * exact because `&`, `^` see the low 32 bits of an integer double and
 * rounding to a multiple of 2^b subtracts those low bits instead of masking
 * (> 32 bits: a WGSL port needs 64-bit emulation here).
 */
function inverseHTransform(a: Float64Array, rows: number, cols: number, smooth: boolean, scale: number, out: Int32Array): void {
  const log2n = ceilLog2(Math.max(rows, cols));
  if (log2n === 0) {
    // 1×1 tile: CFITSIO evaluates 1 << -1 here; on x86 that makes the h0 rounding mask 0.
    out[0] = 0;
    return;
  }
  let bit0 = 1 << (log2n - 1);
  let bit1 = bit0 * 2;
  const bit2 = bit0 * 4;
  let prnd0 = bit0 >> 1;
  let prnd1 = bit1 >> 1;
  const prnd2 = bit2 / 2;
  let nrnd0 = prnd0 - 1;
  let nrnd1 = prnd1 - 1;
  const nrnd2 = prnd2 - 1;

  const blockSize = ((rows + 1) >> 1) * ((cols + 1) >> 1);
  let prev = (levelPoolA = grownFloat64(levelPoolA, blockSize));
  let next = (levelPoolB = grownFloat64(levelPoolB, blockSize));
  // Round h0 to a multiple of bit2 (bit2 <= 2^30, so bit2 - 1 is an int32 mask).
  const h0 = a[0] + (a[0] >= 0 ? prnd2 : nrnd2);
  prev[0] = h0 - (h0 & (bit2 - 1));

  let nxtop = 1;
  let nytop = 1;
  let nxf = rows;
  let nyf = cols;
  let c = 1 << log2n;
  for (let k = log2n - 1; k >= 0; k--) {
    // Block sizes: ntop[k-1] = ceil(ntop[k] / 2), ntop[log2n] = n.
    c >>= 1;
    nxtop <<= 1;
    nytop <<= 1;
    if (nxf <= c) nxtop -= 1;
    else nxf -= c;
    if (nyf <= c) nytop -= 1;
    else nyf -= c;
    if (smooth) smoothLevel(a, prev, nxtop, nytop, cols, scale);
    const rounding: LevelRounding = { bit0, bit1, prnd0, prnd1, nrnd0: k === 0 ? 0 : nrnd0, nrnd1, shift: k === 0 ? 0.25 : 0.5 };
    // The last level writes the pixels: the Int32Array store is CFITSIO's (int) cast.
    inverseLevel(prev, a, nxtop, nytop, cols, rounding, k === 0 ? out : next);
    const swap = prev;
    prev = next;
    next = swap;
    // Halve the masks and rounding values for the next, finer level.
    bit1 = bit0;
    bit0 >>= 1;
    prnd1 = prnd0;
    prnd0 >>= 1;
    nrnd1 = nrnd0;
    nrnd0 = prnd0 - 1;
  }
}

/** Rounding parameters of one level of the inverse H-transform. */
interface LevelRounding {
  bit0: number;
  bit1: number;
  prnd0: number;
  prnd1: number;
  nrnd0: number;
  nrnd1: number;
  /** 1/2, or 1/4 on the last level: CFITSIO's ">> 1" / ">> 2". */
  shift: number;
}

/**
 * One level of CFITSIO's hinv. The nxtop×nytop block is, in CFITSIO's
 * shuffled layout, h0 in rows [0, nxh) × cols [0, nyh) (here: `h0s`, row
 * length nyh), hx below it, hy to its right and hc diagonally, in `a` (row
 * stride `stride`). Each (h0, hx, hy, hc) becomes the 2×2 pixel block at
 * (2p, 2q) of `dst` (row length nytop); odd edges have no hx/hc or hy/hc.
 */
function inverseLevel(
  h0s: Float64Array,
  a: Float64Array,
  nxtop: number,
  nytop: number,
  stride: number,
  r: LevelRounding,
  dst: Float64Array | Int32Array,
): void {
  const { bit0, bit1, prnd0, prnd1, nrnd0, nrnd1, shift } = r;
  const mask0 = bit0 - 1; // low bits that "& -bit0" clears
  const mask1 = bit1 - 1;
  const drnd0 = prnd0 - nrnd0; // 1, or 0 on the last level where CFITSIO sets nrnd0 = prnd0 = 0
  const nxh = (nxtop + 1) >> 1;
  const nyh = (nytop + 1) >> 1;
  const pairRows = nxtop >> 1; // rows p < pairRows have an hx row
  const pairCols = nytop >> 1; // cols q < pairCols have an hy column
  for (let p = 0; p < nxh; p++) {
    const h0Row = p * nyh;
    const hyRow = p * stride + nyh;
    const out0 = 2 * p * nytop;
    if (p < pairRows) {
      const hxRow = (p + nxh) * stride;
      const hcRow = hxRow + nyh;
      const out1 = out0 + nytop;
      for (let q = 0; q < pairCols; q++) {
        let h0 = h0s[h0Row + q];
        let hx = a[hxRow + q];
        let hy = a[hyRow + q];
        let hc = a[hcRow + q];
        // The signs here are noise, so CFITSIO's sign tests are written as arithmetic
        // (+(x < 0) is 0 or 1) rather than as branches the CPU would mispredict.
        // Round hx, hy to a multiple of bit1 and hc to a multiple of bit0, adding prnd
        // for x >= 0 and nrnd (= prnd - 1, or prnd on the last level for hc) for x < 0.
        hx += prnd1 - +(hx < 0);
        hx -= hx & mask1;
        hy += prnd1 - +(hy < 0);
        hy -= hy & mask1;
        hc += prnd0 - drnd0 * +(hc < 0);
        hc -= hc & mask0;
        // Propagate bit0 of hc to hx, hy: x >= 0 ? x - lowbit0 : x + lowbit0.
        const lowbit0 = hc & bit0;
        hx -= lowbit0 * (1 - 2 * +(hx < 0));
        hy -= lowbit0 * (1 - 2 * +(hy < 0));
        // Propagate bits 0 and 1 of hc, hx, hy to h0:
        // h0 >= 0 ? h0 + lowbit0 - lowbit1 : h0 + (lowbit0 === 0 ? lowbit1 : lowbit0 - lowbit1).
        const lowbit1 = (hc ^ hx ^ hy) & bit1;
        h0 += lowbit0 - lowbit1 + 2 * lowbit1 * +(h0 < 0) * +(lowbit0 === 0);
        // Divide the sums by 2 (4 on the last level), rounding down like ">>".
        const o = 2 * q;
        dst[out0 + o] = Math.floor((h0 - hx - hy + hc) * shift);
        dst[out0 + o + 1] = Math.floor((h0 - hx + hy - hc) * shift);
        dst[out1 + o] = Math.floor((h0 + hx - hy - hc) * shift);
        dst[out1 + o + 1] = Math.floor((h0 + hx + hy + hc) * shift);
      }
      if (pairCols < nyh) {
        // Odd row length: the last column has no hy, hc.
        let h0 = h0s[h0Row + pairCols];
        let hx = a[hxRow + pairCols];
        hx += hx >= 0 ? prnd1 : nrnd1;
        hx -= hx & mask1;
        const lowbit1 = hx & bit1;
        h0 = h0 >= 0 ? h0 - lowbit1 : h0 + lowbit1;
        dst[out0 + 2 * pairCols] = Math.floor((h0 - hx) * shift);
        dst[out1 + 2 * pairCols] = Math.floor((h0 + hx) * shift);
      }
    } else {
      // Odd number of rows: the last row has no hx, hc.
      for (let q = 0; q < pairCols; q++) {
        let h0 = h0s[h0Row + q];
        let hy = a[hyRow + q];
        hy += hy >= 0 ? prnd1 : nrnd1;
        hy -= hy & mask1;
        const lowbit1 = hy & bit1;
        h0 = h0 >= 0 ? h0 - lowbit1 : h0 + lowbit1;
        dst[out0 + 2 * q] = Math.floor((h0 - hy) * shift);
        dst[out0 + 2 * q + 1] = Math.floor((h0 + hy) * shift);
      }
      if (pairCols < nyh) dst[out0 + 2 * pairCols] = Math.floor(h0s[h0Row + pairCols] * shift);
    }
  }
}

/**
 * CFITSIO's hsmooth, in the shuffled layout of {@link inverseLevel}: nudges
 * hx, hy and hc toward values interpolated from the neighbouring h0 (by at
 * most scale/2, keeping monotonicity). Edge coefficients are left alone.
 * Intermediates (differences ×4, ×16, ×64) exceed 32 bits for int32 tiles.
 */
function smoothLevel(a: Float64Array, h0s: Float64Array, nxtop: number, nytop: number, stride: number, scale: number): void {
  const smax = scale >> 1;
  if (smax <= 0) return;
  const nxh = (nxtop + 1) >> 1;
  const nyh = (nytop + 1) >> 1;
  // x differences hx: rows 2p with 2 <= 2p < nxtop - 2, every column
  for (let p = 1; 2 * p < nxtop - 2; p++) {
    const hxRow = (p + nxh) * stride;
    for (let q = 0; q < nyh; q++) {
      const h0 = h0s[p * nyh + q];
      const diff = monotoneDiff(h0s[(p + 1) * nyh + q] - h0, h0 - h0s[(p - 1) * nyh + q]);
      // diff = 0: monotonicity forces slope 0, leave hx alone.
      if (diff !== 0) {
        // C's "s >> 3" for s >= 0 and "(s + 7) >> 3" for s < 0 both truncate s / 8 toward 0;
        // s / 8 = diff / 8 - hx exactly in doubles.
        const s = Math.trunc(diff * 0.125 - a[hxRow + q]);
        a[hxRow + q] += s > smax ? smax : s < -smax ? -smax : s;
      }
    }
  }
  // y differences hy: every row, columns 2q with 2 <= 2q < nytop - 2
  for (let p = 0; p < nxh; p++) {
    const h0Row = p * nyh;
    const hyRow = p * stride + nyh;
    for (let q = 1; 2 * q < nytop - 2; q++) {
      const h0 = h0s[h0Row + q];
      const diff = monotoneDiff(h0s[h0Row + q + 1] - h0, h0 - h0s[h0Row + q - 1]);
      if (diff !== 0) {
        const s = Math.trunc(diff * 0.125 - a[hyRow + q]);
        a[hyRow + q] += s > smax ? smax : s < -smax ? -smax : s;
      }
    }
  }
  // curvature hc, interior only; uses the hx, hy adjusted above
  for (let p = 1; 2 * p < nxtop - 2; p++) {
    const hxRow = (p + nxh) * stride;
    const hyRow = p * stride + nyh;
    const hcRow = hxRow + nyh;
    for (let q = 1; 2 * q < nytop - 2; q++) {
      const h0 = h0s[p * nyh + q];
      // Steps to the diagonal neighbours: (+x,+y), (+x,-y), (-x,+y), (-x,-y).
      const dpp = h0s[(p + 1) * nyh + q + 1] - h0;
      const dpm = h0 - h0s[(p + 1) * nyh + q - 1];
      const dmp = h0 - h0s[(p - 1) * nyh + q + 1];
      const dmm = h0s[(p - 1) * nyh + q - 1] - h0;
      const hx2 = a[hxRow + q] * 2;
      const hy2 = a[hyRow + q] * 2;
      const t1 = -hx2 - hy2;
      const t2 = hx2 - hy2;
      // Monotonicity limits (CFITSIO's m1, m2): dmax from the positive parts of the
      // steps, dmin from the negative parts, each shifted by the 2·hx, 2·hy slopes.
      const dmax = min2(min2(pos(dpp) + t1, pos(dpm) + t2), min2(pos(dmp) - t2, pos(dmm) - t1)) * 16;
      const dmin = max2(max2(neg(dpp) + t1, neg(dpm) + t2), max2(neg(dmp) - t2, neg(dmm) - t1)) * 16;
      if (dmin < dmax) {
        // hpp + hmm - hmp - hpm
        const target = dpp + dmm + dmp + dpm;
        const diff = target < dmin ? dmin : target > dmax ? dmax : target;
        const s = Math.trunc(diff * 0.015625 - a[hcRow + q]);
        a[hcRow + q] += s > smax ? smax : s < -smax ? -smax : s;
      }
    }
  }
}

/**
 * hsmooth's slope target for hx or hy from the steps d1 = hp - h0 and
 * d2 = h0 - hm of the neighbouring h0 values: CFITSIO clamps hp - hm = d1 + d2
 * into [min(max(d1, d2), 0)·4, max(min(d1, d2), 0)·4] and skips the
 * coefficient when that range is empty, which happens unless d1 and d2 have
 * the same strict sign. Returns 0 for "skip" (a kept target is never 0).
 */
function monotoneDiff(d1: number, d2: number): number {
  if (d1 > 0 && d2 > 0) {
    const limit = (d1 < d2 ? d1 : d2) * 4;
    return d1 + d2 < limit ? d1 + d2 : limit;
  }
  if (d1 < 0 && d2 < 0) {
    const limit = (d1 > d2 ? d1 : d2) * 4;
    return d1 + d2 > limit ? d1 + d2 : limit;
  }
  return 0;
}

function min2(x: number, y: number): number {
  return x < y ? x : y;
}

function max2(x: number, y: number): number {
  return x > y ? x : y;
}

function pos(x: number): number {
  return x > 0 ? x : 0;
}

function neg(x: number): number {
  return x < 0 ? x : 0;
}
