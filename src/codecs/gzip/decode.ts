/**
 * GZIP_1 and GZIP_2 tile decoding (tiled image convention, FITS 4.0 §10.4).
 *
 * A GZIP_1 tile is the gzip of the tile's pixels as big-endian bytes. GZIP_2
 * first shuffles those bytes — all most-significant bytes of the tile, then
 * all next bytes, …, then all least-significant bytes — so the slowly varying
 * high bytes compress well; decoding inflates then undoes the shuffle.
 *
 * Width of the stream, per ZBITPIX (checked on every GZIP tile of the corpus;
 * CFITSIO itself infers it from the inflated size, imcomp_decompress_tile):
 *
 * | ZBITPIX | tile pixels                     | bytes per pixel in the stream |
 * |---------|---------------------------------|-------------------------------|
 * | 8       | uint8                           | 1 (GZIP_2 shuffle is a no-op) |
 * | 16      | int16                           | 2                             |
 * | 32      | int32                           | 4                             |
 * | −32     | quantized (ZSCALE column)       | 4: int32 to dequantize        |
 * | −32     | lossless (no ZSCALE column)     | 4: the IEEE float32 bytes     |
 * | −64     | quantized (ZSCALE column)       | 4: int32 to dequantize        |
 * | −64     | lossless                        | 8: the IEEE float64 bytes     |
 *
 * The GZIP_COMPRESSED_DATA column (lossless fallback for float tiles that
 * could not be quantized) is always GZIP_1 layout: decode it with
 * {@link gzip1Decode} and 4 or 8 bytes per pixel.
 */
import { FitsError } from '../../core/errors.js';
import { pakoInflater, type Inflater } from './inflate.js';

/** True on little-endian hosts (all mainstream ones); selects the word-at-a-time unshuffle. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Inflate with `inflate` and require exactly `expectedSize` bytes. */
function inflateExactly(src: Uint8Array, expectedSize: number, tile: number | undefined, inflate: Inflater): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = inflate(src, expectedSize);
  } catch (e) {
    if (e instanceof FitsError && e.code !== 'CORRUPT_DATA') throw e;
    const message = e instanceof FitsError ? e.message : `cannot inflate tile: ${(e as Error)?.message ?? String(e)}`;
    throw new FitsError('CORRUPT_DATA', message, { tile, cause: e });
  }
  if (raw.length !== expectedSize) {
    throw new FitsError('CORRUPT_DATA', `inflated tile has ${raw.length} bytes, expected ${expectedSize}`, { tile });
  }
  return raw;
}

function checkBytepix(bytepix: number, outLength: number, tile: number | undefined): void {
  if (bytepix !== 1 && bytepix !== 2 && bytepix !== 4 && bytepix !== 8) {
    throw new FitsError('BAD_ARGUMENT', `GZIP_2 bytes per pixel must be 1, 2, 4 or 8, got ${bytepix}`, { tile });
  }
  if (outLength % bytepix !== 0) {
    throw new FitsError('BAD_ARGUMENT', `output of ${outLength} bytes is not a whole number of ${bytepix}-byte pixels`, { tile });
  }
}

/**
 * Inflate the first `bytes` of a stream whose whole output is `tileBytes`
 * bytes: with the inflater's `prefix` when it has one and a prefix is asked
 * for, else the whole stream, checked to be exactly `tileBytes`. A prefix
 * inflate does not read past what it needs: corruption confined to the rest of
 * the tile (or its gzip checksum) goes unnoticed.
 */
