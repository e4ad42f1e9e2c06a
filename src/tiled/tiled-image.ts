/**
 * Tile-compressed images (FITS 4.0 §10, the tiled image convention): a
 * BINTABLE with ZIMAGE = T read as the image it holds.
 *
 * The container logic lives here once for every codec: the Z keywords, the
 * tile grid, which tiles (and which bytes of the file) a section needs, the
 * per-tile quantization parameters, and whether to decode on this thread or
 * in the worker pool. Decoding and placing pixels is in tile-decode.ts (it
 * also runs in workers); the codecs are in codec-registry.ts.
 */
import { FitsError } from '../core/errors.js';
import { Header, type Card } from '../header/header.js';
import type { CardValue } from '../header/card.js';
import type { HduContext } from '../file/hdu.js';
import type { ByteSource } from '../core/byte-source.js';
import { pixelScaling, ARRAY_CTOR, BYTES_PER, intoArray, type DType, type ImageArray, type PixelScaling } from '../image/pixel-type.js';
import type { ImageChunk, ImageData, IterateImageOptions, ReadImageOptions } from '../image/read-image.js';
import { resolveSection, type ResolvedSection } from '../image/section.js';
import { allocateBuffer, sharedMemoryAvailable } from '../core/buffers.js';
import { defaultWorkerPool, closeDefaultWorkerPool, type WorkerPool } from '../workers/pool.js';
import { isBuiltinTileCodec, tileDecoder } from '../codecs/registry.js';
import type { QuantizeMethod } from '../codecs/quantize/dequantize.js';
import {
  CONTROL_SLOTS,
  decodeTiles,
  leadTileJob,
  TILE_COMMIT,
  TILE_DONE_WORKER,
  F_INDEX, F_LENGTH, F_OFFSET, F_SOURCE, F_ZBLANK, F_ZSCALE, F_ZZERO,
  SRC_CODEC, SRC_GZIP, SRC_RAW, TILE_FIELDS,
  type SharedTileJob, type TileJobSpec,
} from './tile-decode.js';
import { checkTilePixels, makeTileGrid, tilesForSection, type TileGrid, type TilePlacement } from './grid.js';
import { readTileRows, tileTableOf, type TileTable } from './tile-table.js';

/** Options of `hdu.readImage()` for compressed images. */
export interface CompressedReadOptions extends ReadImageOptions {
  /**
   * Parallel decoding. `undefined` (default): the default worker pool for
   * images of at least {@link PARALLEL_MIN_PIXELS} pixels to decode, when the
   * runtime has workers and SharedArrayBuffer; `false` or `0`: decode on this
   * thread; a number: use up to that many workers (whatever the image size);
   * a {@link WorkerPool}: use that pool. Results are identical bit for bit.
   * When workers decode, the result's buffer is a SharedArrayBuffer.
   */
  workers?: number | false | WorkerPool;
}

/**
 * Below this many pixels to decode, the default is to decode inline: handing
 * the work to workers costs more than it saves (measured by
 * `node bench/compressed-read.mjs --threshold`; see bench/compressed-read.md).
 */
export const PARALLEL_MIN_PIXELS = 1 << 20;

/** How long a parallel decode waits for its workers' replies after the image is complete. */
const WORKER_REPLY_WAIT_MS = 100;

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
  const v = h.get(key);
  const card = h.card(key);
  if (typeof v === 'bigint') throw new FitsError('BAD_SIZE', `${key} = ${v} is absurdly large.`, { hdu, card: card ? card.index + 1 : undefined });
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new FitsError('BAD_HEADER', card ? `${key} must be an integer.` : `Mandatory keyword ${key} is missing.`, { hdu, card: card ? card.index + 1 : undefined });
  }
  return v;
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
    const tv = h.get(`ZTILE${k}`);
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
  const ditherSeed = h.getInt('ZDITHER0', 1);
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

// ---------------------------------------------------------------------------
// Reading.

