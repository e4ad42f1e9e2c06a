/**
 * What the Z keywords of a tile-compressed table say (FITS 4.0 §10.3, what
 * `fpack -table` writes): the uncompressed table's layout (from the header
 * compressedTableHeader rebuilds), ZTILELEN rows per tile, and for each column
 * its algorithm (ZCTYPn) and where its tiles are in the compressed table (a
 * `1QB`/`1PB` column of the same number: one row per tile). No I/O, no
 * decoding.
 *
 * A tile holds each column's cells of ZTILELEN consecutive rows, in row
 * order, as one compressed stream (CFITSIO's fits_compress_table):
 * - GZIP_1: gzip of those bytes; GZIP_2: their bytes shuffled first (all most
 *   significant bytes, …) for I (2), J and E (4), K and D (8) columns only:
 *   CFITSIO stores other types (L, X, B, A, C, M) unshuffled, whatever ZCTYPn says;
 * - RICE_1: the values of B, I and J columns, Rice-coded with 32-value blocks;
 * - NOCOMPRESS: the bytes as they are (CFITSIO cannot read it back);
 * - ZCTYPn absent: GZIP_2 (CFITSIO's default).
 * Variable-length columns: the tile is the gzip of the rows' descriptors (as
 * stored, P or Q) followed by one 16-byte Q descriptor per row pointing to the
 * row's array in the compressed table's heap, compressed on its own (RICE_1
 * for B/I/J arrays, else gzip, GZIP_2 shuffling 2-, 4- and 8-byte elements),
 * or stored as it is when that is not smaller.
 */
import { FitsError } from '../core/errors.js';
import type { Header } from '../header/header.js';
import type { HduContext } from '../hdu/context.js';
import { layoutOf, type HduLayout } from '../hdu/layout.js';
import { binaryLayoutOf, binaryTableLayout, type BinaryColumnSpec, type BinaryTableLayout } from '../table/read/binary-layout.js';
import { compressedTableHeader } from './header.js';

/** A column's tile algorithm (ZCTYPn). */
export type TableCodec = 'RICE_1' | 'GZIP_1' | 'GZIP_2' | 'NOCOMPRESS';

/** One column of a compressed table. */
export interface CompressedColumn {
  /** The column of the uncompressed table. */
  readonly spec: BinaryColumnSpec;
  readonly codec: TableCodec;
  /** The compressed table's column holding this column's tiles (a byte array descriptor). */
  readonly stored: BinaryColumnSpec;
  /** GZIP_2 fixed columns: bytes per shuffled element (1: no shuffle). */
  readonly shuffle: number;
  /**
   * Variable-length columns: bytes per array element as CFITSIO counts them
   * (`-coltype / 10`: 0 for X, whose bits fpack does not store).
   */
  readonly arrayElementBytes: number;
  /** Bytes one row takes in a decoded tile: the field, and for variable-length columns the 16-byte Q descriptor of its compressed array. */
  readonly tileRowBytes: number;
}

/** What the Z keywords say about a compressed table. */
export interface CompressedTableInfo {
  readonly hdu: number;
  /** The uncompressed table's header. */
  readonly header: Header;
  /** The uncompressed table's HDU layout (kind 'bintable'). */
  readonly layout: HduLayout;
  /** The uncompressed table's columns and heap. */
  readonly table: BinaryTableLayout;
  /** The compressed table (one row per tile). */
  readonly stored: BinaryTableLayout;
  /** Rows per tile (ZTILELEN, at most the table's rows); the last tile may have fewer. */
  readonly tileRows: number;
  readonly ntiles: number;
  readonly columns: readonly CompressedColumn[];
}

const infoCache = new WeakMap<HduContext, CompressedTableInfo>();

const FIXED_SHUFFLE: Partial<Record<string, number>> = { I: 2, J: 4, E: 4, K: 8, D: 8 };
const ARRAY_ELEMENT_BYTES: Record<string, number> = { L: 1, X: 0, B: 1, I: 2, J: 4, K: 8, A: 1, E: 4, D: 8, C: 8, M: 16 };

/** Bytes per element of a GZIP_2 shuffle of a fixed column of element type `code`, as fits_compress_table does it (1: none). */
export function fixedShuffleBytes(code: string): number {
  return FIXED_SHUFFLE[code] ?? 1;
}

/** CFITSIO's `-coltype / 10`: bytes per element of the variable-length arrays it compresses (X: 0). */
export function arrayElementBytes(code: string): number {
  return ARRAY_ELEMENT_BYTES[code] ?? 1;
}

