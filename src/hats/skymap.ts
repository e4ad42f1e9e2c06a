/**
 * skymap.fits: row counts per HEALPix pixel (NESTED) at one order, written as
 * the CDS HEALPix library writes it for hats — byte for byte its header
 * layout, since its reader checks the first cards by position:
 * an empty primary HDU, then a BINTABLE with PIXTYPE='HEALPIX',
 * ORDERING='NESTED', COORDSYS='C', NSIDE; INDXSCHM='IMPLICIT' (one int64
 * VALUE per pixel) or, when more than half of the pixels are empty (as hats
 * chooses), INDXSCHM='EXPLICIT' (PIXEL and VALUE columns for the others).
 */
const BLOCK = 2880;

function card(key: string, value: string | number | boolean): string {
  const k = key.padEnd(8);
  let v: string;
  if (typeof value === 'string') v = `'${value.padEnd(8)}'`.padEnd(20);
  else if (typeof value === 'boolean') v = (value ? 'T' : 'F').padStart(20);
  else v = String(value).padStart(20);
  return `${k}= ${v}`.padEnd(80);
}

function headerBytes(cards: string[]): Uint8Array {
  const text = [...cards, 'END'.padEnd(80)].join('');
  const n = Math.ceil(text.length / BLOCK) * BLOCK;
  const out = new Uint8Array(n).fill(0x20);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** The skymap file of a histogram (counts at `order`, nested) as bytes. */
export function skymapFits(histogram: ArrayLike<number>, order: number, creator = 'fitsflow'): Uint8Array {
  const npix = histogram.length;
  let nonZero = 0;
  for (let i = 0; i < npix; i++) if (histogram[i]! > 0) nonZero++;
  const explicit = npix - nonZero > npix / 2;
  const rows = explicit ? nonZero : npix;
  const width = explicit ? 16 : 8;
  const primary = headerBytes([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 0), card('EXTEND', true)]);
  const cards = [
    card('XTENSION', 'BINTABLE'), card('BITPIX', 8), card('NAXIS', 2), card('NAXIS1', width), card('NAXIS2', rows),
    card('PCOUNT', 0), card('GCOUNT', 1), card('TFIELDS', explicit ? 2 : 1),
  ];
  if (explicit) cards.push(card('TTYPE1', 'PIXEL'), card('TTYPE2', 'VALUE'), card('TFORM1', 'K'), card('TFORM2', 'K'));
  else cards.push(card('TTYPE1', 'VALUE'), card('TFORM1', 'K'));
  cards.push(card('PIXTYPE', 'HEALPIX'), card('INDXSCHM', explicit ? 'EXPLICIT' : 'IMPLICIT'), card('ORDERING', 'NESTED'));
  if (explicit) {
    cards.push(card('COORDSYS', 'C'), card('EXTNAME', 'xtension'), card('NSIDE', 2 ** order), card('OBS_NPIX', rows));
  } else {
    cards.push(card('NSIDE', 2 ** order), card('FIRSTPIX', 0), card('LASTPIX', npix - 1), card('OBJECT', 'FULLSKY'), card('COORDSYS', 'C'), card('EXTNAME', 'xtension'));
  }
  cards.push(`CREATOR = '${creator.replace(/'/g, "''")}'`.padEnd(80));
  const header = headerBytes(cards);
  const dataBytes = rows * width;
  const data = new Uint8Array(Math.ceil(dataBytes / BLOCK) * BLOCK);
  const dv = new DataView(data.buffer);
  let o = 0;
  for (let i = 0; i < npix; i++) {
    const v = histogram[i]!;
    if (explicit) {
      if (v <= 0) continue;
      dv.setUint32(o + 4, i); // big-endian int64: high word 0 (pixels < 2^32 up to order 13)
      o += 8;
    }
    // Counts below 2^53: high and low words of the big-endian int64.
    dv.setUint32(o, Math.floor(v / 4294967296));
    dv.setUint32(o + 4, v >>> 0);
    o += 8;
  }
  const out = new Uint8Array(primary.length + header.length + data.length);
  out.set(primary, 0);
  out.set(header, primary.length);
  out.set(data, primary.length + header.length);
  return out;
}
