/**
 * The BINTABLE HDU of a tile-compressed image (FITS 4.0 §10): its columns,
 * its header, and its bytes.
 *
 * Columns are fixed by the options, not by the pixels, so the table can be
 * laid out before the first tile is compressed: COMPRESSED_DATA (bytes;
 * PLIO_1: 16-bit words), GZIP_COMPRESSED_DATA for every quantized image
 * (as astropy writes it; it holds the tiles that cannot be quantized, as
 * CFITSIO stores them, and is empty otherwise), UNCOMPRESSED_DATA for
 * NOCOMPRESS (each tile's pixels in the image's own type, as `fpack -d`
 * writes them; COMPRESSED_DATA then stays empty), ZSCALE and ZZERO for
 * quantized images.
 *
 * The header carries the image's own header as it would be written
 * uncompressed, its structural keywords moved to Z names (SIMPLE → ZSIMPLE,
 * BITPIX → ZBITPIX, EXTEND → ZEXTEND, CHECKSUM → ZHECKSUM, …) in their order
 * and with their comments, as CFITSIO does: funpack then restores that header
 * card for card, and ZHECKSUM/ZDATASUM verify on the restored image.
 *
 * {@link CompressedHduWriter} writes the HDU while tiles arrive: the header and
 * the table area are reserved first (zeros), compressed tiles stream into the
 * heap, and at the end the table (descriptors, ZSCALE, ZZERO) and the final
 * header are written in place with the sink's positioned writes. Memory holds
 * one batch of tiles and a few numbers per tile.
 */
import { BLOCK, CARD, fillBytes } from '../core/block.js';
import { FitsError } from '../core/errors.js';
import { addSums } from '../checksum/sum32.js';
import { formatCard, type CardInput } from '../header/format.js';
import { cardImages, encodeHeader, keyOf, type AssembledCard } from './header-build.js';
import { sealChecksum, StreamingSum } from './hdu-emit.js';
import type { ByteSink } from './sink.js';
import type { TileBatchResult } from './tile-encoder.js';

const P_LIMIT = 2147483647;

/** Element codes of a tile column. */
export type TileElementCode = 'B' | 'I' | 'J' | 'K' | 'E' | 'D';

const ELEMENT_BYTES: Record<TileElementCode, number> = { B: 1, I: 2, J: 4, K: 8, E: 4, D: 8 };

/** Which columns the compressed table has. */
export interface TileColumnsLayout {
  /** COMPRESSED_DATA elements: bytes, or PLIO_1's 16-bit words. */
  compressed: 'B' | 'I';
  /** GZIP_COMPRESSED_DATA (quantized images). */
  gzip: boolean;
  /** UNCOMPRESSED_DATA elements (NOCOMPRESS), else undefined. */
  uncompressed?: TileElementCode;
  /** ZSCALE and ZZERO (quantized images). */
  scales: boolean;
  /** 'Q' (64-bit) descriptors when the heap may pass 2 GiB. */
  descriptor: 'P' | 'Q';
}

interface ColumnDef {
  name: string;
  /** Variable-length column: element code; else a 1D column. */
  vla?: TileElementCode;
  role: 'compressed' | 'gzip' | 'uncompressed' | 'zscale' | 'zzero';
}

function columnDefs(l: TileColumnsLayout): ColumnDef[] {
  const cols: ColumnDef[] = [{ name: 'COMPRESSED_DATA', vla: l.compressed, role: 'compressed' }];
  if (l.gzip) cols.push({ name: 'GZIP_COMPRESSED_DATA', vla: 'B', role: 'gzip' });
  if (l.uncompressed) cols.push({ name: 'UNCOMPRESSED_DATA', vla: l.uncompressed, role: 'uncompressed' });
  if (l.scales) cols.push({ name: 'ZSCALE', role: 'zscale' }, { name: 'ZZERO', role: 'zzero' });
  return cols;
}

/** Bytes of one table row. */
export function rowWidthOf(l: TileColumnsLayout): number {
  return columnDefs(l).reduce((acc, c) => acc + (c.vla ? (l.descriptor === 'Q' ? 16 : 8) : 8), 0);
}