function readSyncOf(source: ByteSource): ((offset: number, length: number, into?: Uint8Array) => Uint8Array) | undefined {
  const s = source as ByteSource & { readSync?: (o: number, l: number, into?: Uint8Array) => Uint8Array };
  return typeof s.readSync === 'function' ? s.readSync.bind(s) : undefined;
}

interface ReadJob {
  offset: number;
  into: Uint8Array;
}

/** Read byte ranges into their destinations (synchronously when the source can). */
async function readAll(source: ByteSource, jobs: ReadJob[], hdu: number): Promise<void> {
  const sync = readSyncOf(source);
  const check = (got: Uint8Array, j: ReadJob) => {
    if (got.length !== j.into.length) {
      throw new FitsError('TRUNCATED', `The file ends inside the compressed image data (wanted ${j.into.length} bytes at ${j.offset}, got ${got.length}).`, { hdu, offset: j.offset });
    }
    if (got !== j.into && got.buffer !== j.into.buffer) j.into.set(got);
  };
  if (sync) {
    for (const j of jobs) check(sync(j.offset, j.into.length, j.into), j);
    return;
  }
  for (let i = 0; i < jobs.length; i += 64) {
    const batch = jobs.slice(i, i + 64);
    const got = await Promise.all(batch.map((j) => source.read(j.offset, j.into.length, j.into)));
    got.forEach((g, k) => check(g, batch[k]!));
  }
}

/** Is `a`'s buffer a SharedArrayBuffer? */
function isShared(a: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer === 'function' && a.buffer instanceof SharedArrayBuffer;
}

/**
 * Read a compressed image, or a section of it. Only the tiles the section
 * intersects are read (their table rows and heap bytes) and decoded.
 */
export async function readCompressedImage(ctx: HduContext, opts: CompressedReadOptions = {}): Promise<ImageData> {
  const info = compressedImageInfo(ctx);
  const hdu = ctx.index;
  const sec = resolveSection(info.dims, opts, hdu);
  const s = info.scaling;
  if (info.dims.length === 0) {
    return { data: new ARRAY_CTOR[s.dtype](new ArrayBuffer(0), 0, 0), shape: [], dtype: s.dtype };
  }
  const placements = sec.count === 0 ? [] : tilesForSection(info.grid, sec);
  let totalPixels = 0;
  for (const p of placements) {
    checkTilePixels(p.pixels, hdu, p.index);
    totalPixels += p.pixels;
  }

  // Fail early, before any I/O, on what cannot be decoded at all.
  const spec = tileJobSpec(info, sec, hdu);
  if (placements.length) {
    try {
      tileDecoder(spec.codec, spec);
    } catch (e) {
      if (e instanceof FitsError) throw new FitsError(e.code, e.message, { hdu, cause: e });
      throw e;
    }
  }

  // Parallel or inline?
  const w = opts.workers;
  let pool: WorkerPool | null = null;
  let nWorkers = 0;
  const parallelPossible =
    w !== false && w !== 0 && sharedMemoryAvailable && placements.length >= 2 && isBuiltinTileCodec(info.codec) && (!opts.into || isShared(opts.into));
  if (parallelPossible) {
    if (typeof w === 'object' && w !== null) pool = w;
    else if (typeof w === 'number' || totalPixels >= PARALLEL_MIN_PIXELS) pool = defaultWorkerPool();
    if (pool) nWorkers = Math.min(pool.size, typeof w === 'number' ? w : pool.size, placements.length - 1);
    if (nWorkers < 1) pool = null;
  }
  const shared = pool !== null;

  // Output.
  let out: ImageArray;
  if (opts.into) out = intoArray(opts.into, s.dtype, sec.count, hdu);
  else {
    let buffer: ArrayBuffer | SharedArrayBuffer;
    try {
      buffer = allocateBuffer(sec.count * BYTES_PER[s.dtype], opts.shared || shared);
    } catch (e) {
      throw e instanceof FitsError ? new FitsError(e.code, e.message, { hdu, cause: e }) : e;
    }
    out = new ARRAY_CTOR[s.dtype](buffer, 0, sec.count);
  }
  const result: ImageData = { data: out, shape: sec.shape, dtype: s.dtype };
  if (placements.length === 0) return result;

  const { tiles, staging, ntiles } = await loadTiles(ctx, info, placements, shared);

  if (!pool) {
    decodeTiles(spec, tiles, 0, ntiles, staging, out);
    Object.assign(lastDecodeStats, { workers: 0, workerTiles: 0, inlineTiles: ntiles, fallback: false });
    return result;
  }
  await decodeParallel(pool, nWorkers, {
    spec, tiles, ntiles, staging, out,
    control: new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS)),
    states: new Int32Array(new SharedArrayBuffer(4 * ntiles)),
    chunk: chunkSize(ntiles, totalPixels, nWorkers),
  });
  return result;
}

