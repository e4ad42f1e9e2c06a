/**
 * RICE_1 tile decoder: the Rice coding of pixel differences used by CFITSIO
 * (`fits_rdecomp`, `fits_rdecomp_short`, `fits_rdecomp_byte`) and by every
 * writer of tile-compressed FITS images (fpack, astropy, fitsio).
 *
 * Stream layout: the first pixel raw in BYTEPIX big-endian bytes, then a bit
 * stream (most significant bit first) of blocks of `blockSize` pixels. Each
 * block starts with an FSBITS-wide code `fs + 1`:
 *   - 0: every difference in the block is zero (low entropy);
 *   - fsmax + 1: every difference is stored raw in 8·BYTEPIX bits (high entropy);
 *   - otherwise: each mapped difference is a unary quotient (zeros ended by a
 *     one) followed by `fs` low bits.
 * A mapped difference m stands for m/2 when even and ~(m>>1) when odd.
 * Pixels are accumulated modulo 2^(8·BYTEPIX), exactly as CFITSIO does.
 *
 * Notes for the WGSL port (no 64-bit integers there):
 *   - the stream is read through 32-bit big-endian words; a storage buffer
 *     holds little-endian u32s, so the words need a byte swap;
 *   - every shift amount below is kept in 0..31: WGSL, like JS, uses only the
 *     low 5 bits of a shift count, hence the `(x >>> 1) >>> (31 - n)` idiom for
 *     "top n bits, n may be 0";
 *   - `Math.clz32` is `countLeadingZeros`;
 *   - decoding is sequential within a tile (each block's bit offset depends on
 *     the previous one), so the GPU works one invocation per tile;
 *   - the end-of-stream check after every pixel is what bounds all reads to
 *     the packed words plus a few padding words.
 */
import { FitsError } from '../../core/errors.js';

/** Per-BYTEPIX constants of the format (CFITSIO's fsbits / fsmax / bbits). */
interface RiceWidth {
  /** Bytes per pixel, and of the raw first value. */
  readonly bytepix: 1 | 2 | 4;
  /** Width of the per-block code. */
  readonly fsbits: number;
  /** The code value meaning "raw differences" is fsmax + 1. */
  readonly fsmax: number;
  /** Width of a raw (high-entropy) difference. */
  readonly bbits: number;
}

const WIDTH_1: RiceWidth = { bytepix: 1, fsbits: 3, fsmax: 6, bbits: 8 };
const WIDTH_2: RiceWidth = { bytepix: 2, fsbits: 4, fsmax: 14, bbits: 16 };
const WIDTH_4: RiceWidth = { bytepix: 4, fsbits: 5, fsmax: 25, bbits: 32 };

/**
 * Tiles whose packed words fit this many 32-bit words reuse one module-level
 * buffer instead of allocating; bigger ones get a temporary buffer so that one
 * huge tile does not pin memory for the life of the module.
 */
const SCRATCH_MAX_WORDS = 1 << 18;
/** Bit offsets must stay below 2^32 for the unsigned 32-bit index arithmetic (`pos >>> 5`, also on the GPU). */
const MAX_STREAM_BYTES = 2 ** 29 - 64;
let scratch = new Uint32Array(1024);

/**
 * Decode one RICE_1-compressed tile.
 *
 * @param src - the tile's compressed bytes as stored in the heap; not modified.
 * @param out - receives exactly `out.length` pixels: the whole tile, or its
 *   first pixels for a prefix decode (tile-codec.ts `prefix`; the bits after
 *   them are not read, so corruption there goes unnoticed). Its type selects BYTEPIX:
 *   `Uint8Array` → 1, `Int16Array` → 2, `Int32Array` → 4. Values wrap as
 *   CFITSIO's unsigned arithmetic does (an Int16Array sees the 16-bit pattern).
 *   On error its contents are unspecified.
 * @param blockSize - pixels per coding block (the BLOCKSIZE parameter,
 *   normally 32 or 16); any positive integer is accepted.
 * @param tile - tile index, only for error messages.
 * @throws FitsError `CORRUPT_DATA` if the stream ends early, holds an invalid
 *   block code, or `blockSize` is not a positive integer; `BAD_ARGUMENT` if
 *   `out` is of another type; `UNSUPPORTED` for a tile of 512 MiB or more.
 */
export function riceDecode(src: Uint8Array, out: Uint8Array | Int16Array | Int32Array, blockSize: number, tile?: number): void {
  const width = widthOf(out, tile);
  if (!Number.isInteger(blockSize) || blockSize <= 0) {
    throw new FitsError('CORRUPT_DATA', `Rice block size must be a positive integer, not ${blockSize}`, { tile });
  }
  const npix = out.length;
  if (npix === 0) return;
  const { bytepix } = width;
  if (src.length <= bytepix) {
    throw new FitsError('CORRUPT_DATA', `Rice tile of ${src.length} bytes is too short`, { tile });
  }

  let first = 0;
  for (let k = 0; k < bytepix; k++) first = (first << 8) | src[k];

  const streamBytes = src.length - bytepix;
  if (streamBytes > MAX_STREAM_BYTES) {
    throw new FitsError('UNSUPPORTED', `Rice tile of ${src.length} bytes is larger than this decoder handles`, { tile });
  }
  // The packed words are followed by zero padding: a pixel starts at most at
  // the end of the stream and reads at most two words past the one it starts in.
  const nwords = (streamBytes >>> 2) + 4;
  const words = nwords <= SCRATCH_MAX_WORDS ? scratchWords(nwords) : new Uint32Array(nwords);
  packBigEndianWords(src, bytepix, words);

  decodeStream(words, streamBytes * 8, first, out, blockSize, width, tile);
}

