/**
 * What the Z keywords of a tile-compressed image say (FITS 4.0 §10): the
 * image's shape and pixel type, codec, tile grid, quantization, the columns
 * of its tile table, and the image header as astropy shows it. No decoding:
 * `Hdu.shape`, `dtype` and `imageHeader` read only this; the readers
 * (tiled-image.ts, read-gpu.ts) build on it.
 */
import { FitsError } from '../core/errors.js';
import { Header, type Card } from '../header/header.js';
import type { CardValue } from '../header/card.js';
import type { HduContext } from '../hdu/context.js';
import { pixelScaling, type DType, type PixelScaling } from '../image/pixel-type.js';
import type { ResolvedSection } from '../image/section.js';
import type { QuantizeMethod } from '../codecs/quantize/dequantize.js';
import { plioOffsetFor } from '../codecs/plio/offset.js';
import type { TileJobSpec } from './tile-decode.js';
import { makeTileGrid, type TileGrid } from './grid.js';
import { tileTableOf, type TileTable } from './tile-table.js';

/** What the Z keywords say about a compressed image. */
export interface CompressedImageInfo {
  /** Dimensions, C order. */
  dims: number[];
  dtype: DType;
  scaling: PixelScaling;
  zbitpix: number;
  /** ZCMPTYPE, trimmed and upper case (RICE_ONE normalised to RICE_1). */
  codec: string;
  grid: TileGrid;
  table: TileTable;
  bytepix: number;
  blocksize: number;
  smooth: boolean;
  quantized: boolean;
  /** ZQUANTIZ as read ('NONE' when absent is NO_DITHER). */
  quantizeMethod: string;
  ditherSeed: number;
  /** Keyword fallbacks for tiles without the columns. */
  zscaleKeyword: number | undefined;
  zzeroKeyword: number | undefined;
  zblankKeyword: number | undefined;
}

const VALID_BITPIX = new Set([8, 16, 32, 64, -32, -64]);
const infoCache = new WeakMap<HduContext, CompressedImageInfo>();
const headerCache = new WeakMap<HduContext, Header>();