function codecOf(h: Header, n: number, spec: BinaryColumnSpec, hdu: number): TableCodec {
  const v = h.get(`ZCTYP${n}`);
  const card = h.card(`ZCTYP${n}`);
  if (v === undefined) return 'GZIP_2';
  const name = typeof v === 'string' ? v.trim().toUpperCase() : '';
  const codec = name === 'RICE_ONE' ? 'RICE_1' : name;
  if (codec !== 'RICE_1' && codec !== 'GZIP_1' && codec !== 'GZIP_2' && codec !== 'NOCOMPRESS') {
    throw new FitsError('UNSUPPORTED', `ZCTYP${n} = ${JSON.stringify(v)} is not a table compression algorithm (RICE_1, GZIP_1, GZIP_2, NOCOMPRESS).`, {
      hdu,
      card: card ? card.index + 1 : undefined,
    });
  }
  if (codec === 'RICE_1' && !'BIJ'.includes(spec.elementCode)) {
    throw new FitsError('BAD_HEADER', `ZCTYP${n} = 'RICE_1' cannot hold column ${n} (TFORM '${spec.tform.text}'): RICE_1 codes B, I and J values only.`, {
      hdu,
      card: card ? card.index + 1 : undefined,
    });
  }
  return codec;
}

/**
 * Parse (once per HDU) the Z keywords of a compressed table and check them
 * against its compressed table.
 * @example
 * const { table, tileRows, ntiles } = compressedTableInfo(hdu);
 */
export function compressedTableInfo(ctx: HduContext): CompressedTableInfo {
  const hit = infoCache.get(ctx);
  if (hit) return hit;
  const h = ctx.header;
  const hdu = ctx.index;
  const header = compressedTableHeader(ctx);
  const layout = layoutOf(header, hdu);
  if (layout.kind !== 'bintable') throw new FitsError('BAD_HEADER', 'A compressed table must hold a binary table.', { hdu });
  const table = binaryTableLayout(header, layout, hdu);
  const stored = binaryLayoutOf(ctx);
  if (stored.columns.length !== table.columns.length) {
    throw new FitsError('BAD_HEADER', `The compressed table has ${stored.columns.length} columns for the ${table.columns.length} of its table.`, { hdu });
  }
  const ztile = h.get('ZTILELEN');
  const ztileCard = h.card('ZTILELEN');
  if (typeof ztile !== 'number' || !Number.isSafeInteger(ztile) || ztile < 1) {
    throw new FitsError('BAD_HEADER', ztileCard ? `ZTILELEN = ${String(ztile)} is not a positive integer.` : 'A compressed table needs ZTILELEN (rows per tile); it is missing.', {
      hdu,
      card: ztileCard ? ztileCard.index + 1 : undefined,
    });
  }
  // As CFITSIO: a ZTILELEN beyond the table's rows means one tile.
  const tileRows = Math.max(1, Math.min(ztile, table.nrows));
  const ntiles = table.nrows === 0 ? 0 : Math.ceil(table.nrows / tileRows);
  if (stored.nrows < ntiles) {
    throw new FitsError('CORRUPT_DATA', `The table's ${table.nrows} rows in tiles of ${tileRows} need ${ntiles} tiles but the compressed table has ${stored.nrows} rows.`, { hdu });
  }
  const columns = table.columns.map((spec, i): CompressedColumn => {
    const n = i + 1;
    const s = stored.columns[i]!;
    if (!s.variable || s.elementCode !== 'B' || s.tform.repeat !== 1) {
      throw new FitsError('BAD_HEADER', `Column ${n} of a compressed table must hold byte arrays (TFORM${n} = '1QB' or '1PB'), not '${s.tform.text}'.`, { hdu });
    }
    const codec = codecOf(h, n, spec, hdu);
    const tileRowBytes = spec.width + (spec.variable ? 16 : 0);
    if (!Number.isSafeInteger(tileRowBytes * tileRows * 2)) throw new FitsError('BAD_SIZE', `Tiles of ${tileRows} rows of column ${n} are absurdly large.`, { hdu });
    return {
      spec,
      codec,
      stored: s,
      shuffle: codec === 'GZIP_2' && !spec.variable ? fixedShuffleBytes(spec.elementCode) : 1,
      arrayElementBytes: arrayElementBytes(spec.elementCode),
      tileRowBytes,
    };
  });
  const info: CompressedTableInfo = { hdu, header, layout, table, stored, tileRows, ntiles, columns };
  infoCache.set(ctx, info);
  return info;
}

/** Rows of tile `t`. */
export function rowsOfTile(info: CompressedTableInfo, t: number): number {
  return Math.min(info.tileRows, info.table.nrows - t * info.tileRows);
}
