/**
 * Tile-compressed binary tables (FITS 4.0 §10.3, ZTABLE = T), written as
 * CFITSIO's fits_compress_table (`fpack -table`) writes them, so that funpack
 * restores the table byte for byte in its rows and heap.
 *
 * The table is encoded as {@link FitsWriter.addTable} would write it, tile by
 * tile (ZTILELEN rows); each column of a tile — its cells one after another —
 * becomes one compressed byte array of a `1QB` column of the same name, one
 * row per tile. Algorithms per column as CFITSIO picks them (or as asked
 * where CFITSIO allows it): see {@link columnCompression}. Variable-length
 * columns: each row's array is compressed on its own into the heap (or kept
 * as it is when that is not smaller), and the tile's cell holds the gzip of
 * the rows' original descriptors followed by 16-byte descriptors of the
 * compressed arrays. The header is the table's own, NAXIS1/NAXIS2/PCOUNT and
 * TFORMn set for the compressed table, the originals kept in ZNAXIS1,
 * ZNAXIS2, ZPCOUNT and ZFORMn (with their comments), CHECKSUM/DATASUM of the
 * table in ZHECKSUM/ZDATASUM, THEAP in ZTHEAP.
 *
 * Not written: variable-length bit arrays (PX), whose bits funpack cannot
 * restore (CFITSIO counts them as 0 bytes), and tables without rows or
 * columns, which fpack leaves uncompressed (they are written as plain tables).
 *
 * Memory: the table (as addTable), one tile of encoded rows, and the
 * compressed bytes.
 */
import { FitsError } from '../core/errors.js';
import type { CardValue } from '../header/card.js';
import { formatCard, type CardInput } from '../header/format.js';
import { addSums } from '../checksum/sum32.js';
import { riceEncode } from '../codecs/rice/encode.js';
import { shuffleBytes, type Deflater } from '../codecs/gzip/encode.js';
import { arrayElementBytes, fixedShuffleBytes } from '../ztable/info.js';
import { keyOf, toCardInputs, type AssembledCard } from './header-build.js';
import { patchCard, sealChecksum, StreamingSum } from './hdu-emit.js';
import { encodeRows, HeapBuilder, planColumns, tableColumns, vlaFormPatches, type ColumnPlan, type ColumnSource, type NormalColumn, type TableInput } from './table-encode.js';
import { tableHeader, writeTable } from './table-writer.js';
import type { HduWriteOptions, WriterContext } from './context.js';

/** Algorithms a compressed table's columns can be written with (those funpack reads). */
export type TableCompression = 'RICE_1' | 'GZIP_1' | 'GZIP_2';

/** Options of {@link FitsWriter.addCompressedTable}. */
export interface CompressedTableOptions extends HduWriteOptions {
  /**
   * Rows per tile (ZTILELEN). Default: as fpack, 10 000 000 bytes of rows
   * (10 000 000 / NAXIS1 rows), at most the table's rows.
   */
  tileRows?: number;
  /**
   * An algorithm for every column, or one per column name (others: the
   * default). Where CFITSIO does not allow the algorithm for a column's type
   * it uses its own choice instead, and so does this writer: L, X, A and C
   * are always GZIP_1; B takes GZIP_1 or RICE_1 (default GZIP_1); I takes any
   * (default GZIP_2); J any (default RICE_1); K, E, D and M take GZIP_1 or
   * GZIP_2 (default GZIP_2).
   */
  compression?: TableCompression | Readonly<Record<string, TableCompression>>;
  /** Deflate level of GZIP columns (default 1, Z_BEST_SPEED, as CFITSIO). */
  gzipLevel?: number;
}

/** fpack's rows per tile: 10 MB of rows. */
const TILE_BYTES = 10_000_000;
const DEFAULT_GZIP_LEVEL = 1;
const RICE_BLOCK = 32;

/**
 * The algorithm CFITSIO (fits_compress_table) uses for a column whose
 * element type is `code` (for P/Q, the array's type) when `asked` is
 * requested: L, X and A are always GZIP_1; B takes GZIP_1 or RICE_1 (default
 * GZIP_1); I takes any (default GZIP_2); J any (default RICE_1); K, E, D and
 * M take GZIP_1 or GZIP_2 (default GZIP_2). One departure: C is always
 * GZIP_1, because funpack (CFITSIO 4.2) cannot restore the GZIP_2 C columns
 * fpack writes ("unsuitable data type", status 414).
 * @example
 * columnCompression('E', 'RICE_1'); // 'GZIP_2'
 */
