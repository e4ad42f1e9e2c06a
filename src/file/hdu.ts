/**
 * An HDU: its header, its kind and layout, and lazy access to its data.
 * Reading an HDU list costs headers only; data is read when asked for, and
 * the code that reads each kind is loaded when first needed (tables, random
 * groups, tile decoding, the GPU backends), so a program that lists headers
 * or reads a plain image loads none of it.
 */
import { FitsError } from '../core/errors.js';
import type { ByteSource } from '../core/byte-source.js';
import type { Runtime } from '../core/runtime.js';
import type { Header } from '../header/header.js';
import type { HduContext } from '../hdu/context.js';
import type { HduKind, HduLayout } from '../hdu/layout.js';
import { imageLocationOf, iterateImage, readImage, type ImageChunk, type ImageData, type IterateImageOptions, type ReadImageOptions } from '../image/read-image.js';
import { pixelScaling, type DType } from '../image/pixel-type.js';
import { verifyHduChecksum, type ChecksumResult } from '../checksum/verify.js';
import type { IterateTableOptions, ReadTableOptions } from '../table/read/read-table.js';
import type { RandomGroups } from '../table/read/random-groups.js';
import type { FitsTable } from '../table/ops/fits-table.js';
import type { CompressedReadOptions } from '../tiled/tiled-image.js';
import { compressedImageHeader, compressedImageInfo } from '../tiled/zimage.js';
import { compressedTableHeader } from '../ztable/header.js';
import type { Wcs } from '../wcs/wcs.js';

/** The other HDUs of the file an HDU belongs to (a FitsFile): where a WCS finds its lookup tables. */
export interface HduSiblings {
  /** An HDU by index, or by EXTNAME (and EXTVER). */
  hdu(which: number | string, version?: number): Promise<Hdu>;
}

/** Shape and dtype of a compressed image, or null when its Z keywords cannot be read (readImage says why). */
function compressedInfoOrNull(ctx: HduContext): { dims: number[]; dtype: DType } | null {
  try {
    return compressedImageInfo(ctx);
  } catch (e) {
    if (e instanceof FitsError) return null;
    throw e;
  }
}

/** Options of {@link Hdu.readImage}. */
export type HduReadImageOptions = ReadImageOptions & Pick<CompressedReadOptions, 'workers'>;

/**
 * One header-data unit of an open file: its header, its layout, and readers for its data (images, tables, random groups, checksums, WCS).
 * Get one with `file.hdu(index | EXTNAME)` or by iterating the file.
 */
export class Hdu implements HduContext {
  constructor(
    readonly source: ByteSource,
    readonly index: number,
    readonly header: Header,
    readonly layout: HduLayout,
    readonly headerOffset: number,
    readonly dataOffset: number,
    /** The runtime the file was opened with. */
    readonly runtime: Runtime,
    /** The file's HDUs (for WCS lookup tables and -TAB arrays). */
    readonly siblings?: HduSiblings,
  ) {}

  /**
   * The HDU kind: image, bintable, table, compressed-image, compressed-table,
   * random-groups or other. A compressed-table (ZTABLE = T, what `fpack -table`
   * writes) reads with readTable and iterateTable as the binary table it holds,
   * whose header is {@link tableHeader}.
   */
  get kind(): HduKind {
    return this.layout.kind;
  }

  /** EXTNAME if it is a string, else null. */
  get name(): string | null {
    const v = this.header.get('EXTNAME');
    return typeof v === 'string' ? v : null;
  }

  /** EXTVER if it is an integer, else null. */
  get version(): number | null {
    const v = this.header.get('EXTVER');
    return typeof v === 'number' && Number.isInteger(v) ? v : null;
  }

  /** Byte offset just past this HDU's padded data: where the next HDU starts. */
  get endOffset(): number {
    return this.dataOffset + this.layout.paddedDataBytes;
  }

  /** Image dimensions in C order (slowest first), or null when there is no array. */
  get shape(): number[] | null {
    if (this.kind === 'compressed-image') {
      const dims = compressedInfoOrNull(this)?.dims;
      return dims?.length ? [...dims] : null;
    }
    if (this.kind !== 'image' || this.layout.naxes.length === 0) return null;
    return [...this.layout.naxes].reverse();
  }

  /** Element type of the image as astropy returns it, or null when there is no array. */
  get dtype(): DType | null {
    if (this.kind === 'compressed-image') {
      const info = compressedInfoOrNull(this);
      return info?.dims.length ? info.dtype : null;
    }
    if (this.kind !== 'image' || this.layout.naxes.length === 0) return null;
    return pixelScaling(this.header, this.layout.bitpix).dtype;
  }

