/**
 * PLIO_1 tile decoder: IRAF's pixel-list "line list" encoding, as decoded by
 * CFITSIO's `pl_l2pi` (a translation of IRAF's PL_L2P).
 *
 * A line list is a sequence of signed 16-bit words (big-endian in the FITS
 * heap). A header comes first, in one of two forms:
 *   - old: word 2 > 0 is the list length in words; instructions start at word 3;
 *   - extended (word 2 ≤ 0, written as -100): the length is
 *     word 4 · 2^15 + word 3, and word 1 is the header length, i.e. the index
 *     of the first instruction.
 * The length counts every word from word 0, header included.
 *
 * Each instruction word is `opcode << 12 | data` (data in 0..4095); `pv` is
 * the current high value, starting at 1:
 *   0  data zeros                      4  data pixels of value pv
 *   1  pv = next word << 12 | data     5  data-1 zeros, then one pixel pv
 *   2  pv += data                      6  pv += data, then one pixel pv
 *   3  pv -= data                      7  pv -= data, then one pixel pv
 * Pixels not reached by the list are zero.
 *
 * Quirks kept from CFITSIO so that every file decodes the same way: the
 * opcode is the word divided by 4096 with truncation, so negative words from
 * -4095 to -1 act as opcode 0 with data = word & 4095, and words ≤ -4096 are
 * ignored; pv wraps as a 32-bit int.
 *
 * For the WGSL port: everything is 32-bit; the list is sequential (pv and the
 * output position carry from word to word), so one invocation per tile.
 */
import { FitsError } from '../../core/errors.js';

/**
 * Decode one PLIO_1-compressed tile.
 *
 * @param src - the tile's COMPRESSED_DATA bytes as stored in the heap (a
 *   `1PI` column: 16-bit big-endian words); not modified.
 * @param out - receives exactly `out.length` pixels.
 * @param tile - tile index, only for error messages.
 * @throws FitsError `CORRUPT_DATA` if the bytes are not a whole number of
 *   words, the header is cut short, or the declared length exceeds the data.
 */
export function plioDecode(src: Uint8Array, out: Int32Array, tile?: number): void {
  const npix = out.length;
  if (npix === 0) return;
  if ((src.length & 1) !== 0) {
    throw new FitsError('CORRUPT_DATA', `PLIO line list of ${src.length} bytes is not a whole number of 16-bit words`, { tile });
  }
  const nwords = src.length >>> 1;
  if (nwords < 3) throw corrupt('PLIO line list is shorter than its header', tile);

  let length: number;
  let first: number;
  const w2 = wordAt(src, 2);
  if (w2 > 0) {
    length = w2;
    first = 3;
  } else {
    if (nwords < 5) throw corrupt('PLIO line list is shorter than its header', tile);
    length = wordAt(src, 4) * 32768 + wordAt(src, 3);
    first = wordAt(src, 1);
  }
  if (length <= 0 || length > nwords) {
    throw corrupt(`PLIO line list declares ${length} words but holds ${nwords}`, tile);
  }
  if (first < 0) throw corrupt(`PLIO header length ${first} is negative`, tile);

  let pv = 1; // current high value
  let op = 0; // next output pixel
  for (let ip = first; ip < length && op < npix; ip++) {
    const w = wordAt(src, ip);
    const opcode = (w / 4096) | 0; // truncates toward zero, as C's short / int
    const data = w & 4095;
    switch (opcode) {
      case 0: // zeros
      case 4: // a run of pv
      case 5: {
        // data-1 zeros then pv
        const runEnd = op + data;
        const stop = runEnd < npix ? runEnd : npix;
        if (opcode === 4) {
          out.fill(pv, op, stop);
        } else {
          out.fill(0, op, stop);
          // The closing pv only if the whole run fits in the tile.
          if (opcode === 5 && data > 0 && runEnd <= npix) out[runEnd - 1] = pv;
        }
        op = runEnd;
        break;
      }
      case 1:
        // The high 16 bits come from the next word, which is then skipped.
        if (ip + 1 >= nwords) throw corrupt('PLIO set-value instruction is missing its second word', tile);
        pv = ((wordAt(src, ip + 1) << 12) + data) | 0;
        ip++;
        break;
      case 2:
        pv = (pv + data) | 0;
        break;
      case 3:
        pv = (pv - data) | 0;
        break;
      case 6:
      case 7:
        pv = (opcode === 6 ? pv + data : pv - data) | 0;
        out[op] = pv; // op < npix by the loop condition
        op++;
        break;
      default:
        break; // negative opcodes: ignored, as in CFITSIO
    }
  }
  if (op < npix) out.fill(0, op, npix);
}

/** Signed 16-bit big-endian word `k` of `src`. */
function wordAt(src: Uint8Array, k: number): number {
  return ((src[2 * k] << 24) >> 16) | src[2 * k + 1];
}

function corrupt(message: string, tile: number | undefined): FitsError {
  return new FitsError('CORRUPT_DATA', message, { tile });
}
