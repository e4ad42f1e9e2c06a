/**
 * What a header says about its HDU: the kind, the array geometry and the data
 * size. Pure: no I/O. Every size is checked to be a safe integer.
 */
import { FitsError } from '../core/errors.js';
import type { Header } from '../header/header.js';
import { padToBlock } from '../core/block.js';

/**
 * What an HDU holds. `compressed-image` and `compressed-table` are BINTABLEs
 * with ZIMAGE = T or ZTABLE = T (FITS 4.0 §10), read as the image or table
 * they hold.
 */
export type HduKind = 'image' | 'bintable' | 'table' | 'compressed-image' | 'compressed-table' | 'random-groups' | 'other';

/** The sizes of an HDU as its header declares them (BITPIX, NAXISn, PCOUNT, GCOUNT), in FITS order. */
export interface HduLayout {
  kind: HduKind;
  /** XTENSION value for extensions, null for the primary HDU. */
  xtension: string | null;
  bitpix: number;
  /** NAXISn values in FITS order (NAXIS1 first). */
  naxes: number[];
  pcount: number;
  gcount: number;
  /** Data bytes declared by the header (without padding). */
  dataBytes: number;
  /** Data bytes including padding to the 2880-byte block. */
  paddedDataBytes: number;
}

const VALID_BITPIX = new Set([8, 16, 32, 64, -32, -64]);

/** Read the mandatory structure keywords and compute the data size. */
export function layoutOf(header: Header, index: number): HduLayout {
  const primary = index === 0;
  let xtension: string | null = null;
  if (primary) {
    if (!header.cards.length || header.cards[0]!.keyword !== 'SIMPLE') {
      throw new FitsError('BAD_HEADER', 'The file does not start with SIMPLE: it is not a FITS file.', { hdu: index, card: 1, offset: 0 });
    }
  } else {
    const x = header.get('XTENSION');
    if (typeof x !== 'string') throw new FitsError('BAD_HEADER', 'An extension header must start with XTENSION.', { hdu: index, card: 1 });
    xtension = x.trim().toUpperCase();
  }
  const bitpix = header.requireInt('BITPIX', index);
  if (!VALID_BITPIX.has(bitpix)) {
    throw new FitsError('BAD_HEADER', `BITPIX = ${bitpix} is not one of 8, 16, 32, 64, -32, -64.`, { hdu: index, card: header.card('BITPIX')!.index + 1 });
  }
  const naxis = header.requireInt('NAXIS', index);
  if (naxis < 0 || naxis > 999) throw new FitsError('BAD_HEADER', `NAXIS = ${naxis} is outside 0..999.`, { hdu: index, card: header.card('NAXIS')!.index + 1 });
  const naxes: number[] = [];
  for (let k = 1; k <= naxis; k++) {
    const n = header.requireInt(`NAXIS${k}`, index);
    if (n < 0) throw new FitsError('BAD_HEADER', `NAXIS${k} = ${n} is negative.`, { hdu: index, card: header.card(`NAXIS${k}`)!.index + 1 });
    naxes.push(n);
  }
  const groupsCard = primary ? header.card('GROUPS') : undefined;
  if (groupsCard?.invalid) {
    throw new FitsError('BAD_CARD', `The GROUPS card cannot be read ("${groupsCard.comment}"): it must be T or F (and an optional "/ comment").`, { hdu: index, card: groupsCard.index + 1 });
  }
  const groups = primary && groupsCard?.value === true && naxis >= 1 && naxes[0] === 0;
  let pcount = 0;
  let gcount = 1;
  if (!primary || groups) {
    // Read strictly: a PCOUNT or GCOUNT that does not parse is an error, never the default.
    const p = header.structuralInt('PCOUNT', index);
    const g = header.structuralInt('GCOUNT', index);
    if (!primary && (p === undefined || g === undefined)) {
      // astropy accepts extensions without them; the standard requires them.
      header.warn({ code: 'MISSING_KEYWORD', message: 'Extension header lacks PCOUNT or GCOUNT; assuming 0 and 1.' });
    }
    pcount = p ?? 0;
    gcount = g ?? 1;
    if (pcount < 0 || gcount < 0) throw new FitsError('BAD_HEADER', 'PCOUNT and GCOUNT must not be negative.', { hdu: index });
  }
  let elems = 1;
  const axesForSize = groups ? naxes.slice(1) : naxes;
  if (naxis === 0) elems = 0;
  for (const n of axesForSize) elems *= n;
  const bytesPer = Math.abs(bitpix) / 8;
  const dataBytes = naxis === 0 && pcount === 0 ? 0 : bytesPer * gcount * (pcount + elems);
  if (!Number.isSafeInteger(dataBytes)) {
    throw new FitsError('BAD_SIZE', `The declared data size (${naxes.join(' x ')} of ${bytesPer} bytes) is absurdly large.`, { hdu: index });
  }
  let kind: HduKind;
  if (primary) {
    if (groups) kind = 'random-groups';
    else if (header.getBool('SIMPLE') === false) kind = 'other';
    else kind = 'image';
  } else if (xtension === 'IMAGE') kind = 'image';
  else if (xtension === 'TABLE') kind = 'table';
  else if (xtension === 'BINTABLE' || xtension === 'A3DTABLE') {
    if (header.getBool('ZIMAGE') === true) kind = 'compressed-image';
    else if (header.getBool('ZTABLE') === true) kind = 'compressed-table';
    else kind = 'bintable';
  }
  else kind = 'other';
  return { kind, xtension, bitpix, naxes, pcount, gcount, dataBytes, paddedDataBytes: padToBlock(dataBytes) };
}