function chunkSize(ntiles: number, totalPixels: number, nWorkers: number): number {
  const perTile = totalPixels / ntiles;
  const minTiles = Math.ceil((1 << 15) / perTile); // at least ~32 Ki pixels per claim
  const balance = Math.ceil(ntiles / ((nWorkers + 1) * 16)); // ~16 claims per thread
  return Math.max(1, Math.min(minTiles, Math.ceil(ntiles / (nWorkers + 1))), balance);
}

/** The tile records and compressed bytes of a read (see {@link loadTiles}). */
export interface LoadedTiles {
  /** TILE_FIELDS numbers per tile, in table-row order (tile-decode.ts F_*). */
  tiles: Float64Array;
  /** The tiles' bytes, packed; records point into it. */
  staging: Uint8Array;
  ntiles: number;
}

/**
 * Read what decoding `placements` needs: their table rows (descriptors,
 * ZSCALE/ZZERO/ZBLANK) and their heap bytes, merged where they touch, into
 * one staging buffer; and build the tile records (source column, offset and
 * length in staging, quantization parameters). `shared` puts both in
 * SharedArrayBuffers. Used by the CPU path here and by other decoders (GPU).
 */
export async function loadTiles(ctx: HduContext, info: CompressedImageInfo, placements: readonly TilePlacement[], shared: boolean): Promise<LoadedTiles> {
  const hdu = ctx.index;
  // The table rows of the needed tiles (runs of consecutive rows).
  const { table } = info;
  const rowRuns: { first: number; count: number }[] = [];
  for (const p of placements) {
    const last = rowRuns[rowRuns.length - 1];
    if (last && last.first + last.count === p.index) last.count++;
    else rowRuns.push({ first: p.index, count: 1 });
  }

  // Each tile's bytes: COMPRESSED_DATA, else GZIP_COMPRESSED_DATA, else UNCOMPRESSED_DATA.
  const ntiles = placements.length;
  const tiles = new Float64Array(shared ? new SharedArrayBuffer(ntiles * TILE_FIELDS * 8) : new ArrayBuffer(ntiles * TILE_FIELDS * 8));
  const fileOffsets = new Float64Array(ntiles);
  const num = (a: ArrayLike<number | bigint> | undefined, k: number) => (a === undefined ? undefined : Number(a[k]));
  let r = 0;
  for (const run of rowRuns) {
    const rows = await readTileRows(ctx, table, run.first, run.count);
    const { compressed, gzip, uncompressed } = rows.ranges;
    for (let k = 0; k < run.count; k++, r++) {
      const index = run.first + k;
      const b = r * TILE_FIELDS;
      let src: number;
      let at: number;
      let len: number;
      if (compressed && compressed.byteLengths[k]! > 0) [src, at, len] = [SRC_CODEC, compressed.fileOffsets[k]!, compressed.byteLengths[k]!];
      else if (gzip && gzip.byteLengths[k]! > 0) [src, at, len] = [SRC_GZIP, gzip.fileOffsets[k]!, gzip.byteLengths[k]!];
      else if (uncompressed && uncompressed.byteLengths[k]! > 0) [src, at, len] = [SRC_RAW, uncompressed.fileOffsets[k]!, uncompressed.byteLengths[k]!];
      else throw new FitsError('CORRUPT_DATA', 'The tile has no data (its COMPRESSED_DATA is empty and there is no other copy).', { hdu, tile: index });
      tiles[b + F_INDEX] = index;
      tiles[b + F_SOURCE] = src;
      fileOffsets[r] = at;
      tiles[b + F_LENGTH] = len;
      if (info.quantized) {
        const zscale = num(rows.values.zscale, k) ?? info.zscaleKeyword;
        if (zscale === undefined) throw new FitsError('BAD_HEADER', 'A quantized tile has no ZSCALE.', { hdu, tile: index });
        tiles[b + F_ZSCALE] = zscale;
        tiles[b + F_ZZERO] = num(rows.values.zzero, k) ?? info.zzeroKeyword ?? 0;
        tiles[b + F_ZBLANK] = num(rows.values.zblank, k) ?? info.zblankKeyword ?? NaN;
      } else {
        tiles[b + F_ZSCALE] = NaN;
        tiles[b + F_ZZERO] = 0;
        tiles[b + F_ZBLANK] = NaN;
      }
    }
  }

  // Heap ranges, merged where they touch, packed into one staging buffer.
  const order = Array.from({ length: ntiles }, (_, i) => i).sort((a, b) => fileOffsets[a]! - fileOffsets[b]!);
  const merged: { start: number; end: number; at: number }[] = [];
  let staged = 0;
  for (const i of order) {
    const start = fileOffsets[i]!;
    const end = start + tiles[i * TILE_FIELDS + F_LENGTH]!;
    let m = merged[merged.length - 1];
    if (m && start <= m.end) {
      if (end > m.end) {
        staged += end - m.end;
        m.end = end;
      }
    } else {
      m = { start, end, at: staged };
      merged.push(m);
      staged += end - start;
    }
    tiles[i * TILE_FIELDS + F_OFFSET] = m.at + (start - m.start);
  }
  const staging = new Uint8Array(shared ? new SharedArrayBuffer(staged) : new ArrayBuffer(staged));
  await readAll(
    ctx.source,
    merged.map((m) => ({ offset: m.start, into: staging.subarray(m.at, m.at + (m.end - m.start)) })),
    hdu,
  );

  return { tiles, staging, ntiles };
}