/** What the header of a compressed image is made of (values known only at the end are passed to {@link compressedHeader}). */
export interface CompressedHeaderParts {
  layout: TileColumnsLayout;
  nTiles: number;
  /** ZIMAGE, ZTILEn, ZCMPTYPE, ZNAMEn/ZVALn: the cards before ZBLANK. */
  zcards: CardInput[];
  /** ZBLANK (quantized images with null pixels). */
  zblank: CardInput | null;
  /** ZQUANTIZ, ZDITHER0: placed after the image's structural keywords. */
  quantCards: CardInput[];
  /** Write the table's own CHECKSUM and DATASUM. */
  checksum: boolean;
}

/** Values known once every tile is written. */
export interface CompressedHeaderFinal {
  /** Heap bytes (PCOUNT). */
  heap: number;
  /** Longest array of each variable-length column (TFORMn's maximum), in column order. */
  maxLengths: number[];
  /** Whether ZBLANK is written. */
  zblank: boolean;
}

/** Image keyword → its name in a compressed image's header (NAXISn → ZNAXISn too). */
const TO_Z: Record<string, string> = {
  SIMPLE: 'ZSIMPLE', XTENSION: 'ZTENSION', BITPIX: 'ZBITPIX', NAXIS: 'ZNAXIS', EXTEND: 'ZEXTEND', BLOCKED: 'ZBLOCKED',
  PCOUNT: 'ZPCOUNT', GCOUNT: 'ZGCOUNT', CHECKSUM: 'ZHECKSUM', DATASUM: 'ZDATASUM',
};

function zName(key: string): string | undefined {
  return TO_Z[key] ?? (/^NAXIS\d+$/.test(key) ? `Z${key}` : undefined);
}

function assembled(c: CardInput): AssembledCard {
  return { ...c, keyword: keyOf(c), images: c.images ? [...c.images] : formatCard(c) };
}

/**
 * The header of the compressed HDU: table keywords, column keywords, the
 * compression keywords, then the image's header (`image`: as `imageHeader`
 * builds it) with its structural keywords renamed, and the table's CHECKSUM/DATASUM.
 */
export function compressedHeader(parts: CompressedHeaderParts, image: readonly AssembledCard[], final: CompressedHeaderFinal): AssembledCard[] {
  const { layout, nTiles } = parts;
  const cols = columnDefs(layout);
  const out: CardInput[] = [
    { keyword: 'XTENSION', value: 'BINTABLE', comment: 'binary table extension' },
    { keyword: 'BITPIX', value: 8, comment: '8-bit bytes' },
    { keyword: 'NAXIS', value: 2, comment: '2-dimensional binary table' },
    { keyword: 'NAXIS1', value: rowWidthOf(layout), comment: 'width of table in bytes' },
    { keyword: 'NAXIS2', value: nTiles, comment: 'number of rows in table' },
    { keyword: 'PCOUNT', value: final.heap, comment: 'size of special data area' },
    { keyword: 'GCOUNT', value: 1, comment: 'one data group (required keyword)' },
    { keyword: 'TFIELDS', value: cols.length, comment: 'number of fields in each row' },
  ];
  let v = 0;
  cols.forEach((c, i) => {
    out.push({ keyword: `TTYPE${i + 1}`, value: c.name, comment: `label for field ${i + 1}` });
    if (c.vla) out.push({ keyword: `TFORM${i + 1}`, value: `1${layout.descriptor}${c.vla}(${final.maxLengths[v++] ?? 0})`, comment: 'data format of field: variable length array' });
    else out.push({ keyword: `TFORM${i + 1}`, value: '1D', comment: 'data format of field: 8-byte DOUBLE' });
  });
  if (!image.some((c) => !c.commentary && c.keyword === 'EXTNAME')) out.push({ keyword: 'EXTNAME', value: 'COMPRESSED_IMAGE', comment: 'name of this binary table extension' });
  out.push(...parts.zcards);
  if (final.zblank && parts.zblank) out.push(parts.zblank);
  // The image's cards, structural ones renamed; ZQUANTIZ/ZDITHER0 after the leading structural block.
  let quantAt = -1;
  let leading = true;
  for (const c of image) {
    const z = c.commentary ? undefined : zName(c.keyword);
    if (z) {
      out.push({ keyword: z, value: c.value, comment: c.comment, isReal: c.isReal });
      if (leading) quantAt = out.length;
    } else {
      leading = false;
      out.push(c);
    }
  }
  out.splice(quantAt < 0 ? out.length : quantAt, 0, ...parts.quantCards);
  if (parts.checksum) {
    out.push({ keyword: 'CHECKSUM', value: '0000000000000000', comment: 'HDU checksum' }, { keyword: 'DATASUM', value: '0', comment: 'data unit checksum' });
  }
  return out.map(assembled);
}