function inflateStart(src: Uint8Array, bytes: number, tileBytes: number, tile: number | undefined, inflate: Inflater): Uint8Array {
  if (bytes >= tileBytes || inflate.prefix === undefined) return inflateExactly(src, tileBytes, tile, inflate);
  let raw: Uint8Array;
  try {
    raw = inflate.prefix(src, bytes, tileBytes);
  } catch (e) {
    if (e instanceof FitsError && e.code !== 'CORRUPT_DATA') throw e;
    const message = e instanceof FitsError ? e.message : `cannot inflate tile: ${(e as Error)?.message ?? String(e)}`;
    throw new FitsError('CORRUPT_DATA', message, { tile, cause: e });
  }
  if (raw.length < bytes || raw.length > tileBytes) {
    throw new FitsError('CORRUPT_DATA', `inflated tile has ${raw.length} bytes, expected ${tileBytes}`, { tile });
  }
  return raw;
}

/**
 * Decode a GZIP_1 tile: inflate `src` into `out`, the tile's raw big-endian
 * pixel bytes (`out.length` = pixels × bytes per pixel).
 * @param tileBytes the whole tile's inflated size, when `out` is to receive
 *   only its first `out.length` bytes (a prefix decode; default: `out.length`).
 * @throws FitsError('CORRUPT_DATA') if the stream is invalid or does not
 *   inflate to exactly `tileBytes` bytes (for a prefix: if it is invalid or
 *   ends before `out.length` bytes).
 */
export function gzip1Decode(src: Uint8Array, out: Uint8Array, tile?: number, inflate: Inflater = pakoInflater, tileBytes = out.length): void {
  const raw = inflateStart(src, out.length, tileBytes, tile, inflate);
  out.set(raw.length === out.length ? raw : raw.subarray(0, out.length));
}

/** Alias of {@link gzip1Decode}, the name used in src/decompress/README.md. */
export const gzipDecode = gzip1Decode;

/**
 * Decode a GZIP_2 tile: inflate `src`, then undo CFITSIO's byte shuffle into
 * `out`, the tile's raw big-endian pixel bytes.
 * @param bytepix bytes per pixel of the stream (1, 2, 4 or 8; see the table above).
 * @param tileBytes the whole tile's inflated size, when `out` is to receive
 *   only its first `out.length` bytes (a prefix decode; default `out.length`):
 *   every byte plane spans the whole tile, so the stream is inflated up to the
 *   last plane's first bytes and only the wanted pixels are un-shuffled.
 * @throws FitsError('CORRUPT_DATA') if the stream is invalid or does not
 *   inflate to exactly `tileBytes` bytes (for a prefix: if it is invalid or
 *   ends early); FitsError('BAD_ARGUMENT') for a bad `bytepix`.
 */
export function gzip2Decode(src: Uint8Array, out: Uint8Array, bytepix: number, tile?: number, inflate: Inflater = pakoInflater, tileBytes = out.length): void {
  checkBytepix(bytepix, out.length, tile);
  checkBytepix(bytepix, tileBytes, tile);
  const planeLength = tileBytes / bytepix;
  const raw = inflateStart(src, tileBytes - planeLength + out.length / bytepix, tileBytes, tile, inflate);
  unshuffleBytes(raw, out, bytepix, planeLength);
}

/**
 * Undo the GZIP_2 byte shuffle: `shuffled` holds byte plane 0 (most
 * significant) of every pixel, then plane 1, …, each `planeLength` bytes;
 * `out` receives the bytes of the first `out.length / bytepix` pixels in
 * order (all of them by default: `planeLength` = `out.length / bytepix`).
 * `bytepix` is 1, 2, 4 or 8; the arrays must not overlap.
 */