/** How the last read of this thread was decoded (for tests and benchmarks). */
export interface DecodeStats {
  /** Workers asked to help (0: decoded inline). */
  workers: number;
  /** Tiles decoded by workers. */
  workerTiles: number;
  /** Tiles decoded on the calling thread. */
  inlineTiles: number;
  /** True when the pool failed and everything was decoded again inline. */
  fallback: boolean;
}
export const lastDecodeStats: DecodeStats = { workers: 0, workerTiles: 0, inlineTiles: 0, fallback: false };

/** Resolve when none of the tile records `rs` is still being written by a worker. */
async function tilesCommitted(states: Int32Array, rs: number[]): Promise<void> {
  const waitAsync = (Atomics as { waitAsync?: (a: Int32Array, i: number, v: number, t?: number) => { async: boolean; value: Promise<string> | string } }).waitAsync;
  for (const r of rs) {
    while (Atomics.load(states, r) === TILE_COMMIT) {
      if (waitAsync) {
        const w = waitAsync(states, r, TILE_COMMIT, 50);
        if (w.async) await w.value;
      } else {
        await new Promise((res) => setTimeout(res, 0));
      }
    }
  }
}

/**
 * Decode a job with `nWorkers` workers plus this thread (see SharedTileJob):
 * this thread never waits for a worker's tiles except the few being copied
 * into the output at that moment. If the pool fails while one is, that tile
 * is decoded again here (same values).
 */
