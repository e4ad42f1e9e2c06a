/**
 * The header of the table a tile-compressed table holds (FITS 4.0 §10.3),
 * rebuilt from the compressed HDU's header as CFITSIO's funpack rebuilds it
 * (fits_uncompress_table): NAXIS1, NAXIS2 and PCOUNT take the ZNAXIS1,
 * ZNAXIS2 and ZPCOUNT cards (value and comment) in their place, each TFORMn
 * its ZFORMn card; ZTABLE, ZTILELEN, ZNAXISn, ZPCOUNT, ZFORMn and ZCTYPn are
 * removed, as are the compressed HDU's own CHECKSUM and DATASUM, and
 * ZHECKSUM/ZDATASUM become CHECKSUM/DATASUM again. ZTHEAP becomes THEAP (the
 * standard's name for the original heap offset; CFITSIO never writes it).
 * Every other card stays where it is.
 */
import { FitsError } from '../core/errors.js';
import { Header, type Card } from '../header/header.js';
import type { HduContext } from '../hdu/context.js';

const headerCache = new WeakMap<HduContext, Header>();

type Editable = { -readonly [K in keyof Card]: Card[K] };

function find(cards: Editable[], keyword: string): number {
  return cards.findIndex((c) => !c.commentary && c.keyword === keyword);
}

/** Replace the first `target` card by `source`'s value and comment (appended if absent), as fits_update_card. */
function take(cards: Editable[], target: string, source: Card | undefined): void {
  if (!source) return;
  const at = find(cards, target);
  const card: Editable = { ...source, keyword: target };
  if (at >= 0) cards[at] = card;
  else cards.push(card);
}

function remove(cards: Editable[], keyword: string): void {
  const at = find(cards, keyword);
  if (at >= 0) cards.splice(at, 1);
}

function rename(cards: Editable[], from: string, to: string): void {
  const at = find(cards, from);
  if (at >= 0) cards[at] = { ...cards[at]!, keyword: to };
}

/**
 * The uncompressed table's header (see the module notes), built once per HDU.
 * @example
 * const h = compressedTableHeader(hdu); // NAXIS2 = the table's rows, TFORMn its formats
 */
export function compressedTableHeader(ctx: HduContext): Header {
  const hit = headerCache.get(ctx);
  if (hit) return hit;
  const h = ctx.header;
  for (const k of ['ZNAXIS1', 'ZNAXIS2', 'ZPCOUNT']) {
    if (!h.card(k)) throw new FitsError('BAD_HEADER', `A compressed table needs ${k}; it is missing.`, { hdu: ctx.index });
  }
  const cards: Editable[] = h.cards.map((c) => ({ ...c }));
  take(cards, 'NAXIS1', h.card('ZNAXIS1'));
  take(cards, 'NAXIS2', h.card('ZNAXIS2'));
  take(cards, 'PCOUNT', h.card('ZPCOUNT'));
  for (const k of ['ZTABLE', 'ZTILELEN', 'ZNAXIS1', 'ZNAXIS2', 'ZPCOUNT', 'CHECKSUM', 'DATASUM']) remove(cards, k);
  rename(cards, 'ZHECKSUM', 'CHECKSUM');
  rename(cards, 'ZDATASUM', 'DATASUM');
  rename(cards, 'ZTHEAP', 'THEAP');
  const tfields = h.getInt('TFIELDS', 0);
  for (let n = 1; n <= Math.min(Math.max(tfields, 0), 999); n++) {
    const zform = h.card(`ZFORM${n}`);
    if (!zform) throw new FitsError('BAD_HEADER', `A compressed table needs ZFORM${n} (the format of column ${n}); it is missing.`, { hdu: ctx.index });
    take(cards, `TFORM${n}`, zform);
    remove(cards, `ZFORM${n}`);
    remove(cards, `ZCTYP${n}`);
  }
  let index = 0;
  const out: Card[] = cards.map((c) => {
    const card: Card = { ...c, index };
    index += c.span;
    return card;
  });
  const header = new Header(out, index);
  headerCache.set(ctx, header);
  return header;
}