export function columnCompression(code: string, asked: TableCompression | undefined): TableCompression {
  switch (code) {
    case 'L': case 'X': case 'A': case 'C': return 'GZIP_1';
    case 'B': return asked === 'RICE_1' ? 'RICE_1' : 'GZIP_1';
    case 'I': return asked ?? 'GZIP_2';
    case 'J': return asked ?? 'RICE_1';
    default: return asked === 'GZIP_1' ? 'GZIP_1' : 'GZIP_2';
  }
}

/**
 * Keywords a user header must not bring in: Z keywords describe a compression,
 * not the table; CHECKSUM/DATASUM of a copied table would be stale (the heap
 * is laid out anew), and are computed when asked for.
 */
const Z_TABLE_KEY = /^(Z(TABLE|TILELEN|NAXIS[12]|PCOUNT|FORM\d+|CTYP\d+|HECKSUM|DATASUM|THEAP)|CHECKSUM|DATASUM)$/;

function assembled(c: CardInput): AssembledCard {
  return { ...c, keyword: keyOf(c), images: formatCard(c) };
}

function bad(message: string, hdu: number): FitsError {
  return new FitsError('BAD_ARGUMENT', message, { hdu });
}

/** Rice-code big-endian values of `bytes` (1, 2 or 4) bytes. */
function riceOf(plane: Uint8Array, bytes: number): Uint8Array {
  if (bytes === 1) return riceEncode(plane, 1, RICE_BLOCK);
  const n = plane.length / bytes;
  const dv = new DataView(plane.buffer, plane.byteOffset, plane.byteLength);
  const v = new Int32Array(n);
  if (bytes === 2) for (let i = 0; i < n; i++) v[i] = dv.getInt16(2 * i);
  else for (let i = 0; i < n; i++) v[i] = dv.getInt32(4 * i);
  return riceEncode(v, bytes as 2 | 4, RICE_BLOCK);
}

const RICE_BYTES: Record<string, number> = { B: 1, I: 2, J: 4 };