function headerBlocks(cards: readonly AssembledCard[]): number {
  let n = 1; // END
  for (const c of cards) n += c.images.length;
  return Math.ceil((n * CARD) / BLOCK);
}

/** Options of {@link CompressedHduWriter}. */
export interface CompressedHduOptions {
  parts: CompressedHeaderParts;
  /** Whether ZBLANK may be needed (the header reserves room for it). */
  mayHaveNulls: boolean;
  hdu: number;
}

/**
 * Writes one compressed-image HDU to a sink, tile batch by tile batch
 * (see the module notes). Call {@link begin}, {@link add} for consecutive
 * batches of tiles, then {@link finish}; await each before the next.
 */
export class CompressedHduWriter {
  private readonly cols: ColumnDef[];
  private readonly rowWidth: number;
  private readonly tableBytes: number;
  /** Per tile: heap offset and bytes of its COMPRESSED_DATA (or UNCOMPRESSED_DATA) and of its GZIP_COMPRESSED_DATA. */
  private readonly mainAt: Float64Array;
  private readonly mainLen: Float64Array;
  private readonly gzAt: Float64Array;
  private readonly gzLen: Float64Array;
  private readonly zscale: Float64Array;
  private readonly zzero: Float64Array;
  private readonly heapSum = new StreamingSum();
  private headerOffset = -1;
  private reservedBlocks = 0;
  private heap = 0;
  private tiles = 0;
  private anyNull = false;

  constructor(
    private readonly sink: ByteSink,
    private readonly o: CompressedHduOptions,
  ) {
    const { layout, nTiles } = o.parts;
    this.cols = columnDefs(layout);
    this.rowWidth = rowWidthOf(layout);
    this.tableBytes = this.rowWidth * nTiles;
    this.mainAt = new Float64Array(nTiles);
    this.mainLen = new Float64Array(nTiles);
    this.gzAt = new Float64Array(layout.gzip ? nTiles : 0);
    this.gzLen = new Float64Array(layout.gzip ? nTiles : 0);
    this.zscale = new Float64Array(layout.scales ? nTiles : 0);
    this.zzero = new Float64Array(layout.scales ? nTiles : 0);
    // The heap starts right after the table: its words are offset by the table's length.
    this.heapSum.add(new Uint8Array(this.tableBytes % 4));
  }

  /** Write the header (a placeholder of the final size; `image`: the image header with placeholder checksums) and reserve the table. */
  async begin(image: readonly AssembledCard[]): Promise<void> {
    const { parts, mayHaveNulls } = this.o;
    const cards = compressedHeader(parts, image, { heap: 0, maxLengths: this.cols.filter((c) => c.vla).map(() => 0), zblank: mayHaveNulls });
    this.reservedBlocks = headerBlocks(cards);
    this.headerOffset = this.sink.position;
    await this.sink.write(encodeHeader(cardImages(cards)));
    await writeZeros(this.sink, this.tableBytes);
  }

  /** Append the tiles of a batch (the next `batch.ends.length` tiles) to the heap. */
  async add(batch: TileBatchResult): Promise<void> {
    const n = batch.ends.length;
    const t0 = this.tiles;
    if (t0 + n > this.o.parts.nTiles) throw new Error('internal: more tiles than the table has rows');
    const gz = this.o.parts.layout.gzip;
    // Tile by tile, each tile's bytes from its heap; runs of tiles from the same heap are one write.
    const runs: Uint8Array[] = [];
    const run = { src: null as Uint8Array | null, start: 0, end: 0 };
    const take = (src: Uint8Array, a: number, b: number): number => {
      if (b > a) {
        if (run.src !== src || run.end !== a) {
          if (run.src) runs.push(run.src.subarray(run.start, run.end));
          run.src = src;
          run.start = a;
        }
        run.end = b;
      }
      const at = this.heap;
      this.heap += b - a;
      return at;
    };
    for (let i = 0; i < n; i++) {
      const t = t0 + i;
      const a = i > 0 ? batch.ends[i - 1]! : 0;
      const b = batch.ends[i]!;
      this.mainAt[t] = take(batch.heap, a, b);
      this.mainLen[t] = b - a;
      if (gz) {
        const ga = i > 0 ? batch.gzEnds[i - 1]! : 0;
        const gb = batch.gzEnds[i]!;
        this.gzAt[t] = take(batch.gzHeap, ga, gb);
        this.gzLen[t] = gb - ga;
      }
      if (this.zscale.length) {
        this.zscale[t] = batch.zscale[i]!;
        this.zzero[t] = batch.zzero[i]!;
      }
    }
    if (run.src) runs.push(run.src.subarray(run.start, run.end));
    for (const bytes of runs) {
      this.heapSum.add(bytes);
      await this.sink.write(bytes);
    }
    this.tiles += n;
    this.anyNull ||= batch.anyNull;
  }