function widthOf(out: Uint8Array | Int16Array | Int32Array, tile: number | undefined): RiceWidth {
  if (out instanceof Int16Array) return WIDTH_2;
  if (out instanceof Int32Array) return WIDTH_4;
  // Uint8ClampedArray is not a Uint8Array, so it is rejected: clamping would
  // break the modular accumulation.
  if (out instanceof Uint8Array) return WIDTH_1;
  throw new FitsError('BAD_ARGUMENT', 'Rice output must be a Uint8Array, Int16Array or Int32Array', { tile });
}

function scratchWords(nwords: number): Uint32Array {
  if (scratch.length < nwords) {
    scratch = new Uint32Array(Math.min(SCRATCH_MAX_WORDS, Math.max(nwords, scratch.length * 2)));
  }
  return scratch;
}

/**
 * Pack `src[from..]` into big-endian 32-bit words, zero-filling the last
 * partial word and the padding words that follow (the scratch buffer may hold
 * stale data).
 */
function packBigEndianWords(src: Uint8Array, from: number, words: Uint32Array): void {
  const n = src.length - from;
  const full = n >>> 2;
  let p = from;
  for (let k = 0; k < full; k++, p += 4) {
    words[k] = (src[p] << 24) | (src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3];
  }
  let last = 0;
  const rest = n & 3;
  for (let k = 0; k < 4; k++) last = (last << 8) | (k < rest ? src[p + k] : 0);
  words[full] = last;
  words[full + 1] = 0;
  words[full + 2] = 0;
  words[full + 3] = 0;
}

/**
 * The decode loop proper. `pos` is the bit offset into `words`; `endBits` is
 * the number of real bits. CFITSIO reports an error when a block ends past the
 * last byte; as `pos` only grows, checking after every pixel gives the same
 * verdict and also bounds every read.
 */
function decodeStream(
  words: Uint32Array,
  endBits: number,
  first: number,
  out: Uint8Array | Int16Array | Int32Array,
  blockSize: number,
  width: RiceWidth,
  tile: number | undefined,
): void {
  const { fsbits, fsmax, bbits } = width;
  const npix = out.length;
  const codeShift = 32 - fsbits;
  const rawShift = 32 - bbits; // 0 for 32-bit pixels: `>>> 0` keeps the word
  let last = first;
  let pos = 0;
  let i = 0;

  while (i < npix) {
    // Block code: the top fsbits bits at pos.
    let idx = pos >>> 5;
    let s = pos & 31;
    const code = ((words[idx] << s) | ((words[idx + 1] >>> 1) >>> (31 - s))) >>> codeShift;
    pos += fsbits;
    if (pos > endBits) throw endOfStream(tile);
    const fs = code - 1;
    const end = Math.min(npix, i + blockSize);

    if (fs < 0) {
      out.fill(last, i, end);
      i = end;
    } else if (fs === fsmax) {
      for (; i < end; i++) {
        idx = pos >>> 5;
        s = pos & 31;
        const m = ((words[idx] << s) | ((words[idx + 1] >>> 1) >>> (31 - s))) >>> rawShift;
        pos += bbits;
        if (pos > endBits) throw endOfStream(tile);
        last = (last + ((m >>> 1) ^ -(m & 1))) | 0;
        out[i] = last;
      }
    } else if (fs < fsmax) {
      const lowShift = 31 - fs; // `(w >>> 1) >>> lowShift` = top fs bits of w, 0 when fs = 0
      for (; i < end; i++) {
        // Unary part: count zeros up to the terminating one bit.
        idx = pos >>> 5;
        s = pos & 31;
        let w = (words[idx] << s) | ((words[idx + 1] >>> 1) >>> (31 - s));
        let nzero = 0;
        while (w === 0) {
          // 32 zero bits: a long quotient (or a stream running into padding).
          nzero += 32;
          pos += 32;
          if (pos > endBits) throw endOfStream(tile);
          idx = pos >>> 5;
          s = pos & 31;
          w = (words[idx] << s) | ((words[idx + 1] >>> 1) >>> (31 - s));
        }
        const lz = Math.clz32(w);
        nzero += lz;
        const used = lz + 1;
        let low: number;
        if (used + fs <= 32) {
          // The low bits are in the same window; `<< lz << 1` as lz+1 may be 32.
          low = (((w << lz) << 1) >>> 1) >>> lowShift;
          pos += used + fs;
        } else {
          pos += used;
          idx = pos >>> 5;
          s = pos & 31;
          w = (words[idx] << s) | ((words[idx + 1] >>> 1) >>> (31 - s));
          low = (w >>> 1) >>> lowShift;
          pos += fs;
        }
        if (pos > endBits) throw endOfStream(tile);
        // 32-bit wrap-around of nzero << fs matches CFITSIO's unsigned int.
        const m = (nzero << fs) | low;
        last = (last + ((m >>> 1) ^ -(m & 1))) | 0;
        out[i] = last;
      }
    } else {
      // Only reachable for BYTEPIX 4 (codes 27..31); CFITSIO would misdecode.
      throw new FitsError('CORRUPT_DATA', `invalid Rice block code ${code}`, { tile });
    }
  }
}

function endOfStream(tile: number | undefined): FitsError {
  return new FitsError('CORRUPT_DATA', 'Rice stream ends before the tile is complete', { tile });
}