  /**
   * Read the image (or a section: `start`, `shape`, `step` in C order) into a typed array.
   * @example
   * const { data, shape, dtype } = await hdu.readImage({ start: [100, 200], shape: [512, 512] });
   */
  async readImage(opts: HduReadImageOptions = {}): Promise<ImageData> {
    if (this.kind === 'compressed-image') {
      const { readTiledImage } = await import('../tiled/read.js');
      return readTiledImage(this, opts);
    }
    if (this.kind !== 'image') {
      throw new FitsError('BAD_ARGUMENT', `HDU ${this.index} is a ${this.kind}, not an image.`, { hdu: this.index });
    }
    if (opts.gpu !== undefined && opts.gpu !== false) {
      const { readImageGpu } = await import('../image/read-gpu.js');
      return readImageGpu(this, opts);
    }
    return readImage(imageLocationOf(this), opts);
  }

  /**
   * The header of the image: for a compressed image, the uncompressed image's
   * header reconstructed from the Z keywords (as astropy shows it); else `header`.
   */
  get imageHeader(): Header {
    return this.kind === 'compressed-image' ? compressedImageHeader(this) : this.header;
  }

  /** Stream the image in chunks of whole slices along the slowest axis (bounded memory); compressed images too. */
  iterateImage(opts: IterateImageOptions & Pick<CompressedReadOptions, 'workers'> = {}): AsyncGenerator<ImageChunk> {
    if (this.kind === 'compressed-image') return iterateTiled(this, opts);
    if (this.kind !== 'image') throw new FitsError('BAD_ARGUMENT', `HDU ${this.index} is a ${this.kind}, not an image.`, { hdu: this.index });
    return iterateImage(imageLocationOf(this), opts);
  }

  /**
   * The header of the table: for a compressed table, the uncompressed table's
   * header (NAXISn, PCOUNT and TFORMn restored, the ZTABLE keywords hidden, as
   * funpack writes it); else `header`.
   */
  get tableHeader(): Header {
    return this.kind === 'compressed-table' ? compressedTableHeader(this) : this.header;
  }

  /**
   * Read a binary or ASCII table, or some of its columns (by name or 0-based
   * index) and rows; only the bytes of those rows (and their heap arrays) are read.
   * A compressed table decodes only the tiles of those rows and those columns.
   * @example
   * const t = await hdu.readTable({ columns: ['RA', 'DEC'], rows: { start: 0, count: 1000 } });
   */
  async readTable(opts: ReadTableOptions = {}): Promise<FitsTable> {
    if (this.kind === 'compressed-table') {
      const { readCompressedTable } = await import('../ztable/read.js');
      return readCompressedTable(this, opts);
    }
    const { readTable } = await import('../table/read/read-table.js');
    return readTable(this, opts);
  }

  /**
   * Stream a table as FitsTables of at most `rows` rows each, with bounded memory.
   * @example
   * for await (const batch of hdu.iterateTable({ rows: 100_000, columns: ['TIME'] })) n += batch.numRows;
   */
  async *iterateTable(opts: IterateTableOptions = {}): AsyncGenerator<FitsTable> {
    if (this.kind === 'compressed-table') {
      const { iterateCompressedTable } = await import('../ztable/read.js');
      yield* iterateCompressedTable(this, opts);
      return;
    }
    const { iterateTable } = await import('../table/read/read-table.js');
    yield* iterateTable(this, opts);
  }

  /**
   * Read random groups (GROUPS = T): the group arrays and parameters, scaled.
   * @example
   * const { data, params } = await hdu.readGroups();
   */
  async readGroups(): Promise<RandomGroups> {
    const { readRandomGroups } = await import('../table/read/random-groups.js');
    return readRandomGroups(this);
  }

  /** Verify CHECKSUM and DATASUM (when present). */
  verifyChecksum(): Promise<ChecksumResult> {
    return verifyHduChecksum(this);
  }

  /**
   * The world coordinate system (key ' ' or 'A'–'Z'), or null when the header
   * has none: images (the image header of tile-compressed ones), and binary
   * tables' pixel-list keywords (TCTYPn, TCRPXn, …), with SIP, TPV, lookup
   * tables and -TAB axes, as astropy's `WCS(header, hdulist)` reads them.
   * Pixels are 0-based in FITS axis order (astropy's `origin=0`). An invalid
   * WCS is a FitsError (BAD_WCS) naming the keyword. The WCS code is loaded on
   * the first call.
   * @example
   * const wcs = await hdu.wcs();
   * const [ra, dec] = wcs!.pixelToWorld([[0, 1023], [0, 2047]]);
   */
  async wcs(opts: { key?: string } = {}): Promise<Wcs | null> {
    const { hduWcs } = await import('./hdu-wcs.js');
    return hduWcs(this, { key: opts.key, file: this.siblings });
  }
}

async function* iterateTiled(ctx: HduContext, opts: IterateImageOptions & Pick<CompressedReadOptions, 'workers'>): AsyncGenerator<ImageChunk> {
  const { iterateTiledImage } = await import('../tiled/read.js');
  yield* iterateTiledImage(ctx, opts);
}