  /**
   * Write the table and the final header (`image`: the image header, with its
   * checksums filled in when they are written).
   */
  async finish(image: readonly AssembledCard[]): Promise<void> {
    const { parts, hdu } = this.o;
    const { layout, nTiles } = parts;
    if (this.tiles !== nTiles) throw new Error(`internal: ${this.tiles} of ${nTiles} tiles written`);
    if (layout.descriptor === 'P' && this.heap > P_LIMIT) {
      throw new FitsError('BAD_ARGUMENT', `The compressed tiles take ${this.heap} bytes, more than 32-bit descriptors address.`, { hdu });
    }
    // Padding after the heap.
    const data = this.tableBytes + this.heap;
    await writeZeros(this.sink, fillBytes(data));
    // The table, in pieces, in place.
    const maxLengths = this.cols.filter((c) => c.vla).map(() => 0);
    const tableSum = new StreamingSum();
    const dataStart = this.headerOffset + this.reservedBlocks * BLOCK;
    const perPiece = Math.max(1, Math.floor((1 << 20) / this.rowWidth));
    for (let r0 = 0; r0 < nTiles; r0 += perPiece) {
      const rows = Math.min(perPiece, nTiles - r0);
      const piece = new Uint8Array(rows * this.rowWidth);
      this.encodeRows(r0, rows, piece, maxLengths);
      tableSum.add(piece);
      await this.sink.writeAt(dataStart + r0 * this.rowWidth, piece);
    }
    // The final header, as many blocks as reserved (blank cards fill a block ZBLANK no longer needs).
    const cards = compressedHeader(parts, image, { heap: this.heap, maxLengths, zblank: this.anyNull });
    if (headerBlocks(cards) > this.reservedBlocks) throw new Error('internal: the compressed header outgrew its reservation');
    while (headerBlocks(cards) < this.reservedBlocks) cards.push({ keyword: '', commentary: true, comment: '', images: [' '.repeat(80)] });
    const bytes = parts.checksum ? sealChecksum(cards, addSums(tableSum.value, this.heapSum.value)) : encodeHeader(cardImages(cards));
    await this.sink.writeAt(this.headerOffset, bytes);
  }

  private encodeRows(r0: number, rows: number, out: Uint8Array, maxLengths: number[]): void {
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    const { descriptor, uncompressed } = this.o.parts.layout;
    const q = descriptor === 'Q';
    // The column holding each tile's bytes; COMPRESSED_DATA stays empty for NOCOMPRESS.
    const main = uncompressed ? 'uncompressed' : 'compressed';
    for (let r = 0; r < rows; r++) {
      const t = r0 + r;
      let pos = r * this.rowWidth;
      let v = 0;
      for (const c of this.cols) {
        if (c.vla) {
          const gz = c.role === 'gzip';
          const bytes = gz ? this.gzLen[t]! : c.role === main ? this.mainLen[t]! : 0;
          const at = gz ? this.gzAt[t]! : this.mainAt[t]!;
          const len = bytes / ELEMENT_BYTES[c.vla];
          if (len > maxLengths[v]!) maxLengths[v] = len;
          v++;
          if (q) {
            dv.setBigUint64(pos, BigInt(len));
            dv.setBigUint64(pos + 8, BigInt(at));
            pos += 16;
          } else {
            dv.setUint32(pos, len);
            dv.setUint32(pos + 4, at);
            pos += 8;
          }
        } else {
          dv.setFloat64(pos, c.role === 'zscale' ? this.zscale[t]! : this.zzero[t]!);
          pos += 8;
        }
      }
    }
  }
}

const ZEROS = new Uint8Array(1 << 20);

/** Append `n` zero bytes. */
async function writeZeros(sink: ByteSink, n: number): Promise<void> {
  for (let left = n; left > 0; left -= ZEROS.length) await sink.write(ZEROS.subarray(0, Math.min(left, ZEROS.length)));
}
