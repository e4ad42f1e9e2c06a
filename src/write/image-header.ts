/**
 * The header of an image HDU: its structural cards (SIMPLE or XTENSION,
 * BITPIX, NAXISn, EXTEND or PCOUNT/GCOUNT, the encoding's BSCALE/BZERO/BLANK)
 * merged with the user's cards. Used for plain images, and for the image a
 * tile-compressed HDU stands for.
 */
import type { CardInput } from '../header/format.js';
import { assembleHeader, keyOf, sameValue, type AssembledCard, type StructuralCard } from './header-build.js';
import { checksumCards } from './hdu-emit.js';
import { scalingCards, type ImageEncoding } from './image-encode.js';

const EXT_ONLY = new Set(['XTENSION', 'PCOUNT', 'GCOUNT']);
const PRIMARY_ONLY = new Set(['SIMPLE', 'EXTEND']);

/** The structural cards of an image HDU merged with the user's cards. */
export function imageHeader(
  index: number,
  shape: readonly number[],
  enc: ImageEncoding,
  user: CardInput[],
  o: { extname?: string; checksum: boolean; emptyData?: boolean; extra?: StructuralCard[] },
): AssembledCard[] {
  const naxes = [...shape].reverse();
  const primary = index === 0;
  const mandatory: StructuralCard[] = [
    primary ? { keyword: 'SIMPLE', value: true, comment: 'conforms to FITS standard' } : { keyword: 'XTENSION', value: 'IMAGE', comment: 'Image extension' },
    { keyword: 'BITPIX', value: enc.bitpix, comment: 'array data type' },
    { keyword: 'NAXIS', value: naxes.length, comment: 'number of array dimensions' },
    ...naxes.map((n, i) => ({ keyword: `NAXIS${i + 1}`, value: n, comment: '' })),
  ];
  if (!primary) mandatory.push({ keyword: 'PCOUNT', value: 0, comment: 'number of parameters' }, { keyword: 'GCOUNT', value: 1, comment: 'number of groups' });
  const required: StructuralCard[] = [];
  const userHasSimple = user.some((c) => !c.commentary && keyOf(c) === 'SIMPLE');
  if (primary && !userHasSimple) required.push({ keyword: 'EXTEND', value: true, comment: 'FITS dataset may contain extensions' });
  const scaling = scalingCards(enc).map((c) => ({ ...c, mode: 'derived' as const }));
  required.push(...scaling);
  if (o.extname !== undefined) required.push({ keyword: 'EXTNAME', value: o.extname, comment: 'extension name', mode: 'derived' });
  if (o.extra) required.push(...o.extra);
  const scalingKeys = new Set(scaling.map((c) => c.keyword));
  const filtered = user.filter((c) => {
    if (c.commentary) return true;
    const k = keyOf(c);
    // Stale axes (NAXISn beyond NAXIS).
    const m = /^NAXIS(\d+)$/.exec(k);
    if (m && Number(m[1]) > naxes.length) return false;
    // Scaling cards that the encoding does not use: keep harmless ones (BSCALE 1, BZERO 0, BLANK on float data).
    // (BLANK is kept: readers ignore it where it does not apply.)
    if ((k === 'BSCALE' || k === 'BZERO') && !scalingKeys.has(k)) return k === 'BSCALE' ? sameValue(c.value, 1) : sameValue(c.value, 0);
    return true;
  });
  return assembleHeader(filtered, {
    mandatory,
    required,
    trailing: o.checksum ? checksumCards() : [],
    drop: (k) => (primary ? EXT_ONLY.has(k) : PRIMARY_ONLY.has(k)),
    hdu: index,
  });
}