function numberValue(v: CardValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

function requireInt(h: Header, key: string, hdu: number): number {
  // Strict (Header.structuralInt): a size that does not parse is an error, never a default or a lenient guess.
  return h.requireInt(key, hdu);
}

/** Parse (once per HDU) the Z keywords and the table layout of a compressed image. */
export function compressedImageInfo(ctx: HduContext): CompressedImageInfo {
  const cached = infoCache.get(ctx);
  if (cached) return cached;
  const h = ctx.header;
  const hdu = ctx.index;
  const zbitpix = requireInt(h, 'ZBITPIX', hdu);
  if (!VALID_BITPIX.has(zbitpix)) throw new FitsError('BAD_HEADER', `ZBITPIX = ${zbitpix} is not one of 8, 16, 32, 64, -32, -64.`, { hdu });
  const znaxis = requireInt(h, 'ZNAXIS', hdu);
  if (znaxis < 0 || znaxis > 999) throw new FitsError('BAD_HEADER', `ZNAXIS = ${znaxis} is outside 0..999.`, { hdu });
  const fitsDims: number[] = [];
  const fitsTile: number[] = [];
  let pixels = 1;
  for (let k = 1; k <= znaxis; k++) {
    const n = requireInt(h, `ZNAXIS${k}`, hdu);
    if (n < 0) throw new FitsError('BAD_HEADER', `ZNAXIS${k} = ${n} is negative.`, { hdu });
    fitsDims.push(n);
    pixels *= n;
    const tv = h.strict(`ZTILE${k}`, hdu, 'a positive integer');
    let t: number;
    if (tv === undefined) t = k === 1 ? n : 1; // default: one row per tile
    else if (typeof tv === 'bigint' && tv > 0n) t = Number.MAX_SAFE_INTEGER; // clipped to the axis below
    else if (typeof tv === 'number' && Number.isInteger(tv) && tv > 0) t = tv;
    else throw new FitsError('BAD_HEADER', `ZTILE${k} = ${String(tv)} is not a positive integer.`, { hdu });
    fitsTile.push(t);
  }
  if (!Number.isSafeInteger(pixels * 8)) {
    throw new FitsError('BAD_SIZE', `The compressed image declares ${fitsDims.join(' x ')} pixels, which is absurdly large.`, { hdu });
  }
  const dims = [...fitsDims].reverse();
  const grid = makeTileGrid(dims, [...fitsTile].reverse());

  const { layout } = ctx;
  if (layout.bitpix !== 8 || layout.naxes.length !== 2) {
    throw new FitsError('BAD_HEADER', 'A compressed image must be stored in a BINTABLE with BITPIX = 8 and NAXIS = 2.', { hdu });
  }
  const table = tileTableOf(ctx);
  if (table.rows < grid.ntiles) {
    throw new FitsError('CORRUPT_DATA', `The image needs ${grid.ntiles} tiles but the compressed table has only ${table.rows} rows.`, { hdu });
  }

  const cmp = h.get('ZCMPTYPE');
  if (typeof cmp !== 'string') throw new FitsError('BAD_HEADER', 'Mandatory keyword ZCMPTYPE is missing.', { hdu });
  let codec = cmp.trim().toUpperCase();
  if (codec === 'RICE_ONE') codec = 'RICE_1';

  // Codec parameters from ZNAMEn / ZVALn.
  let bytepix = 4;
  let blocksize = 32;
  let smooth = false;
  for (let i = 1; i <= 999; i++) {
    const name = h.get(`ZNAME${i}`);
    if (typeof name !== 'string') break;
    const val = numberValue(h.get(`ZVAL${i}`));
    const key = name.trim().toUpperCase();
    if (val === undefined) continue;
    if (key === 'BYTEPIX') bytepix = val;
    else if (key === 'BLOCKSIZE') blocksize = val;
    else if (key === 'SMOOTH') smooth = val !== 0;
  }

  const zscaleKeyword = numberValue(h.get('ZSCALE'));
  const zzeroKeyword = numberValue(h.get('ZZERO'));
  // Without a ZSCALE column (or keyword) the tiles hold unquantized pixels, whatever ZQUANTIZ says.
  const quantized = zbitpix < 0 && (table.columns.zscale !== undefined || zscaleKeyword !== undefined);
  const zq = h.get('ZQUANTIZ');
  const quantizeMethod = typeof zq === 'string' ? zq.trim().toUpperCase() : 'NO_DITHER';
  const ditherSeed = h.structuralInt('ZDITHER0', hdu) ?? 1;
  const zblankKeyword = numberValue(h.get('ZBLANK')) ?? (quantized ? numberValue(h.get('BLANK')) : undefined);

  const scaling = pixelScaling(h, zbitpix, { compressed: true });
  const info: CompressedImageInfo = {
    dims, dtype: scaling.dtype, scaling, zbitpix, codec, grid, table, bytepix, blocksize, smooth, quantized,
    quantizeMethod, ditherSeed, zscaleKeyword, zzeroKeyword, zblankKeyword,
  };
  infoCache.set(ctx, info);
  return info;
}

function quantizeMethodOf(info: CompressedImageInfo, hdu: number): QuantizeMethod {
  switch (info.quantizeMethod) {
    case 'NO_DITHER':
    case 'NONE':
      return 'NO_DITHER';
    case 'SUBTRACTIVE_DITHER_1':
    case 'SUBTRACTIVE_DITHER_2':
      return info.quantizeMethod;
    default:
      throw new FitsError('UNSUPPORTED', `ZQUANTIZ = '${info.quantizeMethod}' is not a known quantization method.`, { hdu });
  }
}

// ---------------------------------------------------------------------------
// The image header, as astropy 5.2.1's CompImageHDU.header shows it.

interface EditCard {
  keyword: string;
  value: CardValue;
  comment: string;
  commentary: boolean;
  hierarch: boolean;
  invalid: boolean;
  isReal: boolean;
  span: number;
}

const TABLE_KEYWORD_NAMES = new Set(['TTYPE', 'TFORM', 'TUNIT', 'TNULL', 'TSCAL', 'TZERO', 'TDISP', 'TBCOL', 'TDIM', 'TCTYP', 'TCUNI', 'TCRPX', 'TCRVL', 'TCDLT', 'TRPOS']);
const COMPRESSION_KEYWORDS = new Set([
  'ZSIMPLE', 'ZTENSION', 'ZBITPIX', 'ZNAXIS', 'ZEXTEND', 'ZBLOCKED', 'ZPCOUNT', 'ZGCOUNT', 'ZHECKSUM', 'ZDATASUM',
  'ZIMAGE', 'ZCMPTYPE', 'ZMASKCMP', 'ZQUANTIZ', 'ZDITHER0',
]);
const INDEXED_COMPRESSION_KEYWORDS = new Set(['ZNAXIS', 'ZTILE', 'ZNAME', 'ZVAL']);
const TDEF_RE = /^(T[A-Z]*)([1-9][0-9 ]*)$/;
const ZDEF_RE = /^([Zz][a-zA-Z]*)([1-9][0-9 ]*$)?/;
const DEFAULT_EXTNAME = 'COMPRESSED_IMAGE';

/** astropy's CompImageHeader._is_reserved_keyword (quirks included: ZDITHER0 is kept). */
function isReservedKeyword(keyword: string): boolean {
  if (keyword === 'TFIELDS') return true;
  const t = TDEF_RE.exec(keyword);
  if (t && TABLE_KEYWORD_NAMES.has(t[1]!.toUpperCase())) return true;
  const z = ZDEF_RE.exec(keyword);
  if (z) {
    const label = z[1]!.toUpperCase();
    if (z[2] !== undefined && INDEXED_COMPRESSION_KEYWORDS.has(label)) return true;
    if (COMPRESSION_KEYWORDS.has(label)) return true;
  }
  return false;
}

const isBlankCard = (c: EditCard) => c.commentary && c.keyword === '' && c.comment === '';
const COMMENTARY = new Set(['COMMENT', 'HISTORY', '']);

/** A minimal model of astropy's Header editing, enough for the conversion. */
class CardEditor {
  constructor(readonly cards: EditCard[]) {}

  indexOf(keyword: string): number {
    return this.cards.findIndex((c) => !c.commentary && c.keyword === keyword);
  }

  has(keyword: string): boolean {
    return this.indexOf(keyword) >= 0;
  }

  delete(keyword: string): void {
    for (let i = this.cards.length - 1; i >= 0; i--) if (!this.cards[i]!.commentary && this.cards[i]!.keyword === keyword) this.cards.splice(i, 1);
  }

  private countBlanks(): number {
    for (let i = 1; i < this.cards.length; i++) if (!isBlankCard(this.cards[this.cards.length - i]!)) return i - 1;
    return 0;
  }

  private append(card: EditCard): void {
    let idx = this.cards.length - 1;
    while (idx >= 0 && isBlankCard(this.cards[idx]!)) idx--;
    while (idx >= 0 && COMMENTARY.has(this.cards[idx]!.keyword) && this.cards[idx]!.commentary) idx--;
    this.cards.splice(idx + 1, 0, card);
    if (this.countBlanks() && isBlankCard(this.cards[this.cards.length - 1]!)) this.cards.pop();
  }

  private insertionIndex(pos: { before?: number | string; after?: string }): number {
    let idx: number;
    if (pos.before !== undefined) idx = typeof pos.before === 'number' ? pos.before : this.indexOf(pos.before);
    else idx = this.indexOf(pos.after!) + 1;
    return idx;
  }

  /** astropy Header.set(keyword, value, comment, before=…, after=…). */
  set(keyword: string, value: CardValue, comment: string | undefined, pos?: { before?: number | string; after?: string }, isReal = false): void {
    const at = this.indexOf(keyword);
    if (at >= 0) {
      const c = this.cards[at]!;
      c.value = value;
      c.isReal = isReal;
      c.invalid = false;
      if (comment !== undefined) c.comment = comment;
      if (!pos) return;
      const ins = this.insertionIndex(pos);
      if (ins >= this.cards.length && at === this.cards.length - 1) return;
      if (pos.before !== undefined && at === ins - 1) return;
      if (pos.after !== undefined && at === ins) return;
      this.cards.splice(at, 1);
      this.cards.splice(Math.min(this.insertionIndex(pos), this.cards.length), 0, c);
      return;
    }
    const card: EditCard = { keyword, value, comment: comment ?? '', commentary: false, hierarch: false, invalid: false, isReal, span: 1 };
    if (pos) this.cards.splice(Math.min(this.insertionIndex(pos), this.cards.length), 0, card);
    else this.append(card);
  }

  appendBlank(): void {
    this.cards.push({ keyword: '', value: null, comment: '', commentary: true, hierarch: false, invalid: false, isReal: false, span: 1 });
  }

  blanksAtEnd(): number {
    return this.countBlanks();
  }
}

/**
 * The header of the uncompressed image, reconstructed from the compressed
 * HDU's header as astropy 5.2.1 shows it (`CompImageHDU.header`): table
 * keywords dropped, ZSIMPLE/ZTENSION/ZBITPIX/ZNAXISn/ZPCOUNT/ZGCOUNT/ZEXTEND/
 * ZBLOCKED/ZHECKSUM/ZDATASUM moved back to their image names, the default
 * EXTNAME 'COMPRESSED_IMAGE' removed. Other keywords (BSCALE, ZBLANK,
 * ZDITHER0, HISTORY, …) are kept in order.
 */
export function compressedImageHeader(ctx: HduContext): Header {
  const cached = headerCache.get(ctx);
  if (cached) return cached;
  const table = ctx.header;
  const hdu = ctx.index;
  const z = (k: string) => table.card(k);
  const src: EditCard[] = table.cards.map((c: Card) => ({
    keyword: c.keyword, value: c.value, comment: c.comment, commentary: c.commentary, hierarch: c.hierarch, invalid: c.invalid, isReal: c.isReal, span: c.span,
  }));
  // _remove_unnecessary_default_extnames
  const extnames = src.map((c, i) => (!c.commentary && c.keyword === 'EXTNAME' ? i : -1)).filter((i) => i >= 0);
  const ed0 = src;
  if (extnames.length > 1) {
    const defaults = extnames.filter((i) => ed0[i]!.value === DEFAULT_EXTNAME);
    if (defaults.length === extnames.length) defaults.shift();
    for (const i of defaults.reverse()) ed0.splice(i, 1);
  }
  const tableBlanks = new CardEditor(ed0.slice()).blanksAtEnd();
  const ed = new CardEditor(ed0.filter((c) => c.commentary || !isReservedKeyword(c.keyword)));

  const zsimple = z('ZSIMPLE');
  const ztension = z('ZTENSION');
  if (zsimple) {
    ed.set('SIMPLE', zsimple.value, zsimple.comment, { before: 0 });
    ed.delete('XTENSION');
  } else if (ztension) {
    ed.set('XTENSION', 'IMAGE', ztension.comment, { before: 0 });
  } else {
    ed.set('XTENSION', 'IMAGE', undefined, { before: 0 });
  }
  const zbitpix = z('ZBITPIX');
  const znaxis = z('ZNAXIS');
  if (!zbitpix || !znaxis || typeof znaxis.value !== 'number') {
    throw new FitsError('BAD_HEADER', 'A compressed image header needs ZBITPIX and ZNAXIS.', { hdu });
  }
  ed.set('BITPIX', zbitpix.value, zbitpix.comment, { before: 1 });
  ed.set('NAXIS', znaxis.value, znaxis.comment, { before: 2 });
  let last = 'NAXIS';
  const naxis = znaxis.value;
  for (let i = 1; i <= naxis; i++) {
    const c = z(`ZNAXIS${i}`);
    if (!c) throw new FitsError('BAD_HEADER', `Mandatory keyword ZNAXIS${i} is missing.`, { hdu });
    ed.set(`NAXIS${i}`, c.value, c.comment, { after: last });
    last = `NAXIS${i}`;
  }
  for (const c of ed.cards.slice()) {
    if (c.commentary || !c.keyword.startsWith('NAXIS') || c.keyword.length < 6) continue;
    const n = Number(c.keyword.slice(5));
    if (Number.isInteger(n) && n > naxis) ed.delete(c.keyword);
  }
  const zp = z('ZPCOUNT');
  ed.set('PCOUNT', zp ? zp.value : 0, zp ? zp.comment : undefined, { after: last });
  const zg = z('ZGCOUNT');
  ed.set('GCOUNT', zg ? zg.value : 1, zg ? zg.comment : undefined, { after: 'PCOUNT' });
  for (const [from, to] of [['ZEXTEND', 'EXTEND'], ['ZBLOCKED', 'BLOCKED'], ['ZHECKSUM', 'CHECKSUM'], ['ZDATASUM', 'DATASUM']] as const) {
    const c = z(from);
    if (c) ed.set(to, c.value, c.comment, undefined, c.isReal);
  }
  const en = ed.cards.find((c) => !c.commentary && c.keyword === 'EXTNAME');
  if (en && typeof en.value === 'string' && en.value === DEFAULT_EXTNAME) ed.delete('EXTNAME');
  if (ed.has('SIMPLE')) {
    ed.delete('PCOUNT');
    ed.delete('GCOUNT');
  }
  for (let i = ed.blanksAtEnd(); i < tableBlanks; i++) ed.appendBlank();

  let index = 0;
  const cards: Card[] = ed.cards.map((c) => {
    const card: Card = { ...c, index, span: c.span };
    index += c.span;
    return card;
  });
  const header = new Header(cards, index);
  headerCache.set(ctx, header);
  return header;
}

/** The decode job description of a read (what tile-decode.ts and workers take). */
export function tileJobSpec(info: CompressedImageInfo, sec: ResolvedSection, hdu: number): TileJobSpec {
  return {
    hdu,
    codec: info.codec,
    zbitpix: info.zbitpix,
    bytepix: info.bytepix,
    blocksize: info.blocksize,
    smooth: info.smooth,
    quantized: info.quantized,
    plioOffset: info.codec === 'PLIO_1' && !info.quantized ? plioOffsetFor(info.scaling.bzero) : 0,
    method: info.quantized ? quantizeMethodOf(info, hdu) : 'NO_DITHER',
    ditherSeed: info.ditherSeed,
    scaling: info.scaling,
    dims: info.dims,
    tile: [...info.grid.tile],
    counts: [...info.grid.counts],
    start: sec.start,
    shape: sec.shape,
    step: sec.step,
  };
}

/** Shape, dtype and image header of a compressed HDU (for Hdu.shape / Hdu.dtype). */
export function compressedImageSummary(ctx: HduContext): { dims: number[]; dtype: DType; header: Header } {
  const info = compressedImageInfo(ctx);
  return { dims: info.dims, dtype: info.dtype, header: compressedImageHeader(ctx) };
}