/** The heap of one tile: offsets continue those of the tiles before it. */
class TileHeap extends HeapBuilder {
  constructor(readonly base: number) {
    super();
  }
  override append(bytes: Uint8Array): number {
    return this.base + super.append(bytes);
  }
  /** The tile's heap bytes in one array. */
  joined(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0]!;
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** The compressed heap: chunks and their total. */
class Chunks {
  readonly list: Uint8Array[] = [];
  size = 0;
  add(bytes: Uint8Array): number {
    const at = this.size;
    if (bytes.length) this.list.push(bytes);
    this.size += bytes.length;
    return at;
  }
}

interface ColumnJob {
  plan: ColumnPlan;
  codec: TableCompression;
  /** Longest compressed cell (TFORMn's maximum). */
  longest: number;
}

/** Write a table as a tile-compressed table (see the module notes). */
export async function writeCompressedTable(w: WriterContext, input: TableInput, opts: CompressedTableOptions = {}): Promise<void> {
  const index0 = w.nextIndex === 0 ? 1 : w.nextIndex;
  const cols = tableColumns(input, index0);
  const userAll = toCardInputs(opts.header);
  const user = userAll.filter((c) => c.commentary || !Z_TABLE_KEY.test(keyOf(c)));
  const { plans, rowWidth, nrows } = planColumns(cols, user, index0);
  if (nrows === 0 || plans.length === 0) {
    // As fpack: nothing to compress; funpack copies such a table as it is.
    await writeTable(w, input, { ...opts, header: user });
    return;
  }
  const px = plans.find((p) => p.vla && p.code === 'X');
  if (px) {
    throw new FitsError('UNSUPPORTED', `Column ${px.name} holds variable-length bit arrays (${px.tform.text}), which funpack cannot restore from a compressed table (CFITSIO stores none of their bits); write it uncompressed, or as bytes (PB).`, { hdu: index0 });
  }
  const tileRows = opts.tileRows ?? Math.max(1, Math.min(nrows, Math.floor(TILE_BYTES / Math.max(1, rowWidth))));
  if (!Number.isSafeInteger(tileRows) || tileRows < 1) throw bad(`tileRows must be a positive integer (got ${tileRows}).`, index0);
  const per = Math.min(tileRows, nrows);
  const level = opts.gzipLevel ?? DEFAULT_GZIP_LEVEL;
  const asked = (name: string): TableCompression | undefined => {
    const c = opts.compression;
    const v = c === undefined || typeof c === 'string' ? c : c[name];
    if (v !== undefined && v !== 'RICE_1' && v !== 'GZIP_1' && v !== 'GZIP_2') throw bad(`Unknown table compression '${String(v)}' (RICE_1, GZIP_1, GZIP_2).`, index0);
    return v;
  };
  if (opts.compression && typeof opts.compression === 'object') {
    for (const name of Object.keys(opts.compression)) {
      if (!plans.some((p) => p.name === name)) throw new FitsError('NOT_FOUND', `compression names a column ${name} the table does not have.`, { hdu: index0 });
    }
  }
  const jobs: ColumnJob[] = plans.map((plan) => ({ plan, codec: columnCompression(plan.code, asked(plan.name)), longest: 0 }));
  const checksum = w.wantsChecksum(opts);
  await w.ensurePrimary();
  await w.run(async () => {
    const index = w.nextIndex;
    const sources = cols.map(sourceOf);
    const ntiles = Math.ceil(nrows / per);
    const stored = new Chunks();
    const cells = new Float64Array(ntiles * plans.length * 2); // per tile and column: length, heap offset
    const rowsSum = new StreamingSum();
    const heapSum = new StreamingSum();
    heapSum.add(new Uint8Array((rowWidth * nrows) % 4)); // the heap's words start after the rows
    let heapSize = 0;
    const rows = new Uint8Array(per * rowWidth);
    for (let t = 0; t < ntiles; t++) {
      const r0 = t * per;
      const n = Math.min(per, nrows - r0);
      const out = rows.subarray(0, n * rowWidth);
      out.fill(0);
      const heap = new TileHeap(heapSize);
      encodeRows(plans, sources, r0, n, rowWidth, out, heap);
      rowsSum.add(out);
      for (const c of heap.chunks) heapSum.add(c);
      const tileHeap = heap.joined();
      jobs.forEach((job, c) => {
        const p = job.plan;
        if (p.width === 0) return; // CFITSIO leaves columns of no bytes empty
        const plane = new Uint8Array(n * p.width);
        for (let r = 0; r < n; r++) plane.set(out.subarray(r * rowWidth + p.offset, r * rowWidth + p.offset + p.width), r * p.width);
        const cell = p.vla ? compressArrays(job, plane, n, tileHeap, heap.base, stored, w.deflate, level) : compressFixed(job, plane, w.deflate, level);
        cells[(t * plans.length + c) * 2] = cell.length;
        cells[(t * plans.length + c) * 2 + 1] = stored.add(cell);
        if (cell.length > job.longest) job.longest = cell.length;
      });
      heapSize += heap.size;
    }
    // The table's own header, as addTable writes it, sealed with its checksums.
    const table = tableHeader(index, plans, rowWidth, nrows, heapSize, user, { extname: opts.extname, checksum });
    for (const [k, v] of Object.entries(vlaFormPatches(plans))) patchCard(table, k, v);
    if (table.some((c) => !c.commentary && c.keyword === 'THEAP')) patchCard(table, 'THEAP', rowWidth * nrows);
    if (checksum) sealChecksum(table, addSums(rowsSum.value, heapSum.value));
    const cards = compressedCards(table, jobs, { tileRows: per, ntiles, heap: stored.size, checksum });
    const rowBytes = plans.length * 16;
    await w.emit(cards, async (emit) => {
      const desc = new Uint8Array(ntiles * rowBytes);
      const dv = new DataView(desc.buffer);
      for (let i = 0; i < ntiles * plans.length; i++) {
        dv.setBigUint64(16 * i, BigInt(cells[2 * i]!));
        dv.setBigUint64(16 * i + 8, BigInt(cells[2 * i + 1]!));
      }
      await emit(desc);
      for (const c of stored.list) await emit(c);
    }, { checksum, dataBytes: ntiles * rowBytes + stored.size, hdu: index });
  });
}

function sourceOf(c: NormalColumn): ColumnSource {
  return { data: c.data, offsets: c.offsets, validity: c.validity, length: c.length };
}

/** One tile of a fixed-width column. */
function compressFixed(job: ColumnJob, plane: Uint8Array, deflate: Deflater, level: number): Uint8Array {
  const code = job.plan.code;
  if (job.codec === 'RICE_1') return riceOf(plane, RICE_BYTES[code]!);
  if (job.codec === 'GZIP_2') return deflate(shuffleBytes(plane, fixedShuffleBytes(code)), level);
  return deflate(plane, level);
}

/**
 * One tile of a variable-length column: each row's array compressed into the
 * compressed heap, then the cell: gzip of the rows' descriptors and of the
 * compressed arrays' 16-byte descriptors.
 */
function compressArrays(job: ColumnJob, plane: Uint8Array, n: number, tileHeap: Uint8Array, base: number, stored: Chunks, deflate: Deflater, level: number): Uint8Array {
  const p = job.plan;
  const q = p.tform.code === 'Q';
  const elementBytes = arrayElementBytes(p.code);
  const block = new Uint8Array(n * (p.width + 16));
  block.set(plane);
  const src = new DataView(plane.buffer, plane.byteOffset, plane.byteLength);
  const dst = new DataView(block.buffer);
  for (let r = 0; r < n; r++) {
    const count = q ? Number(src.getBigUint64(r * 16)) : src.getInt32(r * 8);
    const at = q ? Number(src.getBigUint64(r * 16 + 8)) : src.getInt32(r * 8 + 4);
    if (count <= 0) continue;
    const raw = tileHeap.subarray(at - base, at - base + count * elementBytes);
    let packed: Uint8Array;
    if (job.codec === 'RICE_1') packed = riceOf(raw, RICE_BYTES[p.code]!);
    else if (job.codec === 'GZIP_2' && (elementBytes === 2 || elementBytes === 4 || elementBytes === 8)) packed = deflate(shuffleBytes(raw, elementBytes), level);
    else packed = deflate(raw, level);
    // As CFITSIO: arrays that do not get smaller are stored as they are.
    const cell = packed.length < raw.length ? packed : raw.slice();
    const d = n * p.width + r * 16;
    dst.setBigUint64(d, BigInt(cell.length));
    dst.setBigUint64(d + 8, BigInt(stored.add(cell)));
  }
  return deflate(block, level);
}

/** The compressed table's header from the table's (see the module notes). */
function compressedCards(table: readonly AssembledCard[], jobs: readonly ColumnJob[], o: { tileRows: number; ntiles: number; heap: number; checksum: boolean }): AssembledCard[] {
  const find = (k: string) => table.find((c) => !c.commentary && c.keyword === k);
  const cardValue = (k: string): CardValue => find(k)?.value ?? null;
  const commentOf = (k: string): string => find(k)?.comment ?? '';
  const forms = new Map<string, ColumnJob>(jobs.map((j) => [`TFORM${j.plan.index}`, j]));
  const out: AssembledCard[] = [];
  for (const c of table) {
    const k = c.commentary ? '' : c.keyword;
    const form = forms.get(k);
    if (k === 'NAXIS1') out.push(assembled({ keyword: k, value: jobs.length * 16, comment: c.comment }));
    else if (k === 'NAXIS2') out.push(assembled({ keyword: k, value: o.ntiles, comment: c.comment }));
    else if (k === 'PCOUNT') out.push(assembled({ keyword: k, value: o.heap, comment: c.comment }));
    else if (form) out.push(assembled({ keyword: k, value: `1QB(${form.longest})`, comment: c.comment }));
    else if (k === 'CHECKSUM' || k === 'DATASUM' || k === 'THEAP') out.push(assembled({ keyword: k === 'THEAP' ? 'ZTHEAP' : `Z${k === 'CHECKSUM' ? 'HECKSUM' : k}`, value: c.value, comment: c.comment }));
    else out.push(c);
  }
  out.push(
    assembled({ keyword: 'ZTABLE', value: true, comment: 'this is a compressed table' }),
    assembled({ keyword: 'ZTILELEN', value: o.tileRows, comment: 'number of rows in each tile' }),
    assembled({ keyword: 'ZNAXIS1', value: cardValue('NAXIS1'), comment: commentOf('NAXIS1') }),
    assembled({ keyword: 'ZNAXIS2', value: cardValue('NAXIS2'), comment: commentOf('NAXIS2') }),
    assembled({ keyword: 'ZPCOUNT', value: cardValue('PCOUNT'), comment: commentOf('PCOUNT') }),
  );
  for (const j of jobs) {
    const n = j.plan.index;
    out.push(assembled({ keyword: `ZFORM${n}`, value: cardValue(`TFORM${n}`), comment: commentOf(`TFORM${n}`) }));
  }
  for (const j of jobs) out.push(assembled({ keyword: `ZCTYP${j.plan.index}`, value: j.codec, comment: 'compression algorithm for column' }));
  if (o.checksum) {
    out.push(assembled({ keyword: 'CHECKSUM', value: '0000000000000000', comment: 'HDU checksum' }), assembled({ keyword: 'DATASUM', value: '0', comment: 'data unit checksum' }));
  }
  return out;
}