export function unshuffleBytes(shuffled: Uint8Array, out: Uint8Array, bytepix: number, planeLength = out.length / bytepix): void {
  checkBytepix(bytepix, out.length, undefined);
  const n = out.length / bytepix;
  // Plane p of pixel i is shuffled[p * planeLength + i]: every index read is below (bytepix - 1) * planeLength + n.
  if (!Number.isInteger(planeLength) || planeLength < n || shuffled.length < (bytepix - 1) * planeLength + n) {
    throw new FitsError('BAD_ARGUMENT', `shuffled length ${shuffled.length} is too short for ${n} pixels in planes of ${planeLength}`);
  }
  if (bytepix === 1) {
    out.set(shuffled.subarray(0, n));
    return;
  }
  const N = planeLength;
  // Word stores are ~3× faster than byte stores; on a little-endian host the
  // word b0 | b1<<8 | … lands in memory as b0, b1, …, i.e. big-endian order.
  const aligned = out.byteOffset % (bytepix === 2 ? 2 : 4) === 0;
  if (LITTLE_ENDIAN && aligned) {
    if (bytepix === 2) {
      const words = new Uint16Array(out.buffer, out.byteOffset, n);
      for (let i = 0; i < n; i++) words[i] = shuffled[i] | (shuffled[N + i] << 8);
    } else if (bytepix === 4) {
      const words = new Uint32Array(out.buffer, out.byteOffset, n);
      const n2 = 2 * N;
      const n3 = 3 * N;
      for (let i = 0; i < n; i++) {
        words[i] = shuffled[i] | (shuffled[N + i] << 8) | (shuffled[n2 + i] << 16) | (shuffled[n3 + i] << 24);
      }
    } else {
      const words = new Uint32Array(out.buffer, out.byteOffset, 2 * n);
      for (let i = 0, w = 0; i < n; i++, w += 2) {
        words[w] = shuffled[i] | (shuffled[N + i] << 8) | (shuffled[2 * N + i] << 16) | (shuffled[3 * N + i] << 24);
        words[w + 1] =
          shuffled[4 * N + i] | (shuffled[5 * N + i] << 8) | (shuffled[6 * N + i] << 16) | (shuffled[7 * N + i] << 24);
      }
    }
    return;
  }
  for (let plane = 0; plane < bytepix; plane++) {
    const from = plane * N;
    for (let i = 0, o = plane; i < n; i++, o += bytepix) out[o] = shuffled[from + i];
  }
}

/**
 * Fast path for quantized float tiles: inflate a GZIP_1 or GZIP_2 tile of
 * 4-byte big-endian integers straight into native `Int32Array` values
 * (`out.length` = pixels), ready for `dequantize`, without an intermediate
 * byte copy.
 * @param tilePixels the whole tile's pixels, when `out` is to receive only
 *   its first `out.length` (a prefix decode; default: `out.length`). GZIP_2's
 *   byte planes span the whole tile, so it inflates up to the last plane's
 *   first `out.length` bytes and un-shuffles only those pixels.
 * @throws FitsError('CORRUPT_DATA') if the stream is invalid or does not
 *   inflate to exactly 4 × `tilePixels` bytes (for a prefix: if it is invalid
 *   or ends before 4 × `out.length` bytes).
 */
export function gzipDecodeInt32(
  src: Uint8Array,
  out: Int32Array,
  compression: 'GZIP_1' | 'GZIP_2',
  tile?: number,
  inflate: Inflater = pakoInflater,
  tilePixels = out.length,
): void {
  const n = out.length;
  if (tilePixels < n) throw new FitsError('BAD_ARGUMENT', `${n} pixels wanted of a ${tilePixels}-pixel tile`, { tile });
  if (compression === 'GZIP_2') {
    // Each byte plane spans the whole tile: inflate up to the last plane's first n bytes, un-shuffle n pixels.
    const N = tilePixels;
    const raw = inflateStart(src, 3 * N + n, 4 * N, tile, inflate);
    const n2 = 2 * N;
    const n3 = 3 * N;
    for (let i = 0; i < n; i++) out[i] = (raw[i] << 24) | (raw[N + i] << 16) | (raw[n2 + i] << 8) | raw[n3 + i];
  } else {
    const raw = inflateStart(src, 4 * n, 4 * tilePixels, tile, inflate);
    for (let i = 0, b = 0; i < n; i++, b += 4) out[i] = (raw[b] << 24) | (raw[b + 1] << 16) | (raw[b + 2] << 8) | raw[b + 3];
  }
}