async function decodeParallel(pool: WorkerPool, nWorkers: number, job: SharedTileJob): Promise<void> {
  let poolFailed: () => void = () => undefined;
  const failed = new Promise<void>((res) => (poolFailed = res));
  let broken = false;
  const runs: Promise<unknown>[] = [];
  for (let i = 0; i < nWorkers; i++) {
    runs.push(pool.run({ type: 'decode-tiles', job }).catch((e) => {
      // A FitsError means a corrupt tile: this thread meets it too and reports it.
      if (!(e instanceof FitsError)) {
        broken = true;
        poolFailed();
      }
    }));
  }
  const pending = leadTileJob(job);
  if (pending.length) await Promise.race([tilesCommitted(job.states, pending), failed]);
  let fallback = false;
  if (broken) {
    if (pool === defaultWorkerPool()) void closeDefaultWorkerPool();
    // A dead worker may have left tiles half written: write them again here.
    for (const r of pending) {
      if (Atomics.load(job.states, r) !== TILE_DONE_WORKER) {
        decodeTiles(job.spec, job.tiles, r, r + 1, job.staging, job.out);
        fallback = true;
      }
    }
  }
  // Let the workers' replies arrive before returning (they stop within one tile once
  // every chunk is claimed). Otherwise, when the caller reads again without yielding
  // to the event loop (sync file reads), the pool still counts them busy and posts the
  // next job only after this thread has decoded it all alone. A stalled worker costs
  // at most the bound below, never the result.
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([Promise.allSettled(runs), new Promise<void>((res) => (timer = setTimeout(res, WORKER_REPLY_WAIT_MS)))]);
  clearTimeout(timer);
  let workerTiles = 0;
  for (let r = 0; r < job.ntiles; r++) if (job.states[r] === TILE_DONE_WORKER) workerTiles++;
  Object.assign(lastDecodeStats, { workers: nWorkers, workerTiles, inlineTiles: job.ntiles - workerTiles, fallback });
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

/**
 * Stream a compressed image in chunks of whole slices along the slowest axis
 * (bounded memory). Chunks are whole tiles along that axis (default ~4 MiB of
 * output), so no tile is decoded twice.
 */
export async function* iterateCompressedImage(
  ctx: HduContext,
  opts: IterateImageOptions & Pick<CompressedReadOptions, 'workers'> = {},
): AsyncGenerator<ImageChunk> {
  const info = compressedImageInfo(ctx);
  const { dims } = info;
  if (dims.length === 0 || dims[0] === 0) return;
  const sliceElems = dims.slice(1).reduce((a, b) => a * b, 1);
  const sliceBytes = Math.max(1, sliceElems * BYTES_PER[info.dtype]);
  const t0 = info.grid.tile[0]!;
  let per = opts.slices;
  if (per === undefined) per = Math.max(1, Math.floor((4 << 20) / sliceBytes / t0)) * t0;
  if (!Number.isInteger(per) || per < 1) throw new FitsError('BAD_ARGUMENT', 'slices must be a positive integer.', { hdu: ctx.index });
  for (let i = 0; i < dims[0]!; i += per) {
    const n = Math.min(per, dims[0]! - i);
    const chunk = await readCompressedImage(ctx, {
      start: dims.map((_, k) => (k === 0 ? i : 0)),
      shape: dims.map((d, k) => (k === 0 ? n : d)),
      workers: opts.workers,
    });
    yield { ...chunk, start: i };
  }
}

/** Shape, dtype and image header of a compressed HDU (for Hdu.shape / Hdu.dtype). */
export function compressedImageSummary(ctx: HduContext): { dims: number[]; dtype: DType; header: Header } {
  const info = compressedImageInfo(ctx);
  return { dims: info.dims, dtype: info.dtype, header: compressedImageHeader(ctx) };
}
